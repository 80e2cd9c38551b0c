"""``annograph docs``: the ontology's and the saved queries' reference pages, and the data model."""

from __future__ import annotations

import logging
import re
from html import escape
from pathlib import Path
from xml.etree import ElementTree

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from annograph import Project
from annograph._languages import in_language
from annograph.annotations._ontology import NAMESPACE
from annograph.cli import cli
from annograph.reference._diagram import DiagramError, term_labels
from annograph.reference._docs import DOCS_DIR, ontology_html

SVG = "{http://www.w3.org/2000/svg}"
NAMES = ["index.html", "ontology.html", "queries.html", "data-model.svg"]

pytestmark = pytest.mark.usefixtures("graphviz")


@pytest.fixture(scope="module")
def written(project: Project, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The reference docs of the tests' project, written once."""
    output = tmp_path_factory.mktemp("docs")
    project.write_docs(output)
    return output


@pytest.mark.slow
def test_the_four_files(written: Path) -> None:
    assert sorted(p.name for p in written.iterdir()) == sorted(NAMES)
    index = (written / "index.html").read_text(encoding="utf-8")
    for name in NAMES[1:]:
        assert f'href="{name}"' in index


@pytest.mark.slow
def test_ontology_page_has_every_class_and_property(project: Project, written: Path) -> None:
    html = (written / "ontology.html").read_text(encoding="utf-8")
    ontology = project.load_ontology()
    missing = [
        name
        for name in sorted(ontology.classes | set(ontology.properties))
        if NAMESPACE + name not in html
    ]
    assert missing == []


@pytest.mark.slow
def test_ontology_page_gives_the_yaml_name_beside_each_label(
    project: Project, written: Path
) -> None:
    html = (written / "ontology.html").read_text(encoding="utf-8")
    ontology = project.load_ontology()
    # In each class's and property's entry, under its IRI: the name annotations write.
    rows = re.findall(r"<tr><th>YAML name</th><td><code>([A-Za-z]+)</code>", html)
    assert sorted(rows) == sorted(ontology.classes | set(ontology.properties))
    assert "<tr><th>YAML name</th><td><code>City</code> (<code>type: City</code>)</td></tr>" in html
    # And a table of every class, property and concept (pyLODE leaves the concepts out).
    section = html.split('<div class="section" id="yaml-names">', 1)[1].split("</div>", 1)[0]
    listed = re.findall(r"<tr><td>(?:<a [^>]*>)?<code>([A-Za-z]+)</code>", section)
    assert sorted(listed) == sorted(
        ontology.classes | set(ontology.properties) | ontology.individuals
    )
    assert "<th>YAML name</th><th>label</th><th>top class</th>" in section
    assert (
        '<tr><td><a href="#City"><code>City</code></a></td><td>city or town</td><td>Place</td></tr>'
        in section
    )
    assert "<tr><td><code>percent</code></td><td>percent</td><td>Unit</td></tr>" in section
    assert '<a href="#yaml-names">Names in annotations</a>' in html  # in the contents
    russian = ontology_html(ontology, lang="ru")
    assert (
        '<tr><td><a href="#City"><code>City</code></a></td><td>город</td><td>Place</td></tr>'
        in russian
    )


@pytest.mark.slow
def test_ontology_page_in_russian(project: Project) -> None:
    html = ontology_html(project.load_ontology(), lang="ru")
    assert "<h3>человек" in html  # ag:Person's Russian label as its heading
    assert "<h3>person" not in html
    assert "<h3>person" in ontology_html(project.load_ontology(), lang="en")


@pytest.mark.slow
def test_pylode_leaves_logging_alone(project: Project) -> None:
    root = logging.getLogger()
    before = (list(root.handlers), root.level)
    ontology_html(project.load_ontology())
    assert (list(root.handlers), root.level) == before


def test_queries_page_has_every_saved_query(project: Project, written: Path) -> None:
    html = (written / "queries.html").read_text(encoding="utf-8")
    for query in project.saved_queries():
        assert f'<section id="{query.name}">' in html
        assert escape(query.summary) in html
        assert escape(query.text.rstrip()) in html
        assert f"annograph query {query.name}" in html
        for parameter in query.parameters:
            assert f"<code>{escape(parameter.name)}</code>" in html


def test_data_model_svg(project: Project, written: Path) -> None:
    root = ElementTree.parse(written / "data-model.svg").getroot()
    texts = {element.text for element in root.iter(SVG + "text")}
    ontology = project.load_ontology()
    labels = term_labels(ontology.triples)
    missing = [
        name
        for name in ontology.classes
        if in_language(labels.get(NAMESPACE + name, {}), "en") not in texts
    ]
    assert missing == []
    assert "organizer" in texts  # an object property, as an arrow between two classes


@pytest.mark.slow
def test_same_input_same_bytes(project: Project, written: Path, tmp_path: Path) -> None:
    project.write_docs(tmp_path)
    for name in NAMES:
        assert (tmp_path / name).read_bytes() == (written / name).read_bytes(), name


@pytest.mark.slow
def test_default_directory_leaves_hand_written_docs(project_copy: Project) -> None:
    guide = project_copy.root / "docs" / "annotations.md"
    guide.parent.mkdir()
    guide.write_text("# hand-written\n", encoding="utf-8")
    docs = project_copy.write_docs(lang="ru")
    assert docs.directory == project_copy.root / DOCS_DIR
    assert all(path.is_file() for path in docs.files)
    assert guide.read_text(encoding="utf-8") == "# hand-written\n"
    svg = (docs.directory / "data-model.svg").read_text(encoding="utf-8")
    assert "человек" in svg and "организатор" in svg


def test_missing_graphviz_writes_nothing(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(DiagramError, match="Graphviz's 'dot' program is not installed"):
        project.write_docs(tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == []


@pytest.mark.slow
def test_cli(runner: CliRunner, project: Project, tmp_path: Path) -> None:
    output = tmp_path / "reference"
    result = runner.invoke(
        cli, ["docs", "--project", str(project.root), "-o", str(output), "--lang", "ru"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [f"wrote {output / name}" for name in NAMES]


def test_cli_unwritable(runner: CliRunner, project: Project, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    result = runner.invoke(cli, ["docs", "--project", str(project.root), "-o", str(blocker / "x")])
    assert result.exit_code == 1
    assert result.stderr == f"{blocker / 'x'}: error: cannot write: Not a directory\n"


@pytest.mark.slow
def test_articles_written_as_static_pages_from_the_built_store(
    built: Project, store: ox.Store, tmp_path: Path
) -> None:
    docs = built.write_docs(tmp_path)
    assert docs.articles == tuple(built.article_slugs())
    pages = tmp_path / "articles"
    assert sorted(p.name for p in pages.iterdir()) == sorted(
        ["index.html", *(f"{slug}.html" for slug in built.article_slugs())]
    )
    assert 'href="articles/index.html"' in (tmp_path / "index.html").read_text(encoding="utf-8")
    listing = (pages / "index.html").read_text(encoding="utf-8")
    page = (pages / "bishkek-migrants-day.html").read_text(encoding="utf-8")
    assert 'href="bishkek-migrants-day.html"' in listing
    # Works without a server: nothing links to one, every in-page link has its target.
    assert "/entity?" not in page and "/static/" not in page and "http://127." not in page
    anchors = set(re.findall(r'href="#([^"]+)"', page))
    ids = set(re.findall(r' id="([^"]+)"', page))
    assert anchors and anchors <= ids
    assert 'href="#e-bishkek"' in page and '<li id="e-bishkek">' in page
    # Every quote of the store is marked.
    graph = built.article_graph("bishkek-migrants-day")
    rows = store.query(
        "SELECT DISTINCT ?start ?end WHERE { GRAPH <" + graph + "> { "
        "?p <http://www.w3.org/ns/oa#start> ?start ; <http://www.w3.org/ns/oa#end> ?end } }"
    )
    assert isinstance(rows, ox.QuerySolutions)
    spans = {f"q{row['start'].value}-{row['end'].value}" for row in rows}
    marked = re.findall(r'<mark class="[^"]*" id="(q\d+-\d+)"', page)
    assert len(marked) == len(set(marked)) and set(marked) == spans
    assert docs.files[-1] == pages / "remittances-report-launch.html"
