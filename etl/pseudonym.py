"""Keyed pseudonymisation of employee numbers (HMAC-SHA256); the key never enters the warehouse."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

from core.settings import PROJECT_ROOT

ENV_KEY = "TYONJAKO_PSEUDONYM_KEY"


@dataclass(frozen=True)
class PseudonymKey:
    """The secret key and where it came from."""

    key: bytes
    origin: str
    created: bool = False

    @property
    def fingerprint(self) -> str:
        """A one-way fingerprint stored in the warehouse to detect a changed key."""
        return hmac.new(self.key, b"tyonjakoseuranta-key-fingerprint", hashlib.sha256).hexdigest()[:16]

    def pseudonym(self, raw_id: str) -> str:
        """The pseudonym of one employee number."""
        return hmac.new(self.key, raw_id.strip().encode("utf-8"), hashlib.sha256).hexdigest()[:24]


def key_file_for(db: Path) -> Path:
    """The generated key file beside the warehouse."""
    return db.with_name(db.name + ".key")


def _from_streamlit_secrets() -> str | None:
    try:
        # Only inside a running dashboard; the CLI must not pay for importing Streamlit.
        st = sys.modules.get("streamlit")
        if st is not None and st.runtime.exists() and ENV_KEY in st.secrets:
            return str(st.secrets[ENV_KEY])
    except Exception:  # noqa: BLE001 - secrets are optional; any failure means "not configured"
        pass
    path = PROJECT_ROOT / ".streamlit" / "secrets.toml"
    if path.exists():
        try:
            value = tomllib.loads(path.read_text(encoding="utf-8")).get(ENV_KEY)
        except tomllib.TOMLDecodeError:
            return None
        return str(value) if value else None
    return None


def get_key(db: Path, create: bool = True) -> PseudonymKey | None:
    """The key from the environment, Streamlit secrets or the key file; created if none exists."""
    value = os.environ.get(ENV_KEY) or _from_streamlit_secrets()
    if value:
        return PseudonymKey(value.encode("utf-8"), "ympäristö/secrets")
    path = key_file_for(db)
    if path.exists():
        return PseudonymKey(path.read_text(encoding="utf-8").strip().encode("utf-8"), str(path))
    if not create:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(token + "\n")
    return PseudonymKey(token.encode("utf-8"), str(path), created=True)
