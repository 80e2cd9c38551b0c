"""Stage 7, a project on disk: its configuration, new projects and articles from the template, and
:class:`annograph.Project`, the facade over the stages.

Internal: the public API is what :mod:`annograph` exports.
"""

__all__: list[str] = []
