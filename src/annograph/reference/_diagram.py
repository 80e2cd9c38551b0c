"""Pictures of the graph: an entity's neighbourhood or a whole article, drawn with Graphviz.

The picture shows facts: Web Annotation nodes, reified statements, mentions and curators' notes
(the evidence machinery behind ``annograph why``) are left out. Nodes are labelled with their
name in the chosen language (the other language, then the short IRI, when there is none), with
their classes and, for the nodes drawn in full, their literal values; edges with the property's
label from the ontology in that language.

The DOT text is written here, deterministically (nodes and edges sorted), and handed to
Graphviz's ``dot`` program, which is not a Python package: Debian's ``graphviz`` provides it
(``tests/setup.sh`` installs it).
"""

from __future__ import annotations

import shutil
import subprocess
import textwrap
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from annograph._languages import LANGUAGES, Language, in_language
from annograph._lexical import closest
from annograph.annotations._ontology import (
    NAMESPACE,
    ONTOLOGY_IRI,
    PREFIXES,
    RDF,
    RDF_TYPE,
    RDFS,
    Ontology,
    shorten_iri,
)
from annograph.errors import AnnographError, SourceLocation
from annograph.query._evidence import EntityNotFound, resolve_entity

#: Output formats by file suffix: what ``dot -T`` is asked for.
FORMATS = {".svg": "svg", ".png": "png"}
#: A node's literal values longer than this are cut with an ellipsis: the picture is an overview.
MAX_VALUE = 60
#: Names are wrapped at this width so that long organization names do not widen the picture.
WRAP = 32

_OA = PREFIXES["oa"]
_SCHEMA = PREFIXES["schema"]
_SKOS = PREFIXES["skos"]
# Whose values name a thing; the ontology's subproperties of these (ag:name, ag:headline) too.
_NAMING = (_SCHEMA + "name", _SCHEMA + "headline", RDFS + "label")
# Evidence, not facts: the reification of a quoted statement, mentions (what 'identifying'
# annotations hang on), curators' notes, and schema:sameAs, which the build writes beside every
# owl:sameAs so that schema.org consumers see the link too (one edge says it).
_HIDDEN = frozenset(
    {
        RDF + "subject",
        RDF + "predicate",
        RDF + "object",
        NAMESPACE + "mentions",
        _SKOS + "editorialNote",
        _SCHEMA + "sameAs",
    }
)
_MACHINERY_TYPES = frozenset({RDF + "Statement"})
# Fill colours by top-level class (sorted by IRI); pale, so that black text stays readable.
_PALETTE = ("#dbe9f6", "#fde2c8", "#d9f0d3", "#f2d7ee", "#fff2b3", "#e0e0f0", "#d5eeee")

Resource = ox.NamedNode | ox.BlankNode
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


class DiagramError(AnnographError):
    """A diagram cannot be drawn or written (no Graphviz, an unknown file type, ...)."""


class ArticleNotFound(AnnographError):
    """The built store has no named graph for that article slug."""


@dataclass(frozen=True, slots=True)
class Diagram:
    """A picture of part of the graph, as Graphviz DOT text."""

    title: str
    dot: str
    nodes: int
    edges: int

    def write(self, path: Path) -> Path:
        """Render to ``path``, an ``.svg`` or ``.png`` file (see :func:`render_dot`)."""
        render_dot(self.dot, path)
        return path


@dataclass(frozen=True, slots=True)
class _Facts:
    """The triples a picture shows, and what it knows about each node."""

    edges: frozenset[tuple[Resource, ox.NamedNode, Resource]]
    types: Mapping[Resource, frozenset[str]]
    literals: Mapping[Resource, Mapping[str, tuple[ox.Literal, ...]]]
    expanded: frozenset[Resource]


