"""Project paths and the validated settings file (shared by every layer)."""

from __future__ import annotations

import os
import tomllib
from functools import cache
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

_M = TypeVar("_M", bound=BaseModel)

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def config_dir() -> Path:
    """Folder of the configuration files (TYONJAKO_CONFIG_DIR overrides the project's config/)."""
    return Path(os.environ.get("TYONJAKO_CONFIG_DIR") or PROJECT_ROOT / "config")


def default_db_path() -> Path:
    """Warehouse file: TYONJAKO_DB, else data/tyonjako.duckdb in the project."""
    env = os.environ.get("TYONJAKO_DB")
    return Path(env) if env else PROJECT_ROOT / "data" / "tyonjako.duckdb"


class Settings(BaseModel):
    """Settings of `config/asetukset.toml`."""

    model_config = ConfigDict(extra="forbid")

    k_anonymity: int = Field(5, ge=3, description="minimum group size, never below 3")
    comment_min_respondents: int = Field(10, ge=10)
    weekly_hours: float = Field(36.25, gt=0, le=60)
    # The load-ratio band of a balanced station and the overload threshold (written to ref_settings for the marts).
    load_ratio_low: float = Field(0.9, gt=0)
    load_ratio_high: float = Field(1.1, gt=0)
    overload_ratio: float = Field(1.1, gt=0)
    county_name: str = "Länsi-Uudenmaan hyvinvointialue"
    county_name_sv: str = "Västra Nylands välfärdsområde"
    # Validated by their own modules (dashboard/attention.py, dashboard/report/): kept loose here.
    huomiot: dict[str, object] = Field(default_factory=dict)
    raportti: dict[str, object] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _band_in_order(self) -> Settings:
        if self.load_ratio_low >= self.load_ratio_high:
            raise ValueError("load_ratio_low on oltava pienempi kuin load_ratio_high")
        return self


class ConfigError(Exception):
    """A configuration file is invalid; the message names the file and field."""


def load_toml_model(path: Path, model: type[_M]) -> _M:
    """Read and validate a TOML configuration file, with errors that name the field."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: tiedostoa ei löydy") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: TOML-virhe: {exc}") from exc
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        lines = [
            f"{path}: {'.'.join(str(p) for p in err['loc']) or '(juuri)'}: {err['msg']}" for err in exc.errors()
        ]
        raise ConfigError("\n".join(lines)) from exc


@cache
def _settings(path: str, mtime: float) -> Settings:
    return load_toml_model(Path(path), Settings)


def settings() -> Settings:
    """The current settings (re-read when the file changes)."""
    path = config_dir() / "asetukset.toml"
    if not path.exists():
        return Settings()
    return _settings(str(path), path.stat().st_mtime)
