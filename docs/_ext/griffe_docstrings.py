"""A Griffe extension: annograph's reStructuredText-flavoured docstrings as Markdown.

The docstrings are written for ``help()`` and doctest: ``:param:`` fields (parsed by the
sphinx docstring style), doctest examples after ``>>>``, ``::`` before a literal block and
roles such as ``:meth:`why```. Markdown would quote the examples (``>`` starts a quotation)
and print the roles as they are, so the examples become ``pycon`` code blocks and the roles
code, for the library API page (docs/api.md).
"""

from __future__ import annotations

import re
from typing import Any

from griffe import Extension, Module, Object

ROLE = re.compile(r":(?:mod|class|meth|func|attr|data|exc|obj):`~?([^`]+)`")
PROMPT = re.compile(r"^(\s*)>>> ")


def markdown(text: str) -> str:
    """Doctest examples fenced as ``pycon``, roles as code, ``::`` as ``:``."""
    out: list[str] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        prompt = PROMPT.match(line)
        if prompt and (not out or not out[-1].strip() or out[-1].startswith("```")):
            indent = prompt.group(1)
            example: list[str] = []
            while index < len(lines) and lines[index].strip():
                example.append(lines[index].removeprefix(indent))
                index += 1
            out.extend([f"{indent}```pycon", *(indent + row for row in example), f"{indent}```"])
            continue
        line = ROLE.sub(r"``\1``", line)
        if line.rstrip().endswith("::"):
            line = line.rstrip()[:-1]
            if not line.strip(" :"):
                line = ""
        out.append(line)
        index += 1
    return "\n".join(out)


class ReSTAsMarkdown(Extension):
    """Rewrite every docstring of the package once it is loaded."""

    def on_package(self, *, pkg: Module, **kwargs: Any) -> None:
        _rewrite(pkg)
        if pkg.exports is not None:
            for name, member in list(pkg.members.items()):
                if name not in pkg.exports and not member.is_alias and not member.is_module:
                    del pkg.members[name]


def _rewrite(obj: Object) -> None:
    if obj.docstring is not None:
        obj.docstring.value = markdown(obj.docstring.value)
    for member in obj.members.values():
        if not member.is_alias:
            _rewrite(member)  # type: ignore[arg-type]
