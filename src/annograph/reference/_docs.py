"""Reference documentation: the ontology (pyLODE), the saved queries, and a data-model diagram.

``write_docs`` writes four files into a directory (``docs/reference/`` of the project by
default), each the same bytes for the same input so that a change shows as a diff:

==================  ==============================================================
``index.html``      links to the others, with the diagram
``ontology.html``   every class and property, by pyLODE's OntPub profile, with the names
                    annotations write them with (and the concepts, which pyLODE leaves out)
``queries.html``    every saved query: documentation, parameters, SPARQL, how to run it
``data-model.svg``  the classes, their subclass links and the properties between them
==================  ==============================================================

and, when the project has a built store, its articles with their evidence marked
(:mod:`annograph.reference._article_page`): ``articles/index.html`` and one
``articles/SLUG.html`` per article of the store. Those pages need no server: an entity's name
links to its entry in the page's side panel (there are no entity pages without a server).

Labels and definitions are given in the chosen language where the ontology has them in it,
else in the other.
"""

from __future__ import annotations

import json
import logging
import re
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from html import escape
from pathlib import Path

import pyoxigraph as ox

from annograph._extras import require
from annograph._languages import Language, in_language
from annograph._version import __version__
from annograph.annotations._ontology import (
    NAMESPACE,
    RDF_TYPE,
    RDFS,
    Ontology,
    Property,
    shorten_iri,
)
from annograph.annotations._terms import Term, TermKind, Vocabulary, read_vocabulary
from annograph.errors import AnnographError, SourceLocation
from annograph.query._saved import Parameter, SavedQuery
from annograph.reference._article import article_slugs
from annograph.reference._article_page import render_article
from annograph.reference._diagram import graph_header, html_text, render_dot, term_labels

#: Where ``annograph docs`` writes, relative to the project (beside the hand-written docs/).
DOCS_DIR = Path("docs") / "reference"
INDEX = "index.html"
ONTOLOGY_PAGE = "ontology.html"
QUERIES_PAGE = "queries.html"
DATA_MODEL = "data-model.svg"

_ANY = {"en": "any class", "ru": "любой класс"}
#: Shown for a range the diagram cannot name (none, or a union of classes).
_ANYTHING = {"en": "anything", "ru": "что угодно"}
_TITLES = {"en": "data model", "ru": "модель данных"}


ARTICLES_DIR = "articles"


@dataclass(frozen=True, slots=True)
class Docs:
    """The documentation written: its directory and files, index first."""

    directory: Path
    files: tuple[Path, ...]
    #: The slugs of the articles written as pages (none without a built store).
    articles: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Articles:
    """Where article pages come from: the built store, and the folder of the articles' texts."""

    store: ox.Store
    texts: Path


def write_docs(
    ontology: Ontology,
    queries: Sequence[SavedQuery],
    output: Path,
    *,
    prefixes: Mapping[str, str],
    lang: Language = "en",
    articles: Articles | None = None,
) -> Docs:
    """Write the ontology's, the saved queries' and the data model's documentation to ``output``.

    Only the files named in this module's documentation are written; anything else in the
    directory is left alone.

    :param output: the directory (made if missing).
    :param prefixes: for the CURIEs shown in the pages and the diagram.
    :param articles: the store and texts of the article pages (None: none written).
    :raises DiagramError: if Graphviz is not installed.
    :raises AnnographError: if the directory cannot be written.
    """
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        message = f"cannot write: {error.strerror}"
        raise AnnographError(message, location=SourceLocation(output)) from error
    # The diagram first: it needs Graphviz, and without it nothing should be half-written.
    render_dot(data_model(ontology, prefixes=prefixes, lang=lang), output / DATA_MODEL)
    written: dict[str, str] = {}
    slugs: list[str] = []
    if articles is not None:
        written, slugs = _article_pages(articles, prefixes=prefixes, lang=lang)
    pages = {
        ONTOLOGY_PAGE: ontology_html(ontology, lang=lang),
        QUERIES_PAGE: queries_html(queries, prefixes=prefixes),
        INDEX: index_html(ontology, queries, lang=lang, articles=len(slugs) if articles else None),
    }
    if written:
        (output / ARTICLES_DIR).mkdir(exist_ok=True)
    for name, text in {**pages, **written}.items():
        _write(output / name, text)
    names = (INDEX, ONTOLOGY_PAGE, QUERIES_PAGE, DATA_MODEL, *written)
    return Docs(output, tuple(output / name for name in names), tuple(slugs))


