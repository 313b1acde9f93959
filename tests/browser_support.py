"""Shared helpers of the real-browser tests: a Streamlit server on a free port, and Chromium through Playwright.

Usage from a test module (the directory `tests/` is on `sys.path` while pytest runs):

    from browser_support import chromium_browser_fixture, start_streamlit, stop_process  # noqa: F401

    def test_x(chromium_browser):
        url, proc = start_streamlit({"TYONJAKO_DB": str(db)})
        try:
            page = chromium_browser.new_page()
            page.goto(url)
        finally:
            stop_process(proc)

`chromium_browser_fixture` registers the session-scoped fixture `chromium_browser` in the importing module; it
builds on pytest-playwright's `playwright` fixture, so it coexists with pytest-playwright's own `page` fixture.
Importing `browser_type_launch_args` as well makes pytest-playwright's `browser`/`page` fixtures use the same
Debian Chromium and flags. Chromium is never downloaded (`playwright install` is not run on these machines).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
READY_TIMEOUT = 60.0

_started: list[subprocess.Popen[bytes]] = []


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _log_tail(proc: subprocess.Popen[bytes], limit: int = 4000) -> str:
    path = getattr(proc, "log_path", None)
    if not path:
        return ""
    with contextlib.suppress(OSError):
        return Path(path).read_text(encoding="utf-8", errors="replace")[-limit:]
    return ""


def wait_for_http(url: str, proc: subprocess.Popen[bytes] | None = None, timeout: float = READY_TIMEOUT,
                  expect: str | None = None) -> None:
    """Poll `url` until it answers 200 (and its body contains `expect`), or fail with the server's log."""
    deadline = time.monotonic() + timeout
    last: object = None
    delay = 0.05
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before {url} was ready:\n{_log_tail(proc)}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:  # noqa: S310 - loopback URL of the test
                body = resp.read().decode("utf-8", errors="replace")
                if resp.status == 200 and (expect is None or expect in body):
                    return
                last = f"HTTP {resp.status}: {body[:200]}"
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as exc:
            last = exc
        time.sleep(delay)
        delay = min(delay * 1.5, 0.5)
    tail = _log_tail(proc) if proc is not None else ""
    raise TimeoutError(f"{url} not ready after {timeout:.0f} s (last: {last})\n{tail}")


def start_process(cmd: Sequence[str], env: Mapping[str, str] | None = None, cwd: str | os.PathLike[str] | None = None,
                  name: str = "server") -> subprocess.Popen[bytes]:
    """Start a background process in its own process group, logging to a temporary file; stopped at exit."""
    log = tempfile.NamedTemporaryFile(prefix=f"{name}-", suffix=".log", delete=False)  # noqa: SIM115
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    proc = subprocess.Popen(  # noqa: S603 - fixed argument list built by the tests
        list(cmd), cwd=cwd, env=full_env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    log.close()
    proc.log_path = log.name  # type: ignore[attr-defined]
    _started.append(proc)
    return proc


def stop_process(proc: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    """Stop a process started by `start_process` (its whole process group), politely first."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=timeout)
    if proc in _started:
        _started.remove(proc)
    path = getattr(proc, "log_path", None)
    if path:
        with contextlib.suppress(OSError):
            os.unlink(path)


@atexit.register
def _stop_leftovers() -> None:
    for proc in list(_started):
        with contextlib.suppress(Exception):
            stop_process(proc, timeout=5)


def start_streamlit(env: Mapping[str, str], port: int | None = None, *, app: str | os.PathLike[str] = APP,
                    cwd: str | os.PathLike[str] | None = None, args: Sequence[str] = (),
                    timeout: float = READY_TIMEOUT) -> tuple[str, subprocess.Popen[bytes]]:
    """Run `streamlit run APP` headless on `port` (a free one if None) and wait until it serves.

    `env` is added to the current environment (set TYONJAKO_DB, TYONJAKO_CONFIG_DIR, ... there). `cwd` decides
    which `.streamlit/secrets.toml` Streamlit reads (`<cwd>/.streamlit/`). Returns the base URL
    (http://localhost:PORT) and the process; stop it with `stop_process` (it is also stopped at interpreter exit).
    """
    port = port or free_port()
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(Path(app).resolve()),
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "localhost",
        "--server.fileWatcherType", "none",
        "--server.runOnSave", "false",
        "--browser.gatherUsageStats", "false",
        "--global.developmentMode", "false",
        *args,
    ]
    proc = start_process(cmd, env=dict(env), cwd=cwd, name=f"streamlit-{port}")
    try:
        wait_for_http(f"http://localhost:{port}/_stcore/health", proc, timeout, expect="ok")
    except BaseException:
        stop_process(proc)
        raise
    return f"http://localhost:{port}", proc


@contextlib.contextmanager
def streamlit_server(env: Mapping[str, str], port: int | None = None, **kwargs: Any) -> Iterator[str]:
    """`start_streamlit` as a context manager: yields the base URL and always stops the server."""
    url, proc = start_streamlit(env, port, **kwargs)
    try:
        yield url
    finally:
        stop_process(proc)


def settle(page: Any, timeout: float = 90_000) -> None:
    """Wait until the Streamlit script of a Playwright page has finished its run (no fixed sleeps).

    Call it after the content an action leads to is visible (right after a click the new run may not have begun).
    """
    from playwright.sync_api import expect

    app = page.locator('[data-testid="stApp"]')
    expect(app).to_have_attribute("data-test-script-state", "notRunning", timeout=timeout)
    expect(page.locator('[data-testid="stSkeleton"]')).to_have_count(0, timeout=timeout)


def launch_args() -> dict[str, Any]:
    """Keyword arguments of `playwright.chromium.launch` for the Debian Chromium of these machines."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium")
    return {"executable_path": CHROMIUM, "args": list(CHROMIUM_ARGS), "headless": True}


def chromium(playwright: Any, **kwargs: Any) -> Any:
    """Launch the Debian Chromium headless with the flags these machines need; extra kwargs are passed on."""
    return playwright.chromium.launch(**{**launch_args(), **kwargs})


@pytest.fixture(scope="session", name="chromium_browser")
def chromium_browser_fixture(playwright: Any) -> Iterator[Any]:
    """One Chromium for the whole session (new contexts per test keep cookies apart)."""
    browser = chromium(playwright)
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture(scope="session")
def browser_type_launch_args(pytestconfig: pytest.Config) -> dict[str, Any]:
    """Override of pytest-playwright's fixture, so its `browser` and `page` use the Debian Chromium."""
    return launch_args()
