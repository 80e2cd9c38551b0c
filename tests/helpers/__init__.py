"""Code the tests share that is not a fixture: the synthetic corpus generator
(:mod:`tests.helpers.corpus`), which the benchmarks use too.

Nothing here imports pytest or the other test tools, so ``benchmarks/`` runs without them; the
fixtures, and the helpers that need pytest, are in ``tests/conftest.py``.
"""
