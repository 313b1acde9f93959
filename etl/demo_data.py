"""Seeded generator of realistic demo source files in the formats of the data contract."""

from __future__ import annotations

import csv
import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import holidays
import xlsxwriter

WEEKLY_HOURS = 36.25
SECRETARY_ROLES = ("toimistosihteeri", "terveyskeskusavustaja")
CLINICAL_ROLES = ("sairaanhoitaja", "terveydenhoitaja", "lahihoitaja", "laakari")
# Finnish spellings with diacritics: HR extracts and the mapping sheet write these, not the codes.
ROLE_FI = {
    "toimistosihteeri": "toimistosihteeri",
    "terveyskeskusavustaja": "terveyskeskusavustaja",
    "sairaanhoitaja": "sairaanhoitaja",
    "terveydenhoitaja": "terveydenhoitaja",
    "lahihoitaja": "lähihoitaja",
    "laakari": "lääkäri",
    "esihenkilo": "esihenkilö",
    "muu": "muu",
}
CONTRACT_FI = {"vakinainen": "Vakinainen", "maaraaikainen": "Määräaikainen", "sijainen": "Sijainen"}

# (asema_id, nimi, nimi_sv, kunta, target headcount, wave); wave None = no rollout dates at all.
STATIONS: tuple[tuple[str, str, str, str, int, int | None], ...] = (
    ("ESP-ESL", "Espoonlahden terveysasema", "Esbovikens hälsostation", "Espoo", 95, 2),
    ("ESP-ISO", "Ison Omenan terveysasema", "Hälsostationen i Iso Omena", "Espoo", 118, 1),
    ("ESP-KAL", "Kalajärven terveysasema", "Kalajärvi hälsostation", "Espoo", 60, 4),
    ("ESP-KIL", "Kilon terveysasema", "Kils hälsostation", "Espoo", 72, 3),
    ("ESP-KIV", "Kivenlahden terveysasema", "Stensviks hälsostation", "Espoo", 66, 3),
    ("ESP-LEP", "Leppävaaran terveysasema", "Alberga hälsostation", "Espoo", 110, 1),
    ("ESP-SAM", "Samarian terveysasema", "Samaria hälsostation i Esbo centrum", "Espoo", 100, 2),
    ("ESP-TAP", "Tapiolan terveysasema", "Hagalunds hälsostation", "Espoo", 86, 2),
    ("ESP-VIH", "Viherlaakson terveysasema", "Gröndals hälsostation", "Espoo", 62, 3),
    ("KAU-KAU", "Kauniaisten terveysasema", "Grankulla hälsostation", "Kauniainen", 30, 2),
    ("KIR-KES", "Kirkkonummen hyvinvointikeskus", "Kyrkslätts välfärdscentral", "Kirkkonummi", 55, 2),
    ("KIR-MAS", "Masalan lähiterveysasema", "Masaby närhälsostation", "Kirkkonummi", 12, 4),
    ("KIR-VEI", "Veikkolan lähiterveysasema", "Veikkola närhälsostation", "Kirkkonummi", 10, 4),
    ("VIH-NUM", "Nummelan terveysasema", "", "Vihti", 45, 2),
    ("LOH-LOH", "Lohjan terveysasema", "", "Lohja", 64, 1),
    ("LOH-SAM", "Sammatin terveysasema", "", "Lohja", 8, 4),
    ("LOH-KLO", "Karjalohjan terveysasema", "Karislojo hälsostation", "Lohja", 7, 4),
    ("LOH-PUS", "Pusulan terveysasema", "", "Lohja", 6, None),
    ("KRK-KRK", "Karkkilan terveysasema", "Högfors hälsostation", "Karkkila", 25, 3),
    ("SIU-SIU", "Siuntion terveysasema", "Sjundeå hälsostation", "Siuntio", 10, None),
    ("INK-INK", "Inkoon terveysasema", "Ingå hälsostation", "Inkoo", 9, 3),
    ("RAA-TAM", "Tammisaaren terveysasema", "Ekenäs hälsostation", "Raasepori", 40, 1),
    ("RAA-KRJ", "Karjaan terveysasema", "Karis hälsostation", "Raasepori", 30, 3),
    ("HAN-HAN", "Hangon terveysasema", "Hangö hälsostation", "Hanko", 22, 3),
)
WAVE_OFFSETS = {1: -15, 2: -10, 3: -5, 4: 2}  # months from today's month; wave 4 is still ahead
DELAYED = "HAN-HAN"  # wave 3, planned date passed, not live
OVERLOADED = {"ESP-ISO": 1.24, "VIH-NUM": 1.2}  # mean load ratio; the others draw 0.85–1.05
TWO_POSTS = ("LOH-SAM", "LOH-KLO")  # a travelling physician holds posts at both
ROUND_OFFSETS = (-16, -8, -1)  # mapping rounds: a baseline before wave 1, mid-rollout, latest

