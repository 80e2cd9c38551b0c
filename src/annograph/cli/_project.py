"""New projects and articles: ``init``, ``new``."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import click

from annograph.annotations._layout import ANNOTATIONS_FILE
from annograph.cli._main import (
    cli,
    project_options,
)
from annograph.cli._terminal import (
    info,
)
from annograph.project._facade import Project
from annograph.project._scaffold import TEXT_FILE, init_project


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def init(directory: Path) -> None:
    """Start a new project in DIRECTORY: ontology, saved queries and sample articles.

    DIRECTORY must be new or empty. The samples are annotated articles with the shared entities
    they mention; keep them as models, or delete their folders once your own articles are in.

    \b
    Example:
      annograph init my-news && cd my-news && annograph build && annograph query organizers
    """
    for path in init_project(directory):
        info(f"  {path.name}{'/' if path.is_dir() else ''}")
    info(f"started a project in {directory}; next: cd {directory} && annograph build")


@cli.command()
@project_options
@click.argument("slug")
@click.option(
    "--text",
    "text_file",
    type=click.File("rb"),
    required=True,
    help="The article's text (UTF-8; '-' for standard input), copied byte for byte.",
)
@click.option("--title", help="Its headline; quoted in the skeleton when the text contains it.")
@click.option("--url", help="The address it was published at.")
@click.option("--published", metavar="YYYY-MM-DD", help="The day it was published.")
@click.option(
    "--language",
    help="BCP 47 tag of its language [default: the language of the project's articles].",
)
def new(
    project: Project,
    slug: str,
    text_file: BinaryIO,
    title: str | None,
    url: str | None,
    published: str | None,
    language: str | None,
) -> None:
    """Add an article: data/articles/SLUG/ with its text and an annotation skeleton.

    The skeleton is valid as written; it numbers the text's sentences (quote by copying them)
    and lists the shared entities the article can mention by id. Annotate it, then run
    'annograph validate'.

    \b
    Example:
      annograph new osh-job-fair --text ~/osh.txt --title "Ярмарка вакансий в Оше" \\
          --url https://example.org/news/42 --published 2024-03-01 --language ru
    """
    created = project.new_article(
        slug,
        text_file.read(),
        language=language,
        title=title,
        url=url,
        published=published,
        source=_source_name(text_file),
    )
    annotations = created.directory / ANNOTATIONS_FILE
    info(f"created {created.directory}: {TEXT_FILE}, {ANNOTATIONS_FILE}")
    info(f"  {created.sentences} sentence(s) numbered in {annotations} for quoting")
    if title is not None and not created.headline_quoted:
        info("  the title is not in the text: the headline is left for you to quote")
    info(f"next: annotate {annotations}, then annograph validate")


def _source_name(file: BinaryIO) -> str:
    name = getattr(file, "name", "-")
    return "standard input" if name in ("-", "<stdin>") else Path(name).name
