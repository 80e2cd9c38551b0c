"""One error type that knows where the problem is, so the CLI can show it as one line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "AnnographError",
    "AnnotationError",
    "AnnotationErrors",
    "AnnotationWarning",
    "OntologyError",
    "ProjectError",
    "QueryError",
    "SourceLocation",
    "StoreError",
    "UnknownEntity",
]


@dataclass(frozen=True, slots=True)
class SourceLocation:
    """A place in a file: 1-based line and column, as editors and compilers count."""

    path: Path
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        parts = [str(self.path)]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)


class AnnographError(Exception):
    """Something the user can fix: bad input, a missing file, a store in use.

    ``str(error)`` is the compiler-style line ``path:line:column: error: message`` followed,
    when there is one, by an indented hint.
    """

    exit_code = 1
    #: "error", or "warning" for a problem that is reported but does not stop a build.
    severity = "error"

    def __init__(
        self, message: str, *, location: SourceLocation | None = None, hint: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.location = location
        self.hint = hint

    def __reduce__(self) -> tuple[Any, ...]:
        # Errors cross process boundaries (articles are read in parallel) with their place.
        return (_rebuilt, (type(self), self.message, self.location, self.hint))

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        head = f"{where}{self.severity}: {self.message}"
        return f"{head}\n  hint: {self.hint}" if self.hint else head


def _rebuilt(
    kind: type[AnnographError],
    message: str,
    location: SourceLocation | None,
    hint: str | None,
) -> AnnographError:
    """An error as it was pickled, whatever its class's own constructor takes."""
    error = kind.__new__(kind)
    AnnographError.__init__(error, message, location=location, hint=hint)
    return error


class AnnotationError(AnnographError):
    """An annotation file is malformed or says something the ontology does not allow."""


class AnnotationWarning(AnnotationError):
    """Something in the annotations that is probably a mistake but does not stop a build."""

    severity = "warning"


class AnnotationErrors(AnnographError):
    """Several annotation errors, all reported in one run."""

    def __init__(self, errors: list[AnnographError]) -> None:
        self.errors = errors
        failed = sum(error.severity == "error" for error in errors)
        super().__init__(f"{failed} error(s) in the annotations")

    def __reduce__(self) -> tuple[Any, ...]:
        return (AnnotationErrors, (self.errors,))

    def __str__(self) -> str:
        return "\n".join(str(error) for error in self.errors)


class OntologyError(AnnographError):
    """The ontology file cannot be read or is not usable."""


class StoreError(AnnographError):
    """The store cannot be opened, built or swapped."""


class QueryError(AnnographError):
    """A saved query cannot be found, parsed, bound or run."""


class UnknownEntity(QueryError):
    """An IRI parameter's value is neither an IRI nor the id or name of an entity."""


class ProjectError(AnnographError):
    """The directory is not an annograph project."""
