"""Helpers the tests share (and the benchmarks, for :mod:`tests.helpers.corpus`).

The modules import nothing from pytest at import time except where they say so, so that
``benchmarks/`` can use the corpus generator without the test tools.
"""
