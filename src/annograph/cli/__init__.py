"""Stage 9, the ``annograph`` command: click commands over :class:`annograph.Project`."""

from annograph.cli._commands import cli, main

__all__ = ["cli", "main"]
