"""``annograph diagram``: pictures of an entity's neighbourhood and of a whole article."""

from __future__ import annotations

import html
import re
import struct
import zlib
from pathlib import Path
from xml.etree import ElementTree

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from annograph import Project
from annograph._languages import Language
from annograph.cli import cli
from annograph.query._evidence import EntityNotFound
from annograph.reference._diagram import DiagramError, graph_header, html_text, render_dot

ARTICLE = "bishkek-migrants-day"
SVG = "{http://www.w3.org/2000/svg}"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

pytestmark = pytest.mark.usefixtures("graphviz")


def svg_texts(path: Path) -> list[str]:
    """The text of every <text> element of an SVG file (parsed as XML, so it must be valid)."""
    root = ElementTree.parse(path).getroot()
    assert root.tag == SVG + "svg"
    return [element.text or "" for element in root.iter(SVG + "text")]


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from the IHDR chunk, which must come first."""
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE
    length, kind = struct.unpack(">I4s", data[8:16])
    assert (length, kind) == (13, b"IHDR")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def png_pixels(path: Path) -> bytes:
    """The decompressed image data (filtered scanlines) of all IDAT chunks."""
    data, offset, chunks = path.read_bytes(), 8, []
    while offset < len(data):
        length, kind = struct.unpack(">I4s", data[offset : offset + 8])
        if kind == b"IDAT":
            chunks.append(data[offset + 8 : offset + 8 + length])
        offset += 12 + length
    return zlib.decompress(b"".join(chunks))


def test_entity_png_has_size_and_content(built: Project, tmp_path: Path) -> None:
    output = built.entity_diagram("iom").write(tmp_path / "iom.png")
    width, height = png_size(output)
    assert width >= 400 and height >= 100
    assert output.stat().st_size > 5_000
    # A blank picture decompresses to a handful of distinct bytes; text and boxes to many.
    assert len(set(png_pixels(output))) > 50


def test_entity_svg_is_labelled_in_the_chosen_language(built: Project, tmp_path: Path) -> None:
    english = " ".join(svg_texts(built.entity_diagram("iom").write(tmp_path / "en.svg")))
    russian = " ".join(svg_texts(built.entity_diagram("iom", lang="ru").write(tmp_path / "ru.svg")))
    assert "International Organization for Migration" in english
    assert "abbreviation: IOM" in english
    assert "implementer" in english  # the edge from the programme, labelled from the ontology
    assert "Международная организация по миграции" in russian
    assert "сокращение: МОМ" in russian
    assert "исполнитель" in russian
    assert "Международная" not in english and "International" not in russian
    assert "wd:Q472311" in english  # its identity link, drawn as a link out of the data


def test_evidence_is_left_out(built: Project) -> None:
    dot = built.entity_diagram("iom", depth=2).dot
    assert "oa:" not in dot and "rdf:Statement" not in dot and "mentions" not in dot
    assert "editorialNote" not in dot


def test_depth_reaches_further(built: Project) -> None:
    near = built.entity_diagram("iom", depth=1)
    far = built.entity_diagram("iom", depth=2)
    assert far.nodes > near.nodes and far.edges > near.edges


def test_entity_by_name_curie_or_iri_draws_the_same(built: Project) -> None:
    by_id = built.entity_diagram("iom").dot
    assert built.entity_diagram("МОМ").dot == by_id
    assert built.entity_diagram("id:iom").dot == by_id
    assert built.entity_diagram(built.prefixes()["id"] + "iom").dot == by_id


@pytest.mark.slow
def test_article_svg(built: Project, tmp_path: Path) -> None:
    drawn = built.article_diagram(ARTICLE, lang="ru")
    assert drawn.nodes > 50 and drawn.edges > 50
    texts = " ".join(svg_texts(drawn.write(tmp_path / "article.svg")))
    assert "В Бишкеке прошла конференция" in texts  # the article's headline as the title
    assert "организатор" in texts
    english = " ".join(svg_texts(built.article_diagram(ARTICLE).write(tmp_path / "en.svg")))
    assert "organizer" in english and "организатор" not in english


@pytest.mark.parametrize(
    ("lang", "name"),
    [("en", "conference dedicated to International Migrants Day"), ("ru", "Баткенская область")],
)
def test_article_nodes_are_named_in_the_language_and_notes_left_out(
    built: Project, lang: Language, name: str
) -> None:
    dot = built.article_diagram(ARTICLE, lang=lang).dot
    shown = {
        html.unescape(re.sub(r"<BR/>", " ", label)) for label in re.findall(r"<B>(.*?)</B>", dot)
    }
    assert name in shown
    # Only the entities without a name (a telebridge, a flash mob) are shown by their ids.
    named = {f"id:{entity}" for entity in _named_entities(built)}
    assert {label for label in shown if label.startswith("id:")}.isdisjoint(named)
    assert "See flash-mob-belovodskoye." not in dot and "introduces the flash mobs" not in dot


def _named_entities(built: Project) -> set[str]:
    store = ox.Store.read_only(str(built.store))
    rows = store.query("SELECT DISTINCT ?e { ?e <https://w3id.org/annograph/ontology#name> ?n }")
    assert isinstance(rows, ox.QuerySolutions)
    return {row["e"].value.rsplit("/", 1)[1] for row in rows}


@pytest.mark.slow
def test_article_png(built: Project, tmp_path: Path) -> None:
    output = built.article_diagram(ARTICLE).write(tmp_path / "article.png")
    width, height = png_size(output)
    assert width >= 1000 and height >= 1000
    assert output.stat().st_size > 100_000


@pytest.mark.slow
def test_dot_text_is_deterministic(built: Project) -> None:
    assert built.article_diagram(ARTICLE).dot == built.article_diagram(ARTICLE).dot


def test_labels_are_escaped(tmp_path: Path) -> None:
    tricky = 'МОМ & "IOM" <b>\\'
    label = f"<<B>{html_text(tricky)}</B>>"
    dot = "\n".join([*graph_header('"title" \\ «x»'), f"  a [label={label}];", "}"])
    render_dot(dot, tmp_path / "tricky.svg")
    assert tricky in svg_texts(tmp_path / "tricky.svg")


def test_unknown_entity(built: Project) -> None:
    with pytest.raises(EntityNotFound, match="no entity with the id, IRI or name 'zzqqxx'"):
        built.entity_diagram("zzqqxx")


def test_bad_suffix(built: Project, tmp_path: Path) -> None:
    with pytest.raises(DiagramError) as raised:
        built.entity_diagram("iom").write(tmp_path / "iom.gif")
    assert str(raised.value) == (
        f"{tmp_path / 'iom.gif'}: error: cannot draw a '.gif' file\n"
        "  hint: name the output file *.svg or *.png"
    )


def test_missing_graphviz(built: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(DiagramError, match="Graphviz's 'dot' program is not installed"):
        built.entity_diagram("iom").write(tmp_path / "iom.svg")
    assert not (tmp_path / "iom.svg").exists()


# -- the command ---------------------------------------------------------------------------


def run(runner: CliRunner, built: Project, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(
        cli, ["diagram", "--project", str(built.root), "--store", str(built.store), *args]
    )
    return result.exit_code, result.stdout, result.stderr


def test_cli_entity(runner: CliRunner, built: Project, tmp_path: Path) -> None:
    output = tmp_path / "iom.svg"
    code, out, _ = run(runner, built, "iom", "--lang", "ru", "-o", str(output))
    assert code == 0
    assert re.fullmatch(rf"wrote {re.escape(str(output))}: \d+ nodes, \d+ links\n", out)
    assert "Международная организация по миграции" in " ".join(svg_texts(output))


@pytest.mark.slow
def test_cli_article_png(runner: CliRunner, built: Project, tmp_path: Path) -> None:
    output = tmp_path / "article.png"
    code, out, _ = run(runner, built, "--article", ARTICLE, "-o", str(output))
    assert code == 0, out
    assert png_size(output)[0] >= 1000


def test_cli_unknown_entity(runner: CliRunner, built: Project, tmp_path: Path) -> None:
    code, _, err = run(runner, built, "zzqqxx", "-o", str(tmp_path / "x.svg"))
    assert code == 1
    assert err.splitlines()[0] == "error: no entity with the id, IRI or name 'zzqqxx'"


def test_cli_unknown_article(runner: CliRunner, built: Project, tmp_path: Path) -> None:
    code, _, err = run(
        runner, built, "--article", "bishkek-migrant-day", "-o", str(tmp_path / "x.svg")
    )
    assert code == 1
    assert err == (
        "error: no article 'bishkek-migrant-day' in the built store\n"
        "  hint: did you mean 'bishkek-migrants-day'?\n"
    )


def test_cli_bad_suffix(runner: CliRunner, built: Project, tmp_path: Path) -> None:
    output = tmp_path / "iom.jpg"
    code, _, err = run(runner, built, "iom", "-o", str(output))
    assert code == 1
    assert err == (
        f"{output}: error: cannot draw a '.jpg' file\n  hint: name the output file *.svg or *.png\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "Error: give an ENTITY to draw, or --article SLUG"),
        (("iom", "--article", ARTICLE), "Error: give ENTITY or --article SLUG, not both"),
    ],
)
def test_cli_entity_or_article(
    runner: CliRunner, built: Project, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    code, _, err = run(runner, built, *args, "-o", str(tmp_path / "x.svg"))
    assert code == 2
    assert err.splitlines()[-1] == message


def test_cli_output_is_required(runner: CliRunner, built: Project) -> None:
    code, _, err = run(runner, built, "iom")
    assert code == 2
    assert err.splitlines()[-1] == "Error: Missing option '-o' / '--output'."


def test_cli_missing_graphviz(
    runner: CliRunner, built: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    code, _, err = run(runner, built, "iom", "-o", str(tmp_path / "iom.png"))
    assert code == 1
    assert err.splitlines() == [
        "error: Graphviz's 'dot' program is not installed (needed to draw diagrams)",
        "  hint: install Graphviz: 'apt-get install graphviz' on Debian or Ubuntu, "
        "'brew install graphviz' on macOS (bash tests/setup.sh does it for the tests)",
    ]
