"""Synthetic corpus generator: a project ``data/`` folder of N articles shaped like the real one.

The tests use it (large corpora, parallel reading) and so do the benchmarks
(``benchmarks/corpus.py``); ``benchmarks/generate.py`` is its command line:

    python benchmarks/generate.py --articles 10000 --out /tmp/corpus [--seed 0] [--mean-triples 100]

writes ``OUT/articles/<slug>/{article.md,annotations.yaml}`` and ``OUT/entities/*.yaml``, the
layout and format of a project's ``data/`` folder (``docs/annotations.md``). Same arguments, same
bytes. Nothing is written outside ``OUT``; every article validates.

**What is derived, and from where.** The generator reads the ontology and the real annotated
article (``articles/bishkek-migrants-day`` of the tests' data folder, ``SOURCE``, a copy of the
demo's, through annograph's own loader) and takes from them, rather than from lists of its own:

- the classes of generated events, organizations and places, weighted by how often each occurs
  in the real article (subclasses of ``Event``, ``Organization`` and ``Place`` in the ontology);
- how often each kind of statement occurs (the *mix*): an event's location, its organizers and
  partners, speakers with their posts, sub-events, reports with authors and coverage, funding,
  programmes, statistics, dedications, descriptions; and within them, e.g. how often a place's
  containment, a statistic's qualifier or breakdown is given, or which support kind goes with
  ``funder`` and which with ``supporter``;
- which place classes contain which (``containedInPlace`` between real places);
- units, value qualifiers and support kinds: the ontology's individuals, with their Russian and
  English labels, weighted by their use in the real article;
- the kind of each property (reference, text by language, typed value) from the ontology;
- the real shared entities (``data/entities/``, with their verified identity links) and their
  names as the real article gives them: they head the pools of shared entities.

The sentence templates are this module's own (Russian-like: grammatical agreement is not
attempted), and so is the choice of which properties make up a "block" of statements.

**Size.** A quoted fact costs about 20 triples in an article's graph (the triple, its
reification and a Web Annotation with two selectors) and a mention of an entity about 26; the
real article has 7,127 triples for 77 entities, about 93 per entity. ``--mean-triples`` sets the
mean size of an article's named graph: each article draws a budget from a log-normal
distribution with that mean (sigma ``SIZE_SIGMA``) and adds blocks, drawn by the real mix,
until it reaches the budget. Every article has a headline and one main event (about 55 triples),
so small budgets give short news items and the long tail gives articles with speakers, reports
and statistics; over the corpus the mix of statements follows the real article's. The default,
100, gives about a million triples for 10,000 articles (the target of issue 8): at that size an
article has 2 to 3 entities on average. ``--mean-triples 700`` gives articles of about 8
entities (3 to 15), closer to a typical annotated news item.

**Shared entities.** Organizations, people (with the post each holds), places, programmes,
observances, roles, statistical variables and age groups are shared, as in the real article:
defined once in ``OUT/entities/`` and mentioned by id, with the article's own quote and no
``type:``. Each pool grows with N (about one organization per 6 articles, one person per 8, one
place per 10, ...); a mention draws from the pool with a Zipf law (exponent ``ZIPF_EXPONENT``),
so a few entities (the real ones first) appear in many articles and most in one or two. Only
the entities some article mentions are written. Events, reports, funding and statistics are
the article's own, with ids prefixed by its slug. Generated names are unique (folded as the
validator folds them), so validation finds no near-duplicates.

**Quotes.** Every quote is a span of the generated text; where its words occur more than once
the annotation picks the occurrence with the shortest ``prefix`` (or ``suffix``) that makes it
unique, as ``docs/annotations.md`` describes. No dates are generated.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import json
import math
import random
import re
import shutil
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from annograph import Project
from annograph._labels import fold
from annograph.annotations._model import Article, Entity, Ref, Text, Typed
from annograph.annotations._ontology import NAMESPACE, RDF_TYPE, RDFS, Ontology, iri_of
from annograph.annotations._reader import occurrences

#: The repository this file belongs to: its ontology is the model's.
REPOSITORY = Path(__file__).resolve().parents[2]
#: The data folder of the real article and its shared entities, the other model: the tests' copy
#: (tests/fixtures/project/data/), which edits of the demo in data/ leave alone, so the same
#: arguments keep giving the same bytes.
SOURCE = REPOSITORY / "tests" / "fixtures" / "project" / "data"
REAL_ARTICLE = "bishkek-migrants-day"
FORMAT = "annograph/1"
#: Generated articles are named SLUG_PREFIX-00000, ...; only such folders are ever replaced.
SLUG_PREFIX = "syn"
LANGUAGE = "ru"
ID = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")
SKOS_PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"

#: Spread of article sizes (log-normal sigma of the triple budget): a long tail of big articles.
SIZE_SIGMA = 0.9
#: How fast article budgets are steered towards the requested mean (0: not at all).
STEERING = 0.05
#: The dry run that calibrates budgets: this many articles, always from this seed.
CALIBRATION_ARTICLES = 300
CALIBRATION_SEED = 1
#: Zipf exponent of mentions of shared entities (1: the k-th is mentioned 1/k as often).
ZIPF_EXPONENT = 1.05
#: Articles per shared entity of each pool (at least the floor, at most the cap).
POOL_RATIO = {
    "organization": 6,
    "person": 8,
    "place": 10,
    "programme": 60,
    "observance": 200,
    "variable": 200,
    "role": 400,
    "age-group": 500,
}
POOL_FLOOR = {"organization": 20, "person": 15, "place": 20, "programme": 4}
POOL_CAP = 20_000
#: The file of data/entities/ each pool is written to.
POOL_FILE = {
    "organization": "organizations",
    "person": "people",
    "post": "people",
    "place": "places",
    "programme": "programmes",
    "observance": "programmes",
    "role": "concepts",
    "variable": "concepts",
    "age-group": "concepts",
}
#: The classes (local names in the ontology) that anchor each kind of generated entity.
ANCHORS = {
    "event": "Event",
    "organization": "Organization",
    "person": "Person",
    "post": "Post",
    "place": "Place",
    "programme": "Programme",
    "observance": "Observance",
    "role": "Role",
    "variable": "StatisticalVariable",
    "age-group": "AgeGroup",
    "report": "Report",
    "funding": "Funding",
    "observation": "Observation",
    "unit": "Unit",
    "qualifier": "ValueQualifier",
    "support": "SupportKind",
}
#: Properties the templates state; each must be in the ontology (checked when the mix is read).
PROPERTIES = (
    "name headline about location linkedLocation containedInPlace organizer partner speaker "
    "holdsPost postIn role subEvent dedicatedTo description withinProgramme implementer author "
    "spatialCoverage presents funder supporter supportKind fundedItem possiblyFundedItem "
    "variableMeasured observationAbout sourceReport value unit valueQualifier destination "
    "ageGroup minAge maxAge"
).split()


# -- words ------------------------------------------------------------------------------------

# Syllables (Russian, English transliteration) of made-up place names, surnames and titles.
_SYLLABLES = tuple(
    zip(
        "ка ра ак су тал бу лак ко ар ыс ден ман тор ой жол кен нур тас бел гор сай чы нар кум "
        "тек ба ла мо зу ер".split(),
        "ka ra ak su tal bu lak ko ar ys den man tor oi zhol ken nur tas bel gor sai chy nar kum "
        "tek ba la mo zu er".split(),
        strict=True,
    )
)
_INITIALS = tuple(
    zip(
        "А Б В Г Д Е Ж З И К Л М Н О П Р С Т У Э".split(),
        "A B V G D E Zh Z I K L M N O P R S T U E".split(),
        strict=True,
    )
)
_TOPIC_A = (
    ("Трудовая миграция", "Labour migration"),
    ("Права мигрантов", "Migrants' rights"),
    ("Денежные переводы", "Remittances"),
    ("Возвратная миграция", "Return migration"),
    ("Социальная защита", "Social protection"),
    ("Занятость молодёжи", "Youth employment"),
    ("Безопасная миграция", "Safe migration"),
    ("Семьи мигрантов", "Migrants' families"),
    ("Предвыездная подготовка", "Pre-departure training"),
    ("Реинтеграция", "Reintegration"),
    ("Миграционная политика", "Migration policy"),
    ("Гендер и миграция", "Gender and migration"),
    ("Диаспоры", "Diasporas"),
    ("Образование мигрантов", "Migrant education"),
    ("Трудовые права", "Labour rights"),
    ("Пенсионное обеспечение", "Pensions"),
    ("Здоровье мигрантов", "Migrant health"),
    ("Цифровые услуги", "Digital services"),
    ("Местное развитие", "Local development"),
    ("Климат и миграция", "Climate and migration"),
)
_TOPIC_B = (
    ("в Центральной Азии", "in Central Asia"),
    ("в регионах", "in the regions"),
    ("и развитие", "and development"),
    ("и местные сообщества", "and local communities"),
    ("и рынок труда", "and the labour market"),
    ("и законодательство", "and legislation"),
    ("и цифровизация", "and digitalisation"),
    ("после пандемии", "after the pandemic"),
    ("и гражданское общество", "and civil society"),
    ("и права женщин", "and women's rights"),
    ("и сельские районы", "and rural areas"),
    ("и молодёжь", "and youth"),
    ("в странах ЕАЭС", "in the EAEU countries"),
    ("и малый бизнес", "and small business"),
    ("и образование", "and education"),
    ("и здравоохранение", "and health care"),
)
_TOPIC_C = (
    ("итоги и перспективы", "results and prospects"),
    ("новые подходы", "new approaches"),
    ("опыт регионов", "regional experience"),
    ("вызовы и решения", "challenges and solutions"),
    ("взгляд экспертов", "the experts' view"),
    ("диалог сторон", "a dialogue"),
    ("практики и уроки", "practices and lessons"),
    ("повестка дня", "the agenda"),
    ("данные и выводы", "data and findings"),
    ("шаги вперёд", "steps forward"),
    ("роль государства", "the role of the state"),
    ("партнёрство", "partnership"),
)
_INTROS = ("На этой неделе", "Накануне", "Недавно", "Как сообщается,", "В прошлом месяце")
_POPULATIONS = (
    ("трудовых мигрантов", "labour migrants"),
    ("вернувшихся мигрантов", "returned migrants"),
    ("участников обучения", "trainees"),
    ("получателей переводов", "remittance recipients"),
    ("выпускников курсов", "course graduates"),
    ("семей мигрантов", "migrant families"),
    ("женщин-мигрантов", "women migrants"),
    ("сезонных работников", "seasonal workers"),
)
_MEASURES = (("число", "number of"), ("доля", "share of"), ("количество", "count of"))
_ROLES = (
    ("директор", "director"),
    ("координатор", "coordinator"),
    ("эксперт", "expert"),
    ("председатель", "chair"),
    ("специалист", "specialist"),
    ("представитель", "representative"),
    ("консультант", "consultant"),
    ("исследователь", "researcher"),
)
_DAYS = (
    ("Международный день семьи", "International Day of Families"),
    ("Международный день молодёжи", "International Youth Day"),
    ("Международный день волонтёров", "International Volunteer Day"),
    ("День прав человека", "Human Rights Day"),
    ("Международный день родного языка", "International Mother Language Day"),
    ("Всемирный день борьбы с торговлей людьми", "World Day against Trafficking in Persons"),
    ("Международный день грамотности", "International Literacy Day"),
    ("Всемирный день здоровья", "World Health Day"),
)
_AGES = ((15, 24), (18, 24), (25, 34), (35, 44), (45, 59), (25, 54), (55, 64), (60, 75))
_DISCUSSED = (
    ("участники обсудили", "the participants discussed"),
    ("спикеры рассказали о теме", "the speakers spoke about"),
    ("эксперты поделились опытом по теме", "the experts shared their experience of"),
    ("участники выработали рекомендации по теме", "the participants drafted recommendations on"),
)


# -- the mix, read from the ontology and the real article ---------------------------------------


Weighted = list[tuple[str, float]]


@dataclass(frozen=True)
class Mix:
    """What the real article and the ontology say generated articles should look like."""

    ontology: Ontology
    classes: dict[str, Weighted]  # kind -> ag: classes, by real frequency
    blocks: Weighted  # block name -> real frequency of the statement that heads it
    named: dict[str, float]  # kind -> share of real entities of that kind that have a name
    rates: dict[str, float]  # e.g. 'containment': share of real places with a containing place
    parents: dict[str, Weighted]  # place class -> classes of the places that contain it
    support: list[tuple[str, str]]  # (support kind individual, 'funder' or 'supporter')
    individuals: dict[str, Weighted]  # kind -> ontology individuals, by real use
    scales: dict[str, int]  # unit -> the largest real value in it
    breakdowns: Weighted  # 'destination' / 'ageGroup' / '' by real frequency
    labels: dict[str, tuple[str, str]]  # local name -> (ru, en) label
    real_shared: list[PoolEntity]


def read_mix(source: Path = SOURCE) -> Mix:
    """Read the ontology and the real article of the data folder ``source`` into a :class:`Mix`.

    :raises SystemExit: if the ontology lacks a class or property the templates need.
    """
    project = Project(REPOSITORY, data_path=source)
    ontology = project.load_ontology()
    missing = [n for n in ANCHORS.values() if n not in ontology.classes]
    missing += [n for n in PROPERTIES if n not in ontology.properties]
    if missing:
        raise SystemExit(
            f"the ontology has no {', '.join(missing)}: update tests/helpers/corpus.py"
        )
    corpus = project.load_corpus(ontology)
    article = next(a for a in corpus.articles if a.slug == REAL_ARTICLE)
    kind_of = _kinds(ontology)
    entities = {e.id: e for e in article.entities}
    kinds = {e.id: kind_of(e.types) for e in article.entities}
    facts = [(e, f) for e in article.entities for f in e.facts]

    def values(prop: str, subject: str | None = None) -> int:
        return sum(
            len(f.values) for e, f in facts if f.prop == prop and subject in (None, kinds[e.id])
        )

    def count(kind: str) -> int:
        return sum(1 for k in kinds.values() if k == kind)

    classes: dict[str, Counter[str]] = defaultdict(Counter)
    for entity in article.entities:
        classes[kinds[entity.id]].update(entity.types)
    named = Counter(kinds[e.id] for e, f in facts if f.prop == "name")
    observations = [e for e in article.entities if kinds[e.id] == "observation"]
    places = count("place")
    props_of = {e.id: {f.prop for f in e.facts} for e in article.entities}
    blocks = {
        "location": values("location", "event") + values("linkedLocation", "event"),
        "organizer": values("organizer") + values("partner"),
        "speaker": values("speaker"),
        "subEvent": values("subEvent"),
        "report": count("report"),
        "funding": count("funding"),
        "programme": values("withinProgramme"),
        "statistic": len(observations),
        "dedicatedTo": values("dedicatedTo"),
        "description": sum(
            1 for e, f in facts if f.prop == "description" and kinds[e.id] == "event"
        ),
        "about": sum(len(f.values) for f in article.facts if f.prop == "about"),
    }
    parents: dict[str, Counter[str]] = defaultdict(Counter)
    for entity, fact in facts:
        if fact.prop == "containedInPlace":
            for ref in _refs(fact.values):
                parents[entity.types[0]].update(entities[ref.target].types)
    support = [
        (_ref_of(e, "supportKind"), "funder" if "funder" in props_of[e.id] else "supporter")
        for e in article.entities
        if kinds[e.id] == "funding"
    ]
    individuals: dict[str, Counter[str]] = defaultdict(Counter)
    for kind in ("unit", "qualifier", "support"):
        for name in _individuals(ontology, ANCHORS[kind]):
            individuals[kind][name] += 0  # known even if unused: keeps every one a candidate
    for _, fact in facts:
        for ref in _refs(fact.values):
            if ref.target.startswith("ag:"):
                name = ref.target[3:]
                kind = {"unit": "unit", "valueQualifier": "qualifier"}.get(fact.prop, "support")
                individuals[kind][name] += 1
    breakdowns = Counter(
        next((p for p in ("destination", "ageGroup") if p in props_of[o.id]), "")
        for o in observations
    )
    reports = [e for e in article.entities if kinds[e.id] == "report"]
    presented = {r.target for _, f in facts if f.prop == "presents" for r in _refs(f.values)}
    return Mix(
        ontology=ontology,
        classes={k: _weighted(c) for k, c in classes.items()},
        blocks=[(name, float(n)) for name, n in blocks.items() if n > 0],
        named={kind: named[kind] / n for kind, n in Counter(kinds.values()).items()},
        rates={
            "containment": sum(1 for e, f in facts if f.prop == "containedInPlace") / places,
            "qualifier": sum(1 for o in observations if "valueQualifier" in props_of[o.id])
            / len(observations),
            "coverage": sum(1 for r in reports if "spatialCoverage" in props_of[r.id])
            / len(reports),
            "presented": sum(1 for r in reports if r.id in presented) / len(reports),
            "ambiguous": values("possiblyFundedItem")
            / (values("possiblyFundedItem") + values("fundedItem")),
            "implementers": values("implementer") / max(1, count("programme")),
            "same-variable": 1 - count("variable") / len(observations),
            "organizer": values("organizer"),
            "partner": values("partner"),
        },
        parents={k: _weighted(c) for k, c in parents.items()},
        support=support,
        individuals={
            k: [(n, w + 0.5) for n, w in sorted(c.items())] for k, c in individuals.items()
        },
        breakdowns=_weighted(breakdowns),
        scales=_scales(observations),
        labels=_labels(ontology),
        real_shared=_real_shared(article, corpus.shared, kind_of),
    )


def _scales(observations: list[Entity]) -> dict[str, int]:
    scales: dict[str, int] = {}
    for entity in observations:
        unit = _ref_of(entity, "unit").removeprefix("ag:")
        for fact in entity.facts:
            for value in fact.values:
                if fact.prop == "value" and isinstance(value, Typed):
                    scales[unit] = max(scales.get(unit, 0), int(float(value.lexical)))
    return scales


def _kinds(ontology: Ontology) -> Callable[[tuple[str, ...]], str]:
    """Classes -> the generator's kind of entity (the first anchor they fall under)."""
    order = [k for k in ANCHORS if k not in ("observance",)]

    def kind(types: tuple[str, ...]) -> str:
        if any(ontology.is_subclass(t, ANCHORS["observance"]) for t in types):
            return "observance"
        for k in order:
            if any(ontology.is_subclass(t, ANCHORS[k]) for t in types):
                return k
        return "other"

    return kind