def entity_diagram(
    store: ox.Store,
    entity: str,
    *,
    ontology: Ontology,
    prefixes: Mapping[str, str],
    lang: Language = "en",
    depth: int = 1,
) -> Diagram:
    """The neighbourhood of ``entity``: the facts about it and about what it is linked to.

    :param entity: an id (``iom``), a CURIE (``id:iom``), an IRI or a name, as ``why`` takes.
    :param prefixes: for CURIEs; its ``id`` prefix is where bare ids live.
    :param depth: how many links away from the entity to go (1: its direct neighbours).
    :raises EntityNotFound: if nothing, or more than one thing, goes by that name.
    """
    iri = resolve_entity(store, entity, prefixes=prefixes, id_namespace=prefixes["id"])
    edges: set[tuple[Resource, ox.NamedNode, Resource]] = set()
    seen: set[Resource] = {iri}
    frontier: set[Resource] = {iri}
    for _ in range(depth):
        reached: set[Resource] = set()
        for node in sorted(frontier, key=str):
            quads = [
                *store.quads_for_pattern(node, None, None, None),
                *store.quads_for_pattern(None, None, node, None),
            ]
            for edge in _edges(quads):
                edges.add(edge)
                reached.update(n for n in (edge[0], edge[2]) if n not in seen)
        seen |= reached
        frontier = reached
    center: set[Resource] = {iri}
    facts = _describe(store, edges, center | _inner(edges, seen, frontier), graph=None)
    if not facts.edges and not facts.types.get(iri):
        raise EntityNotFound(f"nothing in the graph is about <{iri.value}>")
    title = _name(iri, facts, prefixes, lang, _naming(ontology))
    dot = _dot(title, facts, ontology=ontology, prefixes=prefixes, lang=lang, focus=iri)
    return Diagram(title, dot, len(_nodes(facts)), len(facts.edges))


def article_diagram(
    store: ox.Store,
    slug: str,
    *,
    graph_namespace: str,
    ontology: Ontology,
    prefixes: Mapping[str, str],
    lang: Language = "en",
) -> Diagram:
    """Every entity of one article's named graph and the facts the article states about them.

    Identity links of the article's entities are drawn too, wherever they are stored (those of
    shared entities are in the graph of ``data/entities/``).

    :param graph_namespace: where article graphs live (``…/graph/``), the slug appended.
    :raises ArticleNotFound: if the built store has no graph for ``slug``.
    """
    graph = _article_graph(store, slug, graph_namespace)
    edges = set(_edges(store.quads_for_pattern(None, None, None, graph)))
    nodes = _subjects(store.quads_for_pattern(None, None, None, graph))
    for node in sorted(nodes, key=str):
        edges.update(
            edge
            for edge in _edges(store.quads_for_pattern(node, None, None, None))
            if edge[1].value == PREFIXES["owl"] + "sameAs"
        )
    facts = _describe(store, edges, nodes, graph=graph)
    article = ox.NamedNode(prefixes["article"] + slug) if "article" in prefixes else None
    title = _name(article, facts, prefixes, lang, _naming(ontology)) if article else slug
    dot = _dot(title, facts, ontology=ontology, prefixes=prefixes, lang=lang, focus=None)
    return Diagram(title, dot, len(_nodes(facts)), len(facts.edges))


def _article_graph(store: ox.Store, slug: str, namespace: str) -> ox.NamedNode:
    slugs = sorted(
        g.value.removeprefix(namespace)
        for g in store.named_graphs()
        if isinstance(g, ox.NamedNode) and g.value.startswith(namespace)
    )
    if slug in slugs:
        return ox.NamedNode(namespace + slug)
    listed = ", ".join(slugs) or "none"
    raise ArticleNotFound(
        f"no article '{slug}' in the built store",
        hint=closest(slug, slugs) or f"articles: {listed}",
    )


def _edges(quads: Iterable[ox.Quad]) -> Iterator[tuple[Resource, ox.NamedNode, Resource]]:
    """Links between things that are facts (not evidence, not the ontology's own triples)."""
    for quad in quads:
        if isinstance(quad.graph_name, ox.NamedNode) and quad.graph_name.value == ONTOLOGY_IRI:
            continue
        predicate = quad.predicate
        if not _is_fact(predicate.value) or predicate == RDF_TYPE:
            continue
        if isinstance(quad.subject, Resource) and isinstance(quad.object, Resource):
            yield quad.subject, predicate, quad.object


def _is_fact(predicate: str) -> bool:
    return predicate not in _HIDDEN and not predicate.startswith(_OA)


def _subjects(quads: Iterable[ox.Quad]) -> set[Resource]:
    return {q.subject for q in quads if isinstance(q.subject, Resource)}


def _inner(
    edges: Iterable[tuple[Resource, ox.NamedNode, Resource]],
    seen: set[Resource],
    frontier: set[Resource],
) -> set[Resource]:
    """The nodes whose own links were followed: drawn with their values, not just their name."""
    return {node for edge in edges for node in (edge[0], edge[2])} & (seen - frontier)


