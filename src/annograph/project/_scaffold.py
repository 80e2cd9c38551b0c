"""Starting points for people: a new project (``annograph init``) and a new article (``new``).

Both write nothing until everything is ready, then move it into place, so a refused or failed
command leaves no half-made project or article folder behind.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from sentencex import segment

from annograph._lexical import LANGUAGE_TAG, LEXICAL_HINTS, XSD, is_valid_lexical
from annograph.annotations._layout import ANNOTATIONS_FILE, ARTICLES, shared_entity_files
from annograph.annotations._reader import FORMAT, ID, WEB_ADDRESS
from annograph.errors import AnnographError, SourceLocation
from annograph.project._config import CONFIG_FILE

#: What ``annograph init`` copies: the ontology, the saved queries and the sample data, shipped
#: inside the package (``template/`` links to the project's own folders, so there is one copy).
TEMPLATE = Path(__file__).parent / "template"
#: The documents of ``docs/`` the copied files refer to: the format guide, and the verified
#: identifiers that the sample data's identity links follow.
TEMPLATE_DOCS = ("annotations.md", "external-ids.md")
TEXT_FILE = "article.md"
_WORD = re.compile(r"[^\W\d_]{2,}")
_LETTER = re.compile(r"[^\W\d_]")
#: The settings a project may change, all at their defaults (docs/configuration.md).
CONFIG_TEMPLATE = """\
# annograph's settings for this project; every key is optional (annograph's documentation,
# the "Configuration" page).
# A command-line option wins over its environment variable, which wins over this file.

# base_iri = "https://w3id.org/annograph/data/"   # namespace of minted IRIs
# data = "data"                                   # articles/, entities/, links/
# store = ".annograph/store"                      # relative to this directory

# [prefixes]                                      # more prefixes for --param values and results
# dbr = "http://dbpedia.org/resource/"

# [endpoints.local]                               # annograph query organizers --endpoint local
# url = "http://127.0.0.1:7878/query"
"""
GITIGNORE = "# The built store and its releases: rebuild with 'annograph build'.\n.annograph/\n"


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of an article's text: its number, where it starts, and its words."""

    number: int
    start: int
    text: str


@dataclass(frozen=True, slots=True)
class NewArticle:
    """What ``annograph new`` wrote."""

    directory: Path
    sentences: int
    headline_quoted: bool


def init_project(directory: Path) -> list[Path]:
    """Start a project in ``directory``: ontology, saved queries, format guide, sample article.

    Every file it writes that names another by its path (``docs/external-ids.md``) has it too.

    :returns: the top-level paths written, in order.
    :raises AnnographError: if ``directory`` exists and is not empty.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     [path.name for path in init_project(Path(tmp) / "news")]
    ['.gitignore', 'annograph.toml', 'data', 'docs', 'ontology', 'queries']
    """
    directory = directory.absolute()
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise AnnographError(
            "not an empty directory",
            location=SourceLocation(directory),
            hint="choose a new directory name; annograph init never overwrites files",
        )
    directory.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=directory.parent, prefix=".annograph-init-") as tmp:
        staging = Path(tmp) / "project"
        for name in ("ontology", "queries", "data"):
            shutil.copytree(TEMPLATE / name, staging / name)
        (staging / "docs").mkdir()
        for name in TEMPLATE_DOCS:
            shutil.copyfile(TEMPLATE / name, staging / "docs" / name)
        (staging / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
        (staging / CONFIG_FILE).write_text(CONFIG_TEMPLATE, encoding="utf-8")
        if directory.exists():
            directory.rmdir()
        staging.rename(directory)
    return sorted(directory.iterdir())


def new_article(
    data: Path,
    slug: str,
    text: bytes,
    *,
    language: str,
    title: str | None = None,
    url: str | None = None,
    published: str | None = None,
    source: str = "the source",
) -> NewArticle:
    """Create ``articles/SLUG/`` in the data folder: the text and an annotation skeleton.

    The skeleton numbers the text's sentences in a comment, so a curator quotes by copying, and
    lists the shared entities the article can mention by id.

    :param data: the data folder (``data/`` in a project).
    :param text: the article's text, kept byte for byte (quotes and offsets refer to it).
    :param language: the BCP 47 tag of the article's language.
    :param title: the headline; quoted when the text contains it, else left for the curator.
    :param url: where it was published (an http or https address).
    :param published: the day it was published, YYYY-MM-DD.
    :param source: where the text came from, named in the skeleton's header.
    :raises AnnographError: for a bad slug, language, address or day, a text that is not UTF-8,
        or an article that exists already.
    """
    directory = data / ARTICLES / slug
    _check_new_article(directory, slug, language=language, url=url, published=published)
    decoded = _decode(text, source)
    sentences = list(sentences_of(decoded, language))
    headline_quoted = title is not None and title in decoded
    skeleton = annotation_skeleton(
        decoded,
        sentences,
        language=language,
        title=title,
        url=url,
        published=published,
        shared=shared_entities(data),
        source=source,
    )
    directory.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=directory.parent, prefix=f".{slug}-") as tmp:
        staging = Path(tmp) / slug
        staging.mkdir()
        (staging / TEXT_FILE).write_bytes(text)
        (staging / ANNOTATIONS_FILE).write_text(skeleton, encoding="utf-8")
        staging.rename(directory)
    return NewArticle(directory, len(sentences), headline_quoted)


