"""The command line of the synthetic corpus generator, which lives in ``tests/helpers/corpus.py``.

    python benchmarks/generate.py --articles 10000 --out /tmp/corpus [--seed 0] [--mean-triples 100]

The tests generate corpora too, and tests import no benchmark code: the generator is one of
their helpers, and the benchmarks (``benchmarks/corpus.py``) and this command use it from there.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make 'tests' importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.helpers.corpus import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
