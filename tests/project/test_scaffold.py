"""annograph init and annograph new: a new project and its configuration, a new article.

What init copies (the shipped project) and the new user's way from it to a graph that answers
across articles are end to end: tests/e2e/test_new_project.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from annograph import Project
from annograph.cli import cli
from annograph.project._config import Config, load_config
from annograph.project._scaffold import sentences_of
from tests.conftest import ARTICLE, SEMINAR_TEXT, select


def _run(runner: CliRunner, *args: str, input: bytes | None = None) -> str:
    result = runner.invoke(cli, list(args), input=input, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def _fail(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 1, result.output
    return result.output


# -- init ----------------------------------------------------------------------------------------


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