def _describe(
    store: ox.Store,
    edges: set[tuple[Resource, ox.NamedNode, Resource]],
    expanded: set[Resource],
    *,
    graph: ox.NamedNode | None,
) -> _Facts:
    """Types and literal values of every node; evidence nodes and the edges to them dropped."""
    nodes = expanded | {node for edge in edges for node in (edge[0], edge[2])}
    types: dict[Resource, frozenset[str]] = {}
    literals: dict[Resource, dict[str, tuple[ox.Literal, ...]]] = {}
    for node in nodes:
        found: set[str] = set()
        values: dict[str, set[ox.Literal]] = defaultdict(set)
        for quad in store.quads_for_pattern(node, None, None, graph):
            if isinstance(quad.graph_name, ox.NamedNode) and quad.graph_name.value == ONTOLOGY_IRI:
                continue
            if quad.predicate == RDF_TYPE and isinstance(quad.object, ox.NamedNode):
                found.add(quad.object.value)
            elif isinstance(quad.object, ox.Literal) and _is_fact(quad.predicate.value):
                values[quad.predicate.value].add(quad.object)
        types[node] = frozenset(found)
        literals[node] = {p: tuple(sorted(v, key=_literal_order)) for p, v in values.items()}
    machinery = {
        node
        for node, classes in types.items()
        if classes & _MACHINERY_TYPES or any(c.startswith(_OA) for c in classes)
    }
    kept = frozenset(e for e in edges if e[0] not in machinery and e[2] not in machinery)
    return _Facts(
        edges=kept,
        types={n: t for n, t in types.items() if n not in machinery},
        literals={n: v for n, v in literals.items() if n not in machinery},
        expanded=frozenset(expanded - machinery),
    )


def _literal_order(literal: ox.Literal) -> tuple[str, str]:
    return (literal.language or "", literal.value)


def _nodes(facts: _Facts) -> list[Resource]:
    linked = {node for edge in facts.edges for node in (edge[0], edge[2])}
    return sorted(linked | facts.expanded, key=str)


# -- labels ---------------------------------------------------------------------------------


def term_labels(triples: Iterable[ox.Triple]) -> dict[str, dict[str, str]]:
    """IRI -> language -> its label in that language ("" for an untagged label).

    The ``rdfs:label``, or the ``skos:prefLabel`` of a concept (the ontology's individuals,
    such as ag:FinancialSupport, are SKOS concepts).

    >>> label = ox.Literal("организатор", language="ru")
    >>> term_labels([ox.Triple(ox.NamedNode("http://x/p"), ox.NamedNode(RDFS + "label"), label)])
    {'http://x/p': {'ru': 'организатор'}}
    """
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    triples = list(triples)
    for predicate in _LABELS:
        for triple in triples:
            if (
                triple.predicate.value == predicate
                and isinstance(triple.subject, ox.NamedNode)
                and isinstance(triple.object, ox.Literal)
            ):
                labels[triple.subject.value].setdefault(
                    triple.object.language or "", triple.object.value
                )
    return dict(labels)


_LABELS = (RDFS + "label", _SKOS + "prefLabel")


def _pick(literals: Iterable[ox.Literal], lang: str) -> list[ox.Literal]:
    """The values in ``lang``, or in the other language when there are none; untagged ones too."""
    literals = list(literals)
    tagged = [lit for lit in literals if lit.language]
    plain = [lit for lit in literals if not lit.language]
    for tag in (lang, *(other for other in LANGUAGES if other != lang)):
        chosen = [lit for lit in tagged if lit.language == tag]
        if chosen:
            return chosen + plain
    return tagged + plain


def _naming(ontology: Ontology) -> tuple[str, ...]:
    """The naming properties, each followed by the ontology's subproperties of it."""
    parents: dict[str, set[str]] = defaultdict(set)
    for triple in ontology.triples:
        sub, sup = triple.subject, triple.object
        if triple.predicate.value != RDFS + "subPropertyOf":
            continue
        if isinstance(sub, ox.NamedNode) and isinstance(sup, ox.NamedNode):
            parents[sub.value].add(sup.value)
    found: list[str] = []
    for base in _NAMING:
        found.append(base)
        found.extend(sorted(p for p in parents if _reaches(p, base, parents)))
    return tuple(found)


def _reaches(prop: str, ancestor: str, parents: Mapping[str, set[str]]) -> bool:
    stack, seen = [prop], set()
    while stack:
        current = stack.pop()
        if current == ancestor:
            return True
        if current not in seen:
            seen.add(current)
            stack.extend(parents.get(current, ()))
    return False


