"""Incremental builds: nothing changed is no work; a changed article replaces only its graph, in
place; anything every graph depends on rebuilds all; and the result always equals a full build."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annograph import Project
from annograph.annotations._ontology import ONTOLOGY_IRI
from annograph.build import _engine as builder
from annograph.build import _manifest as manifest
from annograph.build import _stream as pipeline
from annograph.build._manifest import read_manifest, write_manifest
from annograph.build._store import current_release, manifest_path
from annograph.errors import AnnotationErrors
from tests.conftest import FIXTURE, ROOT, SEMINAR_ENTITIES, SEMINAR_HEADER, SEMINAR_TEXT

pytestmark = pytest.mark.slow

SLUGS = ("alpha", "beta", "gamma")
BISHKEK = "  bishkek:\n    quote: в Бишкеке\n"


def _annotations(slug: str, name: str = "семинар для журналистов") -> str:
    # Each article has its own event (ids are unique across articles) and mentions IOM and
    # Bishkek, shared with the others.
    entities = (
        SEMINAR_ENTITIES.replace("  seminar:", f"  {slug}-seminar:")
        .replace("      en: seminar for journalists", f"      en: {name} ({slug})")
        .replace(BISHKEK, BISHKEK + "    name: {ru: Бишкек, quote: в Бишкеке}\n")
    )
    return SEMINAR_HEADER + entities


def _write_article(project: Project, slug: str, annotations: str | None = None) -> None:
    directory = project.data / "articles" / slug
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "article.md").write_text(SEMINAR_TEXT, encoding="utf-8")
    (directory / "annotations.yaml").write_text(annotations or _annotations(slug), encoding="utf-8")


def _small_project(root: Path) -> Project:
    """The ontology of this repository, the tests' shared entities, and three small articles."""
    for name in ("ontology", "queries"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copytree(FIXTURE / "data" / "entities", root / "data" / "entities")
    project = Project(root)
    for slug in SLUGS:
        _write_article(project, slug)
    return project


@pytest.fixture
def small(tmp_path: Path) -> Project:
    return _small_project(tmp_path / "project")


def _quads(store: Path) -> set[str]:
    """Every quad of the store: the named graphs and the default graph (the ontology's blank
    nodes are labelled by their place in its file, so two builds label them alike)."""
    quads = {str(q) for q in ox.Store.read_only(str(store))}
    assert any(ONTOLOGY_IRI in quad for quad in quads)
    return quads


def _assert_facts_once(project: Project) -> None:
    """The layout's promise: the default graph is every named graph's facts, each once."""
    opened = ox.Store.read_only(str(project.store))
    named = {q.triple for q in opened if isinstance(q.graph_name, ox.NamedNode)}
    facts = {t for t in named if not project._minter.is_evidence(t)}
    default = [q.triple for q in opened.quads_for_pattern(None, None, None, ox.DefaultGraph())]
    assert len(default) == len(set(default))
    assert set(default) == facts


def _graph(store: Path, name: str) -> set[str]:
    graph = ox.NamedNode(name)
    opened = ox.Store.read_only(str(store))
    return {str(quad) for quad in opened.quads_for_pattern(None, None, None, graph)}


def test_a_build_with_nothing_changed_does_no_work(
    small: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = small.build()
    assert first.kind == "full"

    def no_checking(*args: object, **kwargs: object) -> None:
        raise AssertionError("an unchanged build must not read the annotations")

    monkeypatch.setattr(builder, "build_release", no_checking)
    monkeypatch.setattr(builder, "load_article", no_checking)
    monkeypatch.setattr(pipeline, "load_article", no_checking)
    again = small.build()
    assert again.kind == "unchanged"
    assert again.store.release == first.store.release
    assert again.store.quads_per_graph == first.store.quads_per_graph
    assert again.validation.articles == 3


def test_one_changed_article_replaces_only_its_graph_in_place(small: Project) -> None:
    first = small.build()
    others = {slug: _graph(small.store, small.article_graph(slug)) for slug in ("alpha", "gamma")}
    _write_article(small, "beta", _annotations("beta", name="a renamed seminar"))
    updated = small.build()
    assert updated.kind == "incremental"
    assert updated.replaced == (small.article_graph("beta"),)
    assert updated.removed == ()
    assert updated.store.release == first.store.release  # in place: no copy of the store
    assert any(
        "a renamed seminar (beta)" in quad for quad in _graph(small.store, updated.replaced[0])
    )
    for slug, quads in others.items():
        assert _graph(small.store, small.article_graph(slug)) == quads
    assert small.build().kind == "unchanged"


def test_added_and_removed_articles(small: Project, tmp_path: Path) -> None:
    small.build()
    shutil.rmtree(small.data / "articles" / "gamma")
    _write_article(small, "delta")
    updated = small.build()
    assert updated.kind == "incremental"
    assert updated.replaced == (small.article_graph("delta"),)
    assert updated.removed == (small.article_graph("gamma"),)
    assert small.article_graph("gamma") not in updated.store.quads_per_graph
    full = Project(small.root, store_path=tmp_path / "full").build(full=True)
    assert _quads(small.store) == _quads(full.store.path)
    assert updated.store.quads_per_graph == full.store.quads_per_graph


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(lambda p: _append(p.root / "ontology" / "annograph.ttl", "\n"), id="ontology"),
        pytest.param(lambda p: _append(p.root / "ontology" / "shapes.ttl", "\n"), id="shapes"),
        pytest.param(
            lambda p: _append(p.data / "entities" / "places.yaml", "\n"), id="shared-entities"
        ),
    ],
)
def test_a_change_every_graph_depends_on_rebuilds_everything(small: Project, edit: object) -> None:
    first = small.build()
    edit(small)  # type: ignore[operator]
    rebuilt = small.build()
    assert rebuilt.kind == "full"
    assert rebuilt.store.release != first.store.release


