"""``/article/SLUG`` of ``annograph serve``, and the links to it from entity pages."""

from __future__ import annotations

import re
from html import unescape

import httpx
import pyoxigraph as ox
import pytest

from annograph import Project
from tests.conftest import Server

pytestmark = pytest.mark.slow


def test_an_article_page_marks_the_served_evidence(
    served: Server, built: Project, store: ox.Store
) -> None:
    answer = httpx.get(served.url + "/article/bishkek-migrants-day", params={"lang": "ru"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    page = answer.text
    graph = built.article_graph("bishkek-migrants-day")
    quotes = store.query(
        "SELECT (COUNT(DISTINCT ?position) AS ?n) WHERE { GRAPH <" + graph + "> { "
        "?position a <http://www.w3.org/ns/oa#TextPositionSelector> } }"
    )
    assert isinstance(quotes, ox.QuerySolutions)
    positions = int(next(iter(quotes))["n"].value)
    marked = set(re.findall(r'<mark class="[^"]*" id="(q\d+-\d+)"', page))
    assert 100 < len(marked) <= positions  # one mark per place; two quotes may share a place
    assert '<h1 lang="ru">В Бишкеке прошла конференция' in page
    entity = "/entity?id=https%3A%2F%2Fw3id.org%2Fannograph%2Fdata%2Fid%2Fbishkek&amp;lang=ru"
    assert f'<a class="entity" href="{entity}" title="id:bishkek">Бишкек</a>' in page
    assert httpx.get(served.url + unescape(entity)).status_code == 200


def test_an_unknown_article_is_a_404_page_that_escapes_the_slug(served: Server) -> None:
    answer = httpx.get(served.url + "/article/%3Cscript%3Ex")
    assert answer.status_code == 404
    assert (
        "<script>x" not in answer.text and "no article &#x27;&lt;script&gt;x&#x27;" in answer.text
    )
    assert "articles: bishkek-migrants-day" in answer.text


def test_entity_pages_link_each_quote_to_its_mark(served: Server) -> None:
    page = httpx.get(served.url + "/entity", params={"id": "bishkek"}).text
    links = re.findall(r'<a class="in-article" href="(/article/[^"#]+)#(q\d+-\d+)">', page)
    assert links
    for path, key in links[:3]:
        article = httpx.get(served.url + path).text
        assert f'id="{key}"' in article


def test_the_list_of_articles_links_every_article_by_its_headline(
    served: Server, built: Project
) -> None:
    answer = httpx.get(served.url + "/article/", params={"lang": "en"})
    assert answer.status_code == 200
    links = re.findall(r'<a href="/article/([^"?]+)\?lang=en">([^<]+)</a>', answer.text)
    assert [slug for slug, _ in links] == built.article_slugs()
    titles = dict(links)
    assert titles["cholpon-ata-round-table"].startswith("Central Asian states agree")
    for slug, _ in links:
        assert httpx.get(f"{served.url}/article/{slug}").status_code == 200
    # The query page and every article page lead to it.
    assert 'href="/article/"' in httpx.get(served.url + "/").text
    article = httpx.get(served.url + "/article/cholpon-ata-round-table").text
    assert '<a href="/article/">all articles</a>' in article
