"""Send the monthly report by e-mail: recipients from config/asetukset.toml [raportti], SMTP from the environment.

Environment (or the [smtp] table of .streamlit/secrets.toml): TYONJAKO_SMTP_HOST (required), TYONJAKO_SMTP_PORT
(default 587), TYONJAKO_SMTP_TLS (`starttls` default, `ssl` or `none`), TYONJAKO_SMTP_USER and
TYONJAKO_SMTP_PASSWORD (sign in only when a user is set). The password never comes from a file in the project.
"""

from __future__ import annotations

import os
import smtplib
import ssl
import tomllib
from datetime import date
from email.message import EmailMessage

from pydantic import BaseModel, ConfigDict, Field

from core.settings import PROJECT_ROOT, settings
from dashboard import fmt
from dashboard.i18n import t

ENV_PREFIX = "TYONJAKO_SMTP_"


class MailSettings(BaseModel):
    """The [raportti] section of config/asetukset.toml."""

    model_config = ConfigDict(extra="forbid")

    vastaanottajat: list[str] = Field(default_factory=list, description="recipients of `report --mail`")
    lahettaja: str = "tyonjakoseuranta@localhost"


def _secret(name: str) -> str | None:
    """TYONJAKO_SMTP_<NAME> from the environment, else `name` of [smtp] in .streamlit/secrets.toml."""
    value = os.environ.get(ENV_PREFIX + name.upper())
    if value:
        return value
    secrets = PROJECT_ROOT / ".streamlit" / "secrets.toml"
    if secrets.exists():
        table = tomllib.loads(secrets.read_text(encoding="utf-8")).get("smtp", {})
        found = table.get(name.lower())
        return str(found) if found is not None else None
    return None


def message(pdf: bytes, file_name: str, month: date, lang: str, mail: MailSettings) -> EmailMessage:
    """The e-mail with the report attached."""
    msg = EmailMessage()
    msg["Subject"] = f"{t('raportti.title', lang)} {fmt.month_name(month, lang)}"
    msg["From"] = mail.lahettaja
    msg["To"] = ", ".join(mail.vastaanottajat)
    msg.set_content(t("raportti.mail_body", lang, month=fmt.month_name(month, lang)))
    msg.add_attachment(pdf, maintype="application", subtype="pdf", filename=file_name)
    return msg


def send(pdf: bytes, file_name: str, month: date, lang: str = "fi") -> list[str]:
    """Send the report to the configured recipients; returns them (ValueError when nothing is configured)."""
    mail = MailSettings.model_validate(settings().raportti)
    if not mail.vastaanottajat:
        raise ValueError("config/asetukset.toml: [raportti] vastaanottajat on tyhjä")
    host = _secret("host")
    if not host:
        raise ValueError(f"SMTP-palvelinta ei ole asetettu ({ENV_PREFIX}HOST)")
    port = int(_secret("port") or 587)
    tls = (_secret("tls") or "starttls").lower()
    user, password = _secret("user"), _secret("password")
    msg = message(pdf, file_name, month, lang, mail)
    context = ssl.create_default_context()
    smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, port, context=context, timeout=30) if tls == "ssl" else \
        smtplib.SMTP(host, port, timeout=30)
    with smtp:
        if tls == "starttls":
            smtp.starttls(context=context)
        if user:
            smtp.login(user, password or "")
        smtp.send_message(msg)
    return mail.vastaanottajat


__all__ = ["MailSettings", "message", "send"]
