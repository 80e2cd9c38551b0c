"""What a store was built from: content hashes of its inputs, so a rebuild does only what changed.

A build records, beside its release, the hash of every input: the ontology and shapes, the
shared entities, the reviewed links, the base IRI and annograph's version (a change to any of
them rebuilds everything), and each article's folder (a change rebuilds that article's graph).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from annograph.errors import SourceLocation, StoreError

#: Bumped when the manifest's layout changes: an older manifest then means a full build.
MANIFEST_FORMAT = 1


@dataclass(frozen=True, slots=True)
class Inputs:
    """The content hashes of what a build reads."""

    #: Inputs every graph depends on, by name (ontology, shapes, entities, links, settings).
    shared: Mapping[str, str]
    #: Each article's folder, by slug.
    articles: Mapping[str, str]


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
) -> Inputs:
    """Hash the inputs of a build.

    :param shared_files: files and folders every graph depends on, by name.
    :param article_directories: one folder per article (all its files are hashed).
    :param settings: values that change every graph (base IRI, annograph's version).

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
    articles = {directory.name: _digest_path(directory) for directory in article_directories}
    return Inputs(shared, dict(sorted(articles.items())))


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
        inputs = Inputs(dict(data["inputs"]["shared"]), dict(data["inputs"]["articles"]))
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
    data: dict[str, Any] = {"format": MANIFEST_FORMAT, **asdict(manifest)}
    data["pending"] = list(manifest.pending)
    temporary = path.with_name(path.name + ".tmp")
    try:
        with open(temporary, "w", encoding="utf-8") as file:
            json.dump(data, file, indent=1, sort_keys=True)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except OSError as error:
        raise StoreError(
            f"cannot write the build manifest: {error.strerror}", location=SourceLocation(path)
        ) from error
