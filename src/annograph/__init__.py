"""annograph: curated annotations of news articles, built into a linked-data knowledge graph.

The library API mirrors the command line::

    from annograph import Project
    project = Project.discover(Path.cwd())
    project.build()
    print(project.export(ExportFormat.TURTLE))
"""

from __future__ import annotations

__version__ = "0.1.0"

from annograph.errors import AnnographError, AnnotationError, AnnotationErrors, SourceLocation
from annograph.export import ExportFormat
from annograph.project import Project
from annograph.results import ResultFormat

__all__ = [
    "AnnographError",
    "AnnotationError",
    "AnnotationErrors",
    "ExportFormat",
    "Project",
    "ResultFormat",
    "SourceLocation",
    "__version__",
]
