"""The HTML of the pages ``annograph serve`` shows: the frame, entity facts and their quotes,
everything from data escaped."""

from __future__ import annotations

from collections import defaultdict
from html import escape
from importlib.resources import files
from urllib.parse import quote

import pyoxigraph as ox
from werkzeug.wrappers import Request

from annograph._labels import fold
from annograph._languages import LANGUAGES, Language
from annograph.linking._sources import records_from_triples
from annograph.serve._reconciliation import property_value


def asset(name: str) -> str:
    return files("annograph.serve").joinpath("web", name).read_text(encoding="utf-8")


def page_language(request: Request) -> Language:
    """The language of an entity page: ``?lang=``, else the browser's choice, else English."""
    asked = request.args.get("lang") or request.accept_languages.best_match(LANGUAGES)
    return next((lang for lang in LANGUAGES if lang == asked), "en")


def note_html(note: str) -> str:
    """A curator's note, marked as one: not a statement of the article."""
    return f"<p class='note'><span class='label'>note:</span> {escape(note)}</p>"


def page(title: str, body: str, *, lang: str = "en") -> str:
    return (
        f"<!doctype html><html lang='{escape(lang)}'><head><meta charset='utf-8'>"
        f"<title>{escape(title)} — annograph</title>"
        "<link rel='stylesheet' href='/static/app.css'></head><body>"
        "<header><a href='/'>annograph</a> <a href='/article/'>articles</a></header>"
        f"<main><h1>{escape(title)}</h1>{body}</main>"
        "</body></html>"
    )


def url_component(value: str) -> str:
    return quote(value, safe="")


def property_values(
    data: list[ox.Triple], id_namespace: str
) -> dict[str, dict[str, frozenset[str]]]:
    """Entity -> property -> values, where an entity value also counts by its id and names."""
    names: dict[str, set[str]] = defaultdict(set)
    for record in records_from_triples(iter(data)):
        names[record.iri] = {fold(label.text) for label in record.labels}
        names[record.iri].add(fold(record.iri.removeprefix(id_namespace)))
    values: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for triple in data:
        subject, value = triple.subject, triple.object
        if not isinstance(subject, ox.NamedNode) or not subject.value.startswith(id_namespace):
            continue
        keys = values[subject.value][triple.predicate.value]
        if isinstance(value, ox.Literal):
            keys.add(property_value(value.value))
        elif isinstance(value, ox.NamedNode):
            keys.add(value.value)
            keys |= names.get(value.value, set())
    return {s: {p: frozenset(v) for p, v in by.items()} for s, by in values.items()}
