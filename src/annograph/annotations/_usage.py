"""Where the project's annotations use a term: the example ``annograph vocab TERM`` shows.

The files are read as YAML node trees, without validation (an example is worth showing from a
file that has an error elsewhere), and only those whose text contains the term's name are
parsed at all, so looking one term up stays fast however many articles there are.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator, Sequence
from pathlib import Path

from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from annograph.annotations._reader import ARTICLE_KEYS, ENTITY_KEYS
from annograph.annotations._terms import Example, Term
from annograph.annotations._yaml import compose
from annograph.errors import SourceLocation

#: An example longer than this many lines is cut (a fact with many references, say).
MAX_LINES = 6


def first_use(term: Term, files: Sequence[Path], *, root: Path | None = None) -> Example | None:
    """The first use of ``term`` in ``files``, in their order, as a few lines of YAML.

    A class's use is an entity's ``type:`` (shown with the entity's id), a property's is a fact
    (its key and value), a concept's is a fact whose ``ref:`` names it. None if none uses it.

    :param root: paths are given relative to it where they are inside it.
    """
    needle = f"ag:{term.name}" if term.kind == "concept" else term.name
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if needle not in text:
            continue
        try:
            tree = compose(text)
        except (YAMLError, RecursionError):
            continue
        for line, first, last in _uses(tree, term):
            shown = _relative(path, root)
            return Example(_snippet(text, first, last), SourceLocation(shown, line + 1))
    return None


def _relative(path: Path, root: Path | None) -> Path:
    if root is not None and path.is_relative_to(root):
        return path.relative_to(root)
    return path


def _uses(tree: Node | None, term: Term) -> Iterator[tuple[int, int, int]]:
    """(line of the use, first and last line of its snippet), 0-based, in the file's order."""
    if not isinstance(tree, MappingNode):
        return
    for key, value in tree.value:
        if key.value == "article" and isinstance(value, MappingNode):
            facts = [(k, v) for k, v in value.value if k.value not in ARTICLE_KEYS]
            yield from _fact_uses(facts, term)
        elif key.value == "entities" and isinstance(value, MappingNode):
            for entity_key, body in value.value:
                if isinstance(body, MappingNode):
                    yield from _entity_uses(entity_key, body, term)


def _entity_uses(entity_key: Node, body: MappingNode, term: Term) -> Iterator[tuple[int, int, int]]:
    for key, value in body.value:
        if key.value == "type" and term.kind == "class":
            for item in _scalars(value):
                if item.value == term.name:
                    yield item.start_mark.line, entity_key.start_mark.line, _last_line(value)
    yield from _fact_uses([(k, v) for k, v in body.value if k.value not in ENTITY_KEYS], term)


def _fact_uses(facts: list[tuple[Node, Node]], term: Term) -> Iterator[tuple[int, int, int]]:
    for key, value in facts:
        first, last = key.start_mark.line, _last_line(value)
        if term.kind == "property" and key.value == term.name:
            yield first, first, last
        if term.kind == "concept":
            for ref in _refs(value):
                if ref.value == f"ag:{term.name}":
                    yield ref.start_mark.line, first, last


def _scalars(node: Node) -> Iterator[ScalarNode]:
    if isinstance(node, ScalarNode):
        yield node
    elif isinstance(node, SequenceNode):
        yield from (item for item in node.value if isinstance(item, ScalarNode))


def _refs(node: Node) -> Iterator[ScalarNode]:
    """The ``ref:`` values of a fact or a list of facts."""
    facts = node.value if isinstance(node, SequenceNode) else [node]
    for fact in facts:
        if isinstance(fact, MappingNode):
            for key, value in fact.value:
                if key.value == "ref":
                    yield from _scalars(value)


def _last_line(node: Node) -> int:
    """The last line (0-based) a node's text is on.

    A block collection ends where the next key begins, so the end of its last scalar is used;
    a mark at a line's first column belongs to the line before.
    """
    if isinstance(node, MappingNode | SequenceNode) and not node.flow_style and node.value:
        last = node.value[-1]
        return _last_line(last[1] if isinstance(last, tuple) else last)
    line, column = int(node.end_mark.line), int(node.end_mark.column)
    return line if column > 0 else line - 1


def _snippet(text: str, first: int, last: int) -> str:
    lines = text.splitlines()[first : last + 1]
    while lines and not lines[-1].strip():
        lines.pop()
    snippet = textwrap.dedent("\n".join(lines[:MAX_LINES]))
    return snippet + "\n…" if len(lines) > MAX_LINES else snippet