def _refs(values: Iterable[object]) -> Iterator[Ref]:
    return (v for v in values if isinstance(v, Ref))


def _ref_of(entity: Entity, prop: str) -> str:
    return next(r.target for f in entity.facts if f.prop == prop for r in _refs(f.values))


def _weighted(counter: Counter[str]) -> Weighted:
    return [(name, float(n)) for name, n in sorted(counter.items()) if n > 0]


def _individuals(ontology: Ontology, cls: str) -> list[str]:
    iri = NAMESPACE + cls
    return sorted(
        subject.removeprefix(NAMESPACE)
        for t in ontology.triples
        if t.predicate.value == RDF_TYPE
        and iri_of(t.object) == iri
        and (subject := iri_of(t.subject)) is not None
    )


def _labels(ontology: Ontology) -> dict[str, tuple[str, str]]:
    """ag: term -> its Russian and English label (rdfs:label, or skos:prefLabel of individuals)."""
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for t in ontology.triples:
        subject, label = iri_of(t.subject), t.object
        if (
            t.predicate.value in (RDFS + "label", SKOS_PREF_LABEL)
            and subject is not None
            and subject.startswith(NAMESPACE)
            and isinstance(label, ox.Literal)
            and label.language in ("ru", "en")
        ):
            found[subject.removeprefix(NAMESPACE)][label.language] = label.value
    return {k: (v.get("ru", k), v.get("en", k)) for k, v in found.items()}