def _name(
    node: Resource,
    facts: _Facts,
    prefixes: Mapping[str, str],
    lang: str,
    naming: tuple[str, ...] = _NAMING,
    labels: Mapping[str, Mapping[str, str]] | None = None,
) -> str:
    """The node's name in ``lang`` (or another); an ontology term's label; else its short IRI."""
    values = facts.literals.get(node, {})
    for prop in naming:
        picked = _pick(values.get(prop, ()), lang)
        if picked:
            return picked[0].value
    term = (labels or {}).get(node.value, {}) if isinstance(node, ox.NamedNode) else {}
    return in_language(term, lang) or _short(node, prefixes)


def _short(node: Resource, prefixes: Mapping[str, str]) -> str:
    return shorten_iri(node.value, prefixes) if isinstance(node, ox.NamedNode) else "(blank)"


# -- DOT --------------------------------------------------------------------------------------


def dot_string(text: str) -> str:
    """``text`` as a double-quoted DOT string (quotes and backslashes escaped).

    >>> print(dot_string('МОМ "IOM" \\\\ x'))
    "МОМ \\"IOM\\" \\\\ x"
    """
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def html_text(text: str) -> str:
    """``text`` escaped for a Graphviz HTML-like label (one line: newlines become spaces).

    >>> html_text('A & B <"C">')
    'A &amp; B &lt;&quot;C&quot;&gt;'
    """
    one_line = " ".join(text.split())
    return (
        one_line.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
    )


