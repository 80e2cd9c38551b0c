"""The engine behind ``annograph serve``: Oxigraph's own server (``oxigraph serve-read-only``)
on a release, on a loopback port of its own, under a memory limit, supervised and restarted
when it dies."""

from __future__ import annotations

import ctypes
import functools
import resource
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from annograph._extras import install_command
from annograph.errors import AnnographError

STARTUP_SECONDS = 30.0
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


#: ``?format=`` names of the saved-query API, and the media types they ask Oxigraph for.
class ServeError(AnnographError):
    """The server could not start: no oxigraph command, no store, or a port in use."""


# -- the Oxigraph server behind ---------------------------------------------------------------


def oxigraph_command() -> str:
    """The ``oxigraph`` command of the ``oxigraph`` package (beside this Python, or on PATH)."""
    beside = Path(sys.executable).with_name("oxigraph")
    found = str(beside) if beside.is_file() else shutil.which("oxigraph")
    if found is None:
        raise ServeError(
            "the oxigraph server is not installed",
            hint=f"install annograph's serve extra: {install_command('serve')}",
        )
    return found


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on now (the OS picks it)."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Engine:
    """``oxigraph serve-read-only`` on a release, on a loopback port of its own, supervised.

    Its standard error is read all the time (it writes a line per failed or cancelled query,
    and a pipe nobody reads stops it after a few hundred) and logged. When it dies (a query
    that ran out of its memory limit aborts it) it is started again on a new port, and the
    crash is logged; requests in flight get a 503. Its default graph is the store's: the facts,
    once, as for local queries (see :mod:`annograph.build._graph`).

    :param memory_limit: bytes of heap the engine may use (RLIMIT_DATA); None for no limit.
    """

    location: Path
    timeout: int
    memory_limit: int | None = None
    log: Callable[[str], None] = field(default=lambda line: print(line, file=sys.stderr))

    def __post_init__(self) -> None:
        self.url = ""
        self.restarts = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._stopping = threading.Event()

    def __enter__(self) -> Engine:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        """Start the engine, wait until it answers, and watch it from then on.

        :raises ServeError: if it stops at once or does not answer within a while.
        """
        self._spawn()
        # One thread for the server's lifetime: Linux sends the parent-death signal when the
        # *thread* that started a child ends, so restarts must come from a thread that lasts.
        threading.Thread(target=self._supervise, name="engine", daemon=True).start()

    def _spawn(self) -> None:
        _prctl()  # loaded here, in the parent, for the child's use (see _die_with_parent)
        with self._lock:
            port = free_port()
            process = subprocess.Popen(
                self._command(port),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                preexec_fn=self._in_child if sys.platform == "linux" else None,
            )
            url = f"http://127.0.0.1:{port}"
            try:
                _wait_until_ready(process, url)
            except ServeError:
                _stop(process)
                raise
            self._process, self.url = process, url

    def stop(self) -> None:
        self._stopping.set()
        with self._lock:
            if self._process is not None:
                _stop(self._process)

    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def died(self, url: str, *, within: float = 1.0) -> bool:
        """Whether the engine that was at ``url`` has stopped (waiting ``within`` seconds for
        it: a connection an engine dropped as it died is seen a moment before its exit)."""
        process = self._process
        if url != self.url or process is None:
            return True
        try:
            process.wait(timeout=within)
        except subprocess.TimeoutExpired:
            return False
        return True

    def _command(self, port: int) -> list[str]:
        return [
            oxigraph_command(),
            "serve-read-only",
            "--location",
            str(self.location),
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout-s",
            str(self.timeout),
        ]

    def _in_child(self) -> None:
        """Before exec: die with annograph, and cap the heap so a query cannot take it all."""
        _die_with_parent()
        if self.memory_limit is not None:
            resource.setrlimit(resource.RLIMIT_DATA, (self.memory_limit, self.memory_limit))

    def _supervise(self) -> None:
        """Log the engine's output until it exits; then, unless stopping, start it again."""
        while not self._stopping.is_set():
            process = self._process
            assert process is not None and process.stderr is not None
            for line in process.stderr:
                text = line.decode("utf-8", "replace").rstrip()
                if text and not text.startswith("Listening for requests"):
                    self.log(f"annograph: oxigraph: {text}")
            process.stderr.close()
            code = process.wait()
            if self._stopping.is_set():
                return
            self.log(f"annograph: the query engine stopped ({_exit_status(code)}); restarting")
            self.restarts += 1
            try:
                self._spawn()
            except ServeError as error:
                self.log(f"annograph: {error}")
                return


def _exit_status(code: int) -> str:
    if code == -signal.SIGABRT:
        return "signal SIGABRT: a query may have needed more than its memory limit"
    if code < 0:
        try:
            return f"signal {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"exit code {code}"


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _die_with_parent() -> None:
    """In the child, before exec: have Linux send SIGTERM when annograph dies, even by kill -9.

    Only a system call happens here: the C library was loaded in the parent (a child forked
    from a threaded server must not take locks, as loading a library does).
    """
    _prctl()(PR_SET_PDEATHSIG, signal.SIGTERM)


@functools.cache
def _prctl() -> Any:
    return ctypes.CDLL(None, use_errno=True).prctl


def _wait_until_ready(process: subprocess.Popen[bytes], url: str) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            message = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
            raise ServeError(f"the oxigraph server stopped at start: {message.strip()}")
        try:
            httpx.get(url + "/query", params={"query": "ASK {}"}, timeout=1.0)
            return
        except httpx.HTTPError:
            time.sleep(0.05)
    raise ServeError(f"the oxigraph server did not answer within {STARTUP_SECONDS:.0f} s")


# -- the front --------------------------------------------------------------------------------
