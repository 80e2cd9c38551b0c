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
from collections.abc import Iterable, Iterator, Mapping
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
    with store_lock(path, wait=wait):
        return write_release(quads, path=path)


@contextmanager
def store_lock(path: Path, *, wait: float = 0) -> Iterator[None]:
    """Hold the lock that serializes the builds of the store at ``path``.

    :raises StoreError: if another build holds it after ``wait`` seconds, or ``path`` is in the
        way.
    """
    path = path.absolute()
    _check_replaceable(path)
    _releases_dir(path).mkdir(parents=True, exist_ok=True)
    with _build_lock(path, wait=wait):
        yield


def write_release(quads: Iterable[ox.Quad], *, path: Path) -> StoreInfo:
    """Write ``quads`` into a new release and point ``path`` at it (hold :func:`store_lock`)."""
    path = path.absolute()
    releases = _releases_dir(path)
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


def current_release(path: Path) -> Path | None:
    """The release directory ``path`` points at, or None before the first build."""
    if not path.is_symlink():
        return None
    release = path.resolve()
    return release if release.is_dir() else None


def manifest_path(release: Path) -> Path:
    """Where the manifest of a release is kept: beside it (not inside Oxigraph's files)."""
    return release.with_name(release.name + ".json")


def index_path(release: Path) -> Path:
    """Where the article summaries of a release are kept (see :mod:`annograph.index`)."""
    return release.with_name(release.name + ".index.json")


def replace_graphs(
    release: Path, graphs: Mapping[str, Iterable[ox.Triple]], *, remove: Iterable[str] = ()
) -> dict[str, int]:
    """Replace named graphs of a release in place, in one transaction (hold :func:`store_lock`).

    Readers see the old graphs or the new ones, never a mix: the drops and inserts are one
    SPARQL update, and Oxigraph runs an update as one transaction, also under ``kill -9``.

    :param graphs: graph IRI -> its new triples.
    :param remove: graphs to drop.
    :returns: the number of triples of each graph written.
    """
    counts: dict[str, int] = {}
    operations = [f"DROP SILENT GRAPH {ox.NamedNode(name)}" for name in sorted(remove)]
    for name, triples in graphs.items():
        graph = ox.NamedNode(name)
        listed = list(triples)
        counts[name] = len(listed)
        operations.append(f"DROP SILENT GRAPH {graph}")
        if listed:
            # Terms are written by pyoxigraph's serializer, never pasted from the annotations.
            data = (ox.serialize(listed, format=ox.RdfFormat.N_TRIPLES) or b"").decode()
            operations.append(f"INSERT DATA {{ GRAPH {graph} {{\n{data}}} }}")
    store = ox.Store(str(release))
    try:
        if operations:
            store.update(" ;\n".join(operations))
        store.flush()
    finally:
        del store
    return counts


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
        manifest_path(release).unlink(missing_ok=True)
        index_path(release).unlink(missing_ok=True)