# (tehtava_id, tehtava, tehtavaryhma, vastuurooli, automatisoitavissa, weight, clinician factor, performers)
# weight = share of the station's secretary-task hours; performers = who does it instead of the owner.
TASKS: tuple[tuple[str, str, str, str, str, float, float, tuple[str, ...]], ...] = (
    ("T01", "Puhelinpalvelu ja takaisinsoitot", "Ajanvaraus ja asiakaspalvelu", "terveyskeskusavustaja",
     "Osittain", 12, 1.2, ("sairaanhoitaja", "lahihoitaja")),
    ("T02", "Ajanvaraukset, peruutukset ja siirrot", "Ajanvaraus ja asiakaspalvelu", "terveyskeskusavustaja",
     "kyllä", 12, 1.3, ("sairaanhoitaja", "lahihoitaja")),
    ("T03", "Ilmoittautuminen ja asiakkaiden ohjaus", "Ajanvaraus ja asiakaspalvelu", "terveyskeskusavustaja",
     "Osittain", 8, 0.8, ("lahihoitaja", "sairaanhoitaja")),
    ("T04", "Ajanvarauskirjojen ylläpito", "Ajanvaraus ja asiakaspalvelu", "toimistosihteeri",
     "osittain", 3, 1.0, ("sairaanhoitaja", "esihenkilo")),
    ("T05", "Omaolo-yhteydenottojen ohjaus", "Ajanvaraus ja asiakaspalvelu", "terveyskeskusavustaja",
     "Osittain", 4, 1.4, ("sairaanhoitaja",)),
    ("T06", "Saneluiden purku", "Sanelut ja kirjaaminen", "toimistosihteeri",
     "Osittain", 8, 0.6, ("laakari",)),
    ("T07", "Puheentunnistuksen tekstien korjaus", "Sanelut ja kirjaaminen", "toimistosihteeri",
     "ei", 5, 1.2, ("laakari",)),
    ("T08", "Kuntakonsultaatioiden kirjaaminen", "Sanelut ja kirjaaminen", "toimistosihteeri",
     "ei", 3, 1.3, ("laakari", "sairaanhoitaja")),
    ("T09", "B- ja C-lausunnot", "Todistukset ja lausunnot", "toimistosihteeri",
     "ei", 5, 1.0, ("laakari",)),
    ("T10", "Kela-todistukset, SV-lomakkeet ja jäljennökset", "Todistukset ja lausunnot", "toimistosihteeri",
     "Osittain", 5, 1.1, ("laakari", "sairaanhoitaja")),
    ("T11", "Todistusten toimittaminen asiakkaille", "Todistukset ja lausunnot", "terveyskeskusavustaja",
     "kyllä", 2, 0.8, ("sairaanhoitaja",)),
    ("T12", "Lähetteiden käsittely ja kirjaus", "Lähetteet ja arkistointi", "toimistosihteeri",
     "Osittain", 6, 1.3, ("sairaanhoitaja", "laakari")),
    ("T13", "Skannaus, arkistointi ja asiakirjojen hävittäminen", "Lähetteet ja arkistointi",
     "toimistosihteeri", "kyllä", 5, 1.0, ("sairaanhoitaja", "lahihoitaja")),
    ("T14", "Postin käsittely, lähetys ja jakelu", "Lähetteet ja arkistointi", "terveyskeskusavustaja",
     "ei", 3, 0.6, ("lahihoitaja",)),
    ("T15", "Hoitopalautteiden ja epikriisien kohdistus", "Lähetteet ja arkistointi", "toimistosihteeri",
     "kyllä", 3, 0.9, ("sairaanhoitaja",)),
    ("T16", "Tarvikkeiden tilaus ja varastointi", "Tarvikkeet ja välineet", "terveyskeskusavustaja",
     "Osittain", 3, 1.3, ("lahihoitaja", "sairaanhoitaja")),
    ("T17", "Välinehuolto", "Tarvikkeet ja välineet", "terveyskeskusavustaja",
     "ei", 4, 1.4, ("lahihoitaja",)),
    ("T18", "Vastaanottohuoneiden valmistelu", "Tarvikkeet ja välineet", "terveyskeskusavustaja",
     "ei", 3, 1.3, ("lahihoitaja", "sairaanhoitaja")),
    ("T19", "Asiakasmaksujen laskutus", "Laskutus ja tietopyynnöt", "toimistosihteeri",
     "kyllä", 3, 0.3, ("sairaanhoitaja",)),
    ("T20", "Tietopyynnöt ja potilasasiakirjojen luovutus", "Laskutus ja tietopyynnöt", "toimistosihteeri",
     "ei", 3, 0.9, ("laakari", "sairaanhoitaja")),
    ("T21", "Tilastointi ja raportit", "Laskutus ja tietopyynnöt", "toimistosihteeri",
     "kyllä", 1, 0.5, ("esihenkilo",)),
    ("T22", "Reseptien uusimispyyntöjen esikäsittely", "Hoidon koordinointi", "sairaanhoitaja",
     "Osittain", 0, 0.0, ("laakari", "terveydenhoitaja")),
    ("T23", "Laboratoriotulosten ilmoittaminen asiakkaille", "Hoidon koordinointi", "sairaanhoitaja",
     "", 0, 0.0, ("terveydenhoitaja", "laakari")),
)

