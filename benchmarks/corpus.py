"""The corpus a benchmark runs on: ``benchmarks.generate`` when it exists, else a small stand-in.

Both write ``DIR/articles/<slug>/{article.md,annotations.yaml}`` and ``DIR/entities/*.yaml``,
the layout of a project's ``data/`` folder. The stand-in exists only so that the benchmark
harness can be developed and smoke-tested before (or without) the real generator: its articles
are small, valid and alike, roughly 250 quads each.
"""

from __future__ import annotations

import importlib
import inspect
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: Shared entities per kind in the stand-in: one for every ten articles, at least five.
_POOL_RATIO = 10
_TOPICS = (
    "labour migration",
    "remittances",
    "pension reform",
    "regional water policy",
    "vocational training",
    "public health",
    "rural credit",
    "border trade",
)
_SYLLABLES = ("ka", "ri", "mo", "na", "tel", "san", "bek", "ai", "gul", "dar", "zhan", "ur")


def corpus(n: int, directory: Path, *, seed: int = 0) -> tuple[Path, str]:
    """Write a corpus of ``n`` articles into ``directory``; return it and who wrote it.

    The second item is ``"benchmarks.generate"`` or ``"stand-in"`` (reported with the results,
    since the numbers are only comparable between runs on the same generator).
    """
    directory.mkdir(parents=True, exist_ok=True)
    generate = _generator()
    if generate is not None:
        _call(generate, n, directory, seed)
        return directory, "benchmarks.generate"
    stand_in(n, directory, seed=seed)
    return directory, "stand-in"


def _generator() -> Callable[..., Any] | None:
    try:
        module = importlib.import_module("benchmarks.generate")
    except ModuleNotFoundError as error:
        if error.name not in ("benchmarks.generate", "benchmarks"):
            raise
        return None
    function = getattr(module, "generate", None)
    return function if callable(function) else None


def _call(generate: Callable[..., Any], n: int, directory: Path, seed: int) -> None:
    """Call the generator whatever it names its parameters (positional, or keywords)."""
    names = list(inspect.signature(generate).parameters)
    keywords = {"seed": seed} if "seed" in names else {}
    positional = [n, directory] if "seed" in keywords or len(names) < 3 else [n, directory, seed]
    generate(*positional, **keywords)


# -- the stand-in ----------------------------------------------------------------------------


def stand_in(n: int, directory: Path, *, seed: int = 0) -> None:
    """Write ``n`` small synthetic articles and the shared entities they mention."""
    rng = random.Random(seed)
    pool = max(5, n // _POOL_RATIO)
    cities = [(f"city-{k}", _name(rng, k).title() + "abad") for k in range(pool)]
    organizations = [(f"org-{k}", f"{_name(rng, k).title()} Foundation") for k in range(pool)]
    (directory / "entities").mkdir(parents=True, exist_ok=True)
    mentioned: set[str] = set()
    for i in range(n):
        city = cities[i % pool] if i < pool else rng.choice(cities)
        organization = organizations[i % pool] if i < pool else rng.choice(organizations)
        mentioned.update((city[0], organization[0]))
        _write_article(directory / "articles" / f"bench-{i:06d}", i, city, organization, rng)
    _write_entities(directory / "entities" / "places.yaml", cities, "City", mentioned)
    _write_entities(
        directory / "entities" / "organizations.yaml", organizations, "NGO", mentioned
    )


def _name(rng: random.Random, k: int) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(3)) + _letters(k)


def _letters(k: int) -> str:
    """A suffix of letters that makes generated names unique (names carry no digits)."""
    out = ""
    while True:
        out += "abcdefghijklmnopqrstuvwxyz"[k % 26]
        k //= 26
        if k == 0:
            return out


def _write_entities(
    path: Path, entities: list[tuple[str, str]], kind: str, mentioned: set[str]
) -> None:
    lines = ["format: annograph/1", "", "entities:"]
    for id_, _ in entities:
        if id_ in mentioned:
            lines += [f"  {id_}:", f"    type: {kind}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _write_article(
    folder: Path,
    i: int,
    city: tuple[str, str],
    organization: tuple[str, str],
    rng: random.Random,
) -> None:
    topic = rng.choice(_TOPICS)
    day = rng.randint(1, 28)
    headline = f"Conference on {topic}"
    sentences = [
        f"# {headline}",
        "",
        f"A conference on {topic} was held in {city[1]} on {day} March 2024.",
        f"It was organized by the {organization[1]}.",
    ]
    (folder).mkdir(parents=True, exist_ok=True)
    (folder / "article.md").write_text("\n".join(sentences) + "\n", encoding="utf-8")
    conference = f"conference-{i}"
    annotations = f"""format: annograph/1

article:
  language: en
  published: 2024-03-{day + 1:02d}
  headline: {{en: "{headline}", quote: "{headline}"}}
  about: {{ref: {conference}, quote: "A conference on {topic}"}}

entities:
  {conference}:
    type: Conference
    quote: "A conference on {topic}"
    name: {{en: "Conference on {topic}, {city[1]}, {day} March 2024 ({i})", quote: "conference on {topic}"}}
    location: {{ref: {city[0]}, quote: "was held in {city[1]}"}}
    startDate: {{value: 2024-03-{day:02d}, quote: "on {day} March 2024"}}
    organizer: {{ref: {organization[0]}, quote: "organized by the {organization[1]}"}}
  {city[0]}:
    quote: "{city[1]}"
    name: {{en: "{city[1]}", quote: "{city[1]}"}}
  {organization[0]}:
    quote: "the {organization[1]}"
    name: {{en: "{organization[1]}", quote: "{organization[1]}"}}
"""
    (folder / "annotations.yaml").write_text(annotations, encoding="utf-8")