def _article_pages(
    articles: Articles, *, prefixes: Mapping[str, str], lang: Language
) -> tuple[dict[str, str], list[str]]:
    """Each article's page and their index, by path under the output (rendered before anything
    is written, so that an unreadable text leaves nothing half-written)."""
    slugs = article_slugs(articles.store, prefixes["graph"])
    pages: dict[str, str] = {}
    rows = []
    for slug in slugs:
        page = render_article(
            articles.store,
            slug,
            articles=articles.texts,
            prefixes=prefixes,
            lang=lang,
            links=[("index.html", "all articles"), ("../index.html", "reference")],
        )
        pages[f"{ARTICLES_DIR}/{slug}.html"] = page.html
        title = page.title
        rows.append(
            f'<li><a href="{escape(slug)}.html">{escape(title)}</a> '
            f"<small>({len(page.check.matching)} passages of evidence"
            + (f", {len(page.check.stale)} not matching the text" if page.check.stale else "")
            + ")</small></li>"
        )
    body = (
        "<h1>Articles and their evidence</h1>\n"
        "<p>Each article with the words that support the graph's facts marked. "
        'Back to the <a href="../index.html">reference</a>.</p>\n'
        f"<ul>{''.join(rows)}</ul>"
    )
    index = {f"{ARTICLES_DIR}/{INDEX}": _page("annograph articles", body, lang=lang)}
    return {**index, **pages}, slugs


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        message = f"cannot write: {error.strerror}"
        raise AnnographError(message, location=SourceLocation(path)) from error


# -- the ontology, by pyLODE ------------------------------------------------------------------


def ontology_html(ontology: Ontology, *, lang: Language = "en") -> str:
    """The ontology as one HTML page, by pyLODE (OntPub profile), labels in ``lang``.

    pyLODE shows every label it is given; the ontology is filtered first so that each term
    shows its label (and definition) in ``lang``, or in the other language where it has none.
    """
    import rdflib

    triples = [t for t in in_one_language(ontology.triples, lang) if not _is_scheme(t)]
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    graph = rdflib.Graph()
    graph.parse(data=(data or b"").decode("utf-8"), format="nt")
    with _pylode_quietly():
        OntPub = require("pylode", extra="docs", purpose="'annograph docs'").OntPub
        html: str = OntPub(graph).make_html()
    html = _JSON_LD.sub(_sorted_json_ld, html)
    html = with_yaml_names(html, read_vocabulary(ontology), lang=lang)
    return html if html.endswith("\n") else html + "\n"


#: The start of a term's entry on pyLODE's page, up to its IRI: its anchor and local name.
_ENTRY = re.compile(
    r'<div class="property entity" id="([^"]+)">\s*<h3>.*?</h3>\s*<table>\s*<tr>\s*<th>IRI</th>'
    r"\s*<td>\s*<code>" + re.escape(NAMESPACE) + r"([A-Za-z0-9_]+)</code>\s*</td>\s*</tr>",
    re.S,
)
_CLASSES_SECTION = '<div class="section" id="classes">'
_TOC_METADATA = re.compile(r'(<a href="#metadata">Metadata</a>\s*</h4>\s*</li>)')
_YAML_SECTION = "yaml-names"
_YAML_HEADINGS: dict[TermKind, tuple[str, str]] = {
    "class": ("Classes", "top class"),
    "property": ("Properties", "kind"),
    "concept": ("Concepts", "concept of"),
}


def with_yaml_names(html: str, vocabulary: Vocabulary, *, lang: Language = "en") -> str:
    """pyLODE's page with the name annotations write each term with.

    Each class's and property's table gets a "YAML name" row (``City``, beside its label
    "city or town"), and a section before the classes lists every class, property and concept
    by YAML name and label: annotations write ``type: City``, not the label pyLODE heads the
    entry with, and pyLODE does not document the concepts (``ag:percent``) at all.
    """
    anchors: dict[str, str] = {}

    def add_row(match: re.Match[str]) -> str:
        term = vocabulary.get(match.group(2))
        if term is None:
            return match.group(0)
        anchors[term.name] = match.group(1)
        return (
            f"{match.group(0)}\n<tr><th>YAML name</th><td><code>{escape(term.name)}</code> "
            f"(<code>{escape(term.write)}</code>)</td></tr>"
        )

    html = _ENTRY.sub(add_row, html)
    section = _yaml_names_section(vocabulary, anchors, lang)
    if _CLASSES_SECTION in html:
        html = html.replace(_CLASSES_SECTION, section + _CLASSES_SECTION, 1)
    else:
        html = html.replace("<body>", "<body>\n" + section, 1)
    toc = f'\n<li><h4><a href="#{_YAML_SECTION}">Names in annotations</a></h4></li>'
    return _TOC_METADATA.sub(lambda match: match.group(1) + toc, html, count=1)


