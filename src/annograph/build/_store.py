"""The on-disk Oxigraph store: atomic builds, and read-only opening for queries and exports.

A store path such as ``.annograph/store`` is a symbolic link to one release directory in
``.annograph/store.releases/``. A build writes a new release beside the old one, flushes it,
and only then swaps the link with an atomic rename, so a failed or killed build leaves the
previous store intact and readable. Builds of one store are serialized by a lock file.

The default graph holds the facts of the named graphs once (see :mod:`annograph.build._graph`):
:func:`replace_graphs` keeps it so when it replaces some graphs in place. A fact stays while any
named graph states it; the store's own indexes say which graphs state a triple, so the count
of the graphs stating a fact is never kept anywhere it could drift from the data.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from annograph.annotations._summaries import Index, read_only_index
from annograph.build._manifest import read_manifest
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


@dataclass(frozen=True, slots=True)
class Release:
    """A release being written: its staging directory, and the name it gets when published."""

    staging: Path
    release: Path


@contextmanager
def new_release(path: Path) -> Iterator[Release]:
    """A new release for the store at ``path`` (hold :func:`store_lock`), published (renamed
    and pointed at by ``path``) when the body ends, or removed if it raises."""
    path = path.absolute()
    releases = _releases_dir(path)
    _remove_unfinished(releases)
    release = _unique_dir(releases, time.strftime("%Y%m%dT%H%M%S"))
    staging = release.with_name(release.name + ".tmp")
    try:
        yield Release(staging, release)
        staging.rename(release)
        _fsync_dir(releases)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _point_link(path, release)
    _remove_old_releases(releases, keep={release})


def finish_store(store: ox.Store) -> None:
    """Make a freshly loaded store fast to open and to query.

    Without a flush the next read-only open replays the write-ahead log (slow, memory-hungry);
    compacting makes queries a third faster (measured on 1M triples).
    """
    store.flush()
    store.optimize()


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
    with new_release(path) as release:
        counts = _write_release(quads, release.staging)
    return StoreInfo(path=path.absolute(), release=release.release, quads_per_graph=counts)


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
    """Where the index of a release is kept (see :mod:`annograph.annotations._summaries`)."""
    return release.with_name(release.name + ".index.sqlite")


@dataclass(frozen=True, slots=True)
class Replaced:
    """What :func:`replace_graphs` wrote: each graph's triples, and the default graph's change."""

    quads_per_graph: dict[str, int]
    #: Facts the default graph gained and lost.
    facts_added: int
    facts_removed: int


def replace_graphs(
    release: Path,
    graphs: Mapping[str, Iterable[ox.Triple]],
    *,
    old: Mapping[str, set[ox.Triple]],
    remove: Iterable[str] = (),
    is_fact: Callable[[ox.Triple], bool],
) -> Replaced:
    """Replace named graphs of a release in place, in one transaction (hold :func:`store_lock`),
    and keep the default graph the facts of all named graphs.

    Readers see the old graphs or the new ones, never a mix: the changes are one SPARQL update,
    and Oxigraph runs an update as one transaction, also under ``kill -9``. Only the triples
    that changed are written: an edit of one fact of an article of 7,000 triples writes two.

    :param graphs: graph IRI -> its new triples.
    :param old: graph IRI -> its triples now, for the graphs replaced or removed.
    :param remove: graphs to drop.
    :param is_fact: which triples of a named graph belong in the default graph.
    """
    new = {name: set(triples) for name, triples in graphs.items()}
    changed = {ox.NamedNode(name) for name in (*remove, *graphs)}
    operations = [f"DROP SILENT GRAPH {ox.NamedNode(name)}" for name in sorted(remove)]
    for name, triples in sorted(new.items()):
        graph, before = ox.NamedNode(name), old.get(name, set())
        if before - triples:
            operations.append(f"DELETE DATA {{ GRAPH {graph} {{\n{_data(before - triples)}}} }}")
        if triples - before:
            operations.append(f"INSERT DATA {{ GRAPH {graph} {{\n{_data(triples - before)}}} }}")
    old_facts = {t for name in (*remove, *graphs) for t in old.get(name, ()) if is_fact(t)}
    new_facts = {t for triples in new.values() for t in triples if is_fact(t)}
    store = ox.Store(str(release))
    try:
        # A fact the changed graphs no longer state stays if another graph still states it.
        orphans = [t for t in old_facts - new_facts if not _stated_elsewhere(store, t, changed)]
        added = [t for t in new_facts - old_facts if not _in_default_graph(store, t)]
        if orphans:
            operations.append(f"DELETE DATA {{\n{_data(orphans)}}}")
        if added:
            operations.append(f"INSERT DATA {{\n{_data(added)}}}")
        if operations:
            store.update(" ;\n".join(operations))
            store.flush()
    finally:
        del store
        prune_engine_logs(release)
    counts = {name: len(triples) for name, triples in new.items()}
    return Replaced(counts, len(added), len(orphans))


def prune_engine_logs(release: Path, *, keep: int = 2) -> None:
    """Remove all but the newest ``keep`` of RocksDB's old info logs (``LOG.old.*``).

    RocksDB starts a new log each time a store is opened for writing and keeps the old ones
    for ever: one file per incremental build.
    """
    old = sorted(release.glob("LOG.old.*"), key=lambda p: p.stat().st_mtime, reverse=True)
    for log in old[keep:]:
        log.unlink(missing_ok=True)


def disk_error(path: Path, error: OSError | sqlite3.Error) -> StoreError:
    """A write that failed for want of space (or a file size limit), said with what to do."""
    release = path.resolve() if path.exists() else None
    size = sum(f.stat().st_size for f in release.rglob("*") if f.is_file()) if release else 0
    free = shutil.disk_usage(path.absolute().parent).free
    taken = f"; the current store takes {size / 2**20:.0f} MB" if size else ""
    return StoreError(
        f"cannot write the store {path}: {getattr(error, 'strerror', None) or error}",
        hint=f"{free / 2**20:.0f} MB are free there{taken}, and a full build writes a new store "
        "beside it: free some space (the old store is intact) and build again",
    )


def is_out_of_space(error: BaseException) -> bool:
    """Whether ``error`` says the disk is full (or a file size limit was reached), from
    Oxigraph (an OSError) or SQLite (the build's index)."""
    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return True
    if not isinstance(error, OSError | sqlite3.OperationalError):
        return False
    text = str(error)
    signs = ("No space left", "Disk quota exceeded", "File too large", "disk is full", "disk I/O")
    return any(sign in text for sign in signs)


def stored_form(triples: Iterable[ox.Triple]) -> set[ox.Triple]:
    """The triples as a store gives them back: Oxigraph keeps some literals in a canonical form
    (``"7"^^xsd:nonNegativeInteger`` comes back as ``"7"^^xsd:integer``, ``"3.0"`` decimals as
    ``"3"``), so a graph is compared with a stored one in that form."""
    scratch = ox.Store()
    scratch.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    return {quad.triple for quad in scratch}


def graph_triples(store: ox.Store, name: str) -> set[ox.Triple]:
    """The triples of a named graph."""
    return {quad.triple for quad in store.quads_for_pattern(None, None, None, ox.NamedNode(name))}


def _data(triples: Iterable[ox.Triple]) -> str:
    # Terms are written by pyoxigraph's serializer, never pasted from the annotations.
    return (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode()


def _stated_elsewhere(store: ox.Store, triple: ox.Triple, besides: set[ox.NamedNode]) -> bool:
    """Whether a named graph other than ``besides`` holds ``triple``."""
    return any(
        isinstance(quad.graph_name, ox.NamedNode) and quad.graph_name not in besides
        for quad in store.quads_for_pattern(triple.subject, triple.predicate, triple.object)
    )


def _in_default_graph(store: ox.Store, triple: ox.Triple) -> bool:
    found = store.quads_for_pattern(
        triple.subject, triple.predicate, triple.object, ox.DefaultGraph()
    )
    return next(iter(found), None) is not None


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


class OpenedStore:
    """A built store kept open read-only, with its index of names, until a build changes it.

    Opening takes tens of milliseconds, far more than a typical saved query, so a project
    keeps its store open and reopens it only when the current release or its manifest (which
    every build, full or incremental, rewrites) has changed.
    """

    def __init__(self, path: Path, *, articles: Path, annotations_file: str) -> None:
        self.path = path
        self._articles = articles
        self._annotations_file = annotations_file
        #: What identifies the content opened last (release, manifest's mtime), and its store
        #: and index.
        self._opened: tuple[object, ox.Store, Index | None] | None = None

    def store(self) -> ox.Store:
        """The built store, opened read-only; the same open store until a build changes it.

        :raises StoreError: if there is no store.
        """
        release = current_release(self.path)
        version = (release, _modified(manifest_path(release))) if release is not None else None
        if version is not None and self._opened is not None and self._opened[0] == version:
            return self._opened[1]
        store = open_store(self.path)
        if version is not None and release is not None:
            names = read_only_index(index_path(release), self._articles, self._annotations_file)
            self._opened = (version, store, names)
        return store

    def names(self) -> Index | None:
        """The built store's index of entity names (None for a store built without one).

        :raises StoreError: if there is no store.
        """
        self.store()  # (re)opens both when a build has changed them
        return self._opened[2] if self._opened is not None else None


def recorded_quads(path: Path) -> dict[str, int] | None:
    """The triples of each graph of the current release of ``path``, as its build recorded them."""
    release = current_release(path)
    manifest = read_manifest(manifest_path(release)) if release is not None else None
    return dict(manifest.quads_per_graph) if manifest is not None else None


def _modified(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


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
    finish_store(store)
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
    """Staging directories and files left by killed builds (the lock says none is running)."""
    for leftover in releases.glob("*.tmp"):
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)


def _remove_old_releases(releases: Path, *, keep: set[Path]) -> None:
    finished = sorted(p for p in releases.iterdir() if p.is_dir() and p.suffix != ".tmp")
    old = [p for p in finished if p not in keep]
    for release in old[: max(0, len(old) - KEEP_PREVIOUS)]:
        shutil.rmtree(release, ignore_errors=True)
        manifest_path(release).unlink(missing_ok=True)
        index_path(release).unlink(missing_ok=True)
        # The index of releases built before it moved to SQLite.
        release.with_name(release.name + ".index.json").unlink(missing_ok=True)
