"""The on-disk Oxigraph store: atomic builds, and read-only opening for queries and exports.

A store path such as ``.annograph/store`` is a symbolic link to one release directory in
``.annograph/store.releases/``. A build writes a new release beside the old one, flushes it,
and only then swaps the link with an atomic rename, so a failed or killed build leaves the
previous store intact and readable. Builds of one store are serialized by a lock file.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from annograph.errors import SourceLocation, StoreError

#: Releases kept besides the current one, so the previous graph stays at hand after a build.
KEEP_PREVIOUS = 1


@dataclass(frozen=True, slots=True)
class StoreInfo:
    """What a build wrote: where, and how many quads per named graph."""

    path: Path
    release: Path
    quads_per_graph: dict[str, int]

    @property
    def quads(self) -> int:
        return sum(self.quads_per_graph.values())


def build_store(quads: Iterable[ox.Quad], *, path: Path, wait: float = 0) -> StoreInfo:
    """Write ``quads`` into a new store and make ``path`` point at it, atomically.

    :param quads: everything the store will hold (it replaces the previous content).
    :param path: the store's path, a symbolic link managed by annograph.
    :param wait: seconds to wait for another build of the same store to finish (0: refuse).
    :raises StoreError: if another build of the same store is running, or ``path`` is in the way.
    """
    path = path.absolute()
    _check_replaceable(path)
    releases = _releases_dir(path)
    releases.mkdir(parents=True, exist_ok=True)
    with _build_lock(path, wait=wait):
        _remove_unfinished(releases)
        release = _unique_dir(releases, time.strftime("%Y%m%dT%H%M%S"))
        staging = release.with_name(release.name + ".tmp")
        try:
            counts = _write_release(quads, staging)
            staging.rename(release)
            _fsync_dir(releases)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        _point_link(path, release)
        _remove_old_releases(releases, keep={release})
    return StoreInfo(path=path, release=release, quads_per_graph=counts)


def open_store(path: Path) -> ox.Store:
    """Open a built store read-only (a snapshot: reopen to see a later build).

    :raises StoreError: if there is no store at ``path``.
    """
    if not path.exists():
        raise StoreError(
            "no store here", location=SourceLocation(path), hint="run 'annograph build' first"
        )
    try:
        return ox.Store.read_only(str(path))
    except OSError as error:
        raise StoreError(
            f"cannot open the store: {error}", location=SourceLocation(path)
        ) from error


def _write_release(quads: Iterable[ox.Quad], directory: Path) -> dict[str, int]:
    counts: Counter[str] = Counter()

    def counted() -> Iterator[ox.Quad]:
        for quad in quads:
            name = quad.graph_name
            counts["" if isinstance(name, ox.DefaultGraph) else name.value] += 1
            yield quad

    store = ox.Store(str(directory))
    store.bulk_extend(counted())
    if len(store) != sum(counts.values()):
        raise StoreError(
            f"store holds {len(store)} quads after writing {sum(counts.values())}",
            location=SourceLocation(directory),
        )
    # Without a flush the next read-only open replays the write-ahead log (slow, memory-hungry).
    store.flush()
    store.optimize()
    del store
    return dict(sorted(counts.items()))


def _releases_dir(path: Path) -> Path:
    return path.with_name(path.name + ".releases")


def _check_replaceable(path: Path) -> None:
    if path.exists() and not path.is_symlink():
        raise StoreError(
            "exists and is not a store managed by annograph",
            location=SourceLocation(path),
            hint="move it away or pass another --store",
        )


@contextmanager
def _build_lock(path: Path, *, wait: float) -> Iterator[None]:
    """Hold the store's lock file; the kernel releases it when the holder dies, even by SIGKILL."""
    lock_path = path.with_name(path.name + ".lock")
    deadline = time.monotonic() + wait
    with open(lock_path, "w") as lock:
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError as error:
                if time.monotonic() >= deadline:
                    raise StoreError(
                        "another build of this store is running"
                        + (f" (waited {wait:g} s)" if wait else ""),
                        location=SourceLocation(path),
                        hint="wait for it to finish, or pass --wait SECONDS to queue behind it",
                    ) from error
                time.sleep(0.1)
        yield


def _unique_dir(parent: Path, stem: str) -> Path:
    candidate, n = parent / stem, 1
    while candidate.exists() or candidate.with_name(candidate.name + ".tmp").exists():
        n += 1
        candidate = parent / f"{stem}-{n}"
    return candidate


def _point_link(path: Path, release: Path) -> None:
    link = path.with_name(path.name + ".link-tmp")
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(os.path.relpath(release, path.parent), target_is_directory=True)
    os.replace(link, path)
    _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    """Make a rename in ``directory`` durable: without this a crash could undo the swap."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_unfinished(releases: Path) -> None:
    """Staging directories left by killed builds (the lock says none is running now)."""
    for leftover in releases.glob("*.tmp"):
        shutil.rmtree(leftover, ignore_errors=True)


def _remove_old_releases(releases: Path, *, keep: set[Path]) -> None:
    finished = sorted(p for p in releases.iterdir() if p.is_dir() and p.suffix != ".tmp")
    old = [p for p in finished if p not in keep]
    for release in old[: max(0, len(old) - KEEP_PREVIOUS)]:
        shutil.rmtree(release, ignore_errors=True)