# -- shared entities --------------------------------------------------------------------------


@dataclass
class PoolEntity:
    """A shared entity: defined once in ``entities/``, mentioned by id from articles."""

    id: str
    kind: str
    cls: str
    ru: str
    en: str
    links: tuple[str, ...] = ()
    parent: str | None = None  # a place: the place that contains it
    post: str | None = None  # a person: the post they hold
    role: str | None = None  # a post: its role
    org: str | None = None  # a post: its organization
    ages: tuple[int, int] | None = None  # an age group
    age_text: str | None = None  # the words of the name that give the ages


def _real_shared(
    article: Article, shared: dict[str, Entity], kind_of: Callable[[tuple[str, ...]], str]
) -> list[PoolEntity]:
    """The real article's shared entities (and roles, variables, age groups), with its names."""
    found = []
    for entity in article.entities:
        kind = kind_of(entity.types)
        if not (entity.shared or kind in ("role", "variable", "age-group")):
            continue
        names = {
            v.language: v.text
            for f in entity.facts
            if f.prop == "name"
            for v in f.values
            if isinstance(v, Text)
        }
        if "ru" not in names:
            continue
        links = tuple(link.target for link in shared[entity.id].links) if entity.shared else ()
        pool = PoolEntity(
            entity.id,
            kind,
            entity.types[0],
            names["ru"],
            names.get("en", names["ru"]),
            _curies(links),
        )
        for fact in entity.facts:
            if fact.prop == "containedInPlace":
                pool.parent = next(_refs(fact.values)).target
            if fact.prop in ("minAge", "maxAge") and fact.evidence:
                pool.age_text = fact.evidence[0].exact
        ages = [
            int(v.lexical)
            for f in entity.facts
            if f.prop in ("minAge", "maxAge")
            for v in f.values
            if isinstance(v, Typed)
        ]
        if len(ages) == 2 and pool.age_text and pool.age_text in pool.ru:
            pool.ages = (ages[0], ages[1])
        elif kind == "age-group":
            continue
        found.append(pool)
    return found


