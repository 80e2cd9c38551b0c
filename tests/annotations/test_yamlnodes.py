"""libyaml's node trees are ruamel's, or ruamel reads the text (annograph.annotations._yaml)."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from annograph.annotations._yaml import _compose_with_libyaml, compose, compose_with_ruamel
from tests.helpers.corpus import generate

ROOT = Path(__file__).resolve().parents[2]

Shape = tuple[object, ...] | None


def shape(node: Node | None, path: tuple[int, ...] = ()) -> Shape:
    """What the reader sees of a tree: kinds, values and every node's line and column."""
    if node is None:
        return None
    if id(node) in path:  # an alias of an enclosing node
        return ("cycle",)
    path = (*path, id(node))
    mark = (node.start_mark.line, node.start_mark.column)
    if isinstance(node, ScalarNode):
        return ("value", node.value, mark)
    if isinstance(node, SequenceNode):
        return ("list", mark, tuple(shape(item, path) for item in node.value))
    assert isinstance(node, MappingNode)
    pairs = tuple((shape(key, path), shape(value, path)) for key, value in node.value)
    return ("mapping", mark, pairs)


def project_yaml_files() -> list[Path]:
    # The tests' annotations (tests/fixtures/) and mistakes (tests/data/); queries/ has none.
    folders = [ROOT / "tests", ROOT / "queries"]
    return sorted(p for folder in folders for p in folder.rglob("*.yaml"))


@pytest.mark.slow
def test_the_project_yaml_files_take_the_fast_path_with_the_same_trees(tmp_path: Path) -> None:
    generate(40, tmp_path / "corpus", seed=3)
    files = [*project_yaml_files(), *sorted((tmp_path / "corpus").rglob("*.yaml"))]
    assert len(files) > 60
    for path in files:
        source = path.read_text(encoding="utf-8")
        fast = _compose_with_libyaml(source)
        try:
            reference = shape(compose_with_ruamel(source))
        except YAMLError:
            assert fast is None, f"{path}: libyaml read what ruamel refuses"
            continue
        assert fast is not None, f"{path}: an ordinary annotation file should not need ruamel"
        assert shape(fast[0]) == reference, path


# Pieces of YAML syntax, Cyrillic text and the characters where YAML 1.1 and 1.2 differ.
PIECES = st.sampled_from(
    [
        *("a", "b: ", "- ", "\n", "  ", "\t", ":", "'", '"', "[", "]", "{", "}", ",", "#"),
        *(" #", "&x ", "*x", "!!str ", "!", "? ", "|", ">", "|-", ">+", "\\", "é", "Бишкек"),
        *("---", "...", "1", "\r", "\ufeff", "\x85", "\u2028", "%YAML 1.2\n", "~", "null"),
        *("\\x41", "\\N", "\\/", "\\u0041", "@", "`", "-", "- a: b\n  c: d\n", "k: [x, y]\n"),
    ]
)


@pytest.mark.slow
@settings(max_examples=3000, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(PIECES, max_size=20).map("".join))
def test_the_fast_path_gives_ruamels_tree_or_steps_aside(source: str) -> None:
    fast = _compose_with_libyaml(source)
    if fast is None:
        return
    try:
        reference = compose_with_ruamel(source)
    except YAMLError as error:
        pytest.fail(f"libyaml read {source!r}, which ruamel refuses: {error}")
    assert shape(fast[0]) == shape(reference)


@pytest.mark.slow
@pytest.mark.parametrize(
    "source",
    [
        "a: [b, c\nd: e\n",  # an unclosed bracket
        "a: b\n  c: d\n",  # bad indentation
        "a: &x 1\nb: &x 2\n",  # an anchor defined twice: ruamel only warns
        "a:\tb\n",  # a tab
        "a: b\u2028c\n",  # a line break to YAML 1.1 only
        "[" * 2000,  # deeper than libyaml nests
    ],
)
def test_what_the_fast_path_cannot_settle_is_ruamels(source: str) -> None:
    assert _compose_with_libyaml(source) is None
    assert outcome(compose, source) == outcome(compose_with_ruamel, source)


def outcome(reader: Callable[[str], Node | None], source: str) -> object:
    """The tree, or the error, and the warnings a reader gives for ``source``."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result: object = shape(reader(source))
        except (YAMLError, RecursionError) as error:
            result = (type(error), str(error))
    return result, [str(warning.message) for warning in caught]
