"""An article as one HTML page with its evidence marked: what ``annograph serve`` shows at
``/article/SLUG`` and what ``annograph docs`` writes to ``articles/SLUG.html``.

The page is one file: its small stylesheet and script (``reference/web/article.css`` and
``article.js``) are inlined, so a page written by ``annograph docs`` works opened from a disk,
offline, and the same function renders both. The text is shown as the annotations quote it,
character for character (Markdown is not rendered: its ``##`` and ``**`` are part of the text the
offsets count), with line breaks kept.

- Each span of evidence is a ``<mark>`` (see :mod:`annograph.reference._marks`); the facts it
  supports are rendered beside, hidden, in ``<div id="f-KEY">``, which the mark names in
  ``aria-describedby`` (so a screen reader reads them) and the script shows in a popup when the
  mark is hovered, focused (Tab) or chosen (click, Enter: the popup is then pinned and takes
  the focus, so its links can be followed by keyboard; Escape goes back).
- ``#KEY`` in the address (``#q12-40``, the span at characters 12 to 40) scrolls to that span,
  highlights it and shows its facts: entity pages link each quote so.
- A side panel lists the article's entities by class, by name, each with links to its mentions.

Where an entity links to is the caller's choice (``entity_link``): the server links entity
pages; a static page links the entity's entry in its own side panel (there is no entity page
without a server). Everything from data is escaped.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from importlib.resources import files
from pathlib import Path

import pyoxigraph as ox

from annograph._languages import Language
from annograph.annotations._ontology import NAMESPACE, RDF_TYPE, shorten_iri
from annograph.annotations._reader import article_text
from annograph.reference._article import (
    ArticleEvidence,
    Check,
    Span,
    Statement,
    read_article,
)
from annograph.reference._diagram import ArticleNotFound
from annograph.reference._marks import Marked, mark_text

#: Where an entity links to: an address (escaped by the page), or None for no link.
EntityLink = Callable[[ox.NamedNode], str | None]

_WORDS: dict[str, dict[Language, str]] = {
    "this article": {"en": "this article", "ru": "эта статья"},
    "type": {"en": "is a", "ru": "это"},
    "entities": {"en": "Entities", "ru": "Сущности"},
    "published": {"en": "published", "ru": "опубликована"},
    "language": {"en": "language", "ru": "язык"},
    "source": {"en": "source", "ru": "источник"},
    "graph": {"en": "graph", "ru": "граф"},
    "mentions": {"en": "mentions", "ru": "упоминания"},
    "note": {"en": "note", "ru": "примечание"},
    "help": {
        "en": "Marked words are the evidence of the graph's facts: hover over one, focus it "
        "(Tab) or click it to see the facts it supports. Blue marks name an entity; yellow "
        "ones say something about it.",
        "ru": "Выделенные слова подтверждают факты графа: наведите на них указатель, выберите "
        "их клавишей Tab или щелчком, чтобы увидеть эти факты. Синим выделены упоминания "
        "сущностей, жёлтым то, что о них сказано.",
    },
}
_SAFE_ID = re.compile(r"[A-Za-z0-9_-]+")


@dataclass(frozen=True, slots=True)
class ArticlePage:
    """An article's page, and what went into it."""

    html: str
    #: Spans marked, and spans the text no longer matches (not marked).
    check: Check
    #: Its headline in the article's language (its slug if it has none).
    title: str


def word(key: str, lang: Language) -> str:
    return _WORDS[key][lang]


def entity_anchor(entity: ox.NamedNode) -> str:
    """The id of an entity's entry in the side panel (``e-bishkek``): also the target of a
    static page's entity links."""
    local = entity.value.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    if _SAFE_ID.fullmatch(local):
        return "e-" + local
    return "e-" + hashlib.sha256(entity.value.encode("utf-8")).hexdigest()[:12]