def article_language(data: Path, language: str | None) -> str:
    """``language``, else the one all the articles of ``data`` are in.

    :raises AnnographError: when no language is given and the articles do not agree on one.
    """
    language = language or articles_language(data)
    if language is None:
        raise AnnographError(
            "which language is the article in?",
            location=SourceLocation(data / ARTICLES),
            hint="pass --language (a BCP 47 tag such as ru or en); the articles here are "
            "in several languages, or there are none",
        )
    return language


def articles_language(data: Path) -> str | None:
    """The language all of the project's articles are in, or None if they differ or are none.

    Read without validation, like :func:`shared_entities`.
    """
    languages = set()
    for path in (data / ARTICLES).glob(f"*/{ANNOTATIONS_FILE}"):
        article = _load_plain(path).get("article")
        languages.add(article.get("language") if isinstance(article, dict) else None)
    return languages.pop() if len(languages) == 1 and None not in languages else None


def _load_plain(path: Path) -> dict[str, object]:
    """A YAML file as plain data, or an empty mapping if it cannot be read as one."""
    try:
        document = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, YAMLError):
        return {}
    return document if isinstance(document, dict) else {}


def _check_new_article(
    directory: Path, slug: str, *, language: str, url: str | None, published: str | None
) -> None:
    location = SourceLocation(directory)
    if not ID.fullmatch(slug):
        raise AnnographError(
            f"'{slug}' cannot name an article",
            location=location,
            hint="use lowercase letters, digits and '-', e.g. osh-labour-fair",
        )
    if directory.exists():
        raise AnnographError(
            "the article exists already",
            location=location,
            hint="choose another slug, or edit its annotations.yaml",
        )
    if not LANGUAGE_TAG.fullmatch(language):
        raise AnnographError(
            f"'{language}' is not a BCP 47 language tag", hint="e.g. --language ru or en"
        )
    if url is not None and not WEB_ADDRESS.fullmatch(url):
        raise AnnographError(
            f"'{url}' is not a web address", hint="e.g. --url https://example.org/news/1"
        )
    if published is not None and not is_valid_lexical(published, XSD + "date"):
        raise AnnographError(
            f"'{published}' is not a day", hint=LEXICAL_HINTS[XSD + "date"].replace("write", "give")
        )


