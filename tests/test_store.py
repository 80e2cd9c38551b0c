"""Atomic builds: a new release beside the old one, swapped in only on success."""

from __future__ import annotations

import fcntl
from pathlib import Path

import pyoxigraph as ox
import pytest

from annograph.errors import AnnotationErrors, StoreError
from annograph.project import Project
from annograph.store import build_store, open_store

G = ox.NamedNode("https://example.org/g")


def quads(n: int) -> list[ox.Quad]:
    p = ox.NamedNode("https://example.org/p")
    return [
        ox.Quad(ox.NamedNode(f"https://example.org/s{i}"), p, ox.Literal(str(i)), G)
        for i in range(n)
    ]


def test_build_makes_the_path_a_link_to_a_release(tmp_path: Path) -> None:
    info = build_store(quads(3), path=tmp_path / "store")
    assert (tmp_path / "store").is_symlink()
    assert (tmp_path / "store").resolve() == info.release.resolve()
    assert info.quads_per_graph == {G.value: 3}
    assert len(open_store(tmp_path / "store")) == 3


def test_rebuild_swaps_and_keeps_only_the_previous_release(tmp_path: Path) -> None:
    path = tmp_path / "store"
    releases = [build_store(quads(n), path=path).release for n in (1, 2, 3)]
    assert len(open_store(path)) == 3
    remaining = sorted(p.name for p in (tmp_path / "store.releases").iterdir())
    assert remaining == sorted(r.name for r in releases[1:])


def test_failing_input_leaves_the_previous_store_intact(tmp_path: Path) -> None:
    path = tmp_path / "store"
    build_store(quads(2), path=path)

    def broken() -> list[ox.Quad]:
        yield from quads(5)
        raise RuntimeError("input failed half-way")

    with pytest.raises(RuntimeError):
        build_store(broken(), path=path)
    assert len(open_store(path)) == 2
    assert not list((tmp_path / "store.releases").glob("*.tmp"))


def test_invalid_annotations_do_not_touch_the_store(project_copy: Project) -> None:
    project_copy.build()
    before = project_copy.store.resolve()
    annotations = project_copy.root / "data/articles/bishkek-migrants-day/annotations.yaml"
    annotations.write_text(
        annotations.read_text(encoding="utf-8").replace("type: City", "type: Town"),
        encoding="utf-8",
    )
    with pytest.raises(AnnotationErrors):
        project_copy.build()
    assert project_copy.store.resolve() == before
    assert len(open_store(project_copy.store)) > 5000


def test_a_second_concurrent_build_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "store"
    with open(tmp_path / "store.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(StoreError, match="another build of this store is running"):
            build_store(quads(1), path=path)
    assert not path.exists()
    build_store(quads(1), path=path)


def test_leftovers_of_a_killed_build_are_removed(tmp_path: Path) -> None:
    leftover = tmp_path / "store.releases" / "20000101T000000.tmp"
    leftover.mkdir(parents=True)
    (leftover / "bulk-1.sst").write_bytes(b"x" * 10)
    build_store(quads(1), path=tmp_path / "store")
    assert not leftover.exists()


def test_a_real_directory_in_the_way_is_not_replaced(tmp_path: Path) -> None:
    (tmp_path / "store").mkdir()
    (tmp_path / "store" / "precious").write_text("keep me")
    with pytest.raises(StoreError, match="not a store managed by annograph"):
        build_store(quads(1), path=tmp_path / "store")
    assert (tmp_path / "store" / "precious").read_text() == "keep me"


def test_opening_a_missing_store_says_to_build(tmp_path: Path) -> None:
    with pytest.raises(StoreError) as caught:
        open_store(tmp_path / "nothing")
    assert (
        str(caught.value)
        == f"{tmp_path / 'nothing'}: error: no store here\n  hint: run 'annograph build' first"
    )
