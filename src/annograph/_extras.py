"""Optional parts of annograph, installed as extras, and the message that names the extra when
one is missing.

A core install builds, validates, queries, exports, pushes and links; the extras add what only
some users need: ``serve`` (Oxigraph's server and the HTTP front), ``docs`` (pyLODE, for
``annograph docs``), ``reason`` (owlready2 and a Java runtime, for ``annograph reason``) and
``geonames`` (GeoNames offline, for ``link suggest --source geonames``).
"""

from __future__ import annotations

import importlib
import json
import shlex
import sys
from importlib import metadata
from types import ModuleType
from urllib.parse import urlsplit
from urllib.request import url2pathname

from annograph.errors import AnnographError


class MissingExtra(AnnographError):
    """A command needs a package that an extra of annograph installs, and it is not installed."""


def require(module: str, *, extra: str, purpose: str) -> ModuleType:
    """``module``, imported; or an error naming the extra that installs it.

    :param purpose: what needs it, for the message ("'annograph serve'").
    :raises MissingExtra: if the module (or one it imports) is not installed.
    """
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise MissingExtra(
            f"{purpose} needs the '{error.name or 'a package'}' package, from annograph's '{extra}'"
            " extra",
            hint=f"install it: {install_command(extra)}",
        ) from error


def install_command(extra: str, *, python: str | None = None, origin: str | None = None) -> str:
    """The command that installs an extra of annograph into the Python running it.

    Where annograph came from decides the command: a clone installed with ``pip install -e .``
    (the README's way) has no name on an index to ask for, so its directory is named.

    :param python: the interpreter [default: this one, so the command fits this environment].
    :param origin: what pip recorded of where annograph came from (PEP 610 ``direct_url.json``)
        [default: read from the installed distribution].

    >>> install_command("geonames", python="/p/.venv/bin/python",
    ...                 origin='{"url": "file:///p", "dir_info": {"editable": true}}')
    "/p/.venv/bin/python -m pip install -e '/p[geonames]'"
    >>> install_command("geonames", python="python3", origin="")
    "python3 -m pip install 'annograph[geonames]'"
    """
    source = _local_source(_direct_url() if origin is None else origin)
    if source is None:
        args = ["install", f"annograph[{extra}]"]
    else:
        directory, editable = source
        args = ["install", *(["-e"] if editable else []), f"{directory}[{extra}]"]
    return shlex.join([python or sys.executable, "-m", "pip", *args])


def _local_source(origin: str) -> tuple[str, bool] | None:
    """The directory annograph was installed from and whether editably; None if from an index."""
    try:
        recorded = json.loads(origin) if origin else None
    except ValueError:
        return None
    if not isinstance(recorded, dict):
        return None
    url, directory = recorded.get("url"), recorded.get("dir_info")
    if not (isinstance(url, str) and url.startswith("file:") and isinstance(directory, dict)):
        return None
    return url2pathname(urlsplit(url).path), bool(directory.get("editable"))


def _direct_url() -> str:
    # The first distribution found may be the build's leftover src/annograph.egg-info (when src/
    # is on sys.path, as under pytest), which pip never wrote a record into: take the one it did.
    records = (d.read_text("direct_url.json") for d in metadata.distributions(name="annograph"))
    return next((record for record in records if record), "")
