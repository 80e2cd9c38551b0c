"""Atomic builds: a new release beside the old one, swapped in only on success."""

from __future__ import annotations

import fcntl
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest

from annograph import Project
from annograph.build._store import build_store, open_store
from annograph.errors import AnnotationErrors, StoreError

pytestmark = pytest.mark.slow

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
        annotations.read_text(encoding="utf-8").replace("type: Report", "type: Reprt"),
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


# -- real processes: kill -9 and concurrent builds ------------------------------------------------


def _build_command(project: Project, *extra: str) -> list[str]:
    return [sys.executable, "-m", "annograph", "build", "--project", str(project.root), *extra]


def _build_process(project: Project, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        _build_command(project, *extra), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _finish(process: subprocess.Popen[str]) -> tuple[int, str]:
    """Wait for the process; its exit code and standard error (closing its pipes)."""
    _, stderr = process.communicate(timeout=120)
    return process.returncode, stderr


def _organizers(project: Project) -> list[str]:
    return sorted(str(row["event"]) for row in project.query("organizers"))


def _wait_for_staging(releases: Path, process: subprocess.Popen[str]) -> bool:
    """Poll until the build starts writing its new release (or ends first)."""
    while process.poll() is None:
        if list(releases.glob("*.tmp")):
            return True
        time.sleep(0.001)
    return False


def test_a_build_killed_at_any_moment_leaves_the_previous_store_readable(
    project_copy: Project,
) -> None:
    project_copy.build()
    release = project_copy.store.resolve()
    count = len(open_store(project_copy.store))
    organizers = _organizers(project_copy)
    started = time.monotonic()
    subprocess.run(_build_command(project_copy, "--full"), check=True, capture_output=True)
    duration = time.monotonic() - started
    caught_writing = 0
    for fraction in (None, 0.3, 0.6, 0.8, 0.9, 0.95, 1.0):
        process = _build_process(project_copy, "--full")
        if fraction is None:
            caught_writing += _wait_for_staging(
                project_copy.store.parent / "store.releases", process
            )
        else:
            time.sleep(duration * fraction)
        process.send_signal(signal.SIGKILL)
        process.communicate()
        # Whatever the moment, the link names a complete store that reads as before.
        assert len(open_store(project_copy.store)) == count
        assert _organizers(project_copy) == organizers
    assert caught_writing == 1, "the build was never caught while writing its release"
    project_copy.build(full=True)
    assert not list((project_copy.store.parent / "store.releases").glob("*.tmp"))
    assert project_copy.store.resolve() != release
    assert len(open_store(project_copy.store)) == count


def test_an_incremental_build_killed_at_any_moment_leaves_old_or_new_graph(
    project_copy: Project,
) -> None:
    project_copy.build()
    graph = ox.NamedNode(project_copy.article_graph("bishkek-migrants-day"))

    def article_graph() -> frozenset[str]:
        opened = open_store(project_copy.store)
        return frozenset(str(q) for q in opened.quads_for_pattern(None, None, None, graph))

    old = article_graph()
    annotations = project_copy.data / "articles" / "bishkek-migrants-day" / "annotations.yaml"
    text = annotations.read_text(encoding="utf-8")
    annotations.write_text(text.replace("en: Batken\n", "en: Batken Town\n", 1), encoding="utf-8")
    started = time.monotonic()
    probe = _build_process(project_copy, "--store", str(project_copy.root / "probe"))
    assert _finish(probe)[0] == 0
    duration = time.monotonic() - started
    seen = set()
    for fraction in (0.3, 0.6, 0.8, 0.9, 0.95, 1.0, 1.1):
        process = _build_process(project_copy)
        time.sleep(duration * fraction)
        process.send_signal(signal.SIGKILL)
        process.communicate()
        seen.add(article_graph())
        if seen - {old}:
            break  # the update went through: later builds have nothing left to do
    # A later build finishes the job, whatever the moment of the kill.
    assert project_copy.build().kind in ("incremental", "unchanged")
    new = article_graph()
    assert new != old and any("Batken Town" in quad for quad in new)
    assert seen <= {old, new}, "a killed update left a graph that is neither the old nor the new"
    assert project_copy.build().kind == "unchanged"


def test_two_builds_at_once_never_corrupt_the_store(project_copy: Project) -> None:
    project_copy.build()
    count = len(open_store(project_copy.store))
    processes = [_build_process(project_copy) for _ in range(2)]
    outcomes = [_finish(p) for p in processes]
    for code, stderr in outcomes:
        assert code == 0 or (code == 1 and "another build of this store is running" in stderr)
        assert "Traceback" not in stderr
    assert any(code == 0 for code, _ in outcomes)
    assert len(open_store(project_copy.store)) == count


def test_a_build_with_wait_queues_behind_the_running_one(project_copy: Project) -> None:
    lock = project_copy.store.with_name("store.lock")
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        refused = _build_process(project_copy)
        queued = _build_process(project_copy, "--wait", "60")
        code, stderr = _finish(refused)
        assert code == 1 and "another build of this store is running" in stderr
        time.sleep(1)
        assert queued.poll() is None, "the queued build did not wait"
    code, stderr = _finish(queued)
    assert code == 0, stderr
    assert len(open_store(project_copy.store)) > 5000


# -- a full disk ----------------------------------------------------------------------------------


def _with_file_size_limit(limit: int) -> Callable[[], None]:
    """For a child process: files may not grow past ``limit`` bytes, as on a full disk (the
    write fails with EFBIG instead of ENOSPC, and annograph says the same for both)."""

    def limit_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # fail the write, not kill the process
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return limit_files


def _release_files(project: Project) -> set[str]:
    releases = project.store.parent / "store.releases"
    return {str(p.relative_to(releases)) for p in releases.rglob("*")}


@pytest.mark.parametrize("full", [True, False], ids=["full", "incremental"])
def test_a_full_disk_is_a_clear_error_and_the_store_stays(
    project_copy: Project, full: bool
) -> None:
    project_copy.build()
    count = len(open_store(project_copy.store))
    organizers = _organizers(project_copy)
    annotations = project_copy.data / "articles" / "bishkek-migrants-day" / "annotations.yaml"
    text = annotations.read_text(encoding="utf-8")
    annotations.write_text(text.replace("en: Batken\n", "en: Batken Town\n", 1), "utf-8")
    before = _release_files(project_copy)
    done = subprocess.run(
        _build_command(project_copy, *(["--full"] if full else [])),
        capture_output=True,
        text=True,
        preexec_fn=_with_file_size_limit(16 << 10),
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert f"cannot write the store {project_copy.store}" in done.stderr
    assert "MB are free there" in done.stderr and "build again" in done.stderr
    # The store reads as before, and the failed build left nothing behind.
    assert len(open_store(project_copy.store)) == count
    assert _organizers(project_copy) == organizers
    assert not list((project_copy.store.parent / "store.releases").glob("*.tmp"))
    if full:
        assert _release_files(project_copy) == before
    # With room again, the build goes through.
    assert project_copy.build().kind == "incremental"


def test_incremental_builds_leave_no_pile_of_engine_logs(project_copy: Project) -> None:
    project_copy.build()
    annotations = project_copy.data / "articles" / "bishkek-migrants-day" / "annotations.yaml"
    text = annotations.read_text(encoding="utf-8")
    for number in range(6):
        name = f"en: Batken {number}\n"
        annotations.write_text(text.replace("en: Batken\n", name, 1), encoding="utf-8")
        assert project_copy.build().kind == "incremental"
    assert len(list(project_copy.store.resolve().glob("LOG.old.*"))) <= 2
