"""The configuration file: what it sets, what wins over it, and each mistake at file:line:col."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from annograph import Project
from annograph._http import AuthScheme
from annograph.build._graph import DEFAULT_BASE_IRI
from annograph.cli import cli
from annograph.project._config import ConfigError, Endpoint, load_config
from annograph.serve._engine import free_port

CONFIG = """\
base_iri = "https://news.example.org/kg/"
store = "build/store"

[prefixes]
onto = "https://w3id.org/annograph/ontology#"

[endpoints.prod]
url = "https://sparql.example.org/news/query"
user = "curator"
graph_store = "https://sparql.example.org/news/data"
"""


def _configure(project: Project, text: str, name: str = "annograph.toml") -> Path:
    path = project.root / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_file_sets_base_iri_store_prefixes_and_endpoints(project_copy: Project) -> None:
    path = _configure(project_copy, CONFIG)
    project = Project.discover(project_copy.root / "data")
    assert project.config.path == path
    assert project.base_iri == "https://news.example.org/kg/"
    assert project.store == project_copy.root / "build" / "store"
    assert project.prefixes()["onto"] == "https://w3id.org/annograph/ontology#"
    assert project.prefixes()["id"] == "https://news.example.org/kg/id/"
    assert project.endpoint("prod") == Endpoint(
        "prod",
        "https://sparql.example.org/news/query",
        "curator",
        "https://sparql.example.org/news/data",
    )
    url = "http://127.0.0.1:7878/query"
    assert project.endpoint(url) == Endpoint(url, url)


def test_without_a_file_the_defaults_hold(project_copy: Project) -> None:
    project = Project.discover(project_copy.root)
    assert project.config.path is None
    assert project.base_iri == DEFAULT_BASE_IRI
    assert project.store == project_copy.root / ".annograph" / "store"


@pytest.mark.slow
def test_the_data_folder_can_live_elsewhere(runner: CliRunner, project_copy: Project) -> None:
    root = project_copy.root
    (root / "data").rename(root / "corpus")
    # Without the data folder the project has no articles; pointed at it, the same graph builds.
    assert Project.discover(root).article_slugs() == []
    _configure(project_copy, 'data = "corpus"\n')
    configured = Project.discover(root)
    assert configured.data == root / "corpus"
    assert configured.article_slugs() == [
        "bishkek-migrants-day",
        "cholpon-ata-round-table",
        "remittances-report-launch",
    ]
    (root / "annograph.toml").unlink()
    result = runner.invoke(cli, ["build", "--project", str(root), "--data", str(root / "corpus")])
    assert result.exit_code == 0, result.output
    assert "3 article(s)" in result.output
    env = {"ANNOGRAPH_DATA": str(root / "corpus")}
    result = runner.invoke(cli, ["validate", "--project", str(root)], env=env)
    assert result.exit_code == 0 and result.output.startswith("valid: 3 article(s)")


def test_pyproject_tool_table_is_read_too(project_copy: Project) -> None:
    _configure(
        project_copy,
        '[project]\nname = "news"\n\n[tool.annograph]\nstore = "elsewhere"\n',
        "pyproject.toml",
    )
    assert Project.discover(project_copy.root).store == project_copy.root / "elsewhere"


def test_a_pyproject_without_annograph_is_none_of_our_business(project_copy: Project) -> None:
    _configure(project_copy, "[project\nbroken = \n", "pyproject.toml")
    assert Project.discover(project_copy.root).config.path is None


def _built(runner: CliRunner, project: Project, *options: str, env: dict[str, str]) -> str:
    # --verbose: the build lists the graphs it wrote.
    result = runner.invoke(cli, ["-v", "build", "--project", str(project.root), *options], env=env)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.slow
@pytest.mark.parametrize(
    ("env", "options", "store", "base"),
    [
        ({}, (), "build/store", "https://news.example.org/kg/"),
        (
            {"ANNOGRAPH_STORE": "{root}/env-store", "ANNOGRAPH_BASE_IRI": "https://env.example/"},
            (),
            "env-store",
            "https://env.example/",
        ),
        (
            {"ANNOGRAPH_STORE": "{root}/env-store", "ANNOGRAPH_BASE_IRI": "https://env.example/"},
            ("--store", "{root}/option-store", "--base-iri", "https://option.example/"),
            "option-store",
            "https://option.example/",
        ),
    ],
    ids=["config", "env-over-config", "option-over-env"],
)
def test_option_wins_over_environment_over_config(
    runner: CliRunner,
    project_copy: Project,
    env: dict[str, str],
    options: tuple[str, ...],
    store: str,
    base: str,
) -> None:
    _configure(project_copy, CONFIG)
    root = str(project_copy.root)
    output = _built(
        runner,
        project_copy,
        *(option.format(root=root) for option in options),
        env={name: value.format(root=root) for name, value in env.items()},
    )
    assert output.startswith(f"built {project_copy.root / store} in ")
    assert f"<{base}graph/bishkek-migrants-day>" in output


@pytest.mark.slow
def test_configured_prefixes_work_in_query_parameters(
    runner: CliRunner, project_copy: Project, built: Project
) -> None:
    command = [
        *("query", "--project", str(project_copy.root), "--store", str(built.store)),
        *("entities-of-class", "-p", "class=onto:Report"),
    ]
    # Without the prefix, 'onto:Report' is an IRI of the scheme 'onto:', which nothing has.
    unknown = runner.invoke(cli, command)
    assert unknown.exit_code == 0 and unknown.output.rstrip().endswith("(0 rows)")
    _configure(project_copy, CONFIG.replace('base_iri = "https://news.example.org/kg/"\n', ""))
    result = runner.invoke(cli, command)
    assert result.exit_code == 0, result.output
    assert result.output.rstrip().endswith("(5 rows)")


def test_a_configured_endpoint_name_is_used_for_its_url(
    runner: CliRunner, project_copy: Project, built: Project
) -> None:
    port = free_port()  # nothing listens there: the error shows which URL was tried
    _configure(project_copy, f'[endpoints.local]\nurl = "http://127.0.0.1:{port}/query"\n')
    for command in (["query", "organizers"], ["push", "--retries", "0"]):
        result = runner.invoke(
            cli,
            [*command, "--project", str(project_copy.root), "--store", str(built.store)]
            + ["--endpoint", "local"],
        )
        assert result.exit_code == 1, result.output
        assert f"cannot reach http://127.0.0.1:{port}" in result.output


def test_an_unknown_endpoint_name_suggests_a_configured_one(
    runner: CliRunner, project_copy: Project
) -> None:
    path = _configure(project_copy, CONFIG)
    result = runner.invoke(
        cli, ["query", "organizers", "--project", str(project_copy.root), "--endpoint", "prd"]
    )
    assert result.exit_code == 1
    assert result.output == (
        f"{path}: error: no endpoint named 'prd' (configured: prod)\n  hint: did you mean 'prod'?\n"
    )


# Each mistake, the file's text and the exact first line of the message (after the path).
MISTAKES = {
    "syntax": (
        "base_iri = https://example.org/\n",
        "1:12: error: TOML syntax error: invalid value",
    ),
    "duplicate": (
        'store = "a"\nstore = "b"\n',
        "2:12: error: TOML syntax error: cannot overwrite a value",
    ),
    "unknown-key": (
        'store = "a"\nbase_url = "https://example.org/"\n',
        "2:1: error: unknown key 'base_url'",
    ),
    "wrong-type": (
        "\nstore   =   42\n",
        "2:13: error: 'store' must be a string, not an integer",
    ),
    "bad-base-iri": (
        'base_iri = "https://exa mple.org/"\n',
        "1:12: error: invalid base IRI 'https://exa mple.org/': Invalid IRI code point ' '",
    ),
    "base-iri-end": (
        'base_iri = "https://example.org/kg"\n',
        "1:12: error: base IRI 'https://example.org/kg' must end with '/' or '#'",
    ),
    "bad-prefix-iri": (
        '[prefixes]\nex = "example"\n',
        "2:6: error: prefix 'ex': 'example' is not an IRI (No scheme found in an absolute IRI)",
    ),
    "own-prefix": (
        '[prefixes]\nid = "https://example.org/"\n',
        "2:1: error: prefix 'id' is annograph's own",
    ),
    "prefixes-not-a-table": (
        'prefixes = "ex"\n',
        "1:12: error: 'prefixes' must be a table, not a string",
    ),
    "unknown-endpoint-key": (
        '[endpoints.prod]\nurl = "https://example.org/sparql"\nusr = "me"\n',
        "3:1: error: unknown key 'usr' in [endpoints.prod]",
    ),
    "inline-endpoint-key": (
        'endpoints = { prod = { url = "https://example.org/sparql", usr = "me" } }\n',
        "1:60: error: unknown key 'usr' in [endpoints.prod]",
    ),
    "endpoint-without-url": (
        '[endpoints.prod]\nuser = "me"\n',
        "1:2: error: endpoint 'prod' has no 'url'",
    ),
    "endpoint-url-scheme": (
        '[endpoints.prod]\nurl = "ftp://example.org/"\n',
        "2:7: error: endpoint 'prod': 'ftp://example.org/' is not an http(s) URL",
    ),
    "allow-service-not-a-url": (
        'allow_service = ["https://query.wikidata.org/", "wikidata"]\n',
        "1:17: error: 'allow_service' item 2 is not an http(s) URL prefix",
    ),
}
HINTS = {
    "syntax": "see https://toml.io/en/v1.0.0 (strings need quotes; one key = value per line)",
    "unknown-key": "did you mean 'base_iri'?",
    "wrong-type": 'put the value in quotes: store = "..."',
    "base-iri-end": "try 'https://example.org/kg/'",
    "unknown-endpoint-key": "did you mean 'user'?",
    "inline-endpoint-key": "did you mean 'user'?",
}


@pytest.mark.parametrize("name", MISTAKES)
def test_each_mistake_is_located_at_file_line_and_column(project_copy: Project, name: str) -> None:
    text, message = MISTAKES[name]
    path = _configure(project_copy, text)
    with pytest.raises(ConfigError) as raised:
        load_config(project_copy.root)
    lines = str(raised.value).splitlines()
    assert lines[0] == f"{path}:{message}"
    assert lines[1].startswith("  hint: ")
    if name in HINTS:
        assert lines[1] == f"  hint: {HINTS[name]}"


def test_mistakes_in_pyproject_are_located_there(project_copy: Project) -> None:
    path = _configure(
        project_copy,
        '[project]\nname = "news"\n\n[tool.annograph.prefixes]\nex = 1\n',
        "pyproject.toml",
    )
    with pytest.raises(ConfigError) as raised:
        Project.discover(project_copy.root)
    assert str(raised.value).splitlines()[0] == (
        f"{path}:5:6: error: 'ex' must be a string, not an integer"
    )


def test_both_files_is_refused(project_copy: Project) -> None:
    _configure(project_copy, 'store = "a"\n')
    pyproject = _configure(
        project_copy,
        '[project]\nname = "news"\n\n[tool.annograph]\nstore = "b"\n',
        "pyproject.toml",
    )
    with pytest.raises(ConfigError) as raised:
        Project.discover(project_copy.root)
    assert str(raised.value) == (
        f"{pyproject}:4:2: error: both annograph.toml and pyproject.toml configure annograph\n"
        "  hint: keep one of them: move this table into annograph.toml, or delete that file"
    )


def test_the_cli_shows_a_config_error_as_one_located_line(
    runner: CliRunner, project_copy: Project
) -> None:
    path = _configure(project_copy, 'stor = "x"\n')
    result = runner.invoke(cli, ["build", "--project", str(project_copy.root)])
    assert result.exit_code == 1
    assert result.output == (
        f"{path}:1:1: error: unknown key 'stor'\n  hint: did you mean 'store'?\n"
    )
    assert not (project_copy.root / ".annograph").exists()


def test_the_endpoints_serve_may_call_are_configured(project_copy: Project) -> None:
    _configure(project_copy, 'allow_service = ["https://query.wikidata.org/"]\n')
    project = Project.discover(project_copy.root)
    assert project.config.allow_service == ("https://query.wikidata.org/",)
    _configure(project_copy, "")
    assert Project.discover(project_copy.root).config.allow_service == ()


def test_an_endpoint_names_its_auth_scheme_and_its_default_graph(project_copy: Project) -> None:
    _configure(
        project_copy,
        '[endpoints.virtuoso]\nurl = "http://127.0.0.1:8890/sparql"\nauth = "digest"\n'
        'default_graph = "https://example.org/facts"\n',
    )
    endpoint = load_config(project_copy.root).endpoint("virtuoso")
    assert endpoint.auth is AuthScheme.DIGEST
    assert endpoint.default_graph == "https://example.org/facts"
    assert load_config(project_copy.root).endpoint("http://h/sparql").auth is AuthScheme.AUTO


def test_an_unknown_auth_scheme_is_located_and_lists_the_schemes(project_copy: Project) -> None:
    path = _configure(project_copy, '[endpoints.v]\nurl = "http://h/sparql"\nauth = "ntlm"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(project_copy.root)
    assert str(caught.value).startswith(f"{path}:3:8: error: 'ntlm' is not an authentication")
    assert caught.value.hint == "auth is one of: auto, basic, digest"
