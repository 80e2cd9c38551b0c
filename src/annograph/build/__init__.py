"""Stage 3, model -> graph -> store: quads and their evidence, SHACL shapes, the OWL reasoner, the
manifest of inputs, the on-disk store and its releases, and the build engine (full, streamed and
incremental builds).

Internal: the public API is what :mod:`annograph` exports.
"""

__all__: list[str] = []
