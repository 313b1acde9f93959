"""Access roles from config/access.toml and the scope that every query enforces."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.settings import config_dir, load_toml_model

Role = Literal["johto", "projektipaallikko", "esihenkilo"]
ROLES: tuple[Role, ...] = ("johto", "projektipaallikko", "esihenkilo")


class User(BaseModel):
    """One entry of the access file."""

    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=3)
    rooli: Role
    asemat: list[str] = Field(default_factory=list)

    @field_validator("email")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.strip().lower()


class AccessFile(BaseModel):
    """The whole access file."""

    model_config = ConfigDict(extra="forbid")

    kayttajat: list[User] = Field(default_factory=list)

    @field_validator("kayttajat")
    @classmethod
    def _managers_have_stations(cls, users: list[User]) -> list[User]:
        for user in users:
            if user.rooli == "esihenkilo" and not user.asemat:
                raise ValueError(f"esihenkilö {user.email} tarvitsee vähintään yhden aseman (asemat = [...])")
        return users


@dataclass(frozen=True)
class Scope:
    """What one signed-in user may see; every query function takes one."""

    role: Role
    stations: frozenset[str] | None = None  # None = detail of every station
    user: str = ""

    @property
    def can_upload(self) -> bool:
        """Only the project manager loads files and reads the load log."""
        return self.role == "projektipaallikko"

    @property
    def all_stations(self) -> bool:
        """Whether station detail is open for every station."""
        return self.stations is None

    def sees_station(self, station_id: str | None) -> bool:
        """Whether this scope may see a station's own rows."""
        return self.stations is None or (station_id is not None and station_id in self.stations)


def access_path() -> Path:
    """Path of the access file."""
    return config_dir() / "access.toml"


def load_access(path: Path | None = None) -> AccessFile:
    """Read and validate the access file (ConfigError names the field on a bad file)."""
    return load_toml_model(path or access_path(), AccessFile)


def scope_for(email: str | None, access: AccessFile) -> Scope | None:
    """The scope of a signed-in user, or None for a user who is not listed."""
    if not email:
        return None
    wanted = email.strip().lower()
    for user in access.kayttajat:
        if user.email == wanted:
            stations = frozenset(user.asemat) if user.rooli == "esihenkilo" else None
            return Scope(user.rooli, stations, wanted)
    return None