def _curies(iris: Iterable[str]) -> tuple[str, ...]:
    out = []
    for iri in iris:
        if iri.startswith("http://www.wikidata.org/entity/"):
            out.append("wd:" + iri.rsplit("/", 1)[1])
        elif iri.startswith("https://sws.geonames.org/"):
            out.append("gn:" + iri.rstrip("/").rsplit("/", 1)[1])
        else:
            out.append(iri)
    return tuple(out)


class Names:
    """Made-up names, each unique as the validator folds names (so no near-duplicates)."""

    def __init__(self, rng: random.Random, taken: Iterable[str] = ()) -> None:
        self.rng = rng
        self.seen = {fold(name) for name in taken}
        self.stems = self._shuffled(itertools.product(_SYLLABLES, repeat=2))
        self.stems += self._shuffled(itertools.product(_SYLLABLES, repeat=3))
        self.titles = self._shuffled(itertools.product(_TOPIC_A, _TOPIC_B, _TOPIC_C))
        self.next_stem = 0
        self.next_title = 0

    def _shuffled(
        self, parts: Iterable[tuple[tuple[str, str], ...]]
    ) -> list[tuple[tuple[str, str], ...]]:
        items = list(parts)
        self.rng.shuffle(items)
        return items

    def unique(self, ru: str, en: str) -> tuple[str, str] | None:
        key = fold(ru)
        if key in self.seen:
            return None
        self.seen.add(key)
        return ru, en

    def stem(self) -> tuple[str, str]:
        """A made-up word: 'Каратал', 'Karatal'."""
        while True:
            parts = self.stems[self.next_stem % len(self.stems)]
            lap = self.next_stem // len(self.stems)
            self.next_stem += 1
            ru = "".join(p[0] for p in parts).capitalize()
            en = "".join(p[1] for p in parts).capitalize()
            if lap:
                ru, en = f"{ru}-{_roman(lap)}", f"{en}-{_roman(lap)}"
            if fold(ru) not in self.seen:  # a stem is a part of names, not reserved itself
                return ru, en

    def title(self) -> tuple[str, str]:
        """A made-up title: 'Трудовая миграция в регионах: новые подходы'."""
        while True:
            (a, b, c) = self.titles[self.next_title % len(self.titles)]
            lap = self.next_title // len(self.titles)
            self.next_title += 1
            ru, en = f"{a[0]} {b[0]}: {c[0]}", f"{a[1]} {b[1]}: {c[1]}"
            if lap:
                ru, en = f"{ru} ({_roman(lap + 1)})", f"{en} ({_roman(lap + 1)})"
            if got := self.unique(ru, en):
                return got


def _roman(n: int) -> str:
    out = ""
    for value, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"),
                           (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"),
                           (4, "IV"), (1, "I")):  # fmt: skip
        while n >= value:
            out, n = out + letters, n - value
    return out


class Pool:
    """The shared entities of one kind, in rank order, drawn with a Zipf law."""

    def __init__(self, entities: list[PoolEntity], rng: random.Random) -> None:
        self.entities = entities
        self.rng = rng
        weights = [1 / (rank + 1) ** ZIPF_EXPONENT for rank in range(len(entities))]
        self.cumulative = list(itertools.accumulate(weights))
        self.by_id = {entity.id: entity for entity in entities}

    def get(self, entity_id: str) -> PoolEntity:
        return self.by_id[entity_id]

    def draw(self, exclude: Sequence[str] = ()) -> PoolEntity:
        for _ in range(20):
            x = self.rng.random() * self.cumulative[-1]
            entity = self.entities[bisect.bisect_left(self.cumulative, x)]
            if entity.id not in exclude:
                return entity
        return next((e for e in self.entities if e.id not in exclude), self.entities[0])