def _yaml_names_section(vocabulary: Vocabulary, anchors: Mapping[str, str], lang: Language) -> str:
    parts = [
        f'<div class="section" id="{_YAML_SECTION}">',
        "<h2>Names in annotations</h2>",
        "<p>Annotation files name a class, a property or a concept by its YAML name: "
        "<code>type: City</code>, <code>attendee: {ref: ..., quote: ...}</code>, "
        "<code>ref: ag:percent</code>. <code>annograph vocab NAME</code> shows one in full.</p>",
    ]
    for kind, (title, group) in _YAML_HEADINGS.items():
        rows = "".join(_yaml_name_row(term, anchors, lang) for term in vocabulary.of_kind(kind))
        head = f"<tr><th>YAML name</th><th>label</th><th>{group}</th></tr>"
        parts.append(f"<h3>{title}</h3>\n<table>{head}{rows}</table>")
    parts.append("</div>\n")
    return "\n".join(parts)


def _yaml_name_row(term: Term, anchors: Mapping[str, str], lang: Language) -> str:
    name = f"<code>{escape(term.name)}</code>"
    if term.name in anchors:
        name = f'<a href="#{escape(anchors[term.name])}">{name}</a>'
    label = in_language(dict(term.labels), lang) or ""
    return f"<tr><td>{name}</td><td>{escape(label)}</td><td>{escape(term.group)}</td></tr>"


def _is_scheme(triple: ox.Triple) -> bool:
    """Whether the triple types a SKOS concept scheme (such as ag:vocabulary).

    pyLODE's OntPub documents one ontology: it merges every concept scheme's title and IRI into
    the ontology's heading. The scheme's concepts are still documented, as the named
    individuals they also are.
    """
    return triple.predicate == RDF_TYPE and triple.object == _CONCEPT_SCHEME


_CONCEPT_SCHEME = ox.NamedNode("http://www.w3.org/2004/02/skos/core#ConceptScheme")


# pyLODE's schema.org block lists the ontology's (and concept schemes') descriptions in rdflib's
# set order, which changes from run to run: sorted, the page is the same bytes every time.
_JSON_LD = re.compile(
    r'(<script id="schema.org" type="application/ld\+json">)(.*?)(</script>)', re.S
)


def _sorted_json_ld(match: re.Match[str]) -> str:
    data = json.loads(match.group(2))
    if isinstance(data, list):
        data.sort(key=lambda item: json.dumps(item, sort_keys=True))
    text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False)
    return f"{match.group(1)}\n{text}\n{match.group(3)}"


@contextmanager
def _pylode_quietly() -> Iterator[None]:
    """Run pyLODE without its side effects on the rest of the process.

    Importing pyLODE 3 configures the root logger at DEBUG (``logging.basicConfig`` in one of
    its modules), and its progress messages go to the root logger, which would print them and
    every library's debug messages afterwards; it also leaves its CSS file to the garbage
    collector (a ResourceWarning, an error under our pytest settings).
    """
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            logging.disable(logging.INFO)
            yield
    finally:
        logging.disable(logging.NOTSET)
        root.handlers[:] = handlers
        root.setLevel(level)


def in_one_language(triples: Iterable[ox.Triple], lang: str) -> list[ox.Triple]:
    """The triples with, for each subject and predicate, only the texts in ``lang`` if any.

    Texts in other languages stay where ``lang`` has none; untagged literals always stay.

    >>> s, p = ox.NamedNode("http://x/s"), ox.NamedNode("http://x/label")
    >>> label = [ox.Triple(s, p, ox.Literal(t, language=l)) for t, l in [("a", "en"), ("б", "ru")]]
    >>> [t.object.value for t in in_one_language(label, "ru")]
    ['б']
    """
    triples = list(triples)
    has_lang = {
        (t.subject, t.predicate)
        for t in triples
        if isinstance(t.object, ox.Literal) and t.object.language == lang
    }
    return [
        t
        for t in triples
        if not (
            isinstance(t.object, ox.Literal)
            and t.object.language
            and t.object.language != lang
            and (t.subject, t.predicate) in has_lang
        )
    ]


# -- the saved queries ------------------------------------------------------------------------

