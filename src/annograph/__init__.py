"""annograph: curated annotations of news articles, built into a linked-data knowledge graph.

The library API is what the command line runs. A new project, built and queried:

>>> import tempfile
>>> from pathlib import Path
>>> from annograph import ExportFormat, Project
>>> AG = "https://w3id.org/annograph/ontology#"
>>> workspace = tempfile.TemporaryDirectory()
>>> project = Project.init(Path(workspace.name) / "news")
>>> project.build().validation.articles
3

A saved query by name, its parameters as keyword arguments (bound by pyoxigraph, never pasted
into the SPARQL text); the rows hold Python values:

>>> rows = project.query("organizers")
>>> rows.columns
('event', 'event_name', 'role', 'organization', 'organization_name')
>>> sorted(row["organization_name"] for row in rows)[0]
'Centre for Public Technologies'
>>> card = project.query("entity", entity="IOM")
>>> [(row["value"], row["quote"], row["start"])
...  for row in card if row["property"] == AG + "abbreviation"]
[('IOM', '(МОМ)', 2945), ('МОМ', '(МОМ)', 2945)]
>>> rows.to_dataframe().shape  # with pandas installed: pip install 'annograph[pandas]'
(5, 5)

Every fact about an entity with the quotes that support it, and the graph in Turtle:

>>> explanation = project.why("iom")
>>> explanation.entity.value
'https://w3id.org/annograph/data/id/iom'
>>> print(project.export(ExportFormat.TURTLE).splitlines()[0])
@prefix ag: <https://w3id.org/annograph/ontology#> .
>>> workspace.cleanup()
"""

from __future__ import annotations

from annograph._version import __version__
from annograph.errors import AnnographError, AnnotationError, AnnotationErrors, SourceLocation
from annograph.project._facade import Project
from annograph.publish._export import ExportFormat
from annograph.query._render import ResultFormat
from annograph.query._rows import Rows

__all__ = [
    "AnnographError",
    "AnnotationError",
    "AnnotationErrors",
    "ExportFormat",
    "Project",
    "ResultFormat",
    "Rows",
    "SourceLocation",
    "__version__",
]
