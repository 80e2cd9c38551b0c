"""Freeing what a kept error's traceback holds."""

from __future__ import annotations

import traceback


def release_frames(error: BaseException) -> None:
    """Free the local variables held by the finished frames of ``error``'s traceback chain.

    pyoxigraph's query results belong to the thread that made them. Left in a traceback's
    frame, one is freed whenever the garbage collector next runs, on whatever thread that is,
    and pyoxigraph refuses that ("unsendable, but is being dropped on another thread"). Called
    where an error is caught and kept (the CLI, the server, a remote answer that failed).
    """
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        traceback.clear_frames(current.__traceback__)
        current = current.__cause__ or current.__context__
