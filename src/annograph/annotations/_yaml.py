"""YAML text to a node tree with line and column marks, fast when it can be.

Annotation files are read as node trees (not as Python values) so that every error can point
at a line and column. ruamel.yaml is the reference reader, but it is pure Python: at a thousand
files it was about 60% of a build. libyaml (PyYAML's C parser) composes the same trees some
25 times faster, so it goes first, and ruamel reads a file whenever the two could disagree:

- libyaml refuses the file, or warns: ruamel then reads it and reports the error, so the
  error texts users see are ruamel's whatever the path;
- the text holds a character that YAML 1.1 (libyaml) takes for a line break and YAML 1.2
  (ruamel) does not (NEL, LINE SEPARATOR, PARAGRAPH SEPARATOR), a tab (where the parsers
  disagree most), a byte-order mark past the start, a ``%`` directive line, a tag (``!``
  where a tag can start) or a ``#`` straight after a ``|`` or ``>`` (annotations need neither);
- an empty value that is not quoted (``key:`` with nothing after it): the two put its mark at
  different places, and such a value is usually a mistake that an error will point at;
- libyaml is missing (PyYAML built without it).

The tree libyaml composes is turned into ruamel's node classes, so the reader has one kind of
node to walk. Tests compose every YAML file of the project, and generated ones, both ways and
compare the trees.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from functools import cache

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.tag import Tag
from ruamel.yaml.tokens import ScalarToken

#: What YAML 1.1 reads as a line break and 1.2 as text; and directives, where the versions differ.
_UNSURE = re.compile(r"[\t\x85\u2028\u2029]|^%|(?:^|[\s\[{,])!|[|>][-+0-9]*#", re.MULTILINE)
_LIBYAML: type[yaml.CSafeLoader] | None = getattr(yaml, "CSafeLoader", None)


def compose(source: str) -> Node | None:
    """The node tree of one YAML document (``None`` for an empty one).

    :raises ruamel.yaml.error.YAMLError: if the text is not YAML (always ruamel's error).
    :raises RecursionError: if it nests too deeply for ruamel.
    """
    composed = _compose_with_libyaml(source)
    if composed is not None:
        return composed[0]
    return compose_with_ruamel(source)


def compose_with_ruamel(source: str) -> Node | None:
    """The reference reader: ruamel.yaml's pure-Python YAML 1.2 composer."""
    node: Node | None = YAML(typ="safe", pure=True).compose(source)
    return node


def _compose_with_libyaml(source: str) -> tuple[Node | None] | None:
    """``(tree,)`` from libyaml, or ``None`` when ruamel must read the text instead."""
    if _LIBYAML is None or _UNSURE.search(source) or "\ufeff" in source[1:]:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            tree = yaml.compose(source, Loader=_LIBYAML)
        return (None if tree is None else _as_ruamel(tree, {}),)
    except (yaml.YAMLError, Warning, RecursionError, _Unsure):
        return None


class _Unsure(Exception):
    """libyaml's tree might differ from ruamel's here: let ruamel read the text."""


def _as_ruamel(node: yaml.Node, seen: dict[int, Node]) -> Node:
    """The same tree in ruamel's classes; an alias stays one shared node, as ruamel makes it."""
    converted = seen.get(id(node))
    if converted is not None:
        return converted
    start, end = node.start_mark, node.end_mark
    tag = _tag(node.tag)
    result: Node
    if isinstance(node, yaml.ScalarNode):
        if node.value == "" and node.style not in ('"', "'"):
            raise _Unsure
        result = ScalarNode(tag, node.value, start, end, style=node.style)
    elif isinstance(node, yaml.SequenceNode):
        result = SequenceNode(tag, [], start, end, flow_style=node.flow_style)
        seen[id(node)] = result
        result.value.extend(_as_ruamel(item, seen) for item in node.value)
    elif isinstance(node, yaml.MappingNode):
        result = MappingNode(tag, [], start, end, flow_style=node.flow_style)
        seen[id(node)] = result
        result.value.extend(
            (_as_ruamel(key, seen), _as_ruamel(value, seen)) for key, value in node.value
        )
    else:  # pragma: no cover - a composer makes no other nodes
        raise TypeError(f"not a YAML node: {node!r}")
    seen[id(node)] = result
    return result


@cache
def _tag(name: str) -> Tag:
    """ruamel's tag object for a tag name, made once (ruamel nodes would make one per node)."""
    return Tag(suffix=name)


def quoted_spans(source: str) -> Iterator[tuple[int, int]]:
    """(start, end) character offsets of each quoted scalar, up to where the text stops being YAML.

    Only scanned, not parsed, so it reads past a parser's error: for telling what a quote that
    runs on swallowed.
    """
    tokens = YAML(typ="safe", pure=True).scan(source)
    try:
        for token in tokens:
            if isinstance(token, ScalarToken) and token.style in ('"', "'"):
                yield token.start_mark.index, token.end_mark.index
    except YAMLError:
        return
