"""What ``annograph serve`` listens on by default: settings the command line shows in its help,
readable without the server's own dependencies (the ``serve`` extra)."""

from __future__ import annotations

import os

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
DEFAULT_TIMEOUT = 30
#: The packages the ``serve`` extra installs, which the server imports.
SERVER_MODULES = ("werkzeug", "waitress")


def default_memory_limit() -> int:
    """Half of this machine's memory: what one query may take before the engine restarts."""
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2
