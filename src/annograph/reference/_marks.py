"""An article's text as HTML with its evidenced spans marked, nested or overlapping.

Spans nest as HTML elements must: a span inside another is a ``<mark>`` inside its ``<mark>``.
Two spans that cross (``[a (b] c)``) cannot both be one element, so the one opened first is
closed where the other ends inside it and opened again after: it becomes two pieces. The first
piece of a span has the span's ``id`` (an anchor) and is what a keyboard focuses; every piece has
``data-span``, so a page can light up all of a span at once. The text between marks is escaped;
nothing of it becomes markup.

Offsets count characters (code points), as the annotations' selectors do
(``oa:TextPositionSelector``), not UTF-16 units or bytes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from html import escape


@dataclass(frozen=True, slots=True)
class Marked:
    """A span to mark: characters ``start:end`` of the text, and how to open its element."""

    start: int
    end: int
    #: The span's id, unique in the page (``q12-40``): the first piece's ``id``.
    key: str
    #: Extra classes of its elements (its kind: a mention, a fact).
    classes: str = ""


def span_key(start: int, end: int) -> str:
    """The anchor of the span at ``start:end``: the same in every page that shows the article.

    >>> span_key(12, 40)
    'q12-40'
    """
    return f"q{start}-{end}"


def mark_text(
    text: str,
    spans: Iterable[Marked],
    *,
    attributes: Callable[[Marked], str] = lambda span: "",
) -> str:
    """``text`` as HTML, each span in ``<mark>`` elements, properly nested (see the module).

    :param spans: spans within the text, each with a distinct key; empty spans are left out.
    :param attributes: extra attributes of a span's first piece (already escaped).
    :raises ValueError: for a span outside the text.

    >>> mark_text("a<b c", [Marked(0, 3, "x"), Marked(2, 5, "y")])
    '<mark class="ev" id="x" data-span="x" tabindex="0">a&lt;<mark class="ev" id="y" \
data-span="y" tabindex="0">b</mark></mark><mark class="ev cont" data-span="y"> c</mark>'
    """
    spans = [span for span in spans if span.start < span.end]
    for span in spans:
        if span.start < 0 or span.end > len(text):
            raise ValueError(f"span {span.start}:{span.end} is outside a text of {len(text)}")
    # Outer spans open first: at one position, the longest first.
    opening: dict[int, list[Marked]] = defaultdict(list)
    for span in sorted(spans, key=lambda s: (s.start, -s.end, s.key)):
        opening[span.start].append(span)
    bounds = sorted({0, len(text), *(s.start for s in spans), *(s.end for s in spans)})
    out: list[str] = []
    open_spans: list[Marked] = []
    for here, after in zip(bounds, [*bounds[1:], len(text)], strict=True):
        _close_ending(here, open_spans, out)
        for span in opening.get(here, ()):
            out.append(_open(span, first=True, attributes=attributes(span)))
            open_spans.append(span)
        out.append(escape(text[here:after], quote=False))
    return "".join(out) + "</mark>" * len(open_spans)


def _close_ending(here: int, open_spans: list[Marked], out: list[str]) -> None:
    """Close the spans that end at ``here``; those opened inside them and still running are
    closed with them and opened again (as continuation pieces)."""
    ending = [i for i, span in enumerate(open_spans) if span.end == here]
    if not ending:
        return
    lowest = ending[0]
    above = open_spans[lowest:]
    out.append("</mark>" * len(above))
    del open_spans[lowest:]
    for span in above:
        if span.end != here:
            out.append(_open(span, first=False, attributes=""))
            open_spans.append(span)


def _open(span: Marked, *, first: bool, attributes: str) -> str:
    classes = " ".join(part for part in ("ev", span.classes, "" if first else "cont") if part)
    key = escape(span.key)
    if not first:
        return f'<mark class="{classes}" data-span="{key}">'
    extra = f" {attributes}" if attributes else ""
    return f'<mark class="{classes}" id="{key}" data-span="{key}" tabindex="0"{extra}>'
