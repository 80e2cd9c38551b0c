"""An article's evidence read from the built store, and its page (served and static alike)."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pyoxigraph as ox
import pytest

from annograph import Project
from annograph.annotations._layout import ARTICLES
from annograph.annotations._reader import article_text
from annograph.reference._article import ArticleEvidence, Span, Statement, read_article
from annograph.reference._article_page import article_page, spans_marked
from annograph.reference._diagram import ArticleNotFound

SLUG = "bishkek-migrants-day"
EVIDENCE = """
PREFIX oa: <http://www.w3.org/ns/oa#>
SELECT DISTINCT ?start ?end WHERE { GRAPH ?g {
  ?t oa:hasSelector ?p . ?p oa:start ?start ; oa:end ?end } }"""


def _read(project: Project, store: ox.Store, slug: str = SLUG) -> ArticleEvidence:
    prefixes = project.prefixes()
    return read_article(
        store, slug, graph_namespace=prefixes["graph"], article_namespace=prefixes["article"]
    )


def _spans_in_store(project: Project, store: ox.Store, slug: str) -> set[tuple[int, int]]:
    graph = ox.NamedNode(project.article_graph(slug))
    rows = store.query(EVIDENCE.replace("?g", f"<{graph.value}>"))
    assert isinstance(rows, ox.QuerySolutions)
    return {(int(r["start"].value), int(r["end"].value)) for r in rows}


def test_every_span_of_the_store_is_read_and_is_the_text_at_its_place(
    built: Project, store: ox.Store
) -> None:
    for slug in built.article_slugs():
        evidence = _read(built, store, slug)
        text = article_text(built.data / ARTICLES / slug)
        assert {(s.start, s.end) for s in evidence.spans} == _spans_in_store(built, store, slug)
        check = evidence.check(text)
        assert check.stale == () and len(check.matching) == len(evidence.spans)
        assert all(text[s.start : s.end] == s.exact for s in evidence.spans)


def test_the_real_article_in_cyrillic(built: Project, store: ox.Store) -> None:
    evidence = _read(built, store)
    assert evidence.language == "ru"
    assert evidence.headline("en") == (
        "A conference dedicated to International Migrants Day was held in Bishkek"
    )
    bishkek = ox.NamedNode(built.entity_iri("bishkek"))
    assert evidence.name_of(bishkek, "ru") == "Бишкек"
    mentions = evidence.mentions(bishkek)
    assert mentions and all("Бишкек" in span.exact for span in mentions)
    cities = [
        e for e, classes in evidence.classes.items() if any("City" in c.value for c in classes)
    ]
    assert bishkek in cities


def test_the_page_marks_every_span_once_and_links_entities(built: Project, store: ox.Store) -> None:
    evidence = _read(built, store)
    text = article_text(built.data / ARTICLES / SLUG)
    page = article_page(
        evidence,
        text,
        lang="ru",
        prefixes=built.prefixes(),
        entity_link=lambda e: "/entity?id=" + e.value,
    )
    assert sorted(spans_marked(page.html)) == sorted(s.key for s in evidence.spans)
    # Each span's facts are in the page, named by the mark's aria-describedby.
    for span in evidence.spans:
        assert f'aria-describedby="f-{span.key}"' in page.html
        assert f'<div class="facts" id="f-{span.key}"' in page.html
    assert '<a class="entity" href="/entity?id=https://w3id.org/annograph/data/id/bishkek"' in (
        page.html
    )
    assert ">Бишкек</a>" in page.html  # names, not ids, in the page's language
    assert '<h1 lang="ru">В Бишкеке прошла конференция' in page.html
    # The text, marks removed and entities unescaped, is the article's.
    inside = re.search(r'<div class="text" id="text" lang="ru">(.*?)</div>', page.html, re.S)
    assert inside is not None
    assert unescape(re.sub(r"</?mark[^>]*>", "", inside.group(1))) == text


def test_a_changed_text_is_reported_not_marked(built: Project, store: ox.Store) -> None:
    evidence = _read(built, store)
    text = article_text(built.data / ARTICLES / SLUG)
    page = article_page(evidence, "Вставка. " + text, prefixes=built.prefixes())
    assert page.check.matching == () or len(page.check.stale) > 100
    assert 'class="stale" role="alert"' in page.html and "annograph build" in page.html


def test_an_unknown_slug_names_the_articles(built: Project, store: ox.Store) -> None:
    with pytest.raises(ArticleNotFound, match="no article 'bishkek' in the built store") as error:
        _read(built, store, "bishkek")
    assert error.value.hint == (
        "articles: bishkek-migrants-day, cholpon-ata-round-table, remittances-report-launch"
    )
    with pytest.raises(ArticleNotFound) as error:
        _read(built, store, "bishkek-migrant-day")
    assert error.value.hint == "did you mean 'bishkek-migrants-day'?"


def _hostile_evidence() -> ArticleEvidence:
    base = "https://example.org/"
    article = ox.NamedNode(base + "article/x")
    villain = ox.NamedNode(base + "id/villain")
    mention = Statement(
        article, ox.NamedNode("https://w3id.org/annograph/ontology#mentions"), villain
    )
    name = Statement(
        villain,
        ox.NamedNode("https://w3id.org/annograph/ontology#name"),
        ox.Literal('<img src=x onerror="alert(1)">', language="en"),
    )
    return ArticleEvidence(
        slug="x",
        iri=article,
        graph=ox.NamedNode(base + "graph/x"),
        language="en",
        url="javascript:alert(1)",
        published=None,
        headlines=(ox.Literal("</title><script>alert(2)</script>", language="en"),),
        spans=(Span(0, 8, "<script>", (mention, name), mention=False, notes=("<b>n</b>",)),),
        classes={villain: ()},
        names={villain: (ox.Literal('"><script>alert(3)</script>', language="en"),)},
    )


def test_everything_from_data_is_escaped() -> None:
    text = "<script>alert(4)</script> said the villain."
    page = article_page(_hostile_evidence(), text, prefixes={}).html
    body = page.split("<body", 1)[1]
    # The only script element is the page's own, at the end.
    assert body.count("<script>") == 1 and "alert(" not in body.rsplit("<script>", 1)[1]
    assert "<img" not in page and "<b>" not in page
    assert 'href="javascript:' not in page
    assert "&lt;script&gt;</mark>alert(4)&lt;/script&gt;" in page
    assert "&quot;&gt;&lt;script&gt;alert(3)" in page
    assert 'href="#e-villain"' in page  # a static page links the entity's entry in its panel


def test_the_text_file_named_by_the_annotations_is_read(tmp_path: Path) -> None:
    (tmp_path / "annotations.yaml").write_text(
        "format: annograph/1\narticle:\n  text: story.txt\n  language: en\n", encoding="utf-8"
    )
    (tmp_path / "story.txt").write_bytes("line one\r\nline two ж\n".encode())
    assert article_text(tmp_path) == "line one\r\nline two ж\n"  # CRLF kept: offsets count it
