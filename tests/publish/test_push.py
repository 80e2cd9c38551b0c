"""Push's pieces: a graph cut into requests of bounded size, whole lines each."""

from __future__ import annotations

import pyoxigraph as ox

from annograph.publish._push import _pieces

GRAPH = ox.NamedNode("https://example.org/g")


def _store(triples: int) -> ox.Store:
    store = ox.Store()
    for n in range(triples):
        # Literals with a line break and quotes: escaped, so still one triple per line.
        text = ox.Literal(f'line {n}\nwith "quotes"' if n % 7 == 0 else f"value {n}")
        store.add(
            ox.Quad(
                ox.NamedNode(f"https://example.org/s{n}"),
                ox.NamedNode("https://example.org/p"),
                text,
                GRAPH,
            )
        )
    return store


def test_pieces_are_whole_lines_no_larger_than_the_limit_and_make_up_the_graph() -> None:
    store = _store(500)
    pieces = list(_pieces(store, GRAPH, 2048))
    assert len(pieces) > 10
    assert all(0 < len(piece) <= 2048 and piece.endswith(b"\n") for piece in pieces)
    assert b"".join(pieces) == store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=GRAPH)
    assert sum(piece.count(b"\n") for piece in pieces) == 500


def test_a_line_longer_than_the_limit_goes_alone_and_an_empty_graph_is_one_empty_piece() -> None:
    store = _store(3)
    long = list(_pieces(store, GRAPH, 10))
    assert len(long) == 3 and all(piece.count(b"\n") == 1 for piece in long)
    assert list(_pieces(ox.Store(), GRAPH, 10)) == [b""]


def test_a_graph_with_blank_nodes_goes_whole() -> None:
    """A blank node's label holds within one request only: cut, it would become two nodes."""
    store = _store(200)
    node = ox.BlankNode()
    for n in range(2):
        store.add(ox.Quad(node, ox.NamedNode("https://example.org/p"), ox.Literal(str(n)), GRAPH))
    assert len(list(_pieces(store, GRAPH, 1024))) == 1