_STYLE = """\
body { font-family: sans-serif; max-width: 60em; margin: 2em auto; padding: 0 1em; color: #222; }
h2 { border-bottom: 1px solid #ccc; padding-bottom: .2em; margin-top: 2em; }
pre { background: #f6f6f6; padding: .8em; overflow-x: auto; font-size: 90%; }
code { font-family: monospace; }
table { border-collapse: collapse; }
td, th { border: 1px solid #ccc; padding: .2em .5em; text-align: left; vertical-align: top; }
.summary { font-weight: bold; }
.tags span { background: #eef; border-radius: .3em; padding: 0 .4em; margin-right: .3em; }
"""


def queries_html(queries: Sequence[SavedQuery], *, prefixes: Mapping[str, str]) -> str:
    """Every saved query as a section of one HTML page, with a table of contents.

    Each section has the query's summary, description, tags and parameters (type, required or
    optional, default, allowed values), its SPARQL, and how to run it from the command line,
    from Python and over HTTP (``annograph serve``).

    >>> from annograph.query._saved import parse_query
    >>> q = parse_query("#+ summary: All classes\\nSELECT * WHERE { ?s a ?c }", path=Path("c.rq"))
    >>> "All classes" in queries_html([q], prefixes={})
    True
    """
    toc = "".join(
        f'<li><a href="#{escape(q.name)}">{escape(q.name)}</a> — {escape(q.summary)}</li>'
        for q in queries
    )
    sections = "\n".join(_query_section(q) for q in queries)
    return _page(
        "annograph saved queries",
        f"<h1>Saved queries</h1>\n<p>{len(queries)} queries in <code>queries/</code>; list them "
        "with <code>annograph queries</code>.</p>\n"
        f"<ul>{toc}</ul>\n{sections}",
    )


def _query_section(query: SavedQuery) -> str:
    parts = [f'<section id="{escape(query.name)}">', f"<h2>{escape(query.name)}</h2>"]
    if query.summary:
        parts.append(f'<p class="summary">{escape(query.summary)}</p>')
    parts.extend(f"<p>{escape(p)}</p>" for p in query.description.split("\n\n") if p.strip())
    if query.tags:
        tags = "".join(f"<span>{escape(t)}</span>" for t in query.tags)
        parts.append(f'<p class="tags">tags: {tags}</p>')
    if query.parameters:
        parts.append(_parameter_table(query.parameters))
    else:
        parts.append("<p>No parameters.</p>")
    parts.append("<h3>Run it</h3>")
    parts.append(f"<pre><code>{escape(_examples(query))}</code></pre>")
    parts.append("<h3>SPARQL</h3>")
    parts.append(f"<pre><code>{escape(query.text.rstrip())}</code></pre>")
    parts.append("</section>")
    return "\n".join(parts)


def _parameter_table(parameters: Sequence[Parameter]) -> str:
    head = "<tr><th>parameter</th><th>type</th><th></th><th>default</th><th>allowed</th></tr>"
    rows = "".join(
        "<tr>"
        f"<td><code>{escape(p.name)}</code> (<code>?{escape(p.variable)}</code>)</td>"
        f"<td>{escape(p.type_label)}</td>"
        f"<td>{'required' if p.required else 'optional'}</td>"
        f"<td>{escape(p.default) if p.default is not None else ''}</td>"
        f"<td>{escape(', '.join(p.allowed))}</td>"
        "</tr>"
        for p in parameters
    )
    return f"<table>{head}{rows}</table>"


def _examples(query: SavedQuery) -> str:
    values = {p.name: _example_value(p) for p in query.parameters}
    cli = " ".join(
        ["annograph query", query.name, *(f"--param {n}={v}" for n, v in values.items())]
    )
    arguments = f"{query.name!r}, {{{_python_params(values)}}}" if values else repr(query.name)
    python = f"Project.discover(Path.cwd()).query({arguments})"
    http = f"/api/queries/{query.name}" + (
        "?" + "&".join(f"{n}={v}" for n, v in values.items()) if values else ""
    )
    return (
        f"# command line\n{cli}\n\n"
        f"# Python\nfrom pathlib import Path\nfrom annograph import Project\n{python}\n\n"
        f"# HTTP, behind 'annograph serve'\nGET {http}"
    )


def _example_value(parameter: Parameter) -> str:
    if parameter.default is not None:
        return parameter.default
    if parameter.allowed:
        return parameter.allowed[0]
    return f"<{parameter.type_label}>"


def _python_params(values: Mapping[str, str]) -> str:
    return ", ".join(f"{name!r}: [{value!r}]" for name, value in values.items())


# -- the data model ---------------------------------------------------------------------------