def test_full_forces_a_new_store(small: Project) -> None:
    first = small.build()
    forced = small.build(full=True)
    assert forced.kind == "full" and forced.store.release != first.store.release
    assert _quads(forced.store.path) == _quads(first.store.release)


def test_an_interrupted_update_is_redone(small: Project) -> None:
    small.build()
    release = current_release(small.store)
    assert release is not None
    path = manifest_path(release)
    manifest = read_manifest(path)
    assert manifest is not None
    # As if a build was killed after marking 'beta' and before its graph was written.
    from dataclasses import replace

    write_manifest(path, replace(manifest, pending=("beta",)))
    redone = small.build()
    assert redone.kind == "incremental" and redone.replaced == (small.article_graph("beta"),)
    assert read_manifest(path).pending == ()  # type: ignore[union-attr]


def test_an_invalid_change_leaves_the_store_and_manifest_as_they_were(small: Project) -> None:
    small.build()
    before = _quads(small.store)
    _write_article(small, "beta", _annotations("beta").replace("type: Event", "type: Evnt"))
    with pytest.raises(Exception, match="unknown class 'Evnt'"):
        small.build()
    assert _quads(small.store) == before
    _write_article(small, "beta")
    assert small.build().kind == "unchanged"


def _append(path: Path, text: str) -> None:
    with open(path, "a", encoding="utf-8") as file:
        file.write(text)


# Random edits: each one an article to rewrite (with another name for its event, or without its
# location, or with an English name for the shared Bishkek that only some articles give, so that
# the fact must stay in the default graph exactly while one of them says it), to delete, or to
# touch (its text unchanged but its folder gaining a file); or a mistake only the whole corpus
# shows: a second Russian name for the shared Bishkek (the others name it too: a shape breaks),
# or an id another article already defines.
EDITS = st.tuples(
    st.sampled_from(SLUGS),
    st.sampled_from(
        [
            "rename",
            "drop-location",
            "name-bishkek-en",
            "delete",
            "restore",
            "touch",
            "rename-bishkek",
            "reuse-id",
        ]
    ),
    st.text(alphabet="абвгдежз ", min_size=1, max_size=8).map(str.strip).filter(bool),
)


def _apply(project: Project, slug: str, action: str, word: str) -> None:
    directory = project.data / "articles" / slug
    if action == "delete":
        shutil.rmtree(directory, ignore_errors=True)
    elif action == "restore":
        _write_article(project, slug)
    elif action == "rename":
        _write_article(project, slug, _annotations(slug, name=f"семинар {word}"))
    elif action == "drop-location":
        without = _annotations(slug).split("    location:")[0]
        _write_article(project, slug, without)
    elif action == "name-bishkek-en":
        named = _annotations(slug).replace("{ru: Бишкек,", "{ru: Бишкек, en: Bishkek,")
        _write_article(project, slug, named)
    elif action == "rename-bishkek":
        renamed = _annotations(slug).replace("{ru: Бишкек,", "{ru: Бишкеке,")
        _write_article(project, slug, renamed)
    elif action == "reuse-id":
        other = SLUGS[(SLUGS.index(slug) + 1) % len(SLUGS)]
        _write_article(
            project, slug, _annotations(slug).replace(f"{slug}-seminar:", f"{other}-seminar:")
        )
    elif directory.is_dir():
        (directory / "notes.txt").write_text(word, encoding="utf-8")