# (kysymys_id, teksti, teksti_sv, tyyppi, min, max, tavoite, base mean)
QUESTIONS: tuple[tuple[str, str, str, str, int, int, int | None, float], ...] = (
    ("hallinta", "Koen voivani vaikuttaa omaan työhöni ja hallitsevani sen.",
     "Jag upplever att jag kan påverka och har kontroll över mitt eget arbete.", "likert", 1, 5, 1, 3.3),
    ("jaksaminen", "Jaksan hyvin työssäni.", "Jag orkar bra i mitt arbete.", "likert", 1, 5, 1, 3.4),
    ("tyonjako_selkeys", "Työnjako ammattiryhmien välillä on selkeä.",
     "Arbetsfördelningen mellan yrkesgrupperna är tydlig.", "likert", 1, 5, 3, 3.0),
    ("osaamisen_jakaminen", "Jaamme osaamista ja hyviä käytäntöjä työyhteisössä ja asemien välillä.",
     "Vi delar kunnande och goda rutiner i arbetsgemenskapen och mellan stationerna.", "likert", 1, 5, 3, 3.3),
    ("esihenkilotuki", "Saan esihenkilöltäni tukea, kun tarvitsen sitä.",
     "Jag får stöd av min chef när jag behöver det.", "likert", 1, 5, 4, 3.7),
    ("kuormitus", "Työmääräni on kohtuullinen.", "Min arbetsmängd är rimlig.", "likert", 1, 5, 5, 3.0),
    ("enps", "Kuinka todennäköisesti suosittelisit työpaikkaasi ystävällesi (0–10)?",
     "Hur sannolikt är det att du skulle rekommendera din arbetsplats till en vän (0–10)?", "enps", 0, 10,
     None, 7.0),
)
SHORT_QUESTION = "osaamisen_jakaminen"  # not asked in one month: that month goes to its own file

COMMENTS = (
    "Uusi työnjako on selkeyttänyt arkea, kiitos!",
    "Puhelinruuhka aamuisin on edelleen kova; takaisinsoittoja ei ehditä hoitaa.",
    "Lausuntojono kasvaa, sihteereitä on liian vähän.",
    "Perehdytys uuteen malliin jäi lyhyeksi.\nToivoisin lisää koulutusta.",
    "Esihenkilö on ollut hyvin tavoitettavissa.",
    "Lääkärit tekevät yhä itse osan sanelujen korjauksista; tämä pitäisi sopia uudelleen.",
    "Kesän sijaisjärjestelyt kuormittivat.",
    "Välinehuolto toimii nyt hyvin, kun vastuu on selvä.",
    "Tiedonkulku asemien välillä paranee; Teams-kanava on auttanut.",
    "En tiedä, kuka hoitaa B-lausuntojen postituksen.\nOhje puuttuu intrasta.",
    "Kiire on jatkuvaa.",
    "Hyvä, että avustajat hoitavat nyt tarviketilaukset.",
    "Työnjako on paperilla selvä, käytännössä ei; kaikki tekevät kaikkea.",
    "Kiitos tiimille!",
    "Etätyöpäiviä toivottaisiin sihteereille lisää.",
    "Omaolo-viestejä tulee enemmän kuin ehditään käsitellä.",
)
TOPICS = (
    "Kuka purkaa etälääkärin sanelut?",
    "B-lausuntojen jonon omistajuus ja käsittelyjärjestys",
    "Takaisinsoittojärjestelmän käyttöoikeudet avustajille",
    "Kela-todistusten jäljennösten arkistointi",
    "Kuntakonsultaatioiden kirjaamisen ohje puuttuu",
    "Laboratoriotulosten ilmoittaminen: sihteeri vai hoitaja?",
    "Välinehuollon vastuu iltavastaanotolla",
    "Tarviketilausten hyväksyjä",
    "Asiakasmaksujen laskutuksen tunnukset sihteereille",
    "Tietopyyntöjen käsittelyaika ja vastuuhenkilö",
    "Ajanvarauskirjojen avaaminen lomakaudella",
    "Skannausjonon purku ennen käyttöönottoa",
    "Puheentunnistuksen korjausten laatu",
    "Sijaisten perehdytys uuteen työnjakoon",
    "Postin käsittely, kun avustaja on poissa",
    "Omaolo-yhteydenottojen ohjaus ruuhka-aikaan",
    "Lähetteiden kirjaus ulkoisiin palveluihin",
    "Ruotsinkielinen asiakaspalvelu puhelimessa",
    "Työnjakomallin ohjeen päivitys intraan",
    "Iltavastaanoton ilmoittautumiset",
    "Reseptien uusimispyyntöjen esikäsittely",
    "Hoitopalautteiden kohdistus väärään yksikköön",
    "Tilastoinnin vastuu asemalla",
    "Kuinka kirjataan tehtävät kartoitukseen?",
    "Epikriisien postitus kotikuntaan",
    "Vastaanottohuoneiden valmistelu aamuisin",
    "Sihteerien varahenkilöjärjestelmä asemien välillä",
)


