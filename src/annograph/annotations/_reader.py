"""Annotation files -> model, keeping the line and column of every value.

An article lives in ``data/articles/SLUG/``: ``article.md`` is the source of record and
``annotations.yaml`` says what it states. Entities that recur across articles are defined once
in ``data/entities/*.yaml`` (their classes and identity links); each article that mentions one
adds only its own mentions and facts. The format is documented in ``docs/annotations.md``;
its vocabulary (``type`` values and property keys) is whatever the ontology defines, so nothing
here lists classes or properties.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from ruamel.yaml.error import MarkedYAMLError, ReusedAnchorWarning, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.reader import ReaderError

from annograph._lexical import LANGUAGE_TAG, LEXICAL_HINTS, XSD, closest, is_valid_lexical
from annograph.annotations._layout import (
    ANNOTATIONS_FILE,
    ENTITIES_DIR,
    shared_entity_files,
)
from annograph.annotations._model import (
    Article,
    Entity,
    Evidence,
    Fact,
    Link,
    LinkKind,
    Ref,
    Text,
    Typed,
    Value,
)
from annograph.annotations._ontology import LANG_STRING, Ontology
from annograph.annotations._terms import TermKind, Vocabulary, read_vocabulary
from annograph.annotations._yaml import compose, quoted_spans
from annograph.errors import (
    AnnographError,
    AnnotationError,
    AnnotationErrors,
    SourceLocation,
)

FORMAT = "annograph/1"
#: The largest annotation file read: some 80 times the real article's, and small enough that
#: reading and checking it stays within a build's memory (a file of 13 MB took 4.6 GB).
MAX_FILE_BYTES = 4 << 20
#: A project's data folder by default; its articles and shared entities are in these subfolders.
CONTEXT_CHARS = 32

_VOCAB_HINT = (
    "no {} of that name: run 'annograph vocab' for the classes, properties and concepts "
    "annotations may use"
)

ID = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")
CURIE = re.compile(r"([a-z][a-z0-9]*):([A-Za-z0-9_][A-Za-z0-9_.-]*)")
#: An absolute http(s) address with only characters an IRI may hold unescaped.
WEB_ADDRESS = re.compile(r"https?://[^\s<>\"{}|\\^`]+")
TOP_KEYS = ("format", "article", "entities")
# The article's own record: its text and, from its publication, language, address and day.
ARTICLE_KEYS = ("text", "language", "url", "published")
LINK_KEYS: tuple[LinkKind, ...] = ("sameAs", "closeMatch")
ENTITY_KEYS = ("type", "quote", "note", *LINK_KEYS)
#: What ``data/entities/`` says of an entity: who it is, not what an article says of it.
SHARED_KEYS = ("type", "note", *LINK_KEYS)
#: What an article must leave to ``data/entities/`` when it mentions a shared entity.
SHARED_ONLY_KEYS = ("type", *LINK_KEYS)
FACT_KEYS = ("quote", "note")
QUOTE_KEYS = ("exact", "prefix", "suffix")


def shared_entities(
    data: Path, ontology: Ontology
) -> tuple[dict[str, Entity], list[AnnographError]]:
    """The entities of ``entities/*.yaml`` by id, and the problems of those files (an entity
    with a mistake is still known, so that the articles mentioning it do not fail too)."""
    shared: dict[str, Entity] = {}
    errors: list[AnnographError] = []
    for path in shared_entity_files(data):
        reader = _Reader(path, ontology)
        for entity in reader.read_shared():
            if entity.id in shared:
                reader.errors.append(
                    AnnotationError(
                        f"entity id '{entity.id}' is already defined in "
                        f"{shared[entity.id].location}",
                        location=entity.location,
                        hint="define each shared entity once",
                    )
                )
            else:
                shared[entity.id] = entity
        errors.extend(sorted(reader.errors, key=_position))
    return shared, errors


def load_article(
    directory: Path, ontology: Ontology, *, shared: Mapping[str, Entity] | None = None
) -> Article:
    """Load one article folder (``article.md`` + ``annotations.yaml``) into the model.

    :param shared: the shared entities it may mention (see :func:`load_shared_entities`).
    :raises AnnotationErrors: listing every problem in the folder's annotations.
    """
    reader = _Reader(directory / ANNOTATIONS_FILE, ontology, shared=shared or {})
    article = reader.read(directory)
    if reader.errors or article is None:
        raise AnnotationErrors(sorted(reader.errors, key=_position))
    return article


def article_text(directory: Path) -> str:
    """The text of an article folder, as its annotations' offsets count it: the file that
    ``article: text:`` names (``article.md`` by default), decoded from UTF-8 with its line ends
    kept. Nothing else of the annotations is read or checked.

    :raises AnnographError: if the annotations or the text cannot be read.
    """
    annotations = directory / ANNOTATIONS_FILE
    name = "article.md"
    try:
        root = compose(annotations.read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, YAMLError, RecursionError) as error:
        raise AnnographError(
            f"cannot read the annotations: {error}",
            location=SourceLocation(annotations),
            hint="run 'annograph validate'",
        ) from None
    head = _value_of(root, "article")
    named = _value_of(head, "text")
    if isinstance(named, ScalarNode) and named.value:
        name = str(named.value)
    path = directory / name
    try:
        # Bytes, not read_text(): universal newlines would shift every offset after a CRLF.
        return path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise AnnographError(
            f"cannot read the article's text: {error}",
            location=SourceLocation(path),
            hint="run 'annograph validate'",
        ) from None


def _value_of(node: Node | None, key: str) -> Node | None:
    if not isinstance(node, MappingNode):
        return None
    return next((v for k, v in node.value if getattr(k, "value", None) == key), None)


def _position(error: AnnographError) -> tuple[int, int]:
    where = error.location
    return (where.line or 0, where.column or 0) if where else (0, 0)


@dataclass(frozen=True, slots=True)
class _ArticleHead:
    """What the 'article:' mapping says: language, facts about the article, its publication."""

    language: str | None
    facts: tuple[Fact, ...]
    url: str | None = None
    published: str | None = None


@dataclass
class _Reader:
    """Walks the YAML node tree of one annotation file, collecting every error it finds."""

    path: Path
    ontology: Ontology
    shared: Mapping[str, Entity] = field(default_factory=dict)
    errors: list[AnnographError] = field(default_factory=list)
    text: str | None = None
    # Value node id -> its key node, so errors about a key point at the key, not the value.
    _key_nodes: dict[int, Node] = field(default_factory=dict)
    # Read from the ontology at the first unknown name, for its hint; most files need none.
    _vocabulary: Vocabulary | None = None

    # -- errors and locations ---------------------------------------------------------------

    def location(self, node: Node) -> SourceLocation:
        mark = node.start_mark
        return SourceLocation(self.path, mark.line + 1, mark.column + 1)

    def error(self, node: Node, message: str, hint: str | None = None) -> None:
        self.errors.append(AnnotationError(message, location=self.location(node), hint=hint))

    def unknown_name_hint(self, name: str, expected: TermKind, what: str) -> str:
        """The closest class, property or concept to a name the ontology lacks, or where to look.

        A label matches too (``participant`` suggests ``attendee``), and a class typed as a
        property (or the other way round) is said to be one.
        """
        if self._vocabulary is None:
            self._vocabulary = read_vocabulary(self.ontology)
        return self._vocabulary.suggest(name, expected=expected) or _VOCAB_HINT.format(what)

    # -- the file -----------------------------------------------------------------------------

    def read(self, directory: Path) -> Article | None:
        root = self._compose()
        if root is None:
            return None
        if not isinstance(root, MappingNode):
            self.error(
                root,
                "the file must be a mapping with 'format', 'article' and 'entities'",
                hint="see docs/annotations.md, or the annotations of an existing article",
            )
            return None
        top = self._mapping(root, TOP_KEYS, what="top-level key")
        self._check_format(top.get("format"), root)
        article_node = top.get("article")
        if article_node is None:
            self.error(
                root,
                "missing 'article:' (the article's text file and language)",
                hint="add 'article:' with 'text: article.md' and 'language: ru'",
            )
            return None
        head = self._article(article_node, directory)
        entities = self._entities(top.get("entities"), root)
        self._check_refs(head.facts, entities)
        if self.errors or head.language is None or self.text is None:
            return None
        return Article(
            slug=directory.name,
            directory=directory,
            text=self.text,
            language=head.language,
            facts=head.facts,
            entities=entities,
            annotations_path=self.path,
            location=self.location(self._key_nodes[id(article_node)]),
            url=head.url,
            published=head.published,
        )

    def read_shared(self) -> list[Entity]:
        """The entities of a ``data/entities/*.yaml`` file: classes, note and identity links."""
        root = self._compose()
        if root is None:
            return []
        if not isinstance(root, MappingNode):
            self.error(
                root,
                "the file must be a mapping with 'format' and 'entities'",
                hint="see docs/annotations.md, 'Entities shared by articles'",
            )
            return []
        top = self._mapping(root, ("format", "entities"), what="top-level key")
        self._check_format(top.get("format"), root)
        node = top.get("entities")
        if not isinstance(node, MappingNode):
            self.error(
                node or root,
                "'entities:' must be a mapping from entity id to its type and links",
                hint="indent each entity under 'entities:' as 'id:' with 'type:' under it",
            )
            return []
        entities = []
        for key, body in self._mapping(node, None, what="entity id").items():
            key_node = self._key_nodes[id(body)]
            if not ID.fullmatch(key):
                self.error(
                    key_node,
                    f"invalid entity id '{key}'",
                    hint="use lowercase letters, digits and '-', e.g. 'state-migration-service'",
                )
            elif isinstance(body, MappingNode):
                entities.append(self._shared_entity(key, key_node, body))
            else:
                self.error(body, f"entity '{key}' must be a mapping with 'type:'")
        return entities

    def _shared_entity(self, entity_id: str, key_node: Node, node: MappingNode) -> Entity:
        fields = self._mapping(node, None, what="key")
        for key, value in fields.items():
            if key in SHARED_KEYS:
                continue
            what_an_article_says = key in ("quote", *ENTITY_KEYS) or key in self.ontology.properties
            self.error(
                self._key_nodes[id(value)],
                f"unknown key '{key}'",
                hint="a shared entity has only 'type', 'note' and identity links; its quotes and "
                "facts belong in the annotations of the articles that mention it"
                if what_an_article_says
                else closest(key, SHARED_KEYS) or f"allowed here: {', '.join(SHARED_KEYS)}",
            )
        types = self._types(fields.get("type"), key_node)
        note = self._scalar(fields["note"], "note") if "note" in fields else None
        links = tuple(
            link for kind in LINK_KEYS if kind in fields for link in self._links(kind, fields[kind])
        )
        location = self.location(key_node)
        return Entity(entity_id, types, (), (), note, location, links, shared=True)

    def _compose(self) -> Node | None:
        source = self._source()
        if source is None:
            return None
        with warnings.catch_warnings(record=True) as caught:
            # ruamel only warns of an anchor defined twice; here it is an error like any other.
            warnings.simplefilter("always", ReusedAnchorWarning)
            node = self._parse(source)
        self.errors.extend(
            _reused_anchor(self.path, str(warning.message))
            for warning in caught
            if issubclass(warning.category, ReusedAnchorWarning)
        )
        if node is None and not self.errors:
            self.errors.append(
                AnnotationError(
                    "the file is empty",
                    location=SourceLocation(self.path, 1, 1),
                    hint=f"start it with 'format: {FORMAT}', then 'article:' and 'entities:'",
                )
            )
        return node

    def _source(self) -> str | None:
        try:
            size = self.path.stat().st_size
            if size > MAX_FILE_BYTES:
                self.errors.append(
                    AnnotationError(
                        f"the file is {size / 2**20:.1f} MB; an annotation file may have at "
                        f"most {MAX_FILE_BYTES // 2**20} MB",
                        location=SourceLocation(self.path, 1, 1),
                        hint="an article's annotations are some 50 KB; put shared entities in "
                        "several files of data/entities/",
                    )
                )
                return None
            data = self.path.read_bytes()
        except OSError as error:
            self.errors.append(
                AnnotationError(
                    f"cannot read: {error.strerror}",
                    location=SourceLocation(self.path),
                    hint="check that the file exists and is readable",
                )
            )
            return None
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as error:
            self.errors.append(
                AnnotationError(
                    f"not UTF-8: byte {data[error.start]:#04x} cannot be decoded",
                    location=_byte_location(self.path, data, error.start),
                    hint="save the file as UTF-8",
                )
            )
            return None

    def _parse(self, source: str) -> Node | None:
        try:
            node = compose(source)
        except YAMLError as error:
            self.errors.append(_yaml_error(self.path, source, error))
            return None
        except RecursionError:
            self.errors.append(
                AnnotationError(
                    "values are nested too deeply to read",
                    location=SourceLocation(self.path, 1, 1),
                    hint="look for an unclosed '[' or '{'",
                )
            )
            return None
        return node

    def _check_format(self, node: Node | None, root: Node) -> None:
        if node is None:
            self.error(root, "missing 'format:'", hint=f"add 'format: {FORMAT}' as the first line")
        elif self._scalar(node, "format") not in (None, FORMAT):
            self.error(
                node, f"unsupported format '{node.value}'", hint=f"this annograph reads '{FORMAT}'"
            )

    # -- the article ----------------------------------------------------------------------------

    def _article(self, node: Node, directory: Path) -> _ArticleHead:
        if not isinstance(node, MappingNode):
            self.error(
                node,
                "'article:' must be a mapping with 'text' and 'language'",
                hint="write 'article:' on its own line, then indented 'text:' and 'language:'",
            )
            return _ArticleHead(None, ())
        fields = self._mapping(node, None, what="article key")
        text_name = self._scalar(fields["text"], "text") if "text" in fields else "article.md"
        if text_name is not None:
            self._read_text(directory / text_name, fields.get("text", node))
        language = None
        if "language" not in fields:
            self.error(node, "missing 'language:' of the article", hint="e.g. 'language: ru'")
        else:
            language = self._language(fields["language"])
        facts = tuple(
            fact
            for key, value in fields.items()
            if key not in ARTICLE_KEYS
            for fact in self._facts(key, value, self._key_nodes[id(value)])
        )
        return _ArticleHead(language, facts, *self._publication(fields))

    def _publication(self, fields: Mapping[str, Node]) -> tuple[str | None, str | None]:
        """The article's 'url:' and 'published:' day, checked (None where absent or invalid)."""
        url = self._scalar(fields["url"], "url") if "url" in fields else None
        if url is not None and not WEB_ADDRESS.fullmatch(url):
            self.error(
                fields["url"],
                f"'{url}' is not a web address",
                hint="the address it was published at, e.g. https://example.org/news/1",
            )
            url = None
        published = None
        if "published" in fields:
            published = self._scalar(fields["published"], "published")
            if published is not None and not is_valid_lexical(published, XSD + "date"):
                self.error(
                    fields["published"],
                    f"'{published}' is not a day",
                    hint=LEXICAL_HINTS[XSD + "date"],
                )
                published = None
        return url, published

    def _read_text(self, path: Path, node: Node) -> None:
        try:
            # Bytes, not read_text(): universal newlines would shift every offset after a CRLF.
            self.text = path.read_bytes().decode("utf-8")
        except FileNotFoundError:
            self.error(
                node,
                f"article text not found: {path}",
                hint="copy the article next to the annotations",
            )
        except UnicodeDecodeError as error:
            self.error(
                node, f"article text is not UTF-8: {error}", hint="save the article as UTF-8"
            )

    def _language(self, node: Node) -> str | None:
        tag = self._scalar(node, "language")
        if tag is not None and not LANGUAGE_TAG.fullmatch(tag):
            self.error(
                node, f"'{tag}' is not a BCP 47 language tag", hint="e.g. 'ru', 'en', 'ky-Cyrl'"
            )
            return None
        return tag

    # -- entities ---------------------------------------------------------------------------

    def _entities(self, node: Node | None, root: Node) -> tuple[Entity, ...]:
        if node is None:
            self.error(
                root, "missing 'entities:'", hint="add 'entities:' with one entry per entity id"
            )
            return ()
        if not isinstance(node, MappingNode):
            self.error(
                node,
                "'entities:' must be a mapping from entity id to its description",
                hint="indent each entity under 'entities:' as 'id:' followed by its keys",
            )
            return ()
        entities = []
        for key, body in self._mapping(node, None, what="entity id").items():
            key_node = self._key_nodes[id(body)]
            if not ID.fullmatch(key):
                self.error(
                    key_node,
                    f"invalid entity id '{key}'",
                    hint="use lowercase letters, digits and '-', e.g. 'state-migration-service'",
                )
            entity = self._entity(key, key_node, body)
            if entity is not None:
                entities.append(entity)
        return tuple(entities)

    def _entity(self, entity_id: str, key_node: Node, node: Node) -> Entity | None:
        if not isinstance(node, MappingNode):
            self.error(
                node,
                f"entity '{entity_id}' must be a mapping with 'type', 'quote' and facts",
                hint="put 'type:', 'quote:' and the facts on indented lines under the id",
            )
            return None
        fields = self._mapping(node, None, what="key")
        shared = self.shared.get(entity_id)
        if shared is not None:
            self._check_not_redefined(shared, fields)
            types = shared.types
        else:
            types = self._types(fields.get("type"), key_node)
        if "quote" not in fields:
            self.error(
                key_node,
                f"entity '{entity_id}' has no 'quote:'",
                hint="quote the words of the article that mention it",
            )
        mentions = self._quotes(fields["quote"]) if "quote" in fields else ()
        facts = tuple(
            fact
            for key, value in fields.items()
            if key not in ENTITY_KEYS
            for fact in self._facts(key, value, self._key_nodes[id(value)])
        )
        note = self._scalar(fields["note"], "note") if "note" in fields else None
        if shared is not None:
            location = self.location(key_node)
            return Entity(
                entity_id,
                types,
                mentions,
                facts,
                note,
                location,
                shared.links,
                shared=True,
                definition=shared.location,
            )
        links = tuple(
            link for kind in LINK_KEYS if kind in fields for link in self._links(kind, fields[kind])
        )
        return Entity(entity_id, types, mentions, facts, note, self.location(key_node), links)

    def _check_not_redefined(self, shared: Entity, fields: dict[str, Node]) -> None:
        for key in SHARED_ONLY_KEYS:
            if key in fields:
                self.error(
                    self._key_nodes[id(fields[key])],
                    f"'{shared.id}' is a shared entity ({shared.location}): an article does "
                    f"not redefine its '{key}'",
                    hint=f"drop '{key}:' here; to change it, edit {shared.location.path}",
                )

    def _links(self, kind: LinkKind, node: Node) -> Iterator[Link]:
        for item in self._scalars(node, kind):
            target = external_iri(item.value)
            if target is None:
                self.error(
                    item,
                    f"'{item.value}' is not an external identifier",
                    hint="write wd:Q… (Wikidata), gn:…/ (GeoNames) or a full http(s) IRI",
                )
            else:
                yield Link(kind, target, self.location(item))

    def _types(self, node: Node | None, key_node: Node) -> tuple[str, ...]:
        if node is None:
            self.error(
                key_node,
                "missing 'type:'",
                hint="name a class of the ontology, e.g. 'type: Organization' (or, for an "
                f"entity of several articles, define it once in {ENTITIES_DIR}/)",
            )
            return ()
        names = []
        for item in self._scalars(node, "type"):
            name = item.value
            if name in self.ontology.classes:
                names.append(name)
            else:
                hint = self.unknown_name_hint(name, "class", "class")
                self.error(item, f"unknown class '{name}'", hint=hint)
        return tuple(names)

    # -- facts --------------------------------------------------------------------------------

    def _facts(self, key: str, node: Node, key_node: Node) -> Iterator[Fact]:
        prop = self.ontology.properties.get(key)
        if prop is None:
            hint = self.unknown_name_hint(key, "property", "property")
            self.error(key_node, f"unknown property '{key}'", hint=hint)
            return
        items = node.value if isinstance(node, SequenceNode) else [node]
        for item in items:
            if not isinstance(item, MappingNode):
                example = (
                    "{ref: ID, quote: ...}" if prop.kind == "object" else "{ru: ..., quote: ...}"
                )
                self.error(
                    item, f"a '{key}' fact needs its evidence", hint=f"write it as {example}"
                )
                continue
            fields = self._mapping(item, None, what="key")
            values = self._values(prop.kind, prop.range, fields, item)
            if "quote" not in fields:
                self.error(
                    item,
                    f"'{key}' fact has no 'quote:'",
                    hint="quote the words of the article that state it",
                )
            evidence = self._quotes(fields["quote"]) if "quote" in fields else ()
            note = self._scalar(fields["note"], "note") if "note" in fields else None
            yield Fact(key, values, evidence, note, self.location(item))

    def _values(
        self, kind: str, datatype: str | None, fields: dict[str, Node], node: MappingNode
    ) -> tuple[Value, ...]:
        if kind == "object":
            return self._refs(fields, node)
        if datatype in (None, LANG_STRING):
            return self._texts(fields, node)
        return self._typed(datatype, fields, node)

    def _refs(self, fields: dict[str, Node], node: Node) -> tuple[Value, ...]:
        self._reject_keys(
            fields, ("ref", *FACT_KEYS), "a reference fact takes 'ref', 'quote', 'note'"
        )
        if "ref" not in fields:
            self.error(
                node, "missing 'ref:'", hint="name the entity by its id, e.g. 'ref: bishkek'"
            )
            return ()
        refs: list[Value] = []
        for item in self._scalars(fields["ref"], "ref"):
            if ID.fullmatch(item.value) or self._known_curie(item):
                refs.append(Ref(item.value, self.location(item)))
            else:
                self.error(
                    item,
                    f"invalid reference '{item.value}'",
                    hint="use an entity id or an ag: term such as 'ag:percent'",
                )
        return tuple(refs)

    def _known_curie(self, node: ScalarNode) -> bool:
        match = CURIE.fullmatch(node.value)
        if match is None:
            return False
        if match.group(1) == "ag" and match.group(2) in self.ontology.individuals:
            return True
        self.error(
            node,
            f"unknown term '{node.value}'",
            hint=self.unknown_name_hint(match.group(2), "concept", "term"),
        )
        return True

    def _texts(self, fields: dict[str, Node], node: Node) -> tuple[Value, ...]:
        texts: list[Value] = []
        for key, value in fields.items():
            if key in FACT_KEYS:
                continue
            key_node = self._key_nodes[id(value)]
            if not LANGUAGE_TAG.fullmatch(key):
                hint = (
                    closest(key, FACT_KEYS)
                    or "text values are keyed by language, e.g. 'ru:' and 'en:'"
                )
                self.error(key_node, f"'{key}' is not a language tag or a known key", hint=hint)
                continue
            text = self._scalar(value, key)
            if text is not None and not text.strip():
                self.error(value, "empty text", hint="write the text, or leave out this language")
            elif text is not None:
                texts.append(Text(text, key, self.location(value)))
        if not texts:
            self.error(
                node, "no text given", hint="key the text by language, e.g. 'ru: ...' and 'en: ...'"
            )
        return tuple(texts)

    def _typed(self, datatype: str, fields: dict[str, Node], node: Node) -> tuple[Value, ...]:
        self._reject_keys(
            fields, ("value", *FACT_KEYS), "a value fact takes 'value', 'quote', 'note'"
        )
        if "value" not in fields:
            self.error(node, "missing 'value:'", hint="write it as {value: ..., quote: ...}")
            return ()
        lexical = self._scalar(fields["value"], "value")
        if lexical is None:
            return ()
        if not is_valid_lexical(lexical, datatype):
            short = datatype.removeprefix(XSD)
            shown = lexical if len(lexical) <= 40 else lexical[:40] + f"… ({len(lexical)} chars)"
            self.error(
                fields["value"],
                f"'{shown}' is not a valid xsd:{short}",
                hint=LEXICAL_HINTS.get(datatype, f"write a valid xsd:{short}"),
            )
            return ()
        return (Typed(lexical, datatype, self.location(fields["value"])),)

    # -- quotes -------------------------------------------------------------------------------

    def _quotes(self, node: Node) -> tuple[Evidence, ...]:
        items = node.value if isinstance(node, SequenceNode) else [node]
        found = (self._quote(item) for item in items)
        return tuple(evidence for evidence in found if evidence is not None)

    def _quote(self, node: Node) -> Evidence | None:
        if isinstance(node, ScalarNode):
            exact, prefix, suffix = node.value, "", ""
        elif isinstance(node, MappingNode):
            fields = self._mapping(node, QUOTE_KEYS, what="quote key")
            if "exact" not in fields:
                self.error(
                    node,
                    "a quote mapping needs 'exact:'",
                    hint="add 'exact:' with the quoted words",
                )
                return None
            exact, prefix, suffix = (
                (self._scalar(fields[key], key) or "") if key in fields else ""
                for key in QUOTE_KEYS
            )
        else:
            self.error(
                node,
                "a quote is a string or a mapping with 'exact', 'prefix', 'suffix'",
                hint="write one quote per fact, or a list of them under 'quote:'",
            )
            return None
        if not exact:
            self.error(node, "empty quote", hint="copy the words of the article that say it")
            return None
        return self._locate(exact, prefix, suffix, node)

    def _locate(self, exact: str, prefix: str, suffix: str, node: Node) -> Evidence | None:
        if self.text is None:
            return None
        starts = [
            start
            for start in occurrences(self.text, exact)
            if self.text[:start].endswith(prefix)
            and self.text.startswith(suffix, start + len(exact))
        ]
        if not starts:
            self.error(
                node, "quote not found verbatim in the article", hint=_quote_hint(self.text, exact)
            )
            return None
        if len(starts) > 1:
            lines = ", ".join(str(self.text.count("\n", 0, s) + 1) for s in starts)
            self.error(
                node,
                f"quote occurs {len(starts)} times in the article (lines {lines})",
                hint="write {exact: ..., prefix: ...} or {exact: ..., suffix: ...} to pick one",
            )
            return None
        start = starts[0]
        end = start + len(exact)
        return Evidence(
            exact=exact,
            start=start,
            end=end,
            prefix=self.text[max(0, start - CONTEXT_CHARS) : start],
            suffix=self.text[end : end + CONTEXT_CHARS],
            location=self.location(node),
        )

    # -- references -----------------------------------------------------------------------------

    def _check_refs(self, article_facts: tuple[Fact, ...], entities: tuple[Entity, ...]) -> None:
        ids = {entity.id for entity in entities}
        facts = [*article_facts, *(fact for entity in entities for fact in entity.facts)]
        for fact in facts:
            for value in fact.values:
                if isinstance(value, Ref) and ":" not in value.target and value.target not in ids:
                    self.errors.append(self._unknown_ref(value, ids))

    def _unknown_ref(self, value: Ref, ids: set[str]) -> AnnotationError:
        if value.target in self.shared:
            return AnnotationError(
                f"'{value.target}' is a shared entity that this article does not mention",
                location=value.location,
                hint=f"add '{value.target}:' under 'entities:' with the 'quote:' that mentions it",
            )
        return AnnotationError(
            f"reference to unknown entity '{value.target}'",
            location=value.location,
            hint=closest(value.target, ids) or "define it under 'entities:'",
        )

    # -- YAML helpers ---------------------------------------------------------------------------

    def _mapping(
        self, node: MappingNode, allowed: tuple[str, ...] | None, *, what: str
    ) -> dict[str, Node]:
        """Keys -> value nodes; reports duplicate, non-string and (if ``allowed``) unknown keys."""
        fields: dict[str, Node] = {}
        for key_node, value in node.value:
            key = self._scalar(key_node, what)
            if key is None:
                continue
            if key in fields:
                first = self.location(self._key_nodes[id(fields[key])])
                self.error(
                    key_node,
                    f"duplicate key '{key}' (first at line {first.line})",
                    hint="YAML would keep only one of them: merge them, e.g. as a list",
                )
                continue
            if allowed is not None and key not in allowed:
                hint = closest(key, allowed) or f"allowed here: {', '.join(allowed)}"
                self.error(key_node, f"unknown {what} '{key}'", hint=hint)
                continue
            fields[key] = value
            self._key_nodes[id(value)] = key_node
        return fields

    def _reject_keys(self, fields: dict[str, Node], allowed: tuple[str, ...], hint: str) -> None:
        for key, value in fields.items():
            if key not in allowed:
                self.error(
                    self._key_nodes[id(value)],
                    f"unknown key '{key}'",
                    hint=closest(key, allowed) or hint,
                )

    def _scalar(self, node: Node, what: str) -> str | None:
        if isinstance(node, ScalarNode):
            return str(node.value)
        self.error(
            node,
            f"'{what}' must be a single value, not a {_kind(node)}",
            hint="check the indentation and brackets of the lines here",
        )
        return None

    def _scalars(self, node: Node, what: str) -> list[ScalarNode]:
        items = node.value if isinstance(node, SequenceNode) else [node]
        scalars = []
        for item in items:
            if isinstance(item, ScalarNode):
                scalars.append(item)
            else:
                self.error(
                    item,
                    f"'{what}' must be a value or a list of values, not a {_kind(item)}",
                    hint=f"write '{what}: x' or '{what}: [x, y]'",
                )
        return scalars


def _reused_anchor(path: Path, message: str) -> AnnotationError:
    """ruamel only warns of an anchor defined twice (the later silently wins): make it an error."""
    name = re.search(r"duplicate anchor '([^']*)'", message)
    marks = [(int(line), int(column)) for line, column in _MARK.findall(message)]
    first, second = (marks[0], marks[-1]) if marks else ((1, 1), (1, 1))
    return AnnotationError(
        f"anchor '&{name.group(1) if name else '?'}' is defined twice (first at line {first[0]})",
        location=SourceLocation(path, *second),
        hint="an anchor names one value: rename this one, and its aliases '*...'",
    )


_MARK = re.compile(r"line (\d+), column (\d+)")


def _yaml_error(path: Path, source: str, error: YAMLError) -> AnnotationError:
    """A parser error where the mistake is, saying where the parser stopped.

    ruamel gives the mark where it gave up, and for some errors the mark where the construct it
    was in began; an unclosed quote or bracket is found lines after it was opened, so it is
    reported where it was opened.
    """
    if isinstance(error, ReaderError):
        # A character YAML forbids in a file (controls such as NUL or ESC).
        return AnnotationError(
            f"character U+{error.character:04X} is not allowed in YAML",
            location=_text_location(path, source, error.position),
            hint="delete it (it is invisible in most editors)",
        )
    if not isinstance(error, MarkedYAMLError):
        return AnnotationError(
            f"YAML syntax error: {error}",
            location=SourceLocation(path, 1, 1),
            hint="check the file with a YAML linter",
        )
    stopped = error.problem_mark or error.context_mark
    if stopped is None:
        return AnnotationError(
            f"YAML syntax error: {error.problem or error.context or 'invalid YAML'}",
            location=SourceLocation(path, 1, 1),
            hint="check indentation, colons and brackets; quote a value that has ': ' or ' #'",
        )
    problem = error.problem or error.context or "invalid YAML"
    end = _text_location(path, source, stopped.index)
    quote = _runaway_quote(source, stopped.index)
    if quote is not None:
        return AnnotationError(
            f"YAML syntax error: a quoted value that starts here runs on to line {end.line}, "
            f"where the parser stopped at column {end.column}: {problem}",
            location=_text_location(path, source, quote),
            hint="is its closing quote missing? A quoted value may span lines, so YAML reads "
            "on to the next quote mark",
        )
    opened = error.context_mark
    advice = _UNCLOSED.get(error.context or "")
    if advice is not None and opened is not None and opened.index < stopped.index:
        return AnnotationError(
            f"YAML syntax error {error.context} that starts here; the parser stopped at line "
            f"{end.line}, column {end.column}: {problem}",
            location=_text_location(path, source, opened.index),
            hint=advice,
        )
    return AnnotationError(
        f"YAML syntax error: {problem}",
        location=end,
        hint=_yaml_context(path, source, error)
        or "check indentation, colons and brackets here; quote a value that has ': ' or ' #'",
    )


#: Constructs that begin where the mistake is when ruamel names one as an error's context: what
#: to look for there.
_UNCLOSED = {
    "while scanning a quoted scalar": "is its closing quote missing?",
    "while parsing a flow sequence": "is its closing ']' missing, or a ',' between two items?",
    "while parsing a flow mapping": "is its closing '}' missing, or a ',' between two items?",
    "while scanning a simple key": "is the ':' after the key missing?",
}


def _runaway_quote(source: str, stopped: int) -> int | None:
    """Where a quoted value starts that spans lines and ends on the line the parser stopped on.

    A quote left open is closed by the next quote mark, lines further on, and the parser stops
    just after that: the value it swallowed is the clue, and its start is the mistake.
    """
    line_start = source.rfind("\n", 0, stopped) + 1
    for start, end in quoted_spans(source):
        if start >= stopped:
            break
        if line_start <= end <= stopped and "\n" in source[start:end]:
            return start
    return None


def _yaml_context(path: Path, source: str, error: MarkedYAMLError) -> str | None:
    """Where the construct the parser was in began (a block mapping, say)."""
    context, mark = error.context, error.context_mark
    if not (context and error.problem and mark and mark is not error.problem_mark):
        return None
    where = _text_location(path, source, mark.index)
    return f"{context} that starts at line {where.line}, column {where.column}"


def _text_location(path: Path, source: str, index: int) -> SourceLocation:
    """A character offset as the line and column an editor shows.

    Lines are counted by '\\n', as editors and compilers do: YAML also breaks lines at a lone
    '\\r', so its own line numbers drift past a stray carriage return. An offset at the very
    end of a file that ends in a newline is shown at the end of its last line.
    """
    index = min(index, len(source))
    if index == len(source) and source.endswith("\n"):
        index -= 1
    line_start = source.rfind("\n", 0, index) + 1
    return SourceLocation(path, source.count("\n", 0, index) + 1, index - line_start + 1)


def _byte_location(path: Path, data: bytes, offset: int) -> SourceLocation:
    before = data[:offset]
    line_start = before.rfind(b"\n") + 1
    column = len(before[line_start:].decode("utf-8", errors="replace")) + 1
    return SourceLocation(path, before.count(b"\n") + 1, column)


def external_iri(text: str) -> str | None:
    """The IRI an identifier of another graph stands for, or None if it is not one.

    GeoNames IRIs end in '/', so a GeoNames id is written ``gn:1528675/``; the slash is added
    where it is left out, since the feature has no other IRI.

    >>> external_iri("wd:Q9361")
    'http://www.wikidata.org/entity/Q9361'
    >>> external_iri("gn:1528675/"), external_iri("gn:1528675")
    ('https://sws.geonames.org/1528675/', 'https://sws.geonames.org/1528675/')
    """
    text = text.strip().removeprefix("<").removesuffix(">")
    if match := _WIKIDATA.fullmatch(text):
        return f"http://www.wikidata.org/entity/{match.group(1)}"
    if match := _GEONAMES.fullmatch(text):
        return f"https://sws.geonames.org/{match.group(1)}/"
    if not text.startswith(("http://", "https://")):
        return None
    try:
        return ox.NamedNode(text).value
    except ValueError:
        return None


_WIKIDATA = re.compile(r"(?:wd:|http://www\.wikidata\.org/entity/)(Q[1-9][0-9]*)")
_GEONAMES = re.compile(r"(?:gn:|https?://sws\.geonames\.org/)([1-9][0-9]*)/?")


def occurrences(text: str, exact: str) -> Iterator[int]:
    """Where ``exact`` starts in ``text``, overlapping occurrences included."""
    start = text.find(exact)
    while start != -1:
        yield start
        start = text.find(exact, start + 1)


def _quote_hint(text: str, exact: str) -> str:
    words = exact.split()
    if words and " ".join(words) in " ".join(text.split()):
        return (
            "the article has these words with different spacing or line breaks: copy them exactly"
        )
    return "copy the words from article.md exactly (quotes are checked character by character)"


def _kind(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "mapping"
    return "list" if isinstance(node, SequenceNode) else "value"
