"""Label keys for matching names across languages, scripts and romanization systems.

Reconciliation compares names written by different people in different scripts: the article's
"Чуйская область", GeoNames' "Chuyskaya Oblast’" and "Chüy Region". Each name is reduced to keys
of decreasing strictness; two names match at the strictest key they share.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import IntEnum
from functools import lru_cache

from anyascii import anyascii


class MatchKind(IntEnum):
    """How two labels matched, strictest first (the value orders them)."""

    #: The same letters once case, accents, punctuation and quotes are folded.
    EXACT = 1
    #: The same after Cyrillic->Latin transliteration and folding romanization variants (y/i/j).
    TRANSLITERATED = 2
    #: The same once words such as "Region", "область", "District" are dropped from both.
    CORE = 3
    #: An abbreviation or acronym of one equals the other ("IOM", "МОМ").
    ABBREVIATION = 4


#: Words that say what kind of place a name is rather than which one ("Batken Region" ~ "Batken").
#: Compared after folding, so Cyrillic designators appear transliterated.
DESIGNATORS = frozenset(
    {
        "region",
        "oblast",
        "oblasty",
        "oblusu",
        "oblasti",
        "district",
        "raion",
        "rayon",
        "raionu",
        "raiony",
        "shaary",
        "city",
        "town",
        "village",
        "province",
        "gorod",
        "selo",
        "municipality",
    }
)

#: Words an acronym skips ("International Organization for Migration" -> "IOM").
_FUNCTION_WORDS = frozenset({"of", "for", "the", "and", "in", "on", "po", "i", "v", "na", "de"})

_Y_J_AS_I = str.maketrans("yj", "ii")
_DOUBLE_I = re.compile(r"i+")
_I_BETWEEN_VOWELS = re.compile(r"(?<=[aeiou])i(?=[aeiou])")
_APOSTROPHES = re.compile(r"['\u2018\u2019\u02bc\u02b9\u02bb\u0060\u00b4]")
_NON_WORD = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class LabelKeys:
    """The keys of one label, strictest first.

    ``core`` is the transliterated key without designators ("Batken Region" -> "batken"), so a
    name with a designator meets one without; None if the name is nothing but designators.
    """

    exact: str
    transliterated: str
    core: str | None

    def at(self, kind: MatchKind) -> str | None:
        """The key compared at this level of strictness (abbreviations use ``exact``)."""
        if kind is MatchKind.TRANSLITERATED:
            return self.transliterated
        if kind is MatchKind.CORE:
            return self.core
        return self.exact

    def by_level(self) -> Iterator[tuple[MatchKind, str]]:
        """(level, key) for each level a whole label is compared at, strictest first."""
        for kind in (MatchKind.EXACT, MatchKind.TRANSLITERATED, MatchKind.CORE):
            key = self.at(kind)
            if key:
                yield kind, key


def fold(label: str) -> str:
    """Case, accents, punctuation and quotes folded; any script written in ASCII letters.

    >>> fold("Chüy Oblusu"), fold("«Бишкек»"), fold("Oblast’")
    ('chuy oblusu', 'bishkek', 'oblast')
    """
    text = _APOSTROPHES.sub("", label)
    if not text.isascii():
        text = anyascii(unicodedata.normalize("NFKC", text))
    text = text.casefold()
    return " ".join(_NON_WORD.sub(" ", text).split())


def fold_romanization(folded: str) -> str:
    """Fold the letters romanization systems disagree on (й, я, ю, е after a vowel).

    ``Chuiskaia``, ``Chuyskaya`` and ``Čujskaja`` all become ``chuiskaa``; the key is only ever
    compared with another key made the same way, so it need not be readable.

    >>> fold_romanization("chuyskaya oblast") == fold_romanization("chuiskaia oblast")
    True
    >>> fold_romanization("belovodskoye") == fold_romanization("belovodskoe")
    True
    """
    text = _DOUBLE_I.sub("i", folded.translate(_Y_J_AS_I))
    # "ye", "ya", "yu" after a vowel are written "e", "a", "u" by some systems.
    return _I_BETWEEN_VOWELS.sub("", text)


def label_keys(label: str) -> LabelKeys:
    """The matching keys of a label.

    >>> label_keys("Чуйская область")
    LabelKeys(exact='chuyskaya oblast', transliterated='chuiskaa oblast', core='chuiskaa')
    """
    exact = fold(label)
    loose = fold_romanization(exact)
    words = [word for word in loose.split() if word not in _DESIGNATOR_KEYS]
    return LabelKeys(exact, loose, " ".join(words) or None)


def acronym(label: str) -> str | None:
    """The initials of a multi-word name, skipping function words (None for one word).

    >>> acronym("International Organization for Migration")
    'iom'
    >>> acronym("Bishkek") is None
    True
    """
    words = [word for word in fold(label).split() if word not in _FUNCTION_WORDS]
    return "".join(word[0] for word in words) if len(words) >= 2 else None


class LabelFilter:
    """A quick test of whether a label could match any of some query labels at any level.

    Reconciling against a few hundred thousand external records, most labels share no word with
    what is sought; this rules them out before their keys are computed.
    """

    def __init__(self, labels: Iterable[str]) -> None:
        words: set[str] = set()
        for label in labels:
            words.update(label_keys(label).transliterated.split())
            words.update(filter(None, [acronym(label)]))
        self._words = frozenset(words - _DESIGNATOR_KEYS - _FUNCTION_WORDS)

    def might_match(self, label: str) -> bool:
        return any(_fold_word(word) in self._words for word in fold(label).split())


@lru_cache(maxsize=1 << 18)
def _fold_word(word: str) -> str:
    return fold_romanization(word)


# Designators as they look after romanization folding ("raion" and "rayon" both -> "raion").
_DESIGNATOR_KEYS = frozenset(fold_romanization(word) for word in DESIGNATORS)
