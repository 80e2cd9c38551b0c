"""The baseline: what a user would write without annograph, with PyYAML and rdflib.

It reads the same ``data/`` folder (``articles/<slug>/annotations.yaml`` and
``entities/*.yaml``) and writes N-Quads with one named graph per article, emitting roughly what
annograph emits: types, language-tagged names, references, typed values, and for each fact a
reified statement with a Web Annotation pointing at the quoted words (quote and position
selectors). It checks nothing (no ontology checks, no SHACL, no verbatim-quote errors): a quote
it cannot find is written without a position. That makes it a lower bound on the work of an
honest script, not a replacement for annograph.

    python -m benchmarks.rdflib_pipeline DATA_DIR ONTOLOGY_TTL OUT.nq
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from rdflib import OWL, RDF, RDFS, SKOS, XSD, Dataset, Graph, Literal, Namespace, URIRef

AG = Namespace("https://w3id.org/annograph/ontology#")
OA = Namespace("http://www.w3.org/ns/oa#")
SCHEMA = Namespace("https://schema.org/")
BASE = "https://w3id.org/annograph/data/"
ONTOLOGY = URIRef("https://w3id.org/annograph/ontology")
CURIES = {"wd": "http://www.wikidata.org/entity/", "gn": "https://sws.geonames.org/"}
CONTEXT = 32
# Keys of an entity or fact that are not properties of the ontology.
ENTITY_KEYS = {"type", "quote", "note", "sameAs", "closeMatch"}
FACT_KEYS = {"quote", "note", "ref", "value"}
ARTICLE_KEYS = {"text", "language", "url", "published"}
# PyYAML's C parser when it was built with libyaml: the fast choice a user would make.
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Triple = tuple[Any, Any, Any]


def build_dataset(data: Path, ontology_path: Path) -> Dataset:
    """The whole dataset: the ontology's graph, a shared-entities graph and one per article."""
    dataset = Dataset()
    ontology = dataset.graph(ONTOLOGY)
    ontology.parse(ontology_path, format="turtle")
    ranges = _datatype_ranges(ontology)
    shared = _shared_entities(data / "entities")
    mentioned: set[str] = set()
    for folder in sorted((data / "articles").iterdir()):
        if (folder / "annotations.yaml").is_file():
            article = _Article(folder, shared, ranges)
            graph = dataset.graph(URIRef(f"{BASE}graph/{folder.name}"))
            for triple in article.triples():
                graph.add(triple)
            mentioned |= article.mentioned_shared
    shared_graph = dataset.graph(URIRef(f"{BASE}entities"))
    for id_ in sorted(mentioned):
        for triple in _links(_entity(id_), shared[id_]):
            shared_graph.add(triple)
    return dataset


def _datatype_ranges(ontology: Graph) -> dict[str, URIRef]:
    return {
        str(p).removeprefix(str(AG)): r
        for p, r in ontology.subject_objects(RDFS.range)
        if (p, RDF.type, OWL.DatatypeProperty) in ontology and isinstance(r, URIRef)
    }


def _shared_entities(folder: Path) -> dict[str, dict[str, Any]]:
    shared: dict[str, dict[str, Any]] = {}
    for path in sorted(folder.glob("*.yaml")):
        with path.open(encoding="utf-8") as file:
            shared.update(yaml.load(file, Loader=Loader).get("entities") or {})
    return shared


def _entity(id_: str) -> URIRef:
    return URIRef(f"{BASE}id/{id_}")


def _iri(value: str) -> URIRef:
    prefix, _, local = value.partition(":")
    return URIRef(CURIES[prefix] + local if prefix in CURIES else value)


def _links(subject: URIRef, entity: dict[str, Any]) -> Iterator[Triple]:
    for target in entity.get("sameAs") or ():
        yield subject, OWL.sameAs, _iri(target)
        yield subject, SCHEMA.sameAs, _iri(target)
    for target in entity.get("closeMatch") or ():
        yield subject, SKOS.closeMatch, _iri(target)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


