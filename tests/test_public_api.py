"""The public API: what ``annograph.__all__`` lists, and nothing else public by accident."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import types
import typing
from collections.abc import Iterator

import pytest

import annograph
from annograph import ExportFormat, Project

#: Changing this list changes what users may rely on: do it on purpose, with a CHANGELOG entry.
PUBLIC_API = [
    "AmbiguousName",
    "AnnographError",
    "AnnotationError",
    "AnnotationErrors",
    "AnnotationWarning",
    "Article",
    "ArticleNotFound",
    "BUILD_STEPS",
    "BoundQuery",
    "Build",
    "BuildKind",
    "Config",
    "ConfigError",
    "Corpus",
    "Diagram",
    "Docs",
    "Endpoint",
    "EndpointError",
    "EntityNotFound",
    "Explanation",
    "ExportFormat",
    "Index",
    "Language",
    "MappingRow",
    "MappingSet",
    "NewArticle",
    "Ontology",
    "OntologyError",
    "Parameter",
    "Progress",
    "Project",
    "ProjectError",
    "Pushed",
    "PushedGraph",
    "QueryError",
    "QueryResult",
    "ReasonerUnavailable",
    "ResultFormat",
    "Review",
    "Rows",
    "SavedQuery",
    "Shapes",
    "Source",
    "SourceLocation",
    "Stats",
    "Step",
    "StoreError",
    "StoreInfo",
    "Suggested",
    "Target",
    "Term",
    "UnknownEntity",
    "Validation",
    "Vocabulary",
    "__version__",
    "open_source",
]

#: Modules whose names have no private (``_``) part: the package, its error and vocabulary
#: modules, the command line's entry point, and the stage packages (which export nothing).
PUBLIC_MODULES = {
    "annograph",
    "annograph.errors",
    "annograph.vocab",
    "annograph.cli",
    *(
        f"annograph.{stage}"
        for stage in ("annotations linking build publish query reference project serve".split())
    ),
}


def test_the_public_api_is_pinned() -> None:
    assert sorted(annograph.__all__) == sorted(PUBLIC_API)
    assert len(set(annograph.__all__)) == len(annograph.__all__)
    for name in annograph.__all__:
        assert hasattr(annograph, name), name


def _modules() -> Iterator[str]:
    yield "annograph"
    for info in pkgutil.walk_packages(annograph.__path__, "annograph."):
        yield info.name


def test_every_other_module_is_private() -> None:
    public = {name for name in _modules() if not any(p.startswith("_") for p in name.split("."))}
    assert public == PUBLIC_MODULES


@pytest.mark.parametrize("name", sorted(PUBLIC_MODULES))
def test_a_public_module_lists_what_it_defines(name: str) -> None:
    module = importlib.import_module(name)
    exported = set(module.__all__)
    defined = {
        attribute
        for attribute, value in vars(module).items()
        if not attribute.startswith("_")
        and not isinstance(value, types.ModuleType)
        and getattr(value, "__module__", name) == name
        and attribute != "annotations"  # from __future__
    }
    assert defined <= exported, f"{name} defines {sorted(defined - exported)} outside __all__"
    assert all(hasattr(module, attribute) for attribute in exported)


def _annograph_types(hint: object) -> Iterator[type]:
    """The classes of annograph's own that a type hint mentions, however nested."""
    if isinstance(hint, list | tuple):
        for item in hint:
            yield from _annograph_types(item)
        return
    yield from _annograph_types(typing.get_args(hint))
    origin = typing.get_origin(hint)
    for candidate in (hint, origin):
        if isinstance(candidate, type) and candidate.__module__.startswith("annograph"):
            yield candidate


def _facade_methods() -> Iterator[tuple[str, object]]:
    for name, member in inspect.getmembers(Project):
        if name.startswith("_") and name != "__init__":
            continue
        function = member.fget if isinstance(member, property) else member
        if callable(function):
            yield name, function


def test_the_facade_takes_and_returns_only_exported_types() -> None:
    exported = {getattr(annograph, name) for name in annograph.__all__}
    namespace = vars(importlib.import_module("annograph.project._facade"))
    missing = set()
    for name, function in _facade_methods():
        for hint in typing.get_type_hints(function, namespace).values():
            missing |= {(name, t.__qualname__) for t in _annograph_types(hint) if t not in exported}
    assert not missing
    # The test sees the types it should: some of every kind.
    seen = {
        t
        for _, f in _facade_methods()
        for h in typing.get_type_hints(f, namespace).values()
        for t in _annograph_types(h)
    }
    assert {Project, ExportFormat, annograph.Rows, annograph.PushedGraph} <= seen


def test_the_facade_takes_strings_where_a_user_writes_them() -> None:
    with pytest.raises(TypeError, match="root must be a path or a string, not int"):
        Project(1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="nquads"):
        ExportFormat.of("n-quads-please")
    project = Project(".")
    with pytest.raises(TypeError, match="target must be a Target or a string, not int"):
        project.push(1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="source must be a Source or a string, not int"):
        project.suggest_links(1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="output must be a path or a string, not int"):
        project.write_docs(1)  # type: ignore[arg-type]


def test_a_new_article_takes_its_text_as_a_string(project_copy: Project) -> None:
    text = "Международная организация по миграции провела семинар.\n"
    made = project_copy.new_article("seminar", text, language="ru", title="Семинар")
    assert (made.directory / "article.md").read_text(encoding="utf-8") == text
