"""What-if scenarios: a named list of changes against a base month, validated with pydantic and against the base.

Every problem is a `Problem` (a locale key under `skenaariot.error` with its values), so the page and the saved-
scenario list can say it in Finnish or Swedish.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from core.roles import ROLE_GROUP
from dashboard.access import Scope
from dashboard.i18n import t

RoleCode = Literal[
    "toimistosihteeri", "terveyskeskusavustaja", "sairaanhoitaja", "terveydenhoitaja", "lahihoitaja", "laakari",
    "esihenkilo", "muu",
]
SecretaryRole = Literal["toimistosihteeri", "terveyskeskusavustaja"]
POOL_PREFIX = "pool:"  # station_id of a pooled team in a projection (never a real asema_id: those have no colon)
MAX_HOURS = 10_000.0


@dataclass(frozen=True)
class Problem:
    """One reason a scenario cannot be computed: a locale key and its values."""

    key: str
    values: dict[str, Any] = field(default_factory=dict)
    change: int | None = None  # 1-based number of the change, None = the whole scenario

    def text(self, lang: str | None = None) -> str:
        """The sentence in a language (default: the current one)."""
        sentence = t(f"skenaariot.error.{self.key}", lang, **self.values)
        if self.change is None:
            return sentence
        return t("skenaariot.error.change_prefix", lang, n=self.change, text=sentence)


class ScenarioError(ValueError):
    """A scenario that cannot be computed; `problems` say why, each in the user's language."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.text("fi") for p in problems))
        self.problems = problems

    def texts(self, lang: str | None = None) -> list[str]:
        """Every problem as a sentence."""
        return [p.text(lang) for p in self.problems]


