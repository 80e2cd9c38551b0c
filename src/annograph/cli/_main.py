"""The ``annograph`` command group: shared options, how errors are shown, the entry point.

The ``annograph`` command: a thin layer over :class:`annograph.project._facade.Project`.

Exit codes: 0 success, 1 invalid data, query or store problem (one ``path:line:col: error:``
line per problem), 2 usage error.
"""

from __future__ import annotations

import enum
import functools
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
import httpx

from annograph._frames import release_frames
from annograph._http import AuthScheme, credentials
from annograph._languages import LANGUAGES
from annograph._version import __version__
from annograph.cli._terminal import (
    SHELLS,
    color,
    completion_script,
    configure,
    info,
    styled,
)
from annograph.errors import AnnographError, AnnotationErrors, SourceLocation
from annograph.project._config import Endpoint
from annograph.project._facade import Project

F = TypeVar("F", bound=Callable[..., Any])
#: Where --user takes its password from, so that it stays out of shell history and ps.
PASSWORD_VARIABLE = "ANNOGRAPH_PASSWORD"


class UserError(click.ClickException):
    """An :class:`AnnographError` shown as its own compiler-style lines, without 'Error:'."""

    def __init__(self, error: AnnographError) -> None:
        message = str(error)
        if isinstance(error, AnnotationErrors):
            message += "\n" + _count(error.errors)
        super().__init__(message)
        self.exit_code = error.exit_code  # type: ignore[misc]  # click's default is a class attribute
        self.styled = styled(error) + message[len(str(error)) :]

    def show(self, file: Any = None) -> None:
        # Shown after the command's context is gone: NO_COLOR is checked here again.
        click.echo(self.styled, err=True, color=color())


def _count(problems: list[AnnographError]) -> str:
    errors = sum(problem.severity == "error" for problem in problems)
    return f"{errors} error(s), {len(problems) - errors} warning(s); nothing was written"


class AnnographGroup(click.Group):
    """Turns library errors into user messages in one place."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except AnnographError as error:
            release_frames(error)
            raise UserError(error) from error


def lang_option(command: F) -> F:
    """``--lang ru|en``: the language of labels in pictures and pages."""
    return click.option(
        "--lang",
        type=click.Choice(LANGUAGES),
        default="en",
        show_default=True,
        help="Language of the labels (the other one where a term has none in it).",
    )(command)


def project_options(command: F) -> F:
    """``--project``, ``--store``, ``--data`` and ``--base-iri``, for the commands needing them."""

    @click.option(
        "--project",
        "project_dir",
        type=click.Path(file_okay=False, exists=True, path_type=Path),
        help="Project directory [default: the one containing the current directory].",
    )
    @click.option(
        "--store",
        "store_path",
        type=click.Path(path_type=Path),
        envvar="ANNOGRAPH_STORE",
        help="Store location [default: .annograph/store in the project; env ANNOGRAPH_STORE; "
        "config 'store'].",
    )
    @click.option(
        "--data",
        "data_path",
        type=click.Path(file_okay=False, path_type=Path),
        envvar="ANNOGRAPH_DATA",
        help="Data folder (articles/, entities/, links/) [default: data in the project; "
        "env ANNOGRAPH_DATA; config 'data'].",
    )
    @click.option(
        "--base-iri",
        envvar="ANNOGRAPH_BASE_IRI",
        help="Namespace for minted IRIs [default: https://w3id.org/annograph/data/; "
        "env ANNOGRAPH_BASE_IRI; config 'base_iri'].",
    )
    @functools.wraps(command)
    def wrapper(
        *args: Any,
        project_dir: Path | None,
        store_path: Path | None,
        data_path: Path | None,
        base_iri: str | None,
        **kwargs: Any,
    ) -> Any:
        project = Project.discover(
            project_dir or Path.cwd(),
            base_iri=base_iri,
            store_path=store_path,
            data_path=data_path,
        )
        return command(project, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def output_option(command: F) -> F:
    """``-o/--output FILE``: write there instead of to standard output."""
    return click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Write to FILE instead of standard output.",
    )(command)


def format_option(
    formats: type[enum.Enum], *, help: str, default: enum.Enum | None = None
) -> Callable[[F], F]:
    """``-f/--format NAME``, one of ``formats``' values, passed on as ``format_name``."""
    return click.option(
        "-f",
        "--format",
        "format_name",
        type=click.Choice([f.value for f in formats]),
        default=None if default is None else default.value,
        show_default=default is not None,
        help=help,
    )


