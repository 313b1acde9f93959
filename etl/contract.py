"""The data contract in code: one pydantic model per source, with column kinds, aliases and bounds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from etl.normalize import fold


class Kind(StrEnum):
    """How a column's text is parsed."""

    TEXT = "text"
    INT = "int"
    DECIMAL = "decimal"
    DATE = "date"
    MONTH = "month"
    CODE = "code"


@dataclass(frozen=True)
class Col:
    """Column metadata that the vectorised validator reads from a model field."""

    kind: Kind
    aliases: tuple[str, ...] = ()
    codes: str | None = None


RoleCode = Literal[
    "toimistosihteeri",
    "terveyskeskusavustaja",
    "sairaanhoitaja",
    "terveydenhoitaja",
    "lahihoitaja",
    "laakari",
    "esihenkilo",
    "muu",
]


# Finnish spellings, Swedish and English names of each coded value; the code itself is always accepted.
_CODE_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "rooli": {
        "toimistosihteeri": ("byråsekreterare", "office secretary", "secretary", "medical secretary",
                             "sekreterare", "toimistosihteerit"),
        "terveyskeskusavustaja": ("hälsocentralsassistent", "hälsovårdscentralsassistent",
                                  "health centre assistant", "health center assistant", "assistant",
                                  "tk-avustaja", "tk avustaja"),
        "sairaanhoitaja": ("sjukskötare", "nurse", "registered nurse"),
        "terveydenhoitaja": ("hälsovårdare", "public health nurse", "health nurse"),
        "lahihoitaja": ("närvårdare", "practical nurse"),
        "laakari": ("läkare", "physician", "doctor", "gp", "general practitioner"),
        "esihenkilo": ("esimies", "förman", "chef", "manager", "supervisor", "förmansperson"),
        "muu": ("annan", "other", "övrig", "övriga"),
    },
    "palvelussuhde": {
        "vakinainen": ("permanent", "fast", "ordinarie", "tillsvidare"),
        "maaraaikainen": ("fixed-term", "fixed term", "temporary", "visstids", "tidsbunden"),
        "sijainen": ("substitute", "vikarie", "sijaisuus"),
    },
    "automatisoitavissa": {
        "kylla": ("yes", "ja", "k", "y"),
        "osittain": ("partly", "partially", "partial", "delvis"),
        "ei": ("no", "nej", "n"),
    },
    "tyyppi": {"likert": (), "enps": ("nps",)},
    "tila": {
        "avoin": ("open", "öppen", "oppen"),
        "ratkaistu": ("resolved", "closed", "löst", "suljettu"),
    },
}

# Each code as people write it, in the contract's order: messages list the allowed values in these words.
CODE_LABELS: dict[str, dict[str, str]] = {
    "rooli": {
        "toimistosihteeri": "Toimistosihteeri", "terveyskeskusavustaja": "Terveyskeskusavustaja",
        "sairaanhoitaja": "Sairaanhoitaja", "terveydenhoitaja": "Terveydenhoitaja", "lahihoitaja": "Lähihoitaja",
        "laakari": "Lääkäri", "esihenkilo": "Esihenkilö", "muu": "Muu",
    },
    "palvelussuhde": {"vakinainen": "vakinainen", "maaraaikainen": "määräaikainen", "sijainen": "sijainen"},
    "automatisoitavissa": {"kylla": "kyllä", "osittain": "osittain", "ei": "ei"},
    "tyyppi": {"likert": "likert", "enps": "enps"},
    "tila": {"avoin": "avoin", "ratkaistu": "ratkaistu"},
}

CODE_SETS: dict[str, dict[str, str]] = {
    name: {fold(alias): code for code, aliases in codes.items() for alias in (code, *aliases)}
    for name, codes in _CODE_ALIASES.items()
}

STATION = Col(Kind.TEXT, ("station_id", "station", "asema", "health_station_id", "terveysasema_id"))
MONTH = Col(Kind.MONTH, ("month", "kk", "manad", "period"))


class Source(BaseModel):
    """One row of a source file, in canonical names and types."""

    model_config = ConfigDict(extra="forbid")