def make_pools(mix: Mix, articles: int, rng: random.Random, names: Names) -> dict[str, Pool]:
    """The pools of shared entities for a corpus of ``articles``: the real ones first."""
    real: dict[str, list[PoolEntity]] = defaultdict(list)
    for entity in mix.real_shared:
        real[entity.kind].append(entity)

    def size(kind: str) -> int:
        return min(POOL_CAP, max(POOL_FLOOR.get(kind, 3), articles // POOL_RATIO[kind]))

    def choose(weighted: Weighted) -> str:
        return _choice(rng, weighted)

    pools: dict[str, list[PoolEntity]] = {}
    for kind in ("organization", "place", "programme", "observance", "role", "variable"):
        pools[kind] = list(real[kind])
    # Places: the real classes in their real proportions, each in a place of its parent class.
    place_classes = mix.classes["place"]
    for n in range(size("place")):
        cls = choose(place_classes)
        label = mix.labels[cls]
        got = None
        while got is None:
            stem = names.stem()
            got = names.unique(f"{label[0]} {stem[0]}", f"{stem[1]} {label[1]}")
        ru, en = got
        parent = None
        if cls in mix.parents:
            parent_cls = choose(mix.parents[cls])
            candidates = [p for p in pools["place"] if p.cls == parent_cls]
            parent = rng.choice(candidates).id if candidates else None
        pools["place"].append(PoolEntity(f"place-{n:05d}", "place", cls, ru, en, parent=parent))
    for n in range(size("organization")):
        cls = choose(mix.classes["organization"])
        stem = names.stem()
        label = mix.labels[cls]
        got = names.unique(f"{label[0]} «{stem[0]}»", f"{stem[1]} {label[1]}")
        if got:
            pools["organization"].append(PoolEntity(f"org-{n:05d}", "organization", cls, *got))
    for n in range(size("programme")):
        title = names.title()
        label = mix.labels[ANCHORS["programme"]]
        ru, en = f"{label[0]} «{title[0]}»", f"{title[1]} {label[1]}"
        pools["programme"].append(
            PoolEntity(f"programme-{n:04d}", "programme", ANCHORS["programme"], ru, en)
        )
    observance = ANCHORS["observance"]
    for n, (ru, en) in enumerate(_DAYS[: size("observance")]):
        pools["observance"].append(
            PoolEntity(f"observance-{n:03d}", "observance", observance, ru, en)
        )
    for ru, en in _ROLES[: max(3, size("role"))]:
        if names.unique(ru, en):
            pools["role"].append(
                PoolEntity(f"role-{fold(en).replace(' ', '-')}", "role", ANCHORS["role"], ru, en)
            )
    variables = itertools.product(_MEASURES, _POPULATIONS)
    for n, (measure, population) in enumerate(itertools.islice(variables, size("variable"))):
        ru, en = f"{measure[0]} {population[0]}", f"{measure[1]} {population[1]}"
        if names.unique(ru, en):
            pools["variable"].append(
                PoolEntity(f"variable-{n:03d}", "variable", ANCHORS["variable"], ru, en)
            )
    pools["age-group"] = list(real["age-group"])
    for low, high in _AGES[: size("age-group")]:
        age_text = f"от {low} до {high} лет"
        ru, en = f"люди в возрасте {age_text}", f"people aged {low}–{high}"
        if names.unique(ru, en):
            pools["age-group"].append(
                PoolEntity(
                    f"aged-{low}-{high}",
                    "age-group",
                    ANCHORS["age-group"],
                    ru,
                    en,
                    ages=(low, high),
                    age_text=age_text,
                )  # fmt: skip
            )
    # People, each holding one post (a role in an organization), shared like the person.
    pools["person"], pools["post"] = [], []
    org_pool, role_pool = Pool(pools["organization"], rng), Pool(pools["role"], rng)
    posts_seen: set[tuple[str, str]] = set()
    for n in range(size("person")):
        stem, first, middle = names.stem(), rng.choice(_INITIALS), rng.choice(_INITIALS)
        suffix = rng.choice((("ов", "ov"), ("ева", "eva"), ("бекова", "bekova"), ("ин", "in")))
        got = names.unique(
            f"{stem[0]}{suffix[0]} {first[0]}. {middle[0]}.",
            f"{first[1]}. {middle[1]}. {stem[1]}{suffix[1]}",
        )
        if not got:
            continue
        role, org = role_pool.draw(), org_pool.draw()
        while (role.id, org.id) in posts_seen:  # one holder per post: a uniform draw ends it
            role, org = rng.choice(role_pool.entities), rng.choice(org_pool.entities)
        posts_seen.add((role.id, org.id))
        post = PoolEntity(
            f"post-{n:05d}", "post", ANCHORS["post"], f"{role.ru} {org.ru}", f"{role.en}, {org.en}",
            role=role.id, org=org.id,
        )  # fmt: skip
        pools["post"].append(post)
        pools["person"].append(
            PoolEntity(f"person-{n:05d}", "person", ANCHORS["person"], *got, post=post.id)
        )
    return {kind: Pool(entities, rng) for kind, entities in pools.items() if entities}


def _choice(rng: random.Random, weighted: Weighted) -> str:
    names = [n for n, _ in weighted]
    return rng.choices(names, weights=[w for _, w in weighted])[0]


# -- one article ------------------------------------------------------------------------------


Span = tuple[int, int]


@dataclass
class Fact:
    """One fact: references, texts by language or a typed value, and the span that states it."""

    prop: str
    quote: Span
    refs: tuple[str, ...] = ()
    texts: dict[str, str] | None = None
    lexical: str | None = None

    @property
    def values(self) -> int:
        return len(self.refs) or len(self.texts or {}) or 1


@dataclass
class LocalEntity:
    """An entity as one article annotates it (a shared one has no class here)."""

    id: str
    cls: str | None
    mentions: list[Span] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)

    def targets(self, prop: str) -> list[str]:
        return [ref for fact in self.facts if fact.prop == prop for ref in fact.refs]


class Writer:
    """Builds one article's text and annotations together, so every quote is a span of it."""

    def __init__(
        self,
        slug: str,
        mix: Mix,
        pools: dict[str, Pool],
        names: Names,
        rng: random.Random,
        mentioned: Counter[str],
    ) -> None:
        self.slug, self.mix, self.pools, self.names, self.rng = slug, mix, pools, names, rng
        self.mentioned = mentioned
        self.parts: list[str] = []
        self.length = 0
        self.entities: dict[str, LocalEntity] = {}
        self.article_facts: list[Fact] = []
        self.events: list[LocalEntity] = []
        self.reports: dict[str, str] = {}  # id -> title
        self.programme: str | None = None
        self.variables: list[str] = []
        self.about: Span = (0, 0)
        self.counters: Counter[str] = Counter()

    # -- text

    def put(self, text: str) -> Span:
        start = self.length
        self.parts.append(text)
        self.length += len(text)
        return start, self.length

    def sentence(self) -> None:
        """Start a sentence: in the same paragraph, or (two times in five) a new one."""
        self.put("\n\n" if self.rng.random() < 0.4 else " ")

    def text(self) -> str:
        return "".join(self.parts) + "\n"

    # -- entities and facts

    def local(self, kind: str, cls: str, mention: Span) -> LocalEntity:
        self.counters[kind] += 1
        entity = LocalEntity(f"{self.slug}-{kind}-{self.counters[kind]}", cls, [mention])
        self.entities[entity.id] = entity
        return entity

    def shared(self, pooled: PoolEntity, mention: Span) -> LocalEntity:
        """Mention a shared entity; the first mention in the article also states its name."""
        entity = self.entities.get(pooled.id)
        if entity is None:
            entity = self.entities[pooled.id] = LocalEntity(pooled.id, None)
            self.mentioned[pooled.id] += 1
            entity.facts.append(Fact("name", mention, texts={"ru": pooled.ru, "en": pooled.en}))
        entity.mentions.append(mention)
        return entity

    def put_shared(
        self, kind: str, exclude: Sequence[str] = ()
    ) -> tuple[PoolEntity, LocalEntity, Span]:
        pooled = self.pools[kind].draw(exclude)
        span = self.put(pooled.ru)
        return pooled, self.shared(pooled, span), span

    def ref(self, entity: LocalEntity, prop: str, targets: Sequence[str], quote: Span) -> None:
        entity.facts.append(Fact(prop, quote, refs=tuple(targets)))

    def name(self, entity: LocalEntity, ru: str, en: str, quote: Span) -> None:
        entity.facts.append(Fact("name", quote, texts={"ru": ru, "en": en}))

    def host(self) -> LocalEntity:
        return self.rng.choice(self.events)

    def label(self, cls: str) -> tuple[str, str]:
        return self.mix.labels.get(cls, (cls, cls))

    # -- the article

    def write(self, budget: float) -> None:
        """The headline and main event, then blocks drawn by the real mix up to ``budget``."""
        title = self.names.title()
        cls = _choice(self.rng, self.mix.classes["event"])
        label = self.label(cls)
        headline = f"{label[0].capitalize()} «{title[0]}»"
        self.put("## ")
        quote = self.put(headline)
        texts = {"ru": headline, "en": f"{title[1]}: {label[1]}"}
        self.article_facts.append(Fact("headline", quote, texts=texts))
        self.put(f"\n\n{self.rng.choice(_INTROS)} ")
        start = self.put("прошла ")[0]
        mention = self.put(f"{label[0]} «{title[0]}»")
        self.put(".")
        event = self.local("event", cls, mention)
        self.events.append(event)
        self.about = (start, mention[1])
        if self.rng.random() < self.mix.named.get("event", 0.0):
            self.name(event, f"{label[0]} «{title[0]}»", f"{title[1]}: {label[1]}", mention)
        blocks: dict[str, Callable[[], object]] = {
            "location": self.location,
            "organizer": self.organizer,
            "speaker": self.speaker,
            "subEvent": self.sub_event,
            "report": self.report,
            "funding": self.funding,
            "programme": self.within_programme,
            "statistic": self.statistic,
            "dedicatedTo": self.dedicated_to,
            "description": self.description,
            "about": self.about_fact,
        }
        while estimate(self) < budget:
            blocks[_choice(self.rng, self.mix.blocks)]()

    def about_fact(self) -> None:
        if not any(f.prop == "about" for f in self.article_facts):
            self.article_facts.append(Fact("about", self.about, refs=(self.events[0].id,)))

    def location(self) -> None:
        free = [
            e for e in self.events if not (e.targets("location") or e.targets("linkedLocation"))
        ]
        if not free:
            return
        event = self.rng.choice(free)
        domain = self.mix.ontology.properties["linkedLocation"].domain or ""
        linked = event.cls and self.mix.ontology.is_subclass(
            event.cls, domain.removeprefix(NAMESPACE)
        )
        self.sentence()
        start = self.put("Участником телемоста стал " if linked else "Местом проведения стал ")[0]
        pooled, place, span = self.put_shared("place")
        self.ref(event, "linkedLocation" if linked else "location", [pooled.id], (start, span[1]))
        self.contained(pooled, place, span)
        if event is not self.events[0]:
            self.put(f" ({self.label(event.cls or '')[0]})")
        self.put(".")

    def contained(self, pooled: PoolEntity, place: LocalEntity, span: Span) -> None:
        while pooled.parent and self.rng.random() < self.mix.rates["containment"]:
            self.put(", ")
            parent = self.pools["place"].get(pooled.parent)
            parent_span = self.put(parent.ru)
            parent_entity = self.shared(parent, parent_span)
            if not place.targets("containedInPlace"):
                self.ref(place, "containedInPlace", [parent.id], (span[0], parent_span[1]))
            pooled, place, span = parent, parent_entity, parent_span

    def organizer(self) -> None:
        event = self.host()
        weights = [(p, float(self.mix.rates[p])) for p in ("organizer", "partner")]
        prop = _choice(self.rng, weights)
        self.sentence()
        start = self.put("Организатором выступил " if prop == "organizer" else "Партнёром стал ")[0]
        pooled, _, span = self.put_shared("organization", event.targets(prop))
        self.put(".")
        self.ref(event, prop, [pooled.id], (start, span[1]))

    def speaker(self) -> None:
        event = self.host()
        person = self.pools["person"].draw(list(self.entities))
        if person.id in self.entities or person.post is None:
            return
        post = self.pools["post"].get(person.post)
        role = self.pools["role"].get(post.role or "")
        org = self.pools["organization"].get(post.org or "")
        self.sentence()
        start = self.put("С приветственным словом выступил ")[0]
        role_span = self.put(role.ru)
        self.put(" ")
        org_span = self.put(org.ru)
        post_span = (role_span[0], org_span[1])
        self.put(" — ")
        person_span = self.put(person.ru)
        self.put(".")
        self.ref(event, "speaker", [person.id], (start, person_span[1]))
        person_entity = self.shared(person, person_span)
        self.ref(person_entity, "holdsPost", [post.id], (post_span[0], person_span[1]))
        post_entity = self.shared(post, post_span)
        self.shared(role, role_span)
        self.shared(org, org_span)
        if not post_entity.targets("postIn"):
            self.ref(post_entity, "role", [role.id], role_span)
            self.ref(post_entity, "postIn", [org.id], post_span)

    def sub_event(self) -> None:
        cls = _choice(self.rng, self.mix.classes["event"])
        label = self.label(cls)
        self.sentence()
        start = self.put("В программе мероприятия — ")[0]
        title = self.names.title() if self.rng.random() < self.mix.named["event"] else None
        mention = self.put(f"{label[0]} «{title[0]}»" if title else label[0])
        self.put(".")
        event = self.local("event", cls, mention)
        if title:
            self.name(event, f"{label[0]} «{title[0]}»", f"{title[1]}: {label[1]}", mention)
        self.ref(self.events[0], "subEvent", [event.id], (start, mention[1]))
        self.events.append(event)

    def report(self) -> LocalEntity:
        title = self.names.title()
        self.sentence()
        start = self.put("Был представлен доклад ")[0]
        mention = self.put(f"«{title[0]}»")
        report = self.local("report", ANCHORS["report"], mention)
        self.name(report, title[0], title[1], mention)
        by = self.put(", подготовленный организацией ")[0]
        pooled, _, span = self.put_shared("organization")
        self.ref(report, "author", [pooled.id], (by + 2, span[1]))
        if self.rng.random() < self.mix.rates["coverage"]:
            cover = self.put(", о ситуации в месте ")[0]
            place, _, place_span = self.put_shared("place")
            self.ref(report, "spatialCoverage", [place.id], (cover + 2, place_span[1]))
        self.put(".")
        if self.rng.random() < self.mix.rates["presented"]:
            self.ref(self.host(), "presents", [report.id], (start, mention[1]))
        self.reports[report.id] = title[0]
        return report

    def funding(self) -> None:
        kind, prop = self.rng.choice(self.mix.support)
        label = self.label(kind.removeprefix("ag:"))
        self.sentence()
        kind_span = self.put(label[0].capitalize())
        self.put(" ")
        item_span = self.put("для проведения мероприятия")
        self.put(" — ")
        pooled, _, span = self.put_shared("organization")
        self.put(".")
        funding = self.local("funding", ANCHORS["funding"], (kind_span[0], span[1]))
        self.ref(funding, prop, [pooled.id], (item_span[1] + 1, span[1]))
        self.ref(funding, "supportKind", [kind], kind_span)
        if self.programme and self.rng.random() < self.mix.rates["ambiguous"]:
            both = [self.events[0].id, self.programme]
            self.ref(funding, "possiblyFundedItem", both, item_span)
        else:
            self.ref(funding, "fundedItem", [self.events[0].id], item_span)

    def within_programme(self) -> None:
        if self.programme:
            return
        self.sentence()
        start = self.put("Мероприятие проведено в рамках ")[0]
        pooled, programme, span = self.put_shared("programme")
        self.programme = pooled.id
        self.ref(self.events[0], "withinProgramme", [pooled.id], (start, span[1]))
        by = self.put(", реализуемой ")[0]
        orgs: list[str] = []
        count = min(3, max(1, round(self.rng.expovariate(1 / self.mix.rates["implementers"]))))
        for n in range(count):
            if n:
                self.put(" и " if n == count - 1 else ", ")
            org, _, org_span = self.put_shared("organization", orgs)
            orgs.append(org.id)
        self.ref(programme, "implementer", orgs, (by + 2, org_span[1]))
        self.put(".")

    def statistic(self) -> None:
        if not self.reports:
            self.report()
        report = self.rng.choice(sorted(self.reports))
        self.sentence()
        source = self.put(f"По данным доклада «{self.reports[report]}»")
        self.put(", ")
        reused = [self.pools["variable"].get(v) for v in self.variables]
        if reused and self.rng.random() < self.mix.rates["same-variable"]:
            variable = self.rng.choice(reused)
            variable_span = self.put(variable.ru)
            self.shared(variable, variable_span)
        else:
            variable, _, variable_span = self.put_shared("variable")
            self.variables.append(variable.id)
        self.put(" для места ")
        place, _, place_span = self.put_shared("place")
        breakdown = _choice(self.rng, self.mix.breakdowns)
        target: tuple[str, Span] | None = None
        if breakdown == "destination":
            self.put(", в направлении ")
            pooled, _, span = self.put_shared("place", [place.id])
            target = pooled.id, span
        elif breakdown == "ageGroup":
            self.put(", среди групп: ")
            pooled, entity, span = self.put_shared("age-group")
            target = pooled.id, span
            if pooled.ages and pooled.age_text and not entity.targets("minAge"):
                at = span[0] + pooled.ru.index(pooled.age_text)
                ages = (at, at + len(pooled.age_text))
                if not any(f.prop == "minAge" for f in entity.facts):
                    entity.facts.append(Fact("minAge", ages, lexical=str(pooled.ages[0])))
                    entity.facts.append(Fact("maxAge", ages, lexical=str(pooled.ages[1])))
        self.put(" — ")
        unit = _choice(self.rng, self.mix.individuals["unit"])
        qualifier = None
        if self.rng.random() < self.mix.rates["qualifier"]:
            qualifier = _choice(self.rng, self.mix.individuals["qualifier"])
            qualifier_span = self.put(self.label(qualifier)[0])
            self.put(" ")
        value = str(_value(self.rng, self.mix.scales.get(unit, 1000)))
        value_span = self.put(value)
        self.put(" ")
        unit_span = self.put(self.label(unit)[0])
        self.put(".")
        mention = (variable_span[0], unit_span[1])
        observation = self.local("observation", ANCHORS["observation"], mention)
        self.ref(observation, "variableMeasured", [variable.id], variable_span)
        self.ref(observation, "observationAbout", [place.id], place_span)
        self.ref(observation, "sourceReport", [report], source)
        observation.facts.append(Fact("value", value_span, lexical=value))
        self.ref(observation, "unit", [f"ag:{unit}"], (value_span[0], unit_span[1]))
        if qualifier:
            quote = (qualifier_span[0], value_span[1])
            self.ref(observation, "valueQualifier", [f"ag:{qualifier}"], quote)
        if target:
            self.ref(observation, breakdown, [target[0]], target[1])

    def dedicated_to(self) -> None:
        event = self.host()
        if event.targets("dedicatedTo"):
            return
        self.sentence()
        start = self.put("Мероприятие приурочено к дате: ")[0]
        pooled, _, span = self.put_shared("observance")
        if event is not self.events[0]:
            self.put(f" ({self.label(event.cls or '')[0]})")
        self.put(".")
        self.ref(event, "dedicatedTo", [pooled.id], (start, span[1]))

    def description(self) -> None:
        event = self.host()
        verb, topic = self.rng.choice(_DISCUSSED), self.rng.choice(_TOPIC_A)
        ru, en = f"{verb[0]} «{topic[0]}»", f"{verb[1]} “{topic[1]}”"
        if event is not self.events[0]:
            ru += f" ({self.label(event.cls or '')[0]})"
        self.sentence()
        span = self.put(ru[0].upper() + ru[1:])
        self.put(".")
        event.facts.append(Fact("description", span, texts={"ru": ru, "en": en}))


def _value(rng: random.Random, scale: int) -> int:
    """A number of the order of the real ones in this unit (hundreds of thousands, percent)."""
    if scale >= 10_000:
        return rng.randint(1, scale // 1000) * 1000
    return rng.randint(1, max(1, scale))


def estimate(writer: Writer) -> int:
    """The triples the article's graph will have (see graph.py: ~20 per fact, ~26 per mention)."""
    total = 2 + sum(_fact_cost(f) for f in writer.article_facts)
    for entity in writer.entities.values():
        total += 5 * 2 + len(set(entity.mentions)) * 16
        total += sum(_fact_cost(f) for f in entity.facts)
    return total


def _fact_cost(fact: Fact) -> int:
    return 5 * fact.values + 14 + fact.values


# -- YAML, written as text --------------------------------------------------------------------


def _q(text: str) -> str:
    """A double-quoted YAML scalar (JSON's string syntax is a subset of YAML's)."""
    return json.dumps(text, ensure_ascii=False)


def quote_yaml(text: str, span: Span) -> str:
    """The quote of a span: its words, with the shortest prefix or suffix that makes it unique."""
    start, end = span
    exact = text[start:end]
    others = [s for s in occurrences(text, exact) if s != start]
    if not others:
        return _q(exact)
    for size in range(1, len(text)):
        prefix = text[max(0, start - size) : start]
        if len(prefix) == size and not any(text[:o].endswith(prefix) for o in others):
            return f"{{exact: {_q(exact)}, prefix: {_q(prefix)}}}"
        suffix = text[end : end + size]
        if len(suffix) == size and not any(text.startswith(suffix, o + len(exact)) for o in others):
            return f"{{exact: {_q(exact)}, suffix: {_q(suffix)}}}"
    raise AssertionError(f"no unique context for {exact!r}")


def fact_yaml(fact: Fact, text: str) -> str:
    """One fact as a YAML flow mapping: ``{ref: ..., quote: ...}``, ``{ru: ..., quote: ...}``."""
    quote = quote_yaml(text, fact.quote)
    if fact.refs:
        refs = [r if ID.fullmatch(r) else _q(r) for r in fact.refs]
        return (
            f"{{ref: {refs[0] if len(refs) == 1 else '[' + ', '.join(refs) + ']'}, quote: {quote}}}"
        )
    if fact.texts:
        texts = ", ".join(f"{language}: {_q(t)}" for language, t in fact.texts.items())
        return f"{{{texts}, quote: {quote}}}"
    return f"{{value: {fact.lexical}, quote: {quote}}}"


def annotations_yaml(writer: Writer, text: str) -> str:
    """The article's ``annotations.yaml``, in the layout of the real one."""
    lines = [
        f"# Synthetic: written by benchmarks/generate.py; {ARTICLE_NOTE}",
        f"format: {FORMAT}",
        "",
        "article:",
        "  text: article.md",
        f"  language: {LANGUAGE}",
        *(f"  {f.prop}: {fact_yaml(f, text)}" for f in writer.article_facts),
        "",
        "entities:",
    ]
    for entity in writer.entities.values():
        lines.append(f"  {entity.id}:")
        if entity.cls:
            lines.append(f"    type: {entity.cls}")
        mentions = [quote_yaml(text, span) for span in dict.fromkeys(entity.mentions)]
        listed = mentions[0] if len(mentions) == 1 else "[" + ", ".join(mentions) + "]"
        lines.append(f"    quote: {listed}")
        by_prop: dict[str, list[Fact]] = defaultdict(list)
        for fact in entity.facts:
            by_prop[fact.prop].append(fact)
        for prop, facts in by_prop.items():
            if len(facts) == 1:
                lines.append(f"    {prop}: {fact_yaml(facts[0], text)}")
            else:
                lines.append(f"    {prop}:")
                lines += [f"      - {fact_yaml(f, text)}" for f in facts]
    return "\n".join(lines) + "\n"


ARTICLE_NOTE = "its text and facts are made up."


def entities_yaml(file: str, entities: list[PoolEntity]) -> str:
    """A ``data/entities/`` file: each shared entity's class and (real ones') identity links."""
    lines = [
        f"# Shared {file} of a synthetic corpus written by benchmarks/generate.py.",
        f"format: {FORMAT}",
        "",
        "entities:",
    ]
    for entity in entities:
        lines += ["", f"  {entity.id}:", f"    type: {entity.cls}"]
        if entity.links:
            lines.append(f"    sameAs: [{', '.join(entity.links)}]")
    return "\n".join(lines) + "\n"


# -- the corpus -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """What :func:`generate` wrote."""

    articles: int
    shared: int
    estimated_triples: int
    seconds: float


def generate(
    articles: int,
    out: Path,
    *,
    seed: int = 0,
    mean_triples: float = 100.0,
    mix: Mix | None = None,
) -> Summary:
    """Write a synthetic data folder of ``articles`` articles into ``out`` (emptied first).

    :param seed: the same seed and arguments give byte-identical files.
    :param mean_triples: the mean number of triples of an article's named graph.
    :param mix: the real article's mix (read from this repository when not given).
    """
    began = time.perf_counter()
    mix = mix or read_mix()
    rng = random.Random(seed)
    names = Names(rng, taken=[e.ru for e in mix.real_shared])
    pools = make_pools(mix, articles, rng, names)
    _clear(out)
    (out / "entities").mkdir(parents=True)
    width = max(5, len(str(articles - 1)))
    mentioned: Counter[str] = Counter()
    sigma, scale, total = SIZE_SIGMA, calibrate(mix, mean_triples), 0
    for n in range(articles):
        slug = f"{SLUG_PREFIX}-{n:0{width}d}"
        writer = Writer(slug, mix, pools, names, rng, mentioned)
        writer.write(scale * mean_triples * math.exp(rng.gauss(0, sigma) - sigma * sigma / 2))
        text = writer.text()
        folder = out / "articles" / slug
        folder.mkdir(parents=True)
        (folder / "article.md").write_text(text, encoding="utf-8")
        (folder / "annotations.yaml").write_text(annotations_yaml(writer, text), encoding="utf-8")
        total += estimate(writer)
        # The calibration was on another sample: steer the running mean back to mean_triples.
        scale = min(50.0, max(0.01, scale * (mean_triples * (n + 1) / total) ** STEERING))
    files: dict[str, list[PoolEntity]] = defaultdict(list)
    for kind, pool in sorted(pools.items()):
        files[POOL_FILE[kind]] += [e for e in pool.entities if e.id in mentioned]
    for file, entities in sorted(files.items()):
        if not entities:  # an empty 'entities:' is invalid
            continue
        (out / "entities" / f"{file}.yaml").write_text(
            entities_yaml(file, entities), encoding="utf-8"
        )
    return Summary(articles, sum(map(len, files.values())), total, time.perf_counter() - began)


def _clear(out: Path) -> None:
    """Empty ``out`` if it is a corpus this module wrote, or refuse (it may be real data).

    :raises FileExistsError: if ``out`` holds anything else.
    """
    if not out.exists():
        return
    foreign = [p for p in out.iterdir() if p.name not in ("articles", "entities")]
    articles = out / "articles"
    if articles.is_dir():
        foreign += [p for p in articles.iterdir() if not p.name.startswith(f"{SLUG_PREFIX}-")]
    if foreign:
        raise FileExistsError(
            f"{out} holds {foreign[0].name}, which this generator did not write: "
            "give an empty or new directory"
        )
    shutil.rmtree(out)


_calibrated: dict[tuple[int, float], float] = {}


def calibrate(mix: Mix, mean_triples: float) -> float:
    """The factor on budgets that gives articles of ``mean_triples`` on average.

    Blocks overshoot a budget and no article is smaller than its headline and main event, so
    budgets of mean T give articles of more than T; a dry run (nothing written, its own seed)
    finds the factor by bisection, once per mix and mean.
    """
    key = (id(mix), mean_triples)
    if key not in _calibrated:
        low, high = math.log(0.005), math.log(50.0)
        for _ in range(12):
            middle = (low + high) / 2
            if _dry_run(mix, mean_triples, math.exp(middle)) < mean_triples:
                low = middle
            else:
                high = middle
        _calibrated[key] = math.exp((low + high) / 2)
    return _calibrated[key]


def _dry_run(mix: Mix, mean_triples: float, scale: float) -> float:
    rng = random.Random(CALIBRATION_SEED)
    names = Names(rng, taken=[e.ru for e in mix.real_shared])
    pools = make_pools(mix, CALIBRATION_ARTICLES, rng, names)
    total, sigma = 0, SIZE_SIGMA
    for n in range(CALIBRATION_ARTICLES):
        writer = Writer(f"dry-{n}", mix, pools, names, rng, Counter())
        writer.write(scale * mean_triples * math.exp(rng.gauss(0, sigma) - sigma * sigma / 2))
        total += estimate(writer)
    return total / CALIBRATION_ARTICLES


def main(argv: Sequence[str] | None = None) -> int:
    """The command line: parse the options, generate, print one line of what was written."""
    parser = argparse.ArgumentParser(
        prog="python benchmarks/generate.py",
        description="Write a synthetic annograph data folder (articles/ and entities/) whose "
        "articles follow the mix of the real annotated article.",
        epilog="example: python benchmarks/generate.py --articles 1000 --out /tmp/corpus --seed 1",
    )
    parser.add_argument(
        "--articles", type=int, required=True, metavar="N", help="how many articles"
    )
    parser.add_argument(
        "--out", type=Path, required=True, metavar="DIR", help="the data folder to write (replaced)"
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "--mean-triples",
        type=float,
        default=100.0,
        metavar="T",
        help="mean triples per article graph (default 100; the real article has 7127)",
    )
    args = parser.parse_args(argv)
    if args.articles < 1 or args.mean_triples <= 0:
        parser.error("--articles and --mean-triples must be positive")
    try:
        summary = generate(args.articles, args.out, seed=args.seed, mean_triples=args.mean_triples)
    except FileExistsError as error:
        parser.error(str(error))
    print(
        f"wrote {summary.articles} articles and {summary.shared} shared entities to {args.out} "
        f"(~{summary.estimated_triples} triples) in {summary.seconds:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
