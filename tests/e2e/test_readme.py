"""The README's promises: two Quick start commands, the second is what CI runs."""

from __future__ import annotations

import re

import pyoxigraph as ox

from annograph.query._saved import parse_query
from tests.conftest import ROOT, select

README = (ROOT / "README.md").read_text(encoding="utf-8")


def quick_start_commands() -> list[str]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def test_quick_start_is_two_commands() -> None:
    commands = quick_start_commands()
    assert len(commands) == 2
    install_and_run, install_and_test = commands
    assert "annograph build" in install_and_run and "annograph query" in install_and_run
    assert install_and_test.endswith("pytest")


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert quick_start_commands()[1] in ci.splitlines()


def test_the_readme_lists_exactly_the_saved_queries() -> None:
    named = set(re.findall(r"^\| `([a-z-]+)` \|", README, flags=re.MULTILINE))
    saved = {path.stem for path in (ROOT / "queries").glob("*.rq")}
    assert named == saved


def test_the_readme_query_example_parses() -> None:
    blocks = re.findall(r"```sparql\n(.+?)\n```", README, flags=re.DOTALL)
    (example,) = [block for block in blocks if block.startswith("#+")]
    query = parse_query(example, path=ROOT / "README.md")
    assert [p.name for p in query.parameters] == ["class"]
    assert query.parameters[0].kind == "iri" and query.parameters[0].default
    ox.Store().query(example, substitutions={ox.Variable("_class_iri"): ox.NamedNode("urn:x")})


def test_the_evidence_query_in_the_readme_answers(store: ox.Store) -> None:
    blocks = re.findall(r"```sparql\n(.+?)\n```", README, flags=re.DOTALL)
    (query,) = [block for block in blocks if "oa:hasBody" in block and "ag:Conference" in block]
    rows = select(store, query)
    organizers = {row["organizer"].rsplit("/", 1)[1] for row in rows}
    assert organizers == {"tian-shan-analytical-centre", "centre-for-public-technologies"}
    assert all(row["quote"] and int(row["start"]) >= 0 for row in rows)


def test_the_layout_example_in_the_readme_finds_the_facts_and_their_articles(
    store: ox.Store,
) -> None:
    blocks = re.findall(r"```sparql\n(.+?)\n```", README, flags=re.DOTALL)
    (query,) = [block for block in blocks if "Who organized what" in block]
    rows = select(store, query)
    article = "https://w3id.org/annograph/data/article/"
    assert {(row["organizer"].rsplit("/", 1)[1], row["article"]) for row in rows} == {
        ("tian-shan-analytical-centre", article + "bishkek-migrants-day"),
        ("centre-for-public-technologies", article + "bishkek-migrants-day"),
        ("migration-policy-network", article + "cholpon-ata-round-table"),
        ("kyrgyz-labour-ministry", article + "cholpon-ata-round-table"),
    }
    assert all(row["quote"] for row in rows)
