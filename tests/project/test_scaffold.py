"""annograph init and annograph new: a new project, a new article, and the way from them to a
graph that answers across articles."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from annograph import Project
from annograph.cli._commands import cli
from annograph.project._config import Config, load_config
from annograph.project._scaffold import sentences_of
from tests.conftest import ARTICLE, ROOT, SEMINAR_ENTITIES, SEMINAR_TEXT, select

ID = "https://w3id.org/annograph/data/id/"
AG = "https://w3id.org/annograph/ontology#"


def _run(runner: CliRunner, *args: str, input: bytes | None = None) -> str:
    result = runner.invoke(cli, list(args), input=input, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def _fail(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 1, result.output
    return result.output


# -- init ----------------------------------------------------------------------------------------


def test_init_copies_the_ontology_queries_and_sample_article(
    runner: CliRunner, tmp_path: Path
) -> None:
    target = tmp_path / "news"
    output = _run(runner, "init", str(target))
    assert (
        output.splitlines()[-1]
        == f"started a project in {target}; next: cd {target} && annograph build"
    )
    for relative in (
        "ontology/annograph.ttl",
        "ontology/shapes.ttl",
        "queries/organizers.rq",
        "data/entities/organizations.yaml",
        "data/articles/bishkek-migrants-day/annotations.yaml",
        "data/articles/bishkek-migrants-day/article.md",
        "docs/annotations.md",
        "docs/external-ids.md",
    ):
        assert (target / relative).read_bytes() == (ROOT / relative).read_bytes(), relative
    assert sorted(p.name for p in (target / "queries").iterdir()) == sorted(
        p.name for p in (ROOT / "queries").glob("*.rq")
    )
    assert ".annograph/" in (target / ".gitignore").read_text(encoding="utf-8").splitlines()


@pytest.mark.slow
def test_an_initialized_project_builds_and_answers(runner: CliRunner, tmp_path: Path) -> None:
    project = Project.init(tmp_path / "news")
    # The sample articles: the Bishkek conference (Russian), the Cholpon-Ata round table and the
    # report launch (English).
    assert project.build().validation.articles == 3
    assert len(project.query("organizers")) == 5


def test_init_writes_a_config_file_that_changes_nothing_until_edited(tmp_path: Path) -> None:
    project = Project.init(tmp_path / "news")
    config = project.root / "annograph.toml"
    assert load_config(project.root) == Config(path=config)
    # Each commented setting is valid TOML once uncommented.
    text = config.read_text(encoding="utf-8")
    settings = [line[2:] for line in text.splitlines() if line.startswith("# ") and "=" in line]
    settings = [line for line in settings if not line.startswith("A command-line")]
    config.write_text("\n".join(settings[:3]) + "\n[endpoints.local]\n" + settings[-1] + "\n")
    loaded = load_config(project.root)
    assert loaded.base_iri == "https://w3id.org/annograph/data/"
    assert loaded.data == project.root / "data"
    assert loaded.store == project.root / ".annograph" / "store"
    assert loaded.endpoint("local").url == "http://127.0.0.1:7878/query"


# A path of a project's (or annograph's own) folders, not part of an IRI or of a longer path.
PATH_IN_TEXT = re.compile(r"(?<![\w/.:-])(?:docs|data|ontology|queries|src|tests)/[\w./*-]*[\w*/]")


def test_every_path_an_initialized_project_mentions_is_in_it(tmp_path: Path) -> None:
    project = Project.init(tmp_path / "news")
    files = [path for path in project.root.rglob("*") if path.is_file()]
    mentioned = {
        (path.relative_to(project.root), found)
        for path in files
        for found in PATH_IN_TEXT.findall(path.read_text(encoding="utf-8"))
    }
    assert ("data/entities/places.yaml", "docs/external-ids.md") in {
        (str(path), found) for path, found in mentioned
    }
    missing = sorted(
        (str(path), found) for path, found in mentioned if not list(project.root.glob(found))
    )
    assert missing == []


def test_init_refuses_a_directory_with_files(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    assert _fail(runner, "init", str(tmp_path)) == (
        f"{tmp_path}: error: not an empty directory\n"
        "  hint: choose a new directory name; annograph init never overwrites files\n"
    )
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_init_accepts_an_empty_directory(tmp_path: Path) -> None:
    Project.init(tmp_path)
    assert (tmp_path / "ontology" / "annograph.ttl").is_file()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".annograph-init")]


@pytest.mark.slow
def test_the_package_carries_the_template_init_copies(tmp_path: Path) -> None:
    # template/ links to the project's own folders; a wheel must hold their files, or
    # 'annograph init' would fail wherever annograph is installed from a wheel.
    # Built from a copy of what the package needs, so the build leaves nothing in the checkout.
    source = tmp_path / "source"
    for name in ("src", "ontology", "queries", "data", "docs"):
        shutil.copytree(ROOT / name, source / name, symlinks=True)
    for name in ("pyproject.toml", "README.md"):
        shutil.copyfile(ROOT / name, source / name)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(source)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("annograph-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        f"annograph/template/{path.relative_to(ROOT)}"
        for folder in ("ontology", "queries", "data")
        for path in (ROOT / folder).rglob("*")
        if path.is_file()
    }
    assert expected <= names
    assert {"annograph/template/annotations.md", "annograph/template/external-ids.md"} <= names


# -- new -----------------------------------------------------------------------------------------


@pytest.fixture
def second_text(tmp_path: Path) -> Path:
    path = tmp_path / "seminar.txt"
    path.write_bytes(SEMINAR_TEXT.encode("utf-8"))
    return path


def test_new_writes_the_text_and_a_skeleton_that_validates(
    runner: CliRunner, project_copy: Project, second_text: Path
) -> None:
    root = project_copy.root
    # A project whose articles share a language: the Russian article alone.
    for english in ("cholpon-ata-round-table", "remittances-report-launch"):
        shutil.rmtree(root / "data" / "articles" / english)
    output = _run(
        runner,
        "new",
        "journalists-seminar",
        "--project",
        str(root),
        "--text",
        str(second_text),
        "--title",
        "семинар для журналистов",
        "--url",
        "https://example.org/news/1",
        "--published",
        "2024-03-05",
        "--language",
        "ru",
    )
    directory = root / "data" / "articles" / "journalists-seminar"
    assert output.splitlines()[0] == f"created {directory}: article.md, annotations.yaml"
    assert (directory / "article.md").read_bytes() == second_text.read_bytes()
    skeleton = (directory / "annotations.yaml").read_text(encoding="utf-8")
    # The language is the one given; the title is quoted from the text.
    assert "  language: ru\n" in skeleton
    assert "  headline:\n    ru: семинар для журналистов\n    quote: семинар для журналистов\n" in (
        skeleton
    )
    assert "# [1] @0 Международная организация по миграции (МОМ) провела" in skeleton
    assert "# [2] @88 Семинар был посвящён правам трудовых мигрантов." in skeleton
    # The shared ids it may mention, by file and class, and where the names to write are listed.
    lines = skeleton.splitlines()
    assert (
        "# 'annograph vocab', or 'annograph vocab NAME' for one in full. Every entity has a 'type'"
        in lines
    )
    places = lines.index("#   places.yaml")
    assert lines[places + 1 : places + 3] == [
        "#     City: batken, bishkek",
        "#     City & Resort: cholpon-ata",
    ]
    assert "#     InternationalOrganization: eaeu, iom" in lines
    validation = project_copy.validate()
    assert validation.articles == 2


def test_new_takes_the_language_the_articles_share(
    project_copy: Project, second_text: Path
) -> None:
    # The project's own articles are in Russian and English; with only the Russian one left,
    # a new article is in Russian unless told otherwise.
    for english in ("cholpon-ata-round-table", "remittances-report-launch"):
        shutil.rmtree(project_copy.data / "articles" / english)
    created = project_copy.new_article("seminar", second_text.read_bytes())
    skeleton = (created.directory / "annotations.yaml").read_text(encoding="utf-8")
    assert "  language: ru\n" in skeleton


def test_the_skeleton_lists_many_shared_entities_compactly(
    project_copy: Project, second_text: Path
) -> None:
    entities = project_copy.root / "data" / "entities"
    many = "".join(f"  town-{n:03}:\n    type: City\n" for n in range(40))
    (entities / "towns.yaml").write_text(
        "format: annograph/1\nentities:\n"
        f"{many}  karakol:\n    type: [City, Resort]\n  nowhere:\n    note: no type yet\n",
        encoding="utf-8",
    )
    created = project_copy.new_article("seminar", second_text.read_bytes(), language="ru")
    lines = (created.directory / "annotations.yaml").read_text(encoding="utf-8").splitlines()
    start = lines.index("#   towns.yaml")
    end = lines.index("entities: {}")
    # One line per class, wrapped at 100 characters, each line ending at a comma.
    assert lines[start + 1 : end] == [
        "#     (no type): nowhere",
        "#     City: town-000, town-001, town-002, town-003, town-004, town-005, town-006, "
        "town-007,",
        "#       town-008, town-009, town-010, town-011, town-012, town-013, town-014, town-015, "
        "town-016,",
        "#       town-017, town-018, town-019, town-020, town-021, town-022, town-023, town-024, "
        "town-025,",
        "#       town-026, town-027, town-028, town-029, town-030, town-031, town-032, town-033, "
        "town-034,",
        "#       town-035, town-036, town-037, town-038, town-039",
        "#     City & Resort: karakol",
    ]
    # Files in order, each with its classes: topics.yaml, then towns.yaml.
    assert lines[lines.index("#   topics.yaml") : start][-1].startswith("#       ")


def test_the_sentences_are_the_texts_own_words_at_their_offsets() -> None:
    text = (ARTICLE / "article.md").read_text(encoding="utf-8")
    sentences = list(sentences_of(text, "ru"))
    assert [s.number for s in sentences] == list(range(1, len(sentences) + 1))
    for sentence in sentences:
        assert text[sentence.start : sentence.start + len(sentence.text)] == sentence.text
        assert "\n" not in sentence.text and sentence.text == sentence.text.strip()
    # The sentences hold the whole text, in order: only the spaces between them are left out.
    assert "".join("".join(s.text.split()) for s in sentences) == "".join(text.split())
    # Initials and list numbers are not sentences of their own.
    assert not [s.text for s in sentences if len(s.text) < 10]
    assert (
        sentences[0].text
        == "## В Бишкеке прошла конференция, посвященная Международному дню мигранта"
    )


def test_a_title_the_text_does_not_contain_is_not_asserted(
    project_copy: Project, second_text: Path
) -> None:
    created = project_copy.new_article(
        "seminar",
        second_text.read_bytes(),
        title="Журналисты учатся писать о миграции",
        language="ru",
    )
    assert not created.headline_quoted
    skeleton = (created.directory / "annotations.yaml").read_text(encoding="utf-8")
    assert "\n  headline:" not in skeleton
    assert "Журналисты учатся писать о миграции" in skeleton  # as a comment for the curator
    assert project_copy.validate().articles == 4


def test_new_reads_the_text_from_standard_input(runner: CliRunner, project_copy: Project) -> None:
    root = str(project_copy.root)
    _run(
        runner,
        *("new", "seminar", "--language", "ru", "--project", root, "--text", "-"),
        input=SEMINAR_TEXT.encode(),
    )
    article = project_copy.root / "data" / "articles" / "seminar"
    assert (article / "article.md").read_text(encoding="utf-8") == SEMINAR_TEXT
    assert "(a byte-for-byte copy of standard input)" in (article / "annotations.yaml").read_text(
        encoding="utf-8"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["Seminar!"],
            "{articles}/Seminar!: error: 'Seminar!' cannot name an article\n"
            "  hint: use lowercase letters, digits and '-', e.g. osh-labour-fair\n",
        ),
        (
            ["bishkek-migrants-day"],
            "{articles}/bishkek-migrants-day: error: the article exists already\n"
            "  hint: choose another slug, or edit its annotations.yaml\n",
        ),
        (
            ["seminar", "--published", "2024-02-30"],
            "error: '2024-02-30' is not a day\n"
            "  hint: give a real day as YYYY-MM-DD, e.g. 2023-12-18\n",
        ),
        (
            ["seminar", "--url", "example.org/news"],
            "error: 'example.org/news' is not a web address\n"
            "  hint: e.g. --url https://example.org/news/1\n",
        ),
        (
            ["seminar", "--language", "русский"],
            "error: 'русский' is not a BCP 47 language tag\n  hint: e.g. --language ru or en\n",
        ),
    ],
)
def test_new_refuses_bad_input_and_writes_nothing(
    runner: CliRunner,
    project_copy: Project,
    second_text: Path,
    args: list[str],
    message: str,
) -> None:
    articles = project_copy.root / "data" / "articles"
    before = sorted(p.name for p in articles.iterdir())
    project = ["--project", str(project_copy.root), "--text", str(second_text)]
    # The articles are in two languages, so each command names one (the last --language wins).
    output = _fail(runner, "new", "--language", "ru", *args, *project)
    assert output == message.format(articles=articles)
    assert sorted(p.name for p in articles.iterdir()) == before


def test_new_refuses_a_text_that_is_not_utf8(
    runner: CliRunner, project_copy: Project, tmp_path: Path
) -> None:
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("Семинар".encode("cp1251"))
    output = _fail(
        runner,
        *("new", "seminar", "--language", "ru"),
        *("--project", str(project_copy.root), "--text", str(latin)),
    )
    assert output == (
        "latin1.txt: error: the text is not UTF-8 (byte 0)\n"
        "  hint: save the article as UTF-8 first\n"
    )
    assert not (project_copy.root / "data" / "articles" / "seminar").exists()


def test_new_asks_for_the_language_when_the_articles_disagree(
    project_copy: Project, second_text: Path
) -> None:
    project_copy.new_article("english", b"A seminar was held.\n", language="en")
    with pytest.raises(Exception, match="which language is the article in"):
        project_copy.new_article("seminar", second_text.read_bytes())


@pytest.mark.slow
def test_the_article_address_and_day_are_in_its_graph(
    project_copy: Project, second_text: Path
) -> None:
    project_copy.new_article(
        "seminar",
        second_text.read_bytes(),
        language="ru",
        url="https://example.org/news/1",
        published="2024-03-05",
    )
    project_copy.build()
    import pyoxigraph as ox

    opened = ox.Store.read_only(str(project_copy.store))
    rows = select(
        opened,
        """PREFIX schema: <https://schema.org/>
        SELECT ?url ?day WHERE { ?article schema:url ?url ; schema:datePublished ?day }""",
    )
    assert rows == []  # schema: terms only follow by entailment; the graph states ag: terms
    rows = select(
        opened,
        """PREFIX ag: <https://w3id.org/annograph/ontology#>
        SELECT ?url ?day WHERE { ?article ag:url ?url ; ag:datePublished ?day }""",
    )
    assert rows == [{"url": "https://example.org/news/1", "day": "2024-03-05"}]


# -- the new user's way: init, new, annotate, validate, build, query across articles -------------


@pytest.mark.slow
def test_a_second_article_shares_iom_and_bishkek_with_the_first(
    runner: CliRunner, tmp_path: Path, second_text: Path, graphviz: str
) -> None:
    root = tmp_path / "news"
    _run(runner, "init", str(root))
    project = ["--project", str(root)]
    _run(
        runner,
        "new",
        "seminar",
        *project,
        "--text",
        str(second_text),
        "--title",
        "семинар для журналистов",
        # The sample articles are in Russian and English: the language must be given.
        "--language",
        "ru",
    )
    annotations = root / "data" / "articles" / "seminar" / "annotations.yaml"
    skeleton = annotations.read_text(encoding="utf-8")
    annotations.write_text(skeleton.replace("entities: {}\n", SEMINAR_ENTITIES), encoding="utf-8")
    assert _run(runner, "validate", *project).startswith("valid: 4 article(s)")
    _run(runner, "build", *project)

    built = Project(root)
    card = built.query("entity", entity="IOM")
    # One IRI for IOM, its name quoted once in each article: two evidence trails.
    assert {row["_entity_iri"] for row in card} == {ID + "iom"}
    # The seminar's organizer, said in the second article, points at it too.
    assert (ID + "seminar", AG + "organizer") in {(row["subject"], row["property"]) for row in card}
    names = {
        (row["quote"], row["start"])
        for row in card
        if row["property"].endswith("#name")
        and row["value"] == "Международная организация по миграции"
    }
    assert len(names) == 2
    assert ("Международная организация по миграции", 0) in names
    # A saved query answers across both articles: each event with its place.
    places = {(row["event"], row["place"]) for row in built.query("event-places")}
    assert (ID + "seminar", ID + "bishkek") in places
    assert (ID + "conference", ID + "bishkek") in places

    # The new user draws IOM's neighbourhood, now with both events, and opens the ontology docs.
    picture = tmp_path / "iom.svg"
    _run(runner, "diagram", "iom", *project, "--lang", "ru", "-o", str(picture))
    svg = picture.read_text(encoding="utf-8")
    assert "семинар для журналистов" in svg
    assert "Международная организация по миграции" in svg
    _run(runner, "docs", *project)
    reference = root / "docs" / "reference"
    assert {"index.html", "ontology.html", "queries.html", "data-model.svg"} <= {
        path.name for path in reference.iterdir()
    }


@pytest.mark.parametrize(
    ("language", "comment"),
    [
        ("ru", "  # headline: {ru: ..., en: ..., quote: ...}"),
        ("en", "  # headline: {en: ..., quote: ...}"),
    ],
)
def test_the_headline_to_fill_in_asks_for_a_translation_only_from_another_language(
    project_copy: Project, second_text: Path, language: str, comment: str
) -> None:
    created = project_copy.new_article("seminar", second_text.read_bytes(), language=language)
    skeleton = (created.directory / "annotations.yaml").read_text(encoding="utf-8")
    assert comment in skeleton.splitlines()