def article_page(
    evidence: ArticleEvidence,
    text: str,
    *,
    lang: Language = "en",
    prefixes: Mapping[str, str],
    entity_link: EntityLink | None = None,
    links: Sequence[tuple[str, str]] = (),
) -> ArticlePage:
    """The article's page (see the module's documentation).

    :param text: the article's text, as the selectors' offsets count it.
    :param lang: the language of names, labels and the page's own words.
    :param prefixes: for CURIEs where something has no name.
    :param entity_link: where an entity's name links to; None: to its entry in the page's
        side panel (for a page without a server, which has no entity pages).
    :param links: the addresses and labels of the links in the bar at the top (the query page,
        the list of articles).
    """
    check = evidence.check(text)
    render = _Renderer(evidence, lang, prefixes, entity_link or _in_page(evidence))
    marked = mark_text(
        text,
        [Marked(s.start, s.end, s.key, "mention" if s.mention else "fact") for s in check.matching],
        attributes=lambda span: f'aria-describedby="f-{escape(span.key)}"',
    )
    facts = "".join(render.span_facts(span) for span in check.matching)
    title = evidence.headline(evidence.language or lang) or evidence.slug
    article_lang = escape(evidence.language or "")
    bar = "".join(f'<a href="{escape(href)}">{escape(label)}</a>' for href, label in links)
    body = (
        f'<header class="bar"><span class="name">annograph</span>{bar}</header>\n'
        '<main class="article-layout">\n<article>\n'
        f"{render.heading(check, title)}\n"
        f'<div class="text" id="text" lang="{article_lang}">{marked}</div>\n'
        "</article>\n"
        f'<aside class="entities" aria-label="{escape(word("entities", lang))}">'
        f"{render.entities(check)}</aside>\n</main>\n"
        '<div id="ev-popup" class="ev-popup" tabindex="-1" role="dialog" hidden></div>\n'
        f'<div class="ev-facts" hidden>{facts}</div>\n'
    )
    html = (
        f'<!DOCTYPE html>\n<html lang="{escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)} — annograph</title>\n"
        f"<style>\n{_asset('article.css')}</style>\n</head>\n"
        f'<body class="article-page">\n{body}<script>\n{_asset("article.js")}</script>\n'
        "</body>\n</html>\n"
    )
    return ArticlePage(html, check, title)


def _in_page(evidence: ArticleEvidence) -> EntityLink:
    def link(entity: ox.NamedNode) -> str | None:
        return "#" + entity_anchor(entity) if entity in evidence.classes else None

    return link


def _asset(name: str) -> str:
    text = files("annograph.reference").joinpath("web", name).read_text(encoding="utf-8")
    # Inlined: nothing in them may end their element early.
    assert "</style" not in text and "</script" not in text
    return text


