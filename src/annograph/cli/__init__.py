"""Stage 9, the ``annograph`` command: click commands over :class:`annograph.Project`, one module
per command group, each registering its commands on the group of :mod:`annograph.cli._main`."""

from annograph.cli import _build, _link, _project, _publish, _query, _reference, _serve
from annograph.cli._main import cli, main

__all__ = ["cli", "main"]

# Imported for the commands they register on ``cli``.
del _build, _link, _project, _publish, _query, _reference, _serve