def data_model(ontology: Ontology, *, prefixes: Mapping[str, str], lang: Language = "en") -> str:
    """The ontology's classes as a Graphviz diagram (DOT text), labelled in ``lang``.

    Each class is a box with its datatype properties; a hollow arrow goes from a class to its
    superclass; each object property with a class as domain and range is a labelled arrow.
    Properties without a domain are listed in a box of their own.
    """
    labels = term_labels(ontology.triples)

    def label(iri: str) -> str:
        return in_language(labels.get(iri, {}), lang) or shorten_iri(iri, prefixes)

    rows: dict[str, list[str]] = defaultdict(list)
    arrows: list[tuple[str, str, str]] = []
    for prop in sorted(ontology.properties.values(), key=lambda p: p.name):
        domain = _own_class(prop.domain, ontology)
        target = _own_class(prop.range, ontology)
        if prop.kind == "object" and domain and target:
            arrows.append((domain, target, label(prop.iri)))
        else:
            rows[domain or ""].append(f"{label(prop.iri)}: {_range_text(prop, label, lang)}")
    lines = graph_header(f"annograph — {_TITLES[lang]}", rankdir="RL")
    for name in sorted(ontology.classes):
        lines.append(f"  {name} [{_class_node(label(NAMESPACE + name), rows[name])}];")
    if rows[""]:
        lines.append(f'  any_class [{_class_node(_ANY[lang], rows[""])}, style="rounded,dashed"];')
    for sub, sup in sorted(_direct_superclasses(ontology)):
        lines.append(f"  {sub} -> {sup} [arrowhead=empty, color=black];")
    for domain, target, text in arrows:
        escaped = text.replace("\\", "\\\\").replace('"', '\\"')
        lines.append(
            f'  {domain} -> {target} [label="{escaped}", color="#3465a4", '
            'fontcolor="#3465a4", constraint=false];'
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def _own_class(iri: str | None, ontology: Ontology) -> str | None:
    """The local name of an ag: class (so a valid DOT id), or None for anything else."""
    if iri is None or not iri.startswith(NAMESPACE):
        return None
    name = iri.removeprefix(NAMESPACE)
    return name if name in ontology.classes else None


def _range_text(prop: Property, label: Callable[[str], str], lang: Language) -> str:
    return _ANYTHING[lang] if prop.range is None else label(prop.range)


def _class_node(title: str, rows: Sequence[str]) -> str:
    cells = f"<TR><TD><B>{html_text(title)}</B></TD></TR>" + "".join(
        f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="9">{html_text(row)}</FONT></TD></TR>'
        for row in rows
    )
    table = f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">{cells}</TABLE>'
    return f'label=<{table}>, style="rounded,filled", fillcolor="#f4f4f4"'


def _direct_superclasses(ontology: Ontology) -> set[tuple[str, str]]:
    pairs = set()
    for triple in ontology.triples:
        if triple.predicate.value != RDFS + "subClassOf":
            continue
        sub = _own_class(getattr(triple.subject, "value", None), ontology)
        sup = _own_class(getattr(triple.object, "value", None), ontology)
        if sub and sup:
            pairs.add((sub, sup))
    return pairs


# -- the index --------------------------------------------------------------------------------


def index_html(
    ontology: Ontology,
    queries: Sequence[SavedQuery],
    *,
    lang: Language,
    articles: int | None = None,
) -> str:
    """The page that links the others and shows the data-model diagram.

    :param articles: how many article pages were written (None: none, no link).
    """
    listed = (
        f'<li><a href="{ARTICLES_DIR}/{INDEX}">The articles</a>, with their evidence marked: '
        f"{articles}</li>\n"
        if articles is not None
        else ""
    )
    body = (
        "<h1>annograph reference</h1>\n<ul>\n"
        f'<li><a href="{ONTOLOGY_PAGE}">The ontology</a>: {len(ontology.classes)} classes, '
        f"{len(ontology.properties)} properties</li>\n"
        f'<li><a href="{QUERIES_PAGE}">Saved queries</a>: {len(queries)}</li>\n'
        f'<li><a href="{DATA_MODEL}">The data model</a> (below)</li>\n{listed}</ul>\n'
        f'<p><img src="{DATA_MODEL}" alt="the classes of the ontology and the properties '
        'between them" style="max-width: 100%"></p>\n'
        "<p>The hand-written guide to annotation files is <code>docs/annotations.md</code>.</p>\n"
        f"<p><small>Generated by annograph {escape(__version__)} "
        f"(<code>annograph docs --lang {lang}</code>).</small></p>"
    )
    return _page("annograph reference", body, lang=lang)


def _page(title: str, body: str, *, lang: str = "en") -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n<style>\n{_STYLE}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )
