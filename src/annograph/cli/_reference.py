"""Reference material: ``vocab``, ``docs``, ``diagram``."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import click

from annograph._languages import Language
from annograph.annotations._terms import VocabFormat, render_term, render_vocabulary
from annograph.cli._main import (
    cli,
    emit,
    format_option,
    lang_option,
    output_option,
    project_options,
)
from annograph.cli._terminal import (
    complete_slugs,
    info,
)
from annograph.project._facade import Project


@cli.command()
@project_options
@click.argument("term", required=False)
@format_option(
    VocabFormat,
    default=VocabFormat.TEXT,
    help="text for people, markdown for documentation, json for tools.",
)
@output_option
def vocab(project: Project, term: str | None, format_name: str, output: Path | None) -> None:
    """List the names annotations take, or show one term in full.

    Without TERM: every class ('type: City'), property ('attendee: {ref: ...}') and concept
    ('ref: ag:percent') of the ontology by its YAML name, with its English label and a one-line
    definition; classes by top class, properties by kind, concepts by class. With TERM (a YAML
    name in any case, ag:Name, an IRI, or a label such as 'participant'): its labels and other
    names, definition, super- and subclasses and properties (a class), what it applies to and
    takes (a property), its schema.org/ORG/PROV/SKOS alignment and an example: the ontology's,
    or the first use in the project's annotations. Reads the ontology, the shapes and (for the
    example) the annotation files: no build needed.

    \b
    Examples:
      annograph vocab
      annograph vocab attendee
      annograph vocab participant          # a label: shows attendee
      annograph vocab --format markdown -o docs/vocabulary.md
      annograph vocab City --format json
    """
    fmt = VocabFormat(format_name)
    vocabulary = project.vocabulary()
    if term is None:
        # On a terminal each summary is cut to fit a line; piped, it is whole, for grep.
        fits = output is None and sys.stdout.isatty()
        width = shutil.get_terminal_size().columns if fits else None
        text = render_vocabulary(vocabulary, format=fmt, width=width)
    else:
        text = render_term(project.lookup_term(term, vocabulary), vocabulary, format=fmt)
    emit(text, output)


@cli.command()
@project_options
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory to write to [default: docs/reference in the project].",
)
@lang_option
def docs(project: Project, output: Path | None, lang: Language) -> None:
    """Write reference documentation: the ontology, the saved queries, the data model, and the
    articles with their evidence marked.

    \b
    index.html           links to the others, with the diagram
    ontology.html        every class and property (pyLODE)
    queries.html         every saved query: parameters, SPARQL, how to run it
    data-model.svg       classes, subclasses and the properties between them (Graphviz)
    articles/index.html  the articles of the built store (if there is one), and
    articles/SLUG.html   each article's text with the words that support each fact marked

    The article pages are read from the built store (run 'annograph build' first) and need no
    server: open them from a disk or publish them as they are; an entity's name links to its
    entry in the page's list of entities. Only these files are written; the same input gives
    the same bytes, so the pages can be kept in version control and diffed. Needs Graphviz's
    'dot' program.

    \b
    Examples:
      annograph docs
      annograph docs --lang ru -o site/reference
    """
    written = project.write_docs(output, lang=lang)
    for path in written.files:
        info(f"wrote {path}")
    if not written.articles:
        info(
            "no article pages: the project has no built store (run 'annograph build' first)",
            err=True,
        )


@cli.command()
@project_options
@click.argument("entity", required=False)
@click.option(
    "--article",
    metavar="SLUG",
    shell_complete=complete_slugs,
    help="Draw every entity of this article instead.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The picture to write: FILE.svg or FILE.png.",
)
@lang_option
@click.option(
    "--depth",
    type=click.IntRange(1, 3),
    default=1,
    show_default=True,
    help="How many links away from ENTITY to go (not with --article).",
)
def diagram(
    project: Project,
    entity: str | None,
    article: str | None,
    output: Path,
    lang: Language,
    depth: int,
) -> None:
    """Draw an entity's neighbourhood, or a whole article, as a picture (Graphviz).

    ENTITY is an id (iom), a CURIE (id:iom), a full IRI or a name in any language, as for
    'annograph why'. Nodes are labelled with names in --lang, edges with the ontology's labels
    of the properties; the evidence behind the facts (quotes, annotations) is left out. The
    file's suffix, .svg or .png, chooses the format. Reads the built store: run 'annograph
    build' first. Needs Graphviz's 'dot' program.

    \b
    Examples:
      annograph diagram iom -o iom.svg
      annograph diagram "Бишкек" --lang ru --depth 2 -o bishkek.png
      annograph diagram --article bishkek-migrants-day -o article.svg
    """
    if entity is not None and article is not None:
        raise click.UsageError("give ENTITY or --article SLUG, not both")
    if article is not None:
        drawn = project.article_diagram(article, lang=lang)
    elif entity is not None:
        drawn = project.entity_diagram(entity, lang=lang, depth=depth)
    else:
        raise click.UsageError("give an ENTITY to draw, or --article SLUG")
    drawn.write(output)
    info(f"wrote {output}: {drawn.nodes} nodes, {drawn.edges} links")
