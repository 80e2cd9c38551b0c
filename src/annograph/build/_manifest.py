"""What a store was built from: content hashes of its inputs, so a rebuild does only what changed.

A build records, beside its release, the hash of every input: the ontology and shapes, the
shared entities, the reviewed links, the base IRI and annograph's version (a change to any of
them rebuilds everything), and each article's folder (a change rebuilds that article's graph).

Hashing ten thousand article folders takes a second, so, as git does with its index, a
manifest also keeps each folder's *signature* (names, sizes, modification and change times and
inodes of its files): a folder whose signature is unchanged keeps its recorded hash unread. A
file modified within the last seconds gets no signature (it could change again within the
clock's resolution without its signature changing), so it is hashed next time.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from annograph.errors import SourceLocation, StoreError

#: Bumped when the manifest's layout changes: an older manifest then means a full build.
MANIFEST_FORMAT = 1
#: A file modified this recently is hashed again next time, whatever its signature says.
RACY_SECONDS = 2


@dataclass(frozen=True, slots=True)
class Inputs:
    """The content hashes of what a build reads."""

    #: Inputs every graph depends on, by name (ontology, shapes, entities, links, settings).
    shared: Mapping[str, str]
    #: Each article's folder, by slug.
    articles: Mapping[str, str]
    #: Each article folder's signature, by slug (see the module's documentation); a folder
    #: modified too recently to be trusted by its signature has none.
    signatures: Mapping[str, str] = field(default_factory=dict, compare=False)


@dataclass(frozen=True, slots=True)
class Manifest:
    """What the current release was built from, and what it holds."""

    inputs: Inputs
    quads_per_graph: Mapping[str, int]
    #: The counts of the validation that passed (articles, entities, facts, quotes, links).
    counts: Mapping[str, int]
    #: Articles whose graph an interrupted incremental build may have left half-way: rebuilt
    #: next time whatever their hash says.
    pending: tuple[str, ...] = field(default=())
    #: Hashes of graphs made from several articles (the shared entities' graph), by IRI, so
    #: that an incremental build rewrites one only when its content changed.
    derived: Mapping[str, str] = field(default_factory=dict)

    def changed_articles(self, current: Inputs) -> tuple[set[str], set[str]]:
        """The slugs to (re)write and the slugs to remove, to go from this build to ``current``."""
        before, now = self.inputs.articles, current.articles
        written = {slug for slug, digest in now.items() if before.get(slug) != digest}
        return written | (set(self.pending) & set(now)), set(before) - set(now)


def fingerprint(
    *,
    shared_files: Mapping[str, Path],
    article_directories: Iterable[Path],
    settings: Mapping[str, str],
    known: Inputs | None = None,
) -> Inputs:
    """Hash the inputs of a build.

    :param shared_files: files and folders every graph depends on, by name.
    :param article_directories: one folder per article (all its files are hashed).
    :param settings: values that change every graph (base IRI, annograph's version).
    :param known: the inputs of the last build: a folder with the signature recorded there
        keeps the hash recorded there.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     (Path(tmp) / "a").mkdir()
    ...     _ = (Path(tmp) / "a" / "article.md").write_text("text")
    ...     inputs = fingerprint(shared_files={}, article_directories=[Path(tmp) / "a"],
    ...                          settings={"version": "1"})
    >>> sorted(inputs.articles), sorted(inputs.shared)
    (['a'], ['version'])
    """
    shared = {name: _digest_path(path) for name, path in sorted(shared_files.items())}
    shared.update({name: _digest_bytes(value.encode()) for name, value in settings.items()})
    trusted_before = time.time_ns() - RACY_SECONDS * 1_000_000_000
    articles: dict[str, str] = {}
    signatures: dict[str, str] = {}
    for directory in article_directories:
        slug = directory.name
        signature = _signature(directory, trusted_before)
        if signature is not None:
            signatures[slug] = signature
        recorded = None
        if known is not None and signature is not None and known.signatures.get(slug) == signature:
            recorded = known.articles.get(slug)
        articles[slug] = recorded or _digest_path(directory)
    return Inputs(shared, dict(sorted(articles.items())), dict(sorted(signatures.items())))


def _signature(directory: Path, trusted_before: int) -> str | None:
    """What the files of a folder look like from outside; None if one changed too recently."""
    parts: list[str] = []
    if not _describe_files(str(directory), "", trusted_before, parts):
        return None
    return _digest_bytes("\0\0".join(parts).encode())


def _describe_files(folder: str, prefix: str, trusted_before: int, parts: list[str]) -> bool:
    """Add each file's name, size, times and inode to ``parts``; False if one is too recent."""
    with os.scandir(folder) as entries:
        for entry in sorted(entries, key=lambda entry: entry.name):
            name = prefix + entry.name
            if entry.is_dir():
                if not _describe_files(entry.path, name + "/", trusted_before, parts):
                    return False
                continue
            status = entry.stat()
            if max(status.st_mtime_ns, status.st_ctime_ns) >= trusted_before:
                return False
            parts.append(
                f"{name}\0{status.st_size}\0{status.st_mtime_ns}\0{status.st_ctime_ns}"
                f"\0{status.st_ino}"
            )
    return True


def _digest_path(path: Path) -> str:
    """The hash of a file, or of a folder's files (names and bytes, recursively); '' if absent."""
    if path.is_file():
        return _digest_bytes(path.read_bytes())
    if not path.is_dir():
        return ""
    digest = hashlib.blake2b(digest_size=16)
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        name = file.relative_to(path).as_posix().encode()
        content = file.read_bytes()
        # Lengths first, so that no two different folders can give the same stream of bytes.
        digest.update(b"%d:%s%d:" % (len(name), name, len(content)))
        digest.update(content)
    return digest.hexdigest()


def digest_triples(triples: Iterable[ox.Triple]) -> str:
    """A hash of a set of triples, whatever their order."""
    lines = sorted(str(triple) for triple in triples)
    return _digest_bytes("\n".join(lines).encode())


def _digest_bytes(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def read_manifest(path: Path) -> Manifest | None:
    """The manifest at ``path``, or None if there is none or it is of another format."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
        return None
    try:
        recorded = data["inputs"]
        signatures = dict(recorded.get("signatures", {}))
        inputs = Inputs(dict(recorded["shared"]), dict(recorded["articles"]), signatures)
        return Manifest(
            inputs,
            dict(data["quads_per_graph"]),
            dict(data["counts"]),
            tuple(data.get("pending", ())),
            dict(data.get("derived", {})),
        )
    except (KeyError, TypeError):
        return None


def write_manifest(path: Path, manifest: Manifest) -> None:
    """Write ``manifest`` to ``path`` atomically and durably (a crash leaves old or new)."""
    inputs = manifest.inputs
    data: dict[str, Any] = {
        "format": MANIFEST_FORMAT,
        "inputs": {
            "shared": dict(inputs.shared),
            "articles": dict(inputs.articles),
            "signatures": dict(inputs.signatures),
        },
        "quads_per_graph": dict(manifest.quads_per_graph),
        "counts": dict(manifest.counts),
        "pending": list(manifest.pending),
        "derived": dict(manifest.derived),
    }
    # One line per key, in one call (C-fast): it is rewritten by every incremental build.
    text = json.dumps(data, sort_keys=True, separators=(",", ":")).replace(',"', ',\n"')
    temporary = path.with_name(path.name + ".tmp")
    try:
        with open(temporary, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except OSError as error:
        raise StoreError(
            f"cannot write the build manifest: {error.strerror}", location=SourceLocation(path)
        ) from error