def _decode(text: bytes, source: str) -> str:
    try:
        return text.decode("utf-8")
    except UnicodeDecodeError as error:
        raise AnnographError(
            f"the text is not UTF-8 (byte {error.start})",
            location=SourceLocation(Path(source)),
            hint="save the article as UTF-8 first",
        ) from error


def sentences_of(text: str, language: str) -> Iterator[Sentence]:
    """The sentences of ``text``, numbered from 1, one line at most each.

    Segmentation is sentencex's (rules for some 300 languages); a line break always ends a
    sentence, so that each numbered sentence can be copied as one YAML scalar. A piece without
    a word ("1. «", an initial) or starting in lowercase is joined to its neighbour.

    >>> [(s.number, s.start, s.text) for s in sentences_of("Он пришёл. Она ушла.\\nКонец", "ru")]
    [(1, 0, 'Он пришёл.'), (2, 11, 'Она ушла.'), (3, 21, 'Конец')]
    >>> [s.text for s in sentences_of("Пришли Иванов А. Б. и Петров. 1. «Доклад».", "ru")]
    ['Пришли Иванов А. Б. и Петров.', '1. «Доклад».']
    """
    base_language = language.split("-")[0].lower()
    number = 0
    offset = 0
    for line in text.splitlines(keepends=True):
        for start, end in _joined(line, _spans(segment(base_language, line))):
            number += 1
            yield Sentence(number, offset + start, line[start:end])
        offset += len(line)


def _spans(pieces: Iterator[str]) -> Iterator[tuple[int, int]]:
    """Where each non-blank piece of a line starts and ends, without surrounding spaces."""
    position = 0
    for piece in pieces:
        stripped = piece.strip()
        if stripped:
            start = position + piece.index(stripped)
            yield start, start + len(stripped)
        position += len(piece)


