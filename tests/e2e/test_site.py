"""The documentation site (mkdocs.yml, docs/): its pages, and the examples they show.

The fast tests read the Markdown pages; a slow one builds the site as CI does, with
'mkdocs build --strict', and checks the pages generated from the code.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pyoxigraph as ox
import pytest
import yaml

import annograph
from annograph.cli import cli
from annograph.query._saved import parse_query
from tests.conftest import ROOT, select

DOCS = ROOT / "docs"


class _ConfigLoader(yaml.SafeLoader):
    """mkdocs.yml as data: MkDocs' own tags (!relative, !ENV) read as None."""


_ConfigLoader.add_multi_constructor("!", lambda loader, suffix, node: None)
CONFIG = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_ConfigLoader)


def page(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def sparql_blocks(name: str) -> list[str]:
    return re.findall(r"```sparql\n(.+?)\n```", page(name), flags=re.DOTALL)


def nav_pages(nav: Any) -> Iterator[str]:
    if isinstance(nav, str):
        yield nav
    elif isinstance(nav, list):
        for item in nav:
            yield from nav_pages(item)
    elif isinstance(nav, dict):
        for value in nav.values():
            yield from nav_pages(value)


def command_paths(group: click.Group, prefix: str = "annograph") -> Iterator[str]:
    """'annograph build', 'annograph link review', ...: every command, under every name."""
    for name, command in group.commands.items():
        yield f"{prefix} {name}"
        if isinstance(command, click.Group):
            yield from command_paths(command, f"{prefix} {name}")


# -- the site's pages ------------------------------------------------------------------------


def test_every_page_in_the_navigation_exists() -> None:
    pages = list(nav_pages(CONFIG["nav"]))
    assert "index.md" in pages and "cli.md" in pages and "api.md" in pages
    assert [name for name in pages if not (DOCS / name).is_file()] == []
    assert len(pages) == len(set(pages))


def test_every_page_is_in_the_navigation() -> None:
    assert {path.name for path in DOCS.glob("*.md")} == set(nav_pages(CONFIG["nav"]))


def test_the_changelog_page_includes_the_changelog() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert changelog.startswith("# Changelog\n") and "\n## [Unreleased]\n" in changelog
    assert '--8<-- "CHANGELOG.md"' in page("changelog.md").splitlines()


def test_the_cli_reference_is_generated_from_the_click_group() -> None:
    # Nothing written twice: the page is mkdocs-click's directive, the help is in the code.
    directive = page("cli.md").split("::: mkdocs-click\n", 1)[1]
    assert ":module: annograph.cli" in directive and ":command: cli" in directive
    assert ":list_subcommands: true" in directive


def test_the_api_reference_renders_the_package() -> None:
    assert "::: annograph" in page("api.md").splitlines()


# -- what the pages show ---------------------------------------------------------------------


def test_the_saved_queries_page_lists_exactly_the_saved_queries() -> None:
    named = set(re.findall(r"^\| `([a-z-]+)` \|", page("queries.md"), flags=re.MULTILINE))
    saved = {path.stem for path in (ROOT / "queries").glob("*.rq")}
    assert named == saved


def test_the_saved_query_example_parses() -> None:
    (example,) = [block for block in sparql_blocks("queries.md") if block.startswith("#+")]
    query = parse_query(example, path=DOCS / "queries.md")
    assert [p.name for p in query.parameters] == ["class"]
    assert query.parameters[0].kind == "iri" and query.parameters[0].default
    ox.Store().query(example, substitutions={ox.Variable("_class_iri"): ox.NamedNode("urn:x")})


def test_the_evidence_query_answers(store: ox.Store) -> None:
    blocks = sparql_blocks("data-model.md")
    (query,) = [block for block in blocks if "oa:hasBody" in block and "ag:Conference" in block]
    rows = select(store, query)
    organizers = {row["organizer"].rsplit("/", 1)[1] for row in rows}
    assert organizers == {"tian-shan-analytical-centre", "centre-for-public-technologies"}
    assert all(row["quote"] and int(row["start"]) >= 0 for row in rows)


def test_the_layout_example_finds_the_facts_and_their_articles(store: ox.Store) -> None:
    (query,) = [block for block in sparql_blocks("data-model.md") if "Who organized what" in block]
    rows = select(store, query)
    article = "https://w3id.org/annograph/data/article/"
    assert {(row["organizer"].rsplit("/", 1)[1], row["article"]) for row in rows} == {
        ("tian-shan-analytical-centre", article + "bishkek-migrants-day"),
        ("centre-for-public-technologies", article + "bishkek-migrants-day"),
        ("migration-policy-network", article + "cholpon-ata-round-table"),
        ("kyrgyz-labour-ministry", article + "cholpon-ata-round-table"),
    }
    assert all(row["quote"] for row in rows)


# -- the site, built -------------------------------------------------------------------------


def _text(path: Path) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8")))


@pytest.mark.slow
def test_the_site_builds_strictly_with_every_command_and_export(tmp_path: Path) -> None:
    site = tmp_path / "site"
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    built = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q"]
        + ["--config-file", str(ROOT / "mkdocs.yml"), "--site-dir", str(site)],
        cwd=tmp_path,  # the configuration's paths are relative to it, not to the directory
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    assert not (ROOT / "site").exists()

    # Every command, however deep, under every name it has: a new one appears without edits.
    reference = _text(site / "cli" / "index.html")
    paths = list(command_paths(cli))
    assert "annograph link review" in paths and "annograph queries show" in paths
    assert [path for path in paths if path not in reference] == []

    # The library API page documents exactly what the package exports.
    api = (site / "api" / "index.html").read_text(encoding="utf-8")
    documented = set(re.findall(r'<h[1-6][^>]* id="annograph\.([A-Za-z_]+)"', api))
    assert documented == set(annograph.__all__)
    # The docstrings' doctests are code blocks, not quotations ('>' starts one in Markdown).
    assert ">>> project = Project.init(" in _text(site / "api" / "index.html")
    assert "<blockquote" not in api

    # The changelog page is CHANGELOG.md.
    assert "Unreleased" in _text(site / "changelog" / "index.html")