def _dot(
    title: str,
    facts: _Facts,
    *,
    ontology: Ontology,
    prefixes: Mapping[str, str],
    lang: Language,
    focus: Resource | None,
) -> str:
    labels = term_labels(ontology.triples)
    naming = _naming(ontology)
    colours = _colours(ontology)
    nodes = _nodes(facts)
    ids = {node: f"n{i}" for i, node in enumerate(nodes)}
    lines = [*graph_header(title)]
    for node in nodes:
        label = _node_label(node, facts, labels, naming, prefixes, lang)
        attributes = {"label": label, "tooltip": dot_string(_full(node))}
        classes = facts.types.get(node, frozenset())
        if _is_external(node, facts):
            # Outside the data (a Wikidata item, a GeoNames feature): a link, not a thing here.
            attributes |= {"style": '"rounded,dashed"', "URL": dot_string(node.value)}
        else:
            fill = _fill(classes, colours, ontology)
            attributes |= {"style": '"rounded,filled"', "fillcolor": dot_string(fill)}
        if node == focus:
            attributes["penwidth"] = "2.5"
        lines.append(f"  {ids[node]} [{_attributes(attributes)}];")
    for subject, predicate, obj in sorted(
        facts.edges, key=lambda e: (str(e[0]), str(e[1]), str(e[2]))
    ):
        text = in_language(labels.get(predicate.value, {}), lang) or shorten_iri(
            predicate.value, prefixes
        )
        edge = {
            "label": dot_string(text),
            "tooltip": dot_string(shorten_iri(predicate.value, prefixes)),
        }
        lines.append(f"  {ids[subject]} -> {ids[obj]} [{_attributes(edge)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def graph_header(title: str, *, rankdir: str = "LR") -> list[str]:
    """The opening lines of a DOT digraph in annograph's style (fonts that have Cyrillic)."""
    return [
        "digraph annograph {",
        f'  graph [label={dot_string(title)}, labelloc=t, fontname="sans-serif", '
        f"rankdir={rankdir}, nodesep=0.25, ranksep=0.6, bgcolor=white];",
        '  node [shape=box, fontname="sans-serif", fontsize=11, margin="0.08,0.04"];',
        '  edge [fontname="sans-serif", fontsize=9, color="#555555", fontcolor="#333333"];',
    ]


def _is_external(node: Resource, facts: _Facts) -> bool:
    """Neither described in the data nor a term of the ontology (such as ag:percent)."""
    return (
        isinstance(node, ox.NamedNode)
        and not facts.types.get(node)
        and not facts.literals.get(node)
        and not node.value.startswith(NAMESPACE)
    )


def _attributes(attributes: Mapping[str, str]) -> str:
    return ", ".join(f"{key}={value}" for key, value in attributes.items())


def _full(node: Resource) -> str:
    return node.value if isinstance(node, ox.NamedNode) else str(node)


def _node_label(
    node: Resource,
    facts: _Facts,
    labels: Mapping[str, Mapping[str, str]],
    naming: tuple[str, ...],
    prefixes: Mapping[str, str],
    lang: Language,
) -> str:
    """An HTML-like label: the name in bold, the classes in italics, then the values."""
    name = _name(node, facts, prefixes, lang, naming, labels)
    rows = [f"<B>{'<BR/>'.join(html_text(line) for line in _wrap(name))}</B>"]
    classes = sorted(
        in_language(labels.get(c, {}), lang) or shorten_iri(c, prefixes)
        for c in facts.types.get(node, frozenset())
    )
    if classes:
        rows.append(f'<FONT POINT-SIZE="9"><I>{html_text(", ".join(classes))}</I></FONT>')
    if node in facts.expanded:
        rows.extend(_value_rows(facts.literals.get(node, {}), name, labels, prefixes, lang))
    cells = "".join(f"<TR><TD>{row}</TD></TR>" for row in rows)
    return f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">{cells}</TABLE>>'


def _value_rows(
    values: Mapping[str, tuple[ox.Literal, ...]],
    name: str,
    labels: Mapping[str, Mapping[str, str]],
    prefixes: Mapping[str, str],
    lang: Language,
) -> Iterator[str]:
    for prop in sorted(values):
        shown = [lit.value for lit in _pick(values[prop], lang) if lit.value != name]
        if not shown:
            continue
        label = in_language(labels.get(prop, {}), lang) or shorten_iri(prop, prefixes)
        text = "; ".join(shown)
        if len(text) > MAX_VALUE:
            text = text[: MAX_VALUE - 1].rstrip() + "…"
        yield f'<FONT POINT-SIZE="9">{html_text(label)}: {html_text(text)}</FONT>'


def _wrap(text: str) -> list[str]:
    return textwrap.wrap(text, WRAP, break_long_words=False) or [text]


def _colours(ontology: Ontology) -> dict[str, str]:
    """A fill colour for each top-level ag: class (one without an ag: superclass)."""
    roots = sorted(c for c in ontology.classes if not ontology.superclasses.get(c))
    return {root: _PALETTE[i % len(_PALETTE)] for i, root in enumerate(roots)}


def _fill(classes: frozenset[str], colours: Mapping[str, str], ontology: Ontology) -> str:
    for cls in sorted(classes):
        name = cls.removeprefix(NAMESPACE)
        for root in sorted({name, *ontology.superclasses.get(name, frozenset())}):
            if root in colours:
                return colours[root]
    return "#eeeeee"


# -- rendering --------------------------------------------------------------------------------


def diagram_format(path: Path) -> str:
    """The Graphviz output format for a file name, chosen by its suffix.

    >>> diagram_format(Path("iom.PNG"))
    'png'

    :raises DiagramError: for a suffix other than ``.svg`` or ``.png``.
    """
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise DiagramError(
            f"cannot draw a '{suffix or path.name}' file",
            location=SourceLocation(path),
            hint=f"name the output file {' or '.join('*' + s for s in FORMATS)}",
        )
    return FORMATS[suffix]


def dot_program() -> str:
    """The path of Graphviz's ``dot``.

    :raises DiagramError: if it is not installed.
    """
    found = shutil.which("dot")
    if found is None:
        raise DiagramError(
            "Graphviz's 'dot' program is not installed (needed to draw diagrams)",
            hint="install Graphviz: 'apt-get install graphviz' on Debian or Ubuntu, "
            "'brew install graphviz' on macOS (bash tests/setup.sh does it for the tests)",
        )
    return found


def render_dot(dot: str, output: Path) -> None:
    """Draw DOT text into ``output``; the format (SVG or PNG) follows its suffix.

    :raises DiagramError: for another suffix, a missing directory, no Graphviz, or a failed run.
    """
    format = diagram_format(output)
    if not output.parent.is_dir():
        raise DiagramError("cannot write: no such directory", location=SourceLocation(output))
    try:
        run = subprocess.run(
            [dot_program(), f"-T{format}", "-o", str(output)],
            input=dot.encode("utf-8"),
            capture_output=True,
            timeout=300,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise DiagramError(f"Graphviz failed: {error}", location=SourceLocation(output)) from error
    if run.returncode != 0:
        message = run.stderr.decode("utf-8", "replace").strip().splitlines()
        raise DiagramError(
            f"Graphviz failed: {message[0] if message else f'exit status {run.returncode}'}",
            location=SourceLocation(output),
        )