class _Article:
    """One article's annotations, turned into triples."""

    def __init__(
        self, folder: Path, shared: dict[str, dict[str, Any]], ranges: dict[str, URIRef]
    ) -> None:
        with (folder / "annotations.yaml").open(encoding="utf-8") as file:
            self.doc = yaml.load(file, Loader=Loader)
        header = self.doc.get("article") or {}
        self.text = (folder / header.get("text", "article.md")).read_text(encoding="utf-8")
        self.slug = folder.name
        self.source = URIRef(f"{BASE}article/{self.slug}")
        self.shared = shared
        self.ranges = ranges
        self.mentioned_shared: set[str] = set()
        self.counter = itertools.count()

    def triples(self) -> Iterator[Triple]:
        header = self.doc.get("article") or {}
        yield self.source, RDF.type, AG.NewsArticle
        yield self.source, AG.inLanguage, Literal(header["language"], datatype=XSD.language)
        if "url" in header:
            yield self.source, AG.url, URIRef(header["url"])
        if "published" in header:
            day = Literal(str(header["published"]), datatype=XSD.date)
            yield self.source, AG.datePublished, day
        for key, facts in header.items():
            if key not in ARTICLE_KEYS:
                yield from self._facts(self.source, key, facts)
        for id_, entity in (self.doc.get("entities") or {}).items():
            yield from self._entity(id_, entity or {})

    def _entity(self, id_: str, entity: dict[str, Any]) -> Iterator[Triple]:
        subject = _entity(id_)
        definition = self.shared.get(id_, entity)
        if id_ in self.shared:
            self.mentioned_shared.add(id_)
        said = [(subject, RDF.type, AG[name]) for name in _as_list(definition.get("type", []))]
        said.append((self.source, AG.mentions, subject))
        yield from said
        yield from self._evidence(said, entity.get("quote"), None, OA.identifying)
        if entity.get("note"):
            yield subject, SKOS.editorialNote, Literal(entity["note"], lang="en")
        if id_ not in self.shared:
            yield from _links(subject, entity)
        for key, facts in entity.items():
            if key not in ENTITY_KEYS:
                yield from self._facts(subject, key, facts)

    def _facts(self, subject: URIRef, key: str, facts: Any) -> Iterator[Triple]:
        for fact in _as_list(facts):
            said = [(subject, AG[key], value) for value in self._values(key, fact)]
            yield from said
            yield from self._evidence(said, fact.get("quote"), fact.get("note"), OA.describing)

    def _values(self, key: str, fact: dict[str, Any]) -> Iterator[Any]:
        if "ref" in fact:
            for ref in _as_list(fact["ref"]):
                yield AG[ref.split(":", 1)[1]] if ":" in ref else _entity(ref)
        elif "value" in fact:
            yield Literal(str(fact["value"]), datatype=self.ranges.get(key, XSD.string))
        else:
            for language, text in fact.items():
                if language not in FACT_KEYS:
                    yield Literal(text, lang=language)

    def _evidence(
        self, said: list[Triple], quotes: Any, note: Any, motivation: URIRef
    ) -> Iterator[Triple]:
        statements = []
        for s, p, o in said:
            digest = hashlib.sha256(f"{s} {p} {o}".encode()).hexdigest()[:16]
            statement = URIRef(f"{BASE}statement/{digest}")
            statements.append(statement)
            yield statement, RDF.type, RDF.Statement
            yield statement, RDF.subject, s
            yield statement, RDF.predicate, p
            yield statement, RDF.object, o
        for quote in _as_list(quotes) if quotes is not None else ():
            yield from self._annotation(statements, quote, note, motivation)

    def _annotation(
        self, statements: list[URIRef], quote: Any, note: Any, motivation: URIRef
    ) -> Iterator[Triple]:
        exact = quote["exact"] if isinstance(quote, dict) else quote
        prefix = quote.get("prefix", "") if isinstance(quote, dict) else ""
        suffix = quote.get("suffix", "") if isinstance(quote, dict) else ""
        found = self.text.find(prefix + exact + suffix)
        iri = f"{BASE}evidence/{self.slug}-{next(self.counter)}"
        annotation, target = URIRef(iri), URIRef(iri + "-target")
        by_quote, by_position = URIRef(iri + "-quote"), URIRef(iri + "-position")
        yield annotation, RDF.type, OA.Annotation
        yield annotation, OA.motivatedBy, motivation
        for statement in statements:
            yield annotation, OA.hasBody, statement
        yield annotation, OA.hasTarget, target
        if note:
            yield annotation, SKOS.editorialNote, Literal(note, lang="en")
        yield target, RDF.type, OA.SpecificResource
        yield target, OA.hasSource, self.source
        yield target, OA.hasSelector, by_quote
        yield by_quote, RDF.type, OA.TextQuoteSelector
        yield by_quote, OA.exact, Literal(exact)
        if found < 0:
            return
        start = found + len(prefix)
        end = start + len(exact)
        if start > 0:
            yield by_quote, OA.prefix, Literal(self.text[max(0, start - CONTEXT) : start])
        if end < len(self.text):
            yield by_quote, OA.suffix, Literal(self.text[end : end + CONTEXT])
        yield target, OA.hasSelector, by_position
        yield by_position, RDF.type, OA.TextPositionSelector
        yield by_position, OA.start, Literal(start, datatype=XSD.nonNegativeInteger)
        yield by_position, OA.end, Literal(end, datatype=XSD.nonNegativeInteger)


def run(data: Path, ontology: Path, output: Path) -> int:
    """Build the dataset and write it as N-Quads; the number of quads written."""
    dataset = build_dataset(data, ontology)
    dataset.serialize(destination=str(output), format="nquads")
    with output.open("rb") as file:
        return sum(1 for line in file if line.strip())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path, help="a data folder: articles/ and entities/")
    parser.add_argument("ontology", type=Path, help="ontology/annograph.ttl")
    parser.add_argument("output", type=Path, help="the N-Quads file to write")
    args = parser.parse_args(argv)
    print(run(args.data, args.ontology, args.output), "quads")


if __name__ == "__main__":
    main()
