"""Where a project's annotations live: ``data/articles/SLUG/annotations.yaml`` beside the
article's text, and the shared entities in ``data/entities/*.yaml``."""

from __future__ import annotations

import os
from pathlib import Path

DATA_DIR = Path("data")
ARTICLES = "articles"
ENTITIES = "entities"
ANNOTATIONS_FILE = "annotations.yaml"
ARTICLES_DIR = DATA_DIR / ARTICLES
ENTITIES_DIR = DATA_DIR / ENTITIES


#: Characters of context kept around a quote in its TextQuoteSelector (oa:prefix / oa:suffix).
def shared_entity_files(data: Path) -> list[Path]:
    """The files of the entities shared by articles, ``entities/*.yaml``, sorted by name."""
    directory = data / ENTITIES
    return sorted(directory.glob("*.yaml")) if directory.is_dir() else []


def article_directories(data: Path) -> list[Path]:
    """The article folders of a data folder, sorted by slug."""
    base = data / ARTICLES
    if not base.is_dir():
        return []
    # os rather than pathlib: at ten thousand articles this is most of a build with no changes.
    with os.scandir(base) as entries:
        found = [e.name for e in entries if os.path.isfile(os.path.join(e.path, ANNOTATIONS_FILE))]
    return [base / name for name in sorted(found)]
