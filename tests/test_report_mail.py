"""`python -m etl report --mail` sends the PDF to the configured recipients, tested against a local SMTP server."""

from __future__ import annotations

import email
import shutil
import socket
from email import policy
from pathlib import Path

import pytest

pytest.register_assert_rewrite("etl_helpers")

import report_world as w  # noqa: E402
from aiosmtpd.controller import Controller  # noqa: E402
from etl_helpers import cli_env, run_cli  # noqa: E402

pytest_plugins = ("etl_helpers",)
pytestmark = pytest.mark.usefixtures("etl_env")


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: ANN001, N802 - aiosmtpd's hook
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp():  # noqa: ANN201 - yields (inbox, port)
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def test_report_is_mailed_to_the_recipients(tmp_path: Path, etl_config: Path, smtp) -> None:  # noqa: ANN001
    inbox, port = smtp
    db = w.build(tmp_path / "tyonjako.duckdb")
    config = tmp_path / "config"
    shutil.copytree(etl_config, config)
    with (config / "asetukset.toml").open("a", encoding="utf-8") as f:
        f.write('\n[raportti]\nvastaanottajat = ["johto@example.fi", "pp@example.fi"]\n'
                'lahettaja = "seuranta@example.fi"\n')
    env = cli_env(TYONJAKO_CONFIG_DIR=str(config), TYONJAKO_SMTP_HOST="127.0.0.1", TYONJAKO_SMTP_PORT=str(port),
                  TYONJAKO_SMTP_TLS="none", TYONJAKO_SMTP_USER=None)
    out = tmp_path / "raportti.pdf"
    proc = run_cli("report", "--month", "2026-04", "--out", str(out), "--db", str(db), "--mail", cwd=tmp_path, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert len(inbox.messages) == 1
    recipients, raw = inbox.messages[0]
    assert recipients == ["johto@example.fi", "pp@example.fi"]
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert msg["Subject"] == "Kuukausiraportti huhtikuu 2026"
    assert msg["From"] == "seuranta@example.fi"
    attachment = next(msg.iter_attachments())
    assert attachment.get_filename() == "raportti.pdf"
    assert attachment.get_content() == out.read_bytes()


def test_mail_without_recipients_fails_plainly(tmp_path: Path, etl_config: Path, smtp) -> None:  # noqa: ANN001
    inbox, port = smtp
    db = w.build(tmp_path / "tyonjako.duckdb")
    env = cli_env(TYONJAKO_CONFIG_DIR=str(etl_config), TYONJAKO_SMTP_HOST="127.0.0.1",
                  TYONJAKO_SMTP_PORT=str(port), TYONJAKO_SMTP_TLS="none")
    proc = run_cli("report", "--month", "2026-04", "--out", str(tmp_path / "r.pdf"), "--db", str(db), "--mail",
                   cwd=tmp_path, env=env)
    assert proc.returncode == 2 and "vastaanottajat" in proc.stdout
    assert inbox.messages == []
