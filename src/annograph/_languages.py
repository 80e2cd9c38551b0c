"""The languages pictures and pages are labelled in, and choosing a text in one of them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal

import pyoxigraph as ox

Language = Literal["en", "ru"]
LANGUAGES: tuple[Language, ...] = ("en", "ru")


def in_language(texts: Mapping[str, str], lang: str) -> str | None:
    """The text in ``lang``; else in another of :data:`LANGUAGES`; else untagged; else None.

    >>> in_language({"en": "organizer", "ru": "организатор"}, "ru")
    'организатор'
    >>> in_language({"en": "organizer"}, "ru")
    'organizer'
    """
    for tag in (lang, *(other for other in LANGUAGES if other != lang), "", *sorted(texts)):
        if tag in texts:
            return texts[tag]
    return None


def literal_in(literals: Iterable[ox.Literal], lang: str) -> str | None:
    """The first (in sorted order) of the literals in ``lang``, with :func:`in_language`'s
    fallbacks: a name to show for something that has names in several languages."""
    texts: dict[str, str] = {}
    for literal in sorted(literals, key=lambda lit: lit.value):
        texts.setdefault(literal.language or "", literal.value)
    return in_language(texts, lang)