class Asemat(Source):
    """Health stations and the rollout plan."""

    asema_id: Annotated[str, STATION]
    nimi: Annotated[str, Col(Kind.TEXT, ("name", "station_name", "nimi_fi", "name_fi"))]
    nimi_sv: Annotated[str | None, Col(Kind.TEXT, ("name_sv", "namn", "swedish_name"))] = None
    kunta: Annotated[str, Col(Kind.TEXT, ("municipality", "kommun"))]
    aalto: Annotated[int | None, Col(Kind.INT, ("wave", "rollout_wave", "vag")), Field(ge=1)] = None
    suunniteltu_kayttoonotto: Annotated[
        date | None, Col(Kind.DATE, ("planned_go_live", "planned_golive", "planned_date"))
    ] = None
    kayttoonotto: Annotated[date | None, Col(Kind.DATE, ("go_live", "golive", "actual_go_live"))] = None
    lakkautettu: Annotated[
        date | None, Col(Kind.DATE, ("closed", "closed_on", "closing_date", "lakkautettu_pvm", "stangd"))
    ] = None


class Tehtavat(Source):
    """Task catalogue with the agreed division of labour."""

    tehtava_id: Annotated[str, Col(Kind.TEXT, ("task_id",))]
    tehtava: Annotated[str, Col(Kind.TEXT, ("task", "task_name", "tehtavan_nimi"))]
    tehtavaryhma: Annotated[str, Col(Kind.TEXT, ("task_group", "group"))]
    vastuurooli: Annotated[RoleCode, Col(Kind.CODE, ("owner_role", "responsible_role", "owner"), "rooli")]
    automatisoitavissa: Annotated[
        Literal["kylla", "osittain", "ei"] | None,
        Col(Kind.CODE, ("automatable", "can_be_automated"), "automatisoitavissa"),
    ] = None


class Kartoitus(Source):
    """Task mapping rounds: who does each task, and how many hours a week."""

    kartoituspvm: Annotated[date, Col(Kind.DATE, ("mapping_date", "date", "pvm", "kartoitus_pvm"))]
    asema_id: Annotated[str, STATION]
    tehtava_id: Annotated[str, Col(Kind.TEXT, ("task_id",))]
    suorittaja: Annotated[RoleCode, Col(Kind.CODE, ("performer", "performed_by", "performer_role"), "rooli")]
    tunnit_viikossa: Annotated[
        float, Col(Kind.DECIMAL, ("hours_per_week", "hours_week", "hours", "h_viikossa")), Field(ge=0, le=200)
    ]


class Henkilosto(Source):
    """Monthly staffing extract, one row per person and post."""

    kuukausi: Annotated[date, MONTH]
    henkilo_id: Annotated[str, Col(Kind.TEXT, ("person_id", "employee_id", "employee_number", "henkilonumero"))]
    asema_id: Annotated[str, STATION]
    rooli: Annotated[RoleCode, Col(Kind.CODE, ("role", "nimike", "title"), "rooli")]
    tyoaikaprosentti: Annotated[
        float,
        Col(Kind.DECIMAL, ("part_time_percentage", "working_time_percentage", "fte_percent", "tyoaika")),
        Field(gt=0, le=100),
    ]
    palvelussuhde: Annotated[
        Literal["vakinainen", "maaraaikainen", "sijainen"],
        Col(Kind.CODE, ("employment_type", "employment", "anstallning"), "palvelussuhde"),
    ]
    sairauspoissaolo_pv: Annotated[
        int, Col(Kind.INT, ("sick_leave_days", "sick_days", "sairauspoissaolot")), Field(ge=0)
    ]
    muu_poissaolo_pv: Annotated[
        int, Col(Kind.INT, ("other_absence_days", "other_absence", "muut_poissaolot")), Field(ge=0)
    ] = 0


class Pulssi(Source):
    """Fixed columns of one Pulssi response; question columns come from the catalogue."""

    kuukausi: Annotated[date, MONTH]
    vastaus_id: Annotated[str, Col(Kind.TEXT, ("response_id", "answer_id", "id"))]
    asema_id: Annotated[str, STATION]
    rooli: Annotated[RoleCode, Col(Kind.CODE, ("role",), "rooli")]
    kommentti: Annotated[str | None, Col(Kind.TEXT, ("comment", "kommentit", "vapaa_teksti"))] = None


