"""Checks on the words people type: language tags, typed values, and names close to a typo."""

from __future__ import annotations

import datetime
import difflib
import re
from collections.abc import Iterable, Sequence

from annograph.vocab import XSD as XSD

# BCP 47 language tag (RFC 5646 "langtag" production, without grandfathered tags).
LANGUAGE_TAG = re.compile(
    r"[a-zA-Z]{2,3}(-[a-zA-Z]{3}){0,3}(-[a-zA-Z]{4})?(-([a-zA-Z]{2}|[0-9]{3}))?"
    r"(-([a-zA-Z0-9]{5,8}|[0-9][a-zA-Z0-9]{3}))*(-[0-9a-wyzA-WYZ](-[a-zA-Z0-9]{2,8})+)*"
    r"(-x(-[a-zA-Z0-9]{1,8})+)?"
)

#: Lexical forms of the XSD datatypes annograph checks; other datatypes are taken as written.
LEXICAL_FORMS = {
    XSD + "decimal": re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)"),
    XSD + "integer": re.compile(r"[+-]?[0-9]+"),
    XSD + "boolean": re.compile(r"true|false|1|0"),
    XSD + "date": re.compile(
        r"-?[0-9]{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(Z|[+-][0-9]{2}:[0-9]{2})?"
    ),
    XSD + "gYear": re.compile(r"-?[0-9]{4,}(Z|[+-][0-9]{2}:[0-9]{2})?"),
    # At least one component, and a 'T' only before a time component (P1D, PT2H, P1DT12H).
    XSD + "duration": re.compile(
        r"-?P(?=[0-9T])([0-9]+Y)?([0-9]+M)?([0-9]+D)?"
        r"(T(?=[0-9])([0-9]+H)?([0-9]+M)?([0-9]+(\.[0-9]+)?S)?)?"
    ),
    XSD + "language": LANGUAGE_TAG,
    XSD + "string": re.compile(r".*", re.DOTALL),
}


#: What a valid value of each checked datatype looks like, for error hints.
LEXICAL_HINTS = {
    XSD + "decimal": "write digits with an optional '.', no spaces or separators, e.g. 710000",
    XSD + "integer": "write a whole number with no spaces, e.g. 18 (at most 19 digits)",
    XSD + "boolean": "write true or false",
    XSD + "date": "write a real day as YYYY-MM-DD, e.g. 2023-12-18",
    XSD + "gYear": "write a year as four digits, e.g. 2023",
    XSD + "duration": "write an ISO 8601 duration, e.g. P3D for three days or PT2H for two hours",
    XSD + "language": "write a BCP 47 language tag, e.g. ru or en",
}


#: A valid value of each checked datatype, as a curator writes it after 'value:'.
LEXICAL_EXAMPLES = {
    XSD + "decimal": "710000",
    XSD + "integer": "18",
    XSD + "boolean": "true",
    XSD + "date": "2023-12-18",
    XSD + "gYear": "2023",
    XSD + "duration": "P3D",
    XSD + "language": "ru",
}


def is_valid_lexical(value: str, datatype: str) -> bool:
    """Whether ``value`` is a valid lexical form of ``datatype`` (true for unchecked datatypes).

    >>> is_valid_lexical("14000", XSD + "integer"), is_valid_lexical("14 000", XSD + "integer")
    (True, False)
    >>> is_valid_lexical("2023-12-18", XSD + "date"), is_valid_lexical("2023-02-30", XSD + "date")
    (True, False)
    """
    pattern = LEXICAL_FORMS.get(datatype)
    if pattern is None:
        return True
    if pattern.fullmatch(value) is None:
        return False
    if datatype == XSD + "integer":
        return _fits_the_store(value)
    return datatype != XSD + "date" or _is_calendar_date(value)


def _fits_the_store(integer: str) -> bool:
    """Whether a well-formed xsd:integer is one Oxigraph holds (64 bits): a larger one is
    stored as text that no comparison or sum can use.

    >>> _fits_the_store("9223372036854775807"), _fits_the_store("1" + "0" * 400)
    (True, False)
    """
    digits = integer.lstrip("+-").lstrip("0")
    return len(digits) <= 19 and -(2**63) <= int(integer) <= 2**63 - 1


def _is_calendar_date(value: str) -> bool:
    """Whether a well-formed xsd:date names a real day (no 30 February)."""
    match = _DATE_PARTS.match(value)
    assert match is not None  # value matched the xsd:date pattern
    year, month, day = (int(part) for part in match.groups())
    try:
        # Leap years repeat every 400 years; this keeps years datetime cannot hold checkable.
        datetime.date(2000 + year % 400, month, day)
    except ValueError:
        return False
    return True


_DATE_PARTS = re.compile(r"-?([0-9]{4,})-([0-9]{2})-([0-9]{2})")


def closest(name: str, candidates: Iterable[str], *, n: int = 1) -> str | None:
    """A "did you mean" hint for a typo, naming up to ``n`` close names, or None when none is.

    >>> closest("organiser", ["organizer", "funder"])
    "did you mean 'organizer'?"
    >>> closest("atendee", ["attendee", "attendees", "agent"], n=3)
    "did you mean 'attendee' or 'attendees'?"
    """
    matches = difflib.get_close_matches(name, sorted(set(candidates)), n=n, cutoff=0.6)
    return did_you_mean(matches) if matches else None


def did_you_mean(names: Sequence[str]) -> str:
    """The question every typo's hint asks, naming one or more names.

    >>> did_you_mean(["a", "b", "c"])
    "did you mean 'a', 'b' or 'c'?"
    """
    quoted = [f"'{name}'" for name in names]
    listed = quoted[-1] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"
    return f"did you mean {listed}?"