def _joined(line: str, spans: Iterator[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """Spans with the pieces that are not sentences joined to a neighbour.

    An initial ("Б.") or a piece in lowercase continues the sentence before it; a piece with no
    letters (a list number and an opening quote) starts the sentence after it.
    """
    current: tuple[int, int] | None = None
    opening: int | None = None
    for start, end in spans:
        piece = line[start:end]
        continues = not _WORD.search(piece) and _LETTER.search(piece) or piece[0].islower()
        if current is not None and continues:
            current = (current[0], end)
        elif not _WORD.search(piece) and not _LETTER.search(piece):
            opening = start if opening is None else opening
        else:
            if current is not None:
                yield current
            current = (start if opening is None else opening, end)
            opening = None
    if opening is not None:
        current = (opening if current is None else current[0], len(line.rstrip()))
    if current is not None:
        yield current


def shared_entities(data: Path) -> dict[str, dict[str, list[str]]]:
    """The shared entities of ``data/entities/``: file name -> class -> ids, all sorted.

    An entity of several classes is listed under them joined by ' & '. Read without
    validation: a skeleton must be writable even while a shared file has an error that
    ``annograph validate`` will report.
    """
    listed: dict[str, dict[str, list[str]]] = {}
    for path in shared_entity_files(data):
        entities = _load_plain(path).get("entities")
        by_class: dict[str, list[str]] = defaultdict(list)
        for key, body in entities.items() if isinstance(entities, dict) else ():
            if isinstance(key, str) and ID.fullmatch(key):
                by_class[_class_name(body)].append(key)
        if by_class:
            listed[path.name] = {cls: sorted(by_class[cls]) for cls in sorted(by_class)}
    return listed


def _class_name(body: object) -> str:
    """An entity's class as its file gives it ('City', 'City & Resort'), or '(no type)'."""
    given = body.get("type") if isinstance(body, dict) else None
    names = [given] if isinstance(given, str) else given if isinstance(given, list) else []
    return " & ".join(str(name) for name in names) or "(no type)"


def annotation_skeleton(
    text: str,
    sentences: list[Sentence],
    *,
    language: str,
    title: str | None,
    url: str | None,
    published: str | None,
    shared: Mapping[str, Mapping[str, Sequence[str]]],
    source: str,
) -> str:
    """The ``annotations.yaml`` a curator starts from: valid as it is, with guidance in comments."""
    lines = [
        f"# Curated annotations of {TEXT_FILE} (a byte-for-byte copy of {source}).",
        "#",
        "# Format: docs/annotations.md. The names to write (classes, properties, concepts): run",
        "# 'annograph vocab', or 'annograph vocab NAME' for one in full. Every entity has a 'type'",
        "# (a class of the ontology) and a 'quote' (the article's words that mention it); every",
        "# fact has a 'quote'. A quote is copied verbatim from "
        f"{TEXT_FILE}: its sentences are numbered",
        "# at the end of this file.",
        f"format: {FORMAT}",
        "",
        "article:",
        f"  text: {TEXT_FILE}",
        f"  language: {language}",
    ]
    if url is not None:
        lines.append(f"  url: {_scalar(url)}")
    if published is not None:
        lines.append(f"  published: {published}")
    lines.extend(_headline(text, title, language))
    lines += [
        "",
        "# Replace '{}' with the entities, each under its id, for example:",
        "#   conference:",
        "#     type: Conference",
        "#     quote: прошла конференция",
        "#     name: {ru: конференция, en: conference, quote: конференция}",
        "#     location: {ref: bishkek, quote: В Бишкеке прошла конференция}",
    ]
    if shared:
        lines += [
            "# Shared entities (data/entities/) are mentioned by their id, with a 'quote' and the",
            "# facts this article states, but no 'type': their class is given there. Their ids,",
            "# by file and class:",
        ]
        for file_name, by_class in shared.items():
            lines.append(f"#   {file_name}")
            for cls, ids in by_class.items():
                lines += _wrapped(f"#     {cls}: ", ids, indent="#       ")
    lines += ["entities: {}", "", f"# Sentences of {TEXT_FILE} ([number] character offset):"]
    lines += [f"# [{s.number}] @{s.start} {s.text}" for s in sentences]
    return "\n".join(lines) + "\n"


def _headline(text: str, title: str | None, language: str) -> list[str]:
    if title is None:
        return [_headline_comment(language)]
    if title in text:
        return ["  headline:", f"    {language}: {_scalar(title)}", f"    quote: {_scalar(title)}"]
    # A fact needs the article's words behind it: a title the text does not contain is left to
    # the curator rather than asserted without evidence.
    return [
        f"  # The title is not in {TEXT_FILE}, so it cannot be quoted; quote the text's own",
        f"  # headline instead, if it has one: {title}",
        _headline_comment(language),
    ]


def _headline_comment(language: str) -> str:
    """The headline to fill in: the article's language, and an English translation if other."""
    translation = "" if language == "en" else "en: ..., "
    return "  # headline: {" + language + ": ..., " + translation + "quote: ...}"


def _scalar(value: str) -> str:
    """``value`` as a YAML scalar: plain where YAML reads it back unchanged, else quoted."""
    plain = value and value == value.strip() and not any(c in value for c in ":#{}[],&*!|>'\"%@`")
    return value if plain and value[0] not in "-?" else json.dumps(value, ensure_ascii=False)


def _wrapped(prefix: str, words: Sequence[str], *, indent: str, width: int = 100) -> list[str]:
    """``words`` after ``prefix``, comma-separated, in lines of at most ``width`` characters.

    >>> _wrapped("# ids: ", ["bishkek", "batken", "osh"], indent="#   ", width=22)
    ['# ids: bishkek,', '#   batken, osh']
    """
    lines: list[str] = []
    line = prefix
    for word in words:
        if len(line) + len(word) + 2 > width and line != prefix:
            lines.append(line.rstrip(", ") + ",")
            line = indent
        line += word + ", "
    return [*lines, line.rstrip(", ")]