def _outcome(project: Project, *, full: bool = False) -> tuple[object, ...]:
    """What a build gives: its quads, counts and warnings, or its error messages."""
    try:
        built = project.build(full=full)
    except AnnotationErrors as failure:
        return ("refused", [str(error) for error in failure.errors])
    _assert_facts_once(project)
    validation = built.validation
    counts = (validation.articles, validation.entities, validation.facts, validation.quotes)
    # A build that found nothing changed checks nothing, so it has no warnings to report.
    warnings = None if built.kind == "unchanged" else [str(w) for w in validation.warnings]
    return ("built", _quads(project.store), built.store.quads_per_graph, counts, warnings)


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(edits=st.lists(EDITS, min_size=1, max_size=4))
def test_incremental_builds_equal_full_builds_under_random_edits(
    tmp_path_factory: pytest.TempPathFactory, edits: list[tuple[str, str, str]]
) -> None:
    root = tmp_path_factory.mktemp("random")
    project = _small_project(root / "project")
    project.build()
    for n, (slug, action, word) in enumerate(edits):
        _apply(project, slug, action, word)
        incremental = _outcome(project)
        full = _outcome(Project(project.root, store_path=root / f"full-{n}"), full=True)
        if incremental[-1] is None:  # unchanged: compare all but the warnings
            full = full[:-1] + (None,)
        assert incremental == full
        if incremental[0] == "built":
            assert project.build().kind == "unchanged"


def test_a_project_reopens_its_store_only_when_a_build_changed_it(small: Project) -> None:
    small.build()
    opened = small.open_store()
    assert small.open_store() is opened  # opening costs more than most queries
    events = {row["event"] for row in small.query("event-places")}
    shutil.rmtree(small.data / "articles" / "gamma")
    assert small.build().kind == "incremental"  # the same release, changed in place
    assert small.open_store() is not opened
    after = {row["event"] for row in small.query("event-places")}
    assert after == events - {"https://w3id.org/annograph/data/id/gamma-seminar"}
    small.build(full=True)  # a new release
    assert {row["event"] for row in small.query("event-places")} == after


def test_folders_that_look_unchanged_are_not_hashed_again(
    small: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every file counts as old enough to be trusted by its signature.
    monkeypatch.setattr(manifest, "RACY_SECONDS", -3600)
    small.build()
    assert small.build().kind == "unchanged"  # records the signatures
    hashed: list[str] = []
    digest = manifest._digest_path

    def counting(path: Path) -> str:
        hashed.append(path.name)
        return digest(path)

    monkeypatch.setattr(manifest, "_digest_path", counting)
    assert small.build().kind == "unchanged"
    assert not set(hashed) & set(SLUGS), "an unchanged article folder was hashed"

    # The same size and modification time, other bytes: the change time gives it away.
    path = small.data / "articles" / "beta" / "annotations.yaml"
    before = path.stat()
    path.write_text(path.read_text().replace("(beta)", "(BETA)"), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    hashed.clear()
    rebuilt = small.build()
    assert rebuilt.kind == "incremental" and hashed.count("beta") == 1
    assert rebuilt.replaced == (small.article_graph("beta"),)


def test_a_folder_changed_moments_ago_is_hashed_whatever_its_signature(small: Project) -> None:
    small.build()
    release = current_release(small.store)
    assert release is not None
    recorded = read_manifest(manifest_path(release))
    assert recorded is not None
    # Just written: too recent to be known by signature, so the next build reads it again.
    assert recorded.inputs.signatures == {}


def test_one_changed_article_is_checked_without_reading_the_others(
    small: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    small.build()
    read: list[str] = []
    load_article = builder.load_article

    def reading(directory: Path, *args: object, **kwargs: object) -> object:
        read.append(directory.name)
        return load_article(directory, *args, **kwargs)  # type: ignore[arg-type]

    def no_full_check(*args: object, **kwargs: object) -> None:
        raise AssertionError("a one-article change must not check the whole corpus")

    monkeypatch.setattr(builder, "load_article", reading)
    monkeypatch.setattr(builder, "build_release", no_full_check)
    _write_article(small, "beta", _annotations("beta", name="a renamed seminar"))
    updated = small.build()
    assert updated.kind == "incremental" and read == ["beta"]
    assert updated.validation.articles == 3


@pytest.mark.parametrize("action", ["rename-bishkek", "reuse-id"])
def test_a_mistake_across_articles_is_reported_as_a_full_check_reports_it(
    small: Project, tmp_path: Path, action: str
) -> None:
    small.build()
    before = _quads(small.store)
    _apply(small, "beta", action, "")
    with pytest.raises(AnnotationErrors) as incremental:
        small.build()
    with pytest.raises(AnnotationErrors) as full:
        Project(small.root, store_path=tmp_path / "full").build()
    assert [str(e) for e in incremental.value.errors] == [str(e) for e in full.value.errors]
    assert any(e.severity == "error" for e in incremental.value.errors)
    assert _quads(small.store) == before
