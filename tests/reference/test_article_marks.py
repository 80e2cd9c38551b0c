"""Marking an article's evidenced spans: nesting, crossing, offsets in code points, escaping."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from hypothesis import given
from hypothesis import strategies as st

from annograph.reference._marks import Marked, mark_text


class _Marks(HTMLParser):
    """Rebuilds the text and, for each span key, the characters its pieces cover."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text = ""
        self.open: list[str] = []
        self.covered: dict[str, list[int]] = {}
        self.firsts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag == "mark", f"only marks are markup, not <{tag}>"
        found = dict(attrs)
        key = found["data-span"] or ""
        if "id" in found:
            assert found["id"] == key and key not in self.firsts
            self.firsts.append(key)
        else:
            assert key in self.firsts, "a continuation piece comes after its first piece"
        self.open.append(key)

    def handle_endtag(self, tag: str) -> None:
        assert tag == "mark"
        self.open.pop()

    def handle_data(self, data: str) -> None:
        for key in self.open:
            self.covered.setdefault(key, []).extend(
                range(len(self.text), len(self.text) + len(data))
            )
        self.text += data


def _parse(html: str) -> _Marks:
    parser = _Marks()
    parser.feed(html)
    parser.close()
    assert parser.open == [], "every mark is closed"
    return parser


def test_nested_spans_are_nested_marks() -> None:
    html = mark_text("В Бишкеке прошла", [Marked(0, 16, "outer"), Marked(2, 9, "inner")])
    assert html == (
        '<mark class="ev" id="outer" data-span="outer" tabindex="0">В '
        '<mark class="ev" id="inner" data-span="inner" tabindex="0">Бишкеке</mark> прошла</mark>'
    )


def test_crossing_spans_split_the_later_one_into_pieces() -> None:
    text = "one two three"
    html = mark_text(text, [Marked(0, 7, "a"), Marked(4, 13, "b")])
    marks = _parse(html)
    assert marks.text == text
    assert marks.covered == {"a": list(range(0, 7)), "b": list(range(4, 13))}
    assert html.count('data-span="b"') == 2 and 'class="ev cont" data-span="b"' in html


def test_spans_that_share_a_start_or_an_end() -> None:
    text = "abcdef"
    spans = [Marked(0, 6, "all"), Marked(0, 3, "head"), Marked(3, 6, "tail"), Marked(2, 6, "x")]
    marks = _parse(mark_text(text, spans))
    assert marks.text == text
    for span in spans:
        assert marks.covered[span.key] == list(range(span.start, span.end)), span.key
    assert marks.firsts == ["all", "head", "x", "tail"]


def test_cyrillic_and_astral_offsets_count_code_points() -> None:
    text = "😀 Конференция в Бишкеке"
    start = text.index("Бишкеке")
    html = mark_text(text, [Marked(start, start + len("Бишкеке"), "city")])
    assert re.search(r'data-span="city" tabindex="0">Бишкеке</mark>$', html)


def test_hostile_text_is_escaped_and_attributes_are_the_callers() -> None:
    text = '<script>alert("x")</script> & more'
    html = mark_text(
        text, [Marked(0, 8, "q0-8")], attributes=lambda span: 'aria-describedby="f-q0-8"'
    )
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert _parse(html).text == text
    assert 'aria-describedby="f-q0-8"' in html


def test_a_span_outside_the_text_is_refused() -> None:
    try:
        mark_text("abc", [Marked(1, 4, "x")])
    except ValueError as error:
        assert "outside a text of 3" in str(error)
    else:
        raise AssertionError("no error")


@st.composite
def _texts_and_spans(draw: st.DrawFn) -> tuple[str, list[Marked]]:
    text = draw(st.text(alphabet="ab<&\"'ж😀 \n", min_size=1, max_size=30))
    bounds = st.integers(0, len(text))
    pairs = draw(st.lists(st.tuples(bounds, bounds), max_size=8, unique=True))
    spans = [Marked(min(p), max(p), f"q{min(p)}-{max(p)}") for p in pairs if p[0] != p[1]]
    return text, list({s.key: s for s in spans}.values())


@given(_texts_and_spans())
def test_any_spans_cover_exactly_their_characters(case: tuple[str, list[Marked]]) -> None:
    text, spans = case
    marks = _parse(mark_text(text, spans))
    assert marks.text == text
    assert sorted(marks.firsts) == sorted(s.key for s in spans)
    for span in spans:
        assert marks.covered[span.key] == list(range(span.start, span.end))
