"""MkDocs hooks: tidy the command-line reference that mkdocs-click generates (docs/cli.md).

mkdocs-click writes each command's help as Markdown. Two things in annograph's help read badly
that way, and are fixed here rather than by writing the reference by hand:

- The indented lines of a help text (its examples, the list of ``serve``'s paths) would run
  together into one paragraph; they become code blocks, as ``--help`` shows them.
- A command registered under two names (``check`` is ``validate``) would be documented twice,
  under the same heading; it is documented once (its help says the other name).
"""

from __future__ import annotations

import re
from typing import Any

from markdown import Markdown
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor

BEGIN = "<!-- mkdocs-click output begins -->"
END = "<!-- mkdocs-click output ends -->"
BLOCK = re.compile(r"^::: mkdocs-click\s*$")
OPTION = re.compile(r"^\s+:[^:]+:")
HEADING = re.compile(r"^#{1,6} ")
SUBCOMMAND = re.compile(r"^- \*\[")
EXAMPLES = re.compile(r"^Examples?:\s*$")


class _Mark(Preprocessor):
    """Before mkdocs-click (priority 141): mark where its output will be."""

    def run(self, lines: list[str]) -> list[str]:
        marked: list[str] = []
        in_block = False
        for line in lines:
            if in_block and not OPTION.match(line):
                marked.append(END)
                in_block = False
            if BLOCK.match(line):
                marked.append(BEGIN)
                in_block = True
            marked.append(line)
        if in_block:
            marked.append(END)
        return marked


class _Tidy(Preprocessor):
    """After mkdocs-click: tidy what it wrote between the marks."""

    def run(self, lines: list[str]) -> list[str]:
        tidied: list[str] = []
        generated: list[str] | None = None
        for line in lines:
            if line == BEGIN:
                generated = []
            elif line == END and generated is not None:
                tidied.extend(tidy(generated))
                generated = None
            elif generated is not None:
                generated.append(line)
            else:
                tidied.append(line)
        return tidied


def tidy(lines: list[str]) -> list[str]:
    """One section per command, and its help's indented lines as code blocks."""
    return _fence_indented(_once_per_command(lines))


def _once_per_command(lines: list[str]) -> list[str]:
    kept: list[str] = []
    headings: set[str] = set()
    subcommands: set[str] = set()
    skipping_level = 0  # the level of the heading of a section left out, 0 when keeping
    for line in lines:
        if HEADING.match(line):
            level = len(line) - len(line.lstrip("#"))
            if skipping_level and level > skipping_level:
                continue  # a subcommand of a command left out
            skipping_level = level if line in headings else 0
            headings.add(line)
        if skipping_level:
            continue
        if SUBCOMMAND.match(line):
            if line in subcommands:
                continue
            subcommands.add(line)
        kept.append(line)
    return kept


def _fence_indented(lines: list[str]) -> list[str]:
    out: list[str] = []
    run: list[str] = []
    in_fence = False

    def flush() -> None:
        if not run:
            return
        previous = next((line for line in reversed(out) if line.strip()), "")
        language = "sh" if EXAMPLES.match(previous) else "text"
        indent = min(len(line) - len(line.lstrip(" ")) for line in run)
        if out and out[-1].strip():
            out.append("")
        out.extend([f"```{language}", *(line[indent:] for line in run), "```", ""])
        run.clear()

    for line in lines:
        if line.startswith("```"):
            in_fence = not in_fence
        elif not in_fence and line.startswith(" ") and line.strip():
            run.append(line)
            continue
        flush()
        out.append(line)
    flush()
    return out


class _CliReference(Extension):
    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Markdown's name)
        md.preprocessors.register(_Mark(md), "annograph_cli_mark", 142)
        md.preprocessors.register(_Tidy(md), "annograph_cli_tidy", 140)


def on_config(config: Any) -> Any:
    """Add the tidying around mkdocs-click's preprocessor (priority 141)."""
    config.markdown_extensions.append(_CliReference())
    return config