@dataclass
class Person:
    """One post of an employee at a station (a person with two posts has two Person objects)."""

    pid: int
    role: str
    pct: float
    contract: str
    frailty: float  # propensity to sick leave
    mood: float  # person effect on Pulssi answers


def add_months(d: date, n: int) -> date:
    """First day of the month n months after d's month."""
    k = d.year * 12 + d.month - 1 + n
    return date(k // 12, k % 12 + 1, 1)


def month_end(m: date) -> date:
    """Last day of month m."""
    return add_months(m, 1) - timedelta(days=1)


def working_days(m: date, hol: holidays.HolidayBase) -> int:
    """Mon–Fri of month m less the Finnish holidays."""
    days = (m + timedelta(days=i) for i in range((month_end(m) - m).days + 1))
    return sum(1 for d in days if d.weekday() < 5 and d not in hol)


def fi_date(d: date) -> str:
    """Finnish date d.m.yyyy without leading zeros."""
    return f"{d.day}.{d.month}.{d.year}"


def fi_dec(x: float) -> str:
    """Decimal with a comma, no trailing zeros."""
    return f"{x:g}".replace(".", ",")


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]], *, encoding: str,
               delimiter: str, newline: str) -> Path:
    """Write one CSV file the way the named source system would."""
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh, delimiter=delimiter, lineterminator=newline)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _workbook(path: Path, today: date) -> xlsxwriter.Workbook:
    """Workbook with a fixed creation time, so the same seed gives the same bytes."""
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"created": datetime(today.year, today.month, today.day), "author": "Demo"})
    return wb


