"""The corpus a benchmark runs on, from :mod:`benchmarks.generate`."""

from __future__ import annotations

from pathlib import Path

from benchmarks.generate import generate

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
