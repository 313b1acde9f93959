"""A small hand-made warehouse for the Huomiot and report tests, loaded through the real loader.

Three stations, January–April 2026 (staffing also May 2026, with no Pulssi):

    Alfa-asema  (Mäntylä)  1 secretary + 5 nurses; required 45 h/week all year → load ratio 45 / 36.25 = 1.24
                           Pulssi: 6 responses a month; hallinta 4,4,4,4,4,4 in Jan–Mar, 3 × 6 in April;
                           eNPS 10 × 6 in Jan–Mar, in April only 4 answers, all 0 (a group of 4: suppressed)
                           live since TODAY − 100; a question open since TODAY − 70
    Aava-asema  (Mäntylä)  1 secretary + 5 nurses; required 30 h (0.83) until the round of 1.4.2026: 45 h (1.24)
                           Pulssi: 6 responses a month; hallinta 4 × 6; eNPS 10 × 6 (April: hidden by secondary
                           suppression, because Alfa's group of 4 could be recovered from Mäntylä's total)
                           planned go-live TODAY − 10, not live: late
    Beeta-asema (Nummi)    1 secretary + 9 nurses; required 30 h (0.83)
                           Pulssi: 5 responses of 10 people (participation 50 %); hallinta 4 × 5 in Jan–Mar,
                           4,4,4,4,3 in April (3.8: a fall of 0.2, under the 0.3 limit); eNPS 10 × 5
                           planned go-live TODAY + 30; a question open since TODAY − 50

Region in April: hallinta (18 + 24 + 19) / 17 = 3.588 (previous three months 4.0); eNPS 100 × (11 − 4) / 15 = 46.7;
participation 17 / 22 = 77 %; load ratio (45 + 45 + 30) / (3 × 36.25) = 1.103; compliance (40 + 45 + 30) / 120.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from etl_helpers import Month, csv_bytes, inputs

from etl.load import load

TODAY = date.today()
JAN, FEB, MAR, APR, MAY = (Month(2026, m) for m in (1, 2, 3, 4, 5))
NAMES = {"A1": "Alfa-asema", "A2": "Aava-asema", "B1": "Beeta-asema"}

ASEMAT = [
    ["asema_id", "nimi", "nimi_sv", "kunta", "aalto", "suunniteltu_kayttoonotto", "kayttoonotto"],
    ["A1", NAMES["A1"], "Alfastationen", "Mäntylä", 1, TODAY - timedelta(days=120), TODAY - timedelta(days=100)],
    ["A2", NAMES["A2"], "Aavastationen", "Mäntylä", 1, TODAY - timedelta(days=10), None],
    ["B1", NAMES["B1"], "Betastationen", "Nummi", 2, TODAY + timedelta(days=30), None],
]
TEHTAVAT = [
    ["tehtava_id", "tehtava", "tehtavaryhma", "vastuurooli"],
    ["T1", "Ajanvaraus", "Ajanvaraus", "terveyskeskusavustaja"],
]
KYSYMYKSET = [
    ["kysymys_id", "teksti", "teksti_sv", "tyyppi", "asteikko_min", "asteikko_max"],
    ["hallinta", "Voin vaikuttaa työhöni", "Jag kan påverka mitt arbete", "likert", 1, 5],
    ["enps", "Suosittelisitko työpaikkaasi?", "Skulle du rekommendera din arbetsplats?", "enps", 0, 10],
]
KARTOITUS = [
    ["kartoituspvm", "asema_id", "tehtava_id", "suorittaja", "tunnit_viikossa"],
    [date(2026, 1, 1), "A1", "T1", "terveyskeskusavustaja", 35],
    [date(2026, 1, 1), "A1", "T1", "sairaanhoitaja", 10],
    [date(2026, 3, 1), "A1", "T1", "terveyskeskusavustaja", 40],
    [date(2026, 3, 1), "A1", "T1", "sairaanhoitaja", 5],
    [date(2026, 1, 1), "A2", "T1", "terveyskeskusavustaja", 30],
    [date(2026, 4, 1), "A2", "T1", "terveyskeskusavustaja", 45],
    [date(2026, 1, 1), "B1", "T1", "terveyskeskusavustaja", 30],
]
# (secretaries, nurses) per station; the secretaries of a station share one FTE. The region holds k = 5 or more
# secretaries, so the estimated capacity of the stations under k is published (contract revision 2).
STAFF = {"A1": (1, 5), "A2": (1, 5), "B1": (4, 6)}


def henkilosto() -> list[list[Any]]:
    rows: list[list[Any]] = [["kuukausi", "henkilo_id", "asema_id", "rooli", "tyoaikaprosentti", "palvelussuhde",
                              "sairauspoissaolo_pv", "muu_poissaolo_pv"]]
    for month in (JAN, FEB, MAR, APR, MAY):
        for station, (secretaries, nurses) in STAFF.items():
            rows += [[month, f"{station}-s{i}", station, "terveyskeskusavustaja", 100 / secretaries, "vakinainen", 0, 0]
                     for i in range(secretaries)]
            rows += [[month, f"{station}-n{i}", station, "sairaanhoitaja", 100, "vakinainen", 0, 0]
                     for i in range(nurses)]
    return rows


def pulssi() -> list[list[Any]]:
    rows: list[list[Any]] = [["kuukausi", "vastaus_id", "asema_id", "rooli", "hallinta", "enps"]]

    def add(month: Month, station: str, hallinta: list[int | None], enps: list[int | None]) -> None:
        for i, (h, e) in enumerate(zip(hallinta, enps, strict=True)):
            rows.append([month, f"{station}-{month.month}-{i}", station, "sairaanhoitaja", h, e])

    for month in (JAN, FEB, MAR):
        add(month, "A1", [4] * 6, [10] * 6)
        add(month, "A2", [4] * 6, [10] * 6)
        add(month, "B1", [4] * 5, [10] * 5)
    add(APR, "A1", [3] * 6, [0, 0, 0, 0, None, None])
    add(APR, "A2", [4] * 6, [10] * 6)
    add(APR, "B1", [4, 4, 4, 4, 3], [10] * 5)
    return rows


KYSYMYSLOKI = [
    ["avattu", "asema_id", "aihe", "tila", "ratkaistu"],
    [TODAY - timedelta(days=70), "A1", "Sanelujen jono", "avoin", None],
    [TODAY - timedelta(days=50), "B1", "Laskutuksen vastuu", "avoin", None],
    [TODAY - timedelta(days=100), "A2", "Koulutus", "ratkaistu", TODAY - timedelta(days=90)],
]


def build(db: Path, origin: str | None = None) -> Path:
    """Load every source of the small world in one command (origin "demo": the app opens it without sign-in)."""
    files = {"asemat.csv": ASEMAT, "tehtavat.csv": TEHTAVAT, "kysymykset.csv": KYSYMYKSET, "kartoitus.csv": KARTOITUS,
             "henkilosto.csv": henkilosto(), "pulssi.csv": pulssi(), "kysymysloki.csv": KYSYMYSLOKI}
    extra = {"origin": origin} if origin else {}
    result = load(inputs({name: csv_bytes(rows) for name, rows in files.items()}), db=db, **extra)
    assert result.ok, "\n".join(result.problem_lines())
    return db