def emit(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=False)
    else:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as error:
            message = f"cannot write: {error.strerror}"
            raise AnnographError(message, location=SourceLocation(output)) from error
        info(f"wrote {output}", err=True)


def auth_options(command: F) -> F:
    """``--user NAME`` (password from ANNOGRAPH_PASSWORD or a prompt) and ``--auth SCHEME``,
    passed on as ``user`` and ``auth_scheme`` (None when not given: the endpoint's
    configuration decides; see :func:`endpoint_auth`)."""

    @click.option(
        "--user", metavar="NAME", help="User name for the endpoint (password: ANNOGRAPH_PASSWORD)."
    )
    @click.option(
        "--auth",
        "auth_scheme",
        type=click.Choice([s.value for s in AuthScheme]),
        default=None,
        help="How to send the credentials: as the server's 401 asks (auto: Digest if it offers "
        "it, else Basic), basic (with every request, unasked), or digest [default: the "
        "endpoint's 'auth' in annograph.toml, else auto].",
    )
    @functools.wraps(command)
    def wrapper(*args: Any, auth_scheme: str | None, **kwargs: Any) -> Any:
        scheme = AuthScheme(auth_scheme) if auth_scheme is not None else None
        return command(*args, auth_scheme=scheme, **kwargs)

    return wrapper  # type: ignore[return-value]


def endpoint_auth(
    endpoint: Endpoint, user: str | None, scheme: AuthScheme | None
) -> httpx.Auth | None:
    """Credentials for ``endpoint``: the options' ``user`` and ``scheme``, else the endpoint's
    configured ones (None without a user); the password from ANNOGRAPH_PASSWORD or a prompt."""
    user = user or endpoint.user
    scheme = scheme or endpoint.auth
    if user is None:
        return None
    password = os.environ.get(PASSWORD_VARIABLE)
    if password is None:
        password = click.prompt(f"password for {user}", hide_input=True, err=True)
    return credentials(user, password, scheme)


@click.group(cls=AnnographGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="annograph")
@click.option("-q", "--quiet", is_flag=True, help="Print only errors and the output asked for.")
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help="Say more: the time of each build stage, each graph pushed.",
)
@click.pass_context
def cli(ctx: click.Context, quiet: bool, verbose: bool) -> None:
    """Curated annotations of news articles -> a linked-data knowledge graph you query with SPARQL.

    Run the commands inside a project (a directory with ontology/, data/ and queries/).
    Colour goes only to a terminal, and never with NO_COLOR set.

    \b
    Example:
      annograph build && annograph query organizers
    """
    configure(ctx, quiet=quiet, verbose=verbose)


@cli.command()
@click.argument("shell", type=click.Choice(SHELLS))
def completion(shell: str) -> None:
    """Print the script that makes SHELL complete annograph's commands, options and names.

    Besides commands and options, it completes saved query names (annograph query QUERY),
    article slugs (--graph) and the endpoint names of annograph.toml (--endpoint).

    \b
    Examples:
      eval "$(annograph completion bash)"     # add to ~/.bashrc
      eval "$(annograph completion zsh)"      # add to ~/.zshrc
      annograph completion fish > ~/.config/fish/completions/annograph.fish
    """
    click.echo(completion_script(cli, shell, prog_name="annograph"), nl=False)


class ByteSize(click.ParamType[int]):
    """A size such as 512M, 4G or 4096 (bytes); 'none' or 0 for no limit (given as 0)."""

    name = "size"
    _UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        text = str(value).strip().upper().removesuffix("B").removesuffix("I")
        if text in ("NONE", "0"):
            return 0
        match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([KMGT]?)", text)
        if match is None:
            self.fail(f"'{value}' is not a size; write e.g. 512M, 4G or none", param, ctx)
        size = int(float(match.group(1)) * self._UNITS[match.group(2)])
        if size < 64 << 20:
            self.fail(f"{value} is too little for the query engine: give at least 64M", param, ctx)
        return size


def main() -> None:
    """Console entry point."""
    cli(prog_name="annograph")


if __name__ == "__main__":  # pragma: no cover
    main()
