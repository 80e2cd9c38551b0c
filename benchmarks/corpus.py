"""The corpus a benchmark runs on, from the generator in :mod:`tests.helpers.corpus`."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.corpus import generate

#: The generator's name in the results: its command is still benchmarks/generate.py, and the name
#: stayed when the code moved to the tests' helpers (the same generator: numbers compare).
GENERATOR = "benchmarks.generate"


def corpus(
    n: int, directory: Path, *, seed: int = 0, mean_triples: float = 100.0
) -> tuple[Path, str]:
    """Write a corpus of ``n`` articles into ``directory``; return it and what wrote it.

    :param mean_triples: the mean size of an article's graph (the real article's is 7,127).

    The name of the generator goes with the results: numbers compare only between runs on the
    same generator (and seed).
    """
    generate(n, directory, seed=seed, mean_triples=mean_triples)
    return directory, GENERATOR
