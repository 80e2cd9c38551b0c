"""Progress of long jobs, reported to a callback so that the library never draws on a terminal.

The CLI renders the reports as a progress bar or as timed status lines; library users may log
them, or pass no callback at all.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Step:
    """One stage of a job: just started (``seconds`` is None), or finished in ``seconds``."""

    name: str
    #: 1-based position of the stage among ``total``.
    number: int
    total: int
    seconds: float | None = None
    #: Within a running stage that goes item by item (articles): how many are done, of how many.
    items_done: int = 0
    items: int = 0

    @property
    def done(self) -> bool:
        """Whether the stage has finished."""
        return self.seconds is not None


#: What a job calls at the start and at the end of each of its stages.
Progress = Callable[[Step], None]


class Steps:
    """Times the stages of one job and reports each start and finish to ``progress``.

    :param names: every stage the job may run, in order (their number is their position).
    :param progress: called with a :class:`Step` twice per stage; None reports nothing.

    >>> seen: list[Step] = []
    >>> steps = Steps(("load", "write"), seen.append)
    >>> with steps.step("write"):
    ...     pass
    >>> [(s.name, s.number, s.total, s.done) for s in seen]
    [('write', 2, 2, False), ('write', 2, 2, True)]
    """

    def __init__(self, names: Sequence[str], progress: Progress | None = None) -> None:
        self._names = tuple(names)
        self._progress = progress

    def advance(self, name: str, done: int, items: int) -> None:
        """Report that ``done`` of the ``items`` of the running stage ``name`` are done."""
        if self._progress is not None:
            number, total = self._names.index(name) + 1, len(self._names)
            self._progress(Step(name, number, total, None, done, items))

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        """Run the body as the stage ``name``; a stage that raises is not reported finished."""
        if self._progress is None:
            yield
            return
        number, total = self._names.index(name) + 1, len(self._names)
        self._progress(Step(name, number, total))
        started = time.perf_counter()
        yield
        self._progress(Step(name, number, total, time.perf_counter() - started))