@dataclass(frozen=True, slots=True)
class _Renderer:
    evidence: ArticleEvidence
    lang: Language
    prefixes: Mapping[str, str]
    entity_link: EntityLink

    def heading(self, check: Check, title: str) -> str:
        evidence, lang = self.evidence, self.lang
        translations = "".join(
            f'<p class="translation" lang="{escape(h.language or "")}">{escape(h.value)}</p>'
            for h in evidence.headlines
            if h.value != title
        )
        rows = []
        if evidence.published:
            rows.append((word("published", lang), escape(evidence.published)))
        if evidence.language:
            rows.append((word("language", lang), escape(evidence.language)))
        if evidence.url and evidence.url.startswith(("http://", "https://")):
            url = escape(evidence.url)
            rows.append((word("source", lang), f'<a class="external" href="{url}">{url}</a>'))
        rows.append((word("graph", lang), f"<code>{escape(evidence.graph.value)}</code>"))
        meta = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
        facts = len({fact for span in check.matching for fact in span.facts})
        counts = (
            f'<p class="counts"><span id="span-count">{len(check.matching)}</span> passages of '
            f"evidence for {facts} facts about {len(evidence.classes)} entities.</p>"
        )
        stale = ""
        if check.stale:
            shown = ", ".join(f"{s.start}:{s.end}" for s in check.stale[:5])
            stale = (
                f'<p class="stale" role="alert">{len(check.stale)} quotes of the graph are not '
                f"at their places in this text ({escape(shown)}…) and are not marked: the text "
                "changed since the graph was built. Run <code>annograph build</code>.</p>"
            )
        return (
            f'<header class="meta"><h1 lang="{escape(evidence.language or "")}">{escape(title)}'
            f"</h1>{translations}<dl>{meta}</dl>{counts}"
            f'<p class="help">{escape(word("help", lang))}</p>{stale}</header>'
        )

    def span_facts(self, span: Span) -> str:
        items = "".join(f"<li>{self.fact(fact)}</li>" for fact in span.facts)
        notes = "".join(
            f'<p class="note"><span class="label">{escape(word("note", self.lang))}:</span> '
            f"{escape(note)}</p>"
            for note in span.notes
        )
        return (
            f'<div class="facts" id="f-{escape(span.key)}" data-span="{escape(span.key)}">'
            f"<blockquote>{escape(span.exact)} <cite>[{span.start}:{span.end}]</cite></blockquote>"
            f"<ul>{items}</ul>{notes}</div>"
        )

    def fact(self, fact: Statement) -> str:
        if fact.predicate == RDF_TYPE:
            prop = escape(word("type", self.lang))
        else:
            prop = self.term(fact.predicate, link=False)
        return (
            f'{self.term(fact.subject)} <span class="prop">{prop}</span> {self.term(fact.object)}'
        )

    def term(self, term: object, *, link: bool = True) -> str:
        if isinstance(term, ox.Literal):
            tag = f' <span class="lang">@{escape(term.language)}</span>' if term.language else ""
            return f'<q lang="{escape(term.language or "")}">{escape(term.value)}</q>{tag}'
        if not isinstance(term, ox.NamedNode):
            return escape(str(term))
        if term == self.evidence.iri:
            return f'<span class="self">{escape(word("this article", self.lang))}</span>'
        curie = escape(shorten_iri(term.value, self.prefixes))
        shown = escape(self._label(term))
        href = self.entity_link(term) if link and not term.value.startswith(NAMESPACE) else None
        if href is None:
            return f'<span class="term" title="{curie}">{shown}</span>'
        return f'<a class="entity" href="{escape(href)}" title="{curie}">{shown}</a>'

    def entities(self, check: Check) -> str:
        marked = {span.key for span in check.matching}
        by_class: dict[ox.NamedNode, list[ox.NamedNode]] = defaultdict(list)
        for entity, classes in self.evidence.classes.items():
            for cls in classes or (ox.NamedNode(NAMESPACE + "Thing"),):
                by_class[cls].append(entity)
        sections = []
        for cls, entities in sorted(
            by_class.items(), key=lambda item: self._label(item[0]).casefold()
        ):
            items = "".join(
                self._entity_item(entity, marked)
                for entity in sorted(entities, key=lambda e: self._label(e).casefold())
            )
            sections.append(
                f"<section><h3>{escape(self._label(cls))} <small>({len(entities)})</small></h3>"
                f"<ul>{items}</ul></section>"
            )
        return f"<h2>{escape(word('entities', self.lang))}</h2>{''.join(sections)}"

    def _entity_item(self, entity: ox.NamedNode, marked: set[str]) -> str:
        mentions = [span for span in self.evidence.mentions(entity) if span.key in marked]
        links = " ".join(
            f'<a class="mention" href="#{escape(span.key)}" title="{escape(span.exact)}">{n}</a>'
            for n, span in enumerate(mentions, start=1)
        )
        label = escape(word("mentions", self.lang))
        return (
            f'<li id="{escape(entity_anchor(entity))}">{self.term(entity)}'
            + (f' <span class="mentions" aria-label="{label}">{links}</span>' if links else "")
            + "</li>"
        )

    def _label(self, term: ox.NamedNode) -> str:
        """Its name; else (an entity without a name) the words that mention it; else a CURIE."""
        mentions = self.evidence.mentions(term)
        return (
            self.evidence.name_of(term, self.lang)
            or (mentions[0].exact if mentions else None)
            or shorten_iri(term.value, self.prefixes)
        )


def spans_marked(page: str) -> Sequence[str]:
    """The keys of the spans a page marks, each once, in order (for checks and tests)."""
    return list(dict.fromkeys(re.findall(r'<mark class="[^"]*" id="([^"]*)"', page)))


def render_article(
    store: ox.Store,
    slug: str,
    *,
    articles: Path,
    prefixes: Mapping[str, str],
    entity_link: EntityLink | None = None,
    lang: Language = "en",
    links: Sequence[tuple[str, str]] = (),
) -> ArticlePage:
    """The page of the article ``slug``: its evidence read from ``store``, its text from
    ``articles/SLUG/`` (see :mod:`annograph.reference._article`).

    :param prefixes: the project's, with ``graph`` and ``article`` (where their IRIs live).
    :raises ArticleNotFound: if the store has no graph of ``slug``.
    :raises AnnographError: if the article's text cannot be read.
    """
    evidence = read_article(
        store, slug, graph_namespace=prefixes["graph"], article_namespace=prefixes["article"]
    )
    directory = articles / slug
    if not directory.is_dir():
        raise ArticleNotFound(
            f"the built store has article '{slug}', but its text is not in {articles}",
            hint="serve or document the store from the project it was built from",
        )
    text = article_text(directory)
    return article_page(
        evidence, text, lang=lang, prefixes=prefixes, entity_link=entity_link, links=links
    )
