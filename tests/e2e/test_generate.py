"""The synthetic corpus generator (tests/helpers/corpus.py): valid, deterministic, shaped."""

from __future__ import annotations

import shutil
import statistics
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest

from annograph import Project
from annograph.annotations._corpus import Corpus
from tests.helpers import corpus as generator
from tests.helpers.corpus import Mix, read_mix

pytestmark = pytest.mark.slow

#: The band the default mean (100 triples per article graph) must fall in for 30 articles: the
#: calibration hits the mean over large corpora; a small one drifts by up to about a fifth.
MEAN_BAND = (75, 135)


@dataclass(frozen=True)
class Built:
    project: Project
    corpus: Corpus
    validation_warnings: int
    graph_sizes: list[int]


@pytest.fixture(scope="module")
def mix() -> Mix:
    return read_mix()


def _build(data: Path, root: Path) -> Built:
    """A new project whose data/ folder is ``data``, built."""
    project = Project.init(root)
    shutil.rmtree(root / "data")
    shutil.copytree(data, root / "data")
    build = project.build()
    store = ox.Store.read_only(str(project.store))
    rows = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    assert isinstance(rows, ox.QuerySolutions)
    sizes = [int(row["n"].value) for row in rows if "/graph/" in row["g"].value]
    corpus = project.load_corpus()
    return Built(project, corpus, len(build.validation.warnings), sizes)


@pytest.fixture(scope="module")
def built(mix: Mix, tmp_path_factory: pytest.TempPathFactory) -> Built:
    base = tmp_path_factory.mktemp("generated")
    generator.generate(30, base / "data", seed=0, mix=mix)
    return _build(base / "data", base / "project")


def test_corpus_validates_and_builds_without_warnings(built: Built) -> None:
    assert len(built.corpus.articles) == 30
    assert len(built.graph_sizes) == 30
    assert built.validation_warnings == 0


def test_layout_is_a_data_folder(built: Built) -> None:
    data = built.project.root / "data"
    slugs = sorted(p.name for p in (data / "articles").iterdir())
    assert slugs[0] == "syn-00000" and len(slugs) == 30
    assert {p.name for p in (data / "articles" / slugs[0]).iterdir()} == {
        "article.md",
        "annotations.yaml",
    }
    files = {p.stem for p in (data / "entities").glob("*.yaml")}
    assert (
        {"organizations", "places"}
        <= files
        <= {
            "organizations",
            "people",
            "places",
            "programmes",
            "concepts",
        }
    )


def test_every_quote_is_in_its_article(built: Built) -> None:
    for article in built.corpus.articles:
        for entity in article.entities:
            spans = [*entity.mentions, *(e for f in entity.facts for e in f.evidence)]
            assert spans
            for evidence in spans:
                assert article.text[evidence.start : evidence.end] == evidence.exact
                assert article.text.count(evidence.exact) >= 1


def test_shared_entities_are_mentioned_without_type(built: Built) -> None:
    shared = [e for a in built.corpus.articles for e in a.entities if e.shared]
    assert shared
    for article in built.corpus.articles:
        text = article.annotations_path.read_text(encoding="utf-8")
        for entity in article.entities:
            if entity.shared:
                assert f"  {entity.id}:\n    quote:" in text
            else:
                assert entity.id.startswith(article.slug + "-")


def test_mean_triples_per_article_is_near_the_default(built: Built) -> None:
    mean = statistics.mean(built.graph_sizes)
    assert MEAN_BAND[0] <= mean <= MEAN_BAND[1], mean
    assert min(built.graph_sizes) < mean < max(built.graph_sizes)


def test_same_seed_same_bytes_other_seed_differs(mix: Mix, tmp_path: Path) -> None:
    for name, seed in (("a", 7), ("b", 7), ("c", 8)):
        generator.generate(20, tmp_path / name, seed=seed, mix=mix)

    def files(root: Path) -> dict[str, bytes]:
        return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}

    assert files(tmp_path / "a") == files(tmp_path / "b")
    assert files(tmp_path / "a") != files(tmp_path / "c")


@pytest.fixture(scope="module")
def larger(mix: Mix, tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    """A corpus of articles of the real article's shape at a realistic size, loaded (validated)."""
    base = tmp_path_factory.mktemp("larger")
    generator.generate(60, base / "data", seed=3, mean_triples=600, mix=mix)
    project = Project.init(base / "project")
    shutil.rmtree(base / "project" / "data")
    shutil.copytree(base / "data", base / "project" / "data")
    return project.load_corpus()


def _kinds(corpus: Corpus, mix: Mix) -> Counter[str]:
    kind_of = generator._kinds(mix.ontology)
    return Counter(
        kind_of(entity.types or corpus.shared[entity.id].types)
        for article in corpus.articles
        for entity in article.entities
    )


def test_class_mix_resembles_the_real_article(larger: Corpus, mix: Mix) -> None:
    assert not larger.warnings
    kinds = _kinds(larger, mix)
    for kind in ("event", "organization", "person", "post", "place", "report", "observation"):
        assert kinds[kind], kind
    total = sum(kinds.values())
    # The real article: places 22%, organizations 21%, events 13%, observations 10%.
    for kind, (low, high) in {
        "place": (0.12, 0.35),
        "organization": (0.10, 0.32),
        "event": (0.07, 0.30),
        "observation": (0.03, 0.20),
    }.items():
        assert low <= kinds[kind] / total <= high, (kind, kinds[kind] / total)


def test_shared_mentions_are_skewed(larger: Corpus) -> None:
    mentions = Counter(
        entity.id for article in larger.articles for entity in article.entities if entity.shared
    )
    counts = sorted(mentions.values())
    assert counts[-1] >= 4 * statistics.median(counts)
    assert counts[0] == 1  # the long tail: entities mentioned once


def test_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        generator.main(["--help"])
    assert exit_.value.code == 0
    assert "--articles" in capsys.readouterr().out
    assert generator.main(["--articles", "3", "--out", str(tmp_path / "out")]) == 0
    assert "wrote 3 articles" in capsys.readouterr().out
    assert len(list((tmp_path / "out" / "articles").iterdir())) == 3
    assert generator.main(["--articles", "2", "--out", str(tmp_path / "out")]) == 0  # replaced
    assert len(list((tmp_path / "out" / "articles").iterdir())) == 2


def test_refuses_to_replace_a_folder_it_did_not_write(tmp_path: Path) -> None:
    (tmp_path / "articles" / "bishkek-migrants-day").mkdir(parents=True)
    with pytest.raises(FileExistsError, match="bishkek-migrants-day"):
        generator.generate(2, tmp_path)
    assert (tmp_path / "articles" / "bishkek-migrants-day").is_dir()