class _Change(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _TaskPick(_Change):
    """Exactly one of a task or a task group."""

    task_id: str | None = None
    task_group: str | None = None

    @model_validator(mode="after")
    def _one_task(self) -> _TaskPick:
        if (self.task_id is None) == (self.task_group is None):
            raise ValueError("task_or_group")
        return self


class Reassign(_TaskPick):
    """Move hours of a task (or task group) at stations from one performing role to another.

    Amount: `share` of the role's hours (0..1), or `hours_week` per station, or all of them when neither is given.
    `owner_follows`: the agreed owner of the task becomes the receiving role at these stations (a change of the
    division of labour itself, e.g. nurses' laboratory-result calls handed to assistants).
    """

    kind: Literal["reassign"] = "reassign"
    stations: list[str] = Field(min_length=1)
    from_role: RoleCode
    to_role: RoleCode
    share: float | None = Field(None, gt=0, le=1)
    hours_week: float | None = Field(None, gt=0, le=MAX_HOURS)
    owner_follows: bool = False

    @model_validator(mode="after")
    def _amount(self) -> Reassign:
        if self.share is not None and self.hours_week is not None:
            raise ValueError("share_or_hours")
        if self.from_role == self.to_role:
            raise ValueError("same_role")
        return self


class Centralise(_TaskPick):
    """Move a share of a task's hours (all performers) from stations to another station or to a pooled team.

    At the receiver the hours are done by the task's owner role. `fte_moved`: secretary FTE that move along with
    the work, taken from the source stations in proportion to the hours they give; `fte_added`: new FTE at the
    receiver.
    """

    kind: Literal["centralise"] = "centralise"
    stations: list[str] = Field(min_length=1)
    share: float = Field(1.0, gt=0, le=1)
    to_station: str | None = None
    pool_name: str = Field("Keskitetty tiimi", min_length=1, max_length=60)
    fte_moved: float = Field(0.0, ge=0, le=500)
    fte_added: float = Field(0.0, ge=0, le=500)

    @model_validator(mode="after")
    def _not_to_itself(self) -> Centralise:
        if self.to_station is not None and self.to_station in self.stations:
            raise ValueError("to_itself")
        return self


class Staffing(_Change):
    """Add (positive) or remove (negative) FTE of a secretary role at a station."""

    kind: Literal["staffing"] = "staffing"
    station: str
    role: SecretaryRole
    fte_delta: float = Field(ge=-500, le=500)

    @model_validator(mode="after")
    def _nonzero(self) -> Staffing:
        if abs(self.fte_delta) < 1e-9:
            raise ValueError("zero_fte")
        return self


class Absence(_Change):
    """Assume an absence share of the secretaries at stations instead of the recorded one."""

    kind: Literal["absence"] = "absence"
    stations: list[str] = Field(min_length=1)
    share: float = Field(ge=0, lt=1)


Change = Annotated[Reassign | Centralise | Staffing | Absence, Field(discriminator="kind")]


class Scenario(BaseModel):
    """A named list of changes against a base month (its staffing and each station's latest mapping round)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120)
    base_month: date
    changes: list[Change] = Field(default_factory=list, max_length=2000)

    def stations(self) -> set[str]:
        """Every station a change names (sources and receivers)."""
        out: set[str] = set()
        for c in self.changes:
            if isinstance(c, Staffing):
                out.add(c.station)
            else:
                out.update(c.stations)
            if isinstance(c, Centralise) and c.to_station is not None:
                out.add(c.to_station)
        return out


_PYDANTIC_KEYS = {"task_or_group", "share_or_hours", "same_role", "to_itself", "zero_fte"}


def parse_scenario(data: dict[str, Any]) -> Scenario:
    """A scenario from plain data (a form or a saved row); ScenarioError with sentences when it is malformed."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = err["loc"]
            number = int(loc[1]) + 1 if len(loc) > 1 and loc[0] == "changes" and isinstance(loc[1], int) else None
            message = str(err.get("ctx", {}).get("error", "")) if err["type"] == "value_error" else ""
            if message in _PYDANTIC_KEYS:
                problems.append(Problem(message, {}, number))
            else:
                name = ".".join(str(p) for p in loc[2 if number else 0:] if not isinstance(p, int)) or "-"
                problems.append(Problem("invalid_field", {"field": name, "detail": err["msg"]}, number))
        raise ScenarioError(problems) from exc


@dataclass(frozen=True)
class Catalogue:
    """What a scenario may name: the base month's stations with a workload row, the tasks and their hours."""

    stations: frozenset[str]
    tasks: dict[str, str]  # task_id -> task_group
    hours: dict[tuple[str, str, str], float]  # (station_id, task_id, performer_role) -> hours/week in the base
    secretary_fte: dict[str, float]

    def task_ids(self, pick: _TaskPick) -> list[str]:
        """The tasks a change picks."""
        if pick.task_id is not None:
            return [pick.task_id]
        return sorted(k for k, g in self.tasks.items() if g == pick.task_group)


def check(scenario: Scenario, cat: Catalogue, scope: Scope) -> list[Problem]:
    """Problems of a scenario against its base and the user's scope (empty list = fine)."""
    problems: list[Problem] = []
    groups = set(cat.tasks.values())
    for n, c in enumerate(scenario.changes, start=1):
        named = [c.station] if isinstance(c, Staffing) else list(c.stations)
        if isinstance(c, Centralise) and c.to_station is not None:
            named.append(c.to_station)
        outside = sorted(s for s in named if not scope.sees_station(s))
        if outside:
            problems.append(Problem("out_of_scope", {"stations": ", ".join(outside)}, n))
            continue  # say nothing more about a station the user may not see
        unknown = sorted(s for s in named if s not in cat.stations)
        if unknown:
            problems.append(Problem("unknown_station", {"stations": ", ".join(unknown)}, n))
            continue
        if isinstance(c, _TaskPick):
            if c.task_id is not None and c.task_id not in cat.tasks:
                problems.append(Problem("unknown_task", {"task": c.task_id}, n))
                continue
            if c.task_group is not None and c.task_group not in groups:
                problems.append(Problem("unknown_group", {"group": c.task_group}, n))
                continue
        if isinstance(c, Reassign):
            tasks = cat.task_ids(c)
            for s in c.stations:
                have = sum(cat.hours.get((s, k, c.from_role), 0.0) for k in tasks)
                if have <= 0:
                    problems.append(Problem("no_hours", {"station": s, "role": c.from_role}, n))
                elif c.hours_week is not None and c.hours_week > have + 1e-9:
                    problems.append(Problem("too_many_hours", {"station": s, "asked": _num(c.hours_week),
                                                                "have": _num(have)}, n))
        elif isinstance(c, Centralise):
            tasks = cat.task_ids(c)
            total = sum(h for (s, k, _), h in cat.hours.items() if s in c.stations and k in tasks)
            if total <= 0:
                problems.append(Problem("nothing_to_move", {}, n))
        elif isinstance(c, Staffing) and c.fte_delta < 0:
            have = cat.secretary_fte.get(c.station, 0.0)
            if -c.fte_delta > have + 1e-9:
                problems.append(Problem("too_much_fte", {"station": c.station, "asked": _num(-c.fte_delta),
                                                          "have": _num(have)}, n))
    return problems


def _num(x: float) -> str:
    from dashboard import fmt

    return fmt.number(x, 2).rstrip("0").rstrip(",") or "0"


def role_group(role: str) -> str:
    """The contract's role group of a role code."""
    return ROLE_GROUP[role]
