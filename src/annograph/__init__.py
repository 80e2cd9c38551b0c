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

from annograph._http import EndpointError
from annograph._languages import Language
from annograph._progress import Progress, Step
from annograph._version import __version__
from annograph.annotations._corpus import Corpus
from annograph.annotations._model import Article
from annograph.annotations._ontology import Ontology
from annograph.annotations._summaries import Index
from annograph.annotations._terms import Term, Vocabulary
from annograph.build._engine import BUILD_STEPS, Build, BuildKind, Validation
from annograph.build._reasoning import ReasonerUnavailable
from annograph.build._shapes import Shapes
from annograph.build._store import StoreInfo
from annograph.errors import (
    AnnographError,
    AnnotationError,
    AnnotationErrors,
    AnnotationWarning,
    OntologyError,
    ProjectError,
    QueryError,
    SourceLocation,
    StoreError,
    UnknownEntity,
)
from annograph.linking._sources import Source, open_source
from annograph.linking._sssom import MappingRow, MappingSet, Review
from annograph.linking._suggest import Suggested
from annograph.project._config import Config, ConfigError, Endpoint
from annograph.project._facade import Project
from annograph.project._scaffold import NewArticle
from annograph.publish._export import ExportFormat
from annograph.publish._push import Pushed, PushedGraph, Target
from annograph.publish._stats import Stats
from annograph.query._evidence import AmbiguousName, EntityNotFound, Explanation
from annograph.query._render import ResultFormat
from annograph.query._rows import Rows
from annograph.query._saved import BoundQuery, Parameter, QueryResult, SavedQuery
from annograph.reference._diagram import ArticleNotFound, Diagram
from annograph.reference._docs import Docs

# What users may rely on: everything else is private and may change in any release
# (tests/test_public_api.py pins this list).
__all__ = [
    "BUILD_STEPS",
    "AmbiguousName",
    "AnnographError",
    "AnnotationError",
    "AnnotationErrors",
    "AnnotationWarning",
    "Article",
    "ArticleNotFound",
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
    "OntologyError",
    "Ontology",
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
