"""The README's promises: two Quick start commands, the second is what CI runs."""

from __future__ import annotations

import re

from tests.conftest import ROOT

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


def test_the_readme_links_to_files_that_exist() -> None:
    # The README is short: the documentation is in docs/, which it links to page by page.
    targets = re.findall(r"\]\((?!https?://)([^)#]+)(?:#[^)]*)?\)", README)
    assert "docs/tutorial.md" in targets and "CHANGELOG.md" in targets
    assert [target for target in targets if not (ROOT / target).exists()] == []


def test_the_readme_links_to_every_page_of_the_site() -> None:
    linked = set(re.findall(r"\]\((docs/[^)#]+\.md)\)", README))
    assert linked == {f"docs/{path.name}" for path in (ROOT / "docs").glob("*.md")} - {
        "docs/changelog.md"  # the site's copy of CHANGELOG.md, which the README links to itself
    }