class Kysymykset(Source):
    """Pulssi question catalogue."""

    kysymys_id: Annotated[str, Col(Kind.TEXT, ("question_id", "id"))]
    teksti: Annotated[str, Col(Kind.TEXT, ("text", "text_fi", "kysymys", "question"))]
    teksti_sv: Annotated[str | None, Col(Kind.TEXT, ("text_sv", "fraga"))] = None
    tyyppi: Annotated[Literal["likert", "enps"], Col(Kind.CODE, ("type",), "tyyppi")]
    asteikko_min: Annotated[int, Col(Kind.INT, ("scale_min", "min"))]
    asteikko_max: Annotated[int, Col(Kind.INT, ("scale_max", "max"))]
    tavoite: Annotated[int | None, Col(Kind.INT, ("goal", "goal_id", "tavoite_id")), Field(ge=1, le=5)] = None


class Kysymysloki(Source):
    """Questions raised during the rollout."""

    avattu: Annotated[date, Col(Kind.DATE, ("opened", "opened_on", "avattu_pvm"))]
    asema_id: Annotated[str | None, STATION] = None
    aihe: Annotated[str, Col(Kind.TEXT, ("topic", "subject", "kysymys", "question"))]
    tila: Annotated[Literal["avoin", "ratkaistu"], Col(Kind.CODE, ("status", "state"), "tila")]
    ratkaistu: Annotated[date | None, Col(Kind.DATE, ("resolved", "resolved_on", "ratkaistu_pvm"))] = None


@dataclass(frozen=True)
class SourceSpec:
    """How a source is identified, keyed and replaced."""

    name: str
    model: type[Source]
    unique_key: tuple[str, ...]
    # Columns whose value set in a file decides which earlier rows the file replaces; () = full replace.
    replace_by: tuple[str, ...]


SOURCES: dict[str, SourceSpec] = {
    s.name: s
    for s in (
        SourceSpec("kysymykset", Kysymykset, ("kysymys_id",), ()),
        SourceSpec("asemat", Asemat, ("asema_id",), ()),
        SourceSpec("tehtavat", Tehtavat, ("tehtava_id",), ()),
        SourceSpec("kysymysloki", Kysymysloki, (), ()),
        SourceSpec("kartoitus", Kartoitus, ("kartoituspvm", "asema_id", "tehtava_id", "suorittaja"),
                   ("kartoituspvm", "asema_id")),
        SourceSpec("henkilosto", Henkilosto, ("kuukausi", "henkilo_id", "asema_id"), ("kuukausi",)),
        SourceSpec("pulssi", Pulssi, ("kuukausi", "vastaus_id"), ("kuukausi",)),
    )
}
# Master data first, so that references within one command resolve in this order.
LOAD_ORDER: tuple[str, ...] = tuple(SOURCES)


def columns(model: type[Source]) -> dict[str, Col]:
    """Column metadata of a model, in file order."""
    out: dict[str, Col] = {}
    for name, field in model.model_fields.items():
        col = next(m for m in field.metadata if isinstance(m, Col))
        out[name] = col
    return out


def header_names(model: type[Source]) -> dict[str, str]:
    """Folded header variant → canonical column name."""
    out: dict[str, str] = {}
    for name, col in columns(model).items():
        for alias in (name, *col.aliases):
            out.setdefault(fold(alias), name)
    return out


def bounds(model: type[Source], name: str) -> dict[str, float]:
    """Numeric bounds (ge, gt, le, lt) declared on a field."""
    out: dict[str, float] = {}
    for meta in model.model_fields[name].metadata:
        for key in ("ge", "gt", "le", "lt"):
            value = getattr(meta, key, None)
            if value is not None:
                out[key] = value
    return out


def required(model: type[Source], name: str) -> bool:
    """Whether a column must be present and non-empty."""
    return model.model_fields[name].is_required()


def default(model: type[Source], name: str) -> object:
    """The default of an optional column."""
    return model.model_fields[name].default