class _Demo:
    """Builds the whole story once, then writes each source file."""

    def __init__(self, seed: int, today: date, months: int) -> None:
        self.rng = random.Random(seed)
        self.today = today
        this_month = date(today.year, today.month, 1)
        self.months = [add_months(this_month, i - months) for i in range(months)]
        self.hol = holidays.Finland(years=range(self.months[0].year, today.year + 2))
        self.wd = {m: working_days(m, self.hol) for m in self.months}
        self.used_pids: set[int] = set()
        self._plan_rollout(this_month)

    # -- rollout -------------------------------------------------------------------------------
    def _plan_rollout(self, this_month: date) -> None:
        """Planned and actual go-live dates per station."""
        rng = self.rng
        self.planned: dict[str, date | None] = {}
        self.live: dict[str, date | None] = {}
        for sid, *_, wave in STATIONS:
            if wave is None:
                self.planned[sid] = self.live[sid] = None
                continue
            # Go-lives are on Mondays: the first or second of the wave's month, some a few weeks late.
            first = add_months(this_month, WAVE_OFFSETS[wave])
            planned = first + timedelta(days=(7 - first.weekday()) % 7 + rng.choice((0, 7)))
            self.planned[sid] = planned
            actual = planned + timedelta(days=rng.choice((0, 0, 0, 7, 14, 21)))
            self.live[sid] = actual if actual <= self.today and sid != DELAYED else None

    def workday(self, d: date) -> date:
        """The first working day on or after d."""
        while d.weekday() >= 5 or d in self.hol:
            d += timedelta(days=1)
        return d

    def months_live(self, sid: str, m: date) -> int | None:
        """Whole months since the go-live month (0 = the go-live month), None before it."""
        live = self.live[sid]
        if live is None or live > month_end(m):
            return None
        return (m.year - live.year) * 12 + m.month - live.month

    # -- staffing ------------------------------------------------------------------------------
    def _pid(self) -> int:
        """A fresh 8-digit employee number."""
        while True:
            pid = self.rng.randrange(10_000_000, 40_000_000)
            if pid not in self.used_pids:
                self.used_pids.add(pid)
                return pid

    def _person(self, role: str, *, new: bool = False, contract: str | None = None) -> Person:
        """A new employee; replacements are more often fixed-term or substitutes."""
        rng = self.rng
        pct = rng.choices((100, 80, 60, 50, 87.5, 62.5), weights=(72, 13, 7, 4, 3, 1))[0]
        if contract is None:
            weights = (50, 30, 20) if new else (82, 12, 6)
            contract = rng.choices(("vakinainen", "maaraaikainen", "sijainen"), weights=weights)[0]
        frailty = rng.choices((0.2, 0.7, 1.2, 2.5), weights=(25, 30, 30, 15))[0]
        return Person(self._pid(), role, float(pct), contract, frailty, rng.gauss(0, 0.45))

    def _initial_roster(self, sid: str, size: int) -> list[Person]:
        """Staff of a station at the start: 2–6 secretary roles, one manager, clinicians."""
        n_sec = 6 if size >= 90 else 5 if size >= 60 else 4 if size >= 40 else 3 if size >= 20 else 2
        roles = ["toimistosihteeri"] * math.ceil(n_sec / 2) + ["terveyskeskusavustaja"] * (n_sec // 2)
        roles.append("esihenkilo")
        n_clin = max(size - len(roles) + self.rng.randint(-2, 2), 3)
        shares = (("laakari", 0.22), ("sairaanhoitaja", 0.38), ("terveydenhoitaja", 0.15), ("lahihoitaja", 0.2))
        for role, share in shares:
            roles += [role] * max(1, round(n_clin * share))
        roles += ["muu"] * round(n_clin * 0.05)
        roster = [self._person(r) for r in roles]
        for p in roster:
            if p.role == "esihenkilo":
                p.pct, p.contract = 100.0, "vakinainen"
        return roster

    def _absence(self, p: Person, sid: str, m: date) -> tuple[int, int]:
        """Sick-leave and other absence days of a person-month, never above the working days."""
        rng, wd = self.rng, self.wd[m]
        prob = 0.23 * p.frailty * (1.3 if m.month in (1, 2, 3) else 0.7 if m.month in (6, 7, 8) else 1.0)
        if p.role in SECRETARY_ROLES:
            prob *= 1.3 if sid in OVERLOADED else 1.0
            prob *= 0.8 if (self.months_live(sid, m) or 0) >= 2 else 1.0
        sick = 0
        if rng.random() < prob:
            kind = rng.random()
            sick = rng.randint(1, 3) if kind < 0.6 else rng.randint(4, 10) if kind < 0.96 else rng.randint(11, wd)
        # Annual leave falls mostly in July, some in June/August, winter week and Christmas.
        take, lo, hi = {7: (0.85, 10, 20), 6: (0.35, 5, 10), 8: (0.35, 5, 10), 2: (0.2, 5, 5),
                        3: (0.1, 5, 5), 12: (0.3, 2, 4)}.get(m.month, (0.12, 1, 3))
        if p.role in SECRETARY_ROLES and m.month in (6, 7, 8):
            # Secretary holidays are staggered over the summer so that booking and reception stay open.
            take, lo, hi = {6: (0.4, 5, 10), 7: (0.45, 8, 12), 8: (0.4, 5, 10)}[m.month]
        other = rng.randint(lo, hi) if rng.random() < take else 0
        return sick, min(other, wd - sick)

    def build_staff(self) -> None:
        """Monthly staffing rows with turnover, summer substitutes and one two-station person."""
        rng = self.rng
        rosters = {sid: self._initial_roster(sid, size) for sid, _, _, _, size, _ in STATIONS}
        doc = self._person("laakari", contract="vakinainen")
        doc.pct = 60.0
        rosters[TWO_POSTS[0]].append(doc)
        rosters[TWO_POSTS[1]].append(Person(doc.pid, "laakari", 40.0, "vakinainen", doc.frailty, doc.mood))
        fixed = {doc.pid} | {p.pid for r in rosters.values() for p in r if p.role == "esihenkilo"}
        self.staff: list[tuple[date, int, str, str, float, str, int, int]] = []
        self.by_station_month: dict[tuple[str, date], list[Person]] = {}
        subs: dict[tuple[str, int], list[Person]] = {}
        for i, m in enumerate(self.months):
            cache: dict[int, tuple[int, int]] = {}
            for sid, _, _, _, size, _ in STATIONS:
                roster = rosters[sid]
                if i:  # about 8 % a year leave; the post is filled by someone new
                    roster[:] = [p if p.pid in fixed or rng.random() > 0.007 else self._person(p.role, new=True)
                                 for p in roster]
                people = list(roster)
                if m.month in (6, 7, 8) and size >= 20:
                    key = (sid, m.year)
                    if key not in subs:
                        subs[key] = [self._person(rng.choice(("sairaanhoitaja", "lahihoitaja")),
                                                  contract="sijainen") for _ in range(size // 25)]
                        # A summer assistant keeps the reception open while the secretaries are on leave.
                        subs[key].append(self._person("terveyskeskusavustaja", contract="sijainen"))
                    people += subs[key]
                self.by_station_month[sid, m] = people
                for p in people:
                    if p.pid not in cache:
                        cache[p.pid] = self._absence(p, sid, m)
                    sick, other = cache[p.pid]
                    self.staff.append((m, p.pid, sid, p.role, p.pct, p.contract, sick, other))
        self._capacity()

    def _capacity(self) -> None:
        """Mean secretary capacity (h/week) of each station over the months."""
        total: dict[str, float] = {}
        for m, _, sid, role, pct, _, sick, other in self.staff:
            if role in SECRETARY_ROLES:
                net = pct / 100 * (1 - (sick + other) / self.wd[m])
                total[sid] = total.get(sid, 0.0) + net * WEEKLY_HOURS
        self.capacity = {sid: total[sid] / len(self.months) for sid in total}

    # -- files ---------------------------------------------------------------------------------
    def write_kysymykset(self, out: Path) -> Path:
        """Question catalogue: UTF-8 with BOM, semicolons."""
        rows = [(q, fi, sv, t, lo, hi, "" if goal is None else goal) for q, fi, sv, t, lo, hi, goal, _ in QUESTIONS]
        header = ("kysymys_id", "teksti", "teksti_sv", "tyyppi", "asteikko_min", "asteikko_max", "tavoite")
        return _write_csv(out / "kysymykset.csv", header, rows, encoding="utf-8-sig", delimiter=";", newline="\r\n")

    def write_asemat(self, out: Path) -> Path:
        """Station sheet as the project manager keeps it: two empty rows, header on row 3."""
        path = out / "asemat.xlsx"
        wb = _workbook(path, self.today)
        ws = wb.add_worksheet("asemat")
        bold = wb.add_format({"bold": True})
        planned_fmt = wb.add_format({"num_format": "dd/mm/yy"})
        live_fmt = wb.add_format({"num_format": "[$-40B]d/m/yyyy"})
        header = ("asema_id", "nimi", "nimi_sv", "kunta", "aalto", "suunniteltu_kayttoonotto", "kayttoonotto")
        ws.write_row(2, 0, header, bold)
        for r, (sid, name, name_sv, kunta, _, wave) in enumerate(STATIONS, start=3):
            ws.write_row(r, 0, (sid, name))
            if name_sv:
                ws.write(r, 2, name_sv)
            ws.write(r, 3, kunta)
            if wave is not None:
                ws.write_number(r, 4, wave)
            planned, live = self.planned[sid], self.live[sid]
            if planned is not None:
                ws.write_datetime(r, 5, datetime(planned.year, planned.month, planned.day), planned_fmt)
            if live is not None:
                ws.write_datetime(r, 6, datetime(live.year, live.month, live.day), live_fmt)
        ws.set_column(0, 0, 10)
        ws.set_column(1, 3, 34)
        ws.set_column(4, 6, 14)
        wb.close()
        return path

    def write_tehtavat(self, out: Path) -> Path:
        """Task catalogue: UTF-8, commas, quoted names that hold commas."""
        rows = [t[:5] for t in TASKS]
        header = ("tehtava_id", "tehtava", "tehtavaryhma", "vastuurooli", "automatisoitavissa")
        return _write_csv(out / "tehtavat.csv", header, rows, encoding="utf-8", delimiter=",", newline="\n")

    def _round_rows(self, sid: str, d: date, n_clin: int) -> list[tuple[str, str, float]]:
        """Rows (tehtava_id, suorittaja, hours) of one station's mapping round."""
        rng, go = self.rng, self.live[sid]
        live = go is not None and go <= d
        if go is not None and live:
            since = (d - go).days / 30.4  # compliance keeps improving for months after go-live
            owner = min(0.95, 0.8 + 0.1 * min(since, 9) / 9 + rng.uniform(0, 0.05))
            clin = (1 - owner) * rng.uniform(0.5, 0.75)
        else:
            clin = rng.uniform(0.25, 0.42)
            owner = 1 - clin - rng.uniform(0.06, 0.14)
        wrong = 1 - owner - clin
        factor = 0.95 if live else 1.0  # the agreed model removes some duplicate work
        hours = OVERLOADED.get(sid, self.load_target[sid]) * self.capacity[sid] * factor
        total_w = sum(t[5] for t in TASKS)
        rows: list[tuple[str, str, float]] = []

        def add(tid: str, role: str, h: float) -> None:
            # The sheet is filled in half hours; rounding at random keeps small shares unbiased.
            h = (math.floor(h * 2) + (rng.random() < h * 2 % 1)) / 2
            if h > 0:
                rows.append((tid, role, h))

        for tid, _, _, owner_role, _, weight, cf, others in TASKS:
            if owner_role in SECRETARY_ROLES:
                h = hours * weight / total_w * rng.uniform(0.8, 1.2)
                c = min(0.85, clin * cf * rng.uniform(0.8, 1.2))
                w = min(wrong * rng.uniform(0.5, 1.5), 1 - c - 0.05)
                other_sec = SECRETARY_ROLES[1 - SECRETARY_ROLES.index(owner_role)]
                add(tid, owner_role, h * (1 - c - w))
                add(tid, other_sec, h * w)
                first = rng.uniform(0.55, 0.8) if len(others) > 1 else 1.0
                add(tid, others[0], h * c * first)
                if len(others) > 1:
                    add(tid, others[1], h * c * (1 - first))
            else:  # clinical admin stays mostly with its owner
                h = 0.05 * n_clin * rng.uniform(0.7, 1.3)
                share = rng.uniform(0.8, 0.92)
                add(tid, owner_role, h * share)
                add(tid, others[0], h * (1 - share) * 0.6)
                add(tid, others[1], h * (1 - share) * 0.4)
        return rows

    def write_kartoitus(self, out: Path) -> Path:
        """Mapping rounds: Windows-1252, semicolons, decimal comma, d.m.yyyy, Finnish role names."""
        rng = self.rng
        this_month = date(self.today.year, self.today.month, 1)
        self.load_target = {sid: rng.uniform(0.85, 1.05) for sid, *_ in STATIONS}
        rows = []
        self.rounds: dict[str, list[date]] = {}
        for offset in ROUND_OFFSETS:
            start = add_months(this_month, offset)
            for sid, *_ in STATIONS:
                d = self.workday(start + timedelta(days=rng.randint(0, 16)))
                self.rounds.setdefault(sid, []).append(d)
                people = self.by_station_month.get((sid, start)) or self.by_station_month[sid, self.months[0]]
                n_clin = sum(p.role in CLINICAL_ROLES for p in people)
                for tid, role, h in self._round_rows(sid, d, n_clin):
                    rows.append((fi_date(d), sid, tid, ROLE_FI[role], fi_dec(h)))
        header = ("kartoituspvm", "asema_id", "tehtava_id", "suorittaja", "tunnit_viikossa")
        return _write_csv(out / "kartoitus.csv", header, rows, encoding="cp1252", delimiter=";", newline="\r\n")

    def write_henkilosto(self, out: Path) -> list[Path]:
        """One HR extract per year: the first year as XLSX, the others as Windows-1252 CSV."""
        years = sorted({m.year for m in self.months})
        paths = []
        for year in years:
            rows = [r for r in self.staff if r[0].year == year]
            if year == years[0]:
                paths.append(self._henkilosto_xlsx(out / f"henkilosto_{year}.xlsx", rows))
                continue
            csv_rows = [(f"{m.month}/{m.year}", pid, sid, ROLE_FI[role], fi_dec(pct), CONTRACT_FI[c], s, o)
                        for m, pid, sid, role, pct, c, s, o in rows]
            header = ("kuukausi", "henkilo_id", "asema_id", "rooli", "tyoaikaprosentti", "palvelussuhde",
                      "sairauspoissaolo_pv", "muu_poissaolo_pv")
            paths.append(_write_csv(out / f"henkilosto_{year}.csv", header, csv_rows, encoding="cp1252",
                                    delimiter=";", newline="\r\n"))
        return paths

    def _henkilosto_xlsx(self, path: Path, rows: list[tuple[date, int, str, str, float, str, int, int]]) -> Path:
        """HR extract saved from Excel: number-cell ids, date-cell months, header variants."""
        wb = _workbook(path, self.today)
        ws = wb.add_worksheet("henkilosto")
        month_fmt = wb.add_format({"num_format": "mm.yyyy"})
        ws.write_row(0, 0, ("Kuukausi", "Henkilö ID", "Asema ID", "Rooli", "Työaikaprosentti", "Palvelussuhde",
                            "Sairauspoissaolo pv", "Muu poissaolo pv"))
        for r, (m, pid, sid, role, pct, contract, sick, other) in enumerate(rows, start=1):
            ws.write_datetime(r, 0, datetime(m.year, m.month, 1), month_fmt)
            ws.write_number(r, 1, pid)
            ws.write_row(r, 2, (sid, role, pct, contract, sick, other))
        wb.close()
        return path

    def _answer(self, q: str, base: float, p: Person, sid: str, m: date, since: int | None) -> int | None:
        """One Pulssi answer on the question's scale, or None when skipped."""
        rng = self.rng
        if rng.random() < 0.03:
            return None
        sec = p.role in SECRETARY_ROLES
        mu = base + p.mood + self.station_mood[sid]
        if q in ("hallinta", "jaksaminen") and sec:
            mu -= 0.35  # before the reform secretaries felt their work was the least under control
            if since == 0:
                mu -= 0.35  # go-live month: new tasks, new tools
            elif since is not None:
                mu += self.lift[sid] * min(since, 3) / 3
        elif q == "tyonjako_selkeys" and since:
            mu += (0.7 if sec else 0.45) * min(since, 4) / 4
        elif q == "osaamisen_jakaminen" and since:
            mu += 0.3
        elif q == "kuormitus":
            mu -= 0.45 if sid in OVERLOADED else 0.0
            mu -= 0.3 if m.month in (6, 7) else 0.0
            mu += 0.2 if since else 0.0
        if q == "enps":
            return max(0, min(10, round(base + 1.6 * (p.mood + self.station_mood[sid]) + rng.gauss(0, 1.7))))
        return max(1, min(5, round(mu + rng.gauss(0, 0.75))))

    def write_pulssi(self, out: Path) -> list[Path]:
        """Survey export, one file per year plus a short month without one question."""
        rng = self.rng
        self.station_mood = {sid: rng.gauss(0, 0.15) for sid, *_ in STATIONS}
        self.lift = {sid: rng.uniform(0.35, 0.55) for sid, *_ in STATIONS}
        short = self.months[len(self.months) // 2]
        by_file: dict[str, list[list[object]]] = {}
        next_id = 104_000
        for m in self.months:
            key = f"pulssi_{m:%Y-%m}_lyhyt" if m == short else f"pulssi_{m.year}"
            base_rate = 0.4 - 0.1 * (m.month in (6, 7, 8))  # fewer answer in the holiday season
            for sid, *_ in STATIONS:
                people = self.by_station_month[sid, m]
                h = len({p.pid for p in people})
                rate = min(0.6, max(0.2, base_rate + rng.gauss(0, 0.08)))
                n = min(max(round(rate * h), math.ceil(0.2 * h)), math.floor(0.6 * h))
                since = self.months_live(sid, m)
                for p in rng.sample(people, n):
                    next_id += rng.randint(1, 3)
                    role = ROLE_FI[p.role].capitalize() if rng.random() < 0.15 else p.role
                    answers = [self._answer(q, base, p, sid, m, since) for q, *_, base in QUESTIONS
                               if not (m == short and q == SHORT_QUESTION)]
                    comment = rng.choice(COMMENTS) if rng.random() < 0.06 else ""
                    by_file.setdefault(key, []).append([f"{m:%Y-%m}", next_id, sid, role,
                                                        *("" if a is None else a for a in answers), comment])
        paths = []
        for key, rows in by_file.items():
            qs = [q for q, *_ in QUESTIONS if not (key.endswith("_lyhyt") and q == SHORT_QUESTION)]
            header = ("kuukausi", "vastaus_id", "asema_id", "rooli", *qs, "kommentti")
            paths.append(_write_csv(out / f"{key}.csv", header, rows, encoding="utf-8", delimiter=";", newline="\n"))
        return paths

    def write_kysymysloki(self, out: Path) -> Path:
        """Questions raised during the rollout, as the project manager logs them in Excel."""
        rng = self.rng
        start = min(d for d in self.planned.values() if d is not None) - timedelta(days=60)
        span = (self.today - start).days
        entries = []
        for topic in rng.sample(TOPICS, 25):
            opened = min(self.workday(start + timedelta(days=rng.randint(0, span))), self.today)
            # Questions come from stations preparing for or just past their go-live.
            near = [sid for sid, d in self.planned.items() if d and -120 <= (opened - d).days <= 90]
            sid = "" if rng.random() < 0.25 or not near else rng.choice(near)
            resolved = None
            if rng.random() < (0.85 if (self.today - opened).days > 45 else 0.3):
                resolved = min(self.workday(opened + timedelta(days=rng.randint(2, 90))), self.today)
            entries.append((opened, sid, topic, resolved))
        entries.sort(key=lambda e: e[0])
        path = out / "kysymysloki.xlsx"
        wb = _workbook(path, self.today)
        ws = wb.add_worksheet("kysymysloki")
        date_fmt = wb.add_format({"num_format": "d.m.yyyy"})
        ws.write_row(0, 0, ("Avattu", "Asema ID", "Aihe", "Tila", "Ratkaistu"), wb.add_format({"bold": True}))
        for r, (opened, sid, topic, resolved) in enumerate(entries, start=1):
            ws.write_datetime(r, 0, datetime(opened.year, opened.month, opened.day), date_fmt)
            if sid:
                ws.write(r, 1, sid)
            ws.write(r, 2, topic)
            if resolved is None:
                ws.write(r, 3, rng.choice(("avoin", "Avoin")))
            else:
                ws.write(r, 3, rng.choice(("Ratkaistu", "ratkaistu")))
                ws.write_datetime(r, 4, datetime(resolved.year, resolved.month, resolved.day), date_fmt)
        ws.set_column(2, 2, 55)
        wb.close()
        return path


def generate(out_dir: Path, *, seed: int = 2026, today: date | None = None, months: int = 24) -> list[Path]:
    """Write demo source files into out_dir and return their paths in load order."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    demo = _Demo(seed, today or date.today(), months)
    demo.build_staff()
    kartoitus = demo.write_kartoitus(out_dir)
    return [
        demo.write_kysymykset(out_dir),
        demo.write_asemat(out_dir),
        demo.write_tehtavat(out_dir),
        kartoitus,
        *demo.write_henkilosto(out_dir),
        *sorted(demo.write_pulssi(out_dir), key=lambda p: p.name),
        demo.write_kysymysloki(out_dir),
    ]
