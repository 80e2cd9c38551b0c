"""The article pages of ``annograph serve`` (``/article/SLUG``), and the links to them from the
quotes of entity pages. The page itself is :mod:`annograph.reference._article_page`'s, the one
``annograph docs`` writes too; here it reads the served release and links entity pages."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

import pyoxigraph as ox

from annograph._languages import Language
from annograph.annotations._layout import ARTICLES
from annograph.annotations._ontology import short_iri
from annograph.project._facade import Project
from annograph.query._evidence import Quote
from annograph.reference._article import article_titles
from annograph.reference._article_page import render_article
from annograph.reference._marks import span_key
from annograph.serve._pages import page, url_component

#: The bar at the top of an article's page: the query page, and the list of articles.
LINKS = (("/", "query"), ("/article/", "all articles"))


def article_response(store: ox.Store, project: Project, slug: str, *, lang: Language) -> str:
    """The page of article ``slug``: the evidence of the served release ``store`` (what the
    SPARQL endpoint answers from), the text from the project's folder.

    :raises AnnographError: if the release has no such article, or its text is not there.
    """
    id_namespace = project.prefixes()["id"]

    def entity_link(entity: ox.NamedNode) -> str | None:
        if not entity.value.startswith(id_namespace):
            return None
        return f"/entity?id={url_component(entity.value)}&lang={lang}"

    return render_article(
        store,
        slug,
        articles=project.data / ARTICLES,
        prefixes=project.prefixes(),
        entity_link=entity_link,
        lang=lang,
        links=LINKS,
    ).html


def articles_index(store: ox.Store, project: Project, *, lang: Language) -> str:
    """The list of the served release's articles (``/article/``), by headline."""
    prefixes = project.prefixes()
    titles = article_titles(
        store,
        graph_namespace=prefixes["graph"],
        article_namespace=prefixes["article"],
        lang=lang,
    )
    items = "".join(
        f'<li><a href="/article/{escape(url_component(slug))}?lang={lang}">{escape(title)}</a> '
        f"<small>{escape(slug)}</small></li>"
        for slug, title in titles
    )
    body = (
        "<p>Each article with the words that support the graph's facts marked.</p>"
        f"<ul class='articles'>{items or '<li>The served release has no articles.</li>'}</ul>"
    )
    return page("Articles", body, lang=lang)


def quote_link(quote: Quote, prefixes: Mapping[str, str]) -> str:
    """A quote's place (``[12:40] article:slug``) as a link to its mark in the article's page."""
    source = escape(short_iri(ox.NamedNode(quote.source), prefixes))
    namespace = prefixes.get("article", "")
    if not namespace or not quote.source.startswith(namespace):
        return f"[{quote.start}:{quote.end}] {source}"
    slug = quote.source.removeprefix(namespace)
    href = f"/article/{url_component(slug)}#{span_key(quote.start, quote.end)}"
    return f'<a class="in-article" href="{escape(href)}">[{quote.start}:{quote.end}] {source}</a>'
