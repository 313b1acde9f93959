"""Tests of the demo source-file generator: reproducible, contract-clean, and telling the intended story."""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import date, datetime, timedelta
from pathlib import Path

import fastexcel
import holidays
import polars as pl
import pytest

from etl.demo_data import generate

ROLES = {"toimistosihteeri", "terveyskeskusavustaja", "sairaanhoitaja", "terveydenhoitaja", "lahihoitaja",
         "laakari", "esihenkilo", "muu"}
SECRETARY = {"toimistosihteeri", "terveyskeskusavustaja"}
CLINICAL = {"sairaanhoitaja", "terveydenhoitaja", "lahihoitaja", "laakari"}
TODAYS = (date(2026, 11, 23), date(2026, 1, 5))


def fold(value: str) -> str:
    """Fold a header or coded value the way the contract matches them."""
    text = unicodedata.normalize("NFC", value).replace("\ufeff", "").strip().lower()
    return re.sub(r"[\s\-]+", "_", text.translate(str.maketrans("äöå", "aoa")))


def is_cp1252(path: Path) -> bool:
    """Whether the demo writes this file in Windows-1252."""
    return path.suffix == ".csv" and (path.name == "kartoitus.csv" or path.name.startswith("henkilosto_"))


def read_csv(path: Path) -> pl.DataFrame:
    """Read a demo CSV as strings with folded headers, detecting encoding and delimiter."""
    raw = path.read_bytes()
    text = raw.decode("cp1252" if is_cp1252(path) else "utf-8-sig")
    sep = ";" if text.splitlines()[0].count(";") > text.splitlines()[0].count(",") else ","
    df = pl.read_csv(io.BytesIO(text.encode()), separator=sep, infer_schema=False)
    return df.rename({c: fold(c) for c in df.columns})


def read_xlsx(path: Path, sheet: str, header_row: int = 0) -> pl.DataFrame:
    """Read one sheet with folded headers."""
    df = fastexcel.read_excel(path).load_sheet(sheet, header_row=header_row).to_polars()
    return df.rename({c: fold(c) for c in df.columns})


def fi_date(text: str) -> date:
    """Parse d.m.yyyy."""
    d, m, y = (int(x) for x in text.split("."))
    return date(y, m, d)


def working_days(m: date) -> int:
    """Working days of a month as the contract defines them, computed independently."""
    hol = holidays.Finland(years=m.year)
    d, n = m, 0
    while d.month == m.month:
        n += d.weekday() < 5 and d not in hol
        d += timedelta(days=1)
    return n


def month_days(months: pl.Series) -> pl.Series:
    """Working days for a column of months."""
    return months.replace_strict({m: working_days(m) for m in months.unique()}, return_dtype=pl.Int64)


def as_date(v: object) -> date | None:
    """A spreadsheet cell value as a date."""
    return v.date() if isinstance(v, datetime) else v  # type: ignore[return-value]


@pytest.fixture(scope="module", params=TODAYS, ids=str)
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Generate once per `today` and read every file back."""
    today: date = request.param
    out = tmp_path_factory.mktemp("demo")
    paths = generate(out, today=today)
    by = {p.name: p for p in paths}
    staff_parts = []
    for p in paths:
        if not p.name.startswith("henkilosto_"):
            continue
        if p.suffix == ".xlsx":
            df = read_xlsx(p, "henkilosto").with_columns(
                pl.col("kuukausi").dt.date(), pl.col("henkilo_id").cast(pl.Int64).cast(pl.Utf8),
                pl.col("tyoaikaprosentti").cast(pl.Float64), pl.col("sairauspoissaolo_pv").cast(pl.Int64),
                pl.col("muu_poissaolo_pv").cast(pl.Int64))
        else:
            df = read_csv(p).with_columns(
                ("1/" + pl.col("kuukausi")).str.strptime(pl.Date, "%d/%m/%Y").alias("kuukausi"),
                pl.col("tyoaikaprosentti").str.replace(",", ".").cast(pl.Float64),
                pl.col("sairauspoissaolo_pv").cast(pl.Int64), pl.col("muu_poissaolo_pv").cast(pl.Int64))
        staff_parts.append(df)
    staff = pl.concat(staff_parts).with_columns(
        pl.col("rooli").map_elements(role_code, return_dtype=pl.Utf8),
        pl.col("palvelussuhde").map_elements(fold, return_dtype=pl.Utf8))
    pulssi = {p.name: read_csv(p) for p in paths if p.name.startswith("pulssi_")}
    kart = read_csv(by["kartoitus.csv"]).with_columns(
        pl.col("kartoituspvm").map_elements(fi_date, return_dtype=pl.Date),
        pl.col("suorittaja").map_elements(role_code, return_dtype=pl.Utf8),
        pl.col("tunnit_viikossa").str.replace(",", ".").cast(pl.Float64))
    return {"today": today, "out": out, "paths": paths, "by": by, "staff": staff, "pulssi": pulssi,
            "kart": kart, "asemat": read_xlsx(by["asemat.xlsx"], "asemat", header_row=2),
            "tehtavat": read_csv(by["tehtavat.csv"]), "kysymykset": read_csv(by["kysymykset.csv"])}


def role_code(value: str) -> str:
    """Role spelling → role code."""
    code = fold(value)
    assert code in ROLES, value
    return code


def expected_months(today: date) -> list[date]:
    """The 24 complete months before today's month."""
    k = today.year * 12 + today.month - 1
    return [date((k - i) // 12, (k - i) % 12 + 1, 1) for i in range(24, 0, -1)]


def test_reproducible(demo: dict, tmp_path: Path) -> None:
    """The same seed writes identical bytes (XLSX too); another seed does not."""
    again = generate(tmp_path / "a", today=demo["today"])
    assert [p.name for p in again] == [p.name for p in demo["paths"]]
    for pa, pb in zip(again, demo["paths"], strict=True):
        assert pa.read_bytes() == pb.read_bytes(), pa.name
    other = generate(tmp_path / "b", seed=7, today=demo["today"])
    assert all(pa.read_bytes() != pb.read_bytes() for pa, pb in zip(other, again, strict=True)
               if pa.suffix == ".csv" and not pa.name.startswith(("kysymykset", "tehtavat")))


def test_files_and_order(demo: dict) -> None:
    """Every source is written, catalogues first, one staffing file per year with one as XLSX."""
    names = [p.name for p in demo["paths"]]
    assert all(p.exists() and p.stat().st_size > 0 for p in demo["paths"])
    assert names[:4] == ["kysymykset.csv", "asemat.xlsx", "tehtavat.csv", "kartoitus.csv"]
    assert names[-1] == "kysymysloki.xlsx"
    years = sorted({m.year for m in expected_months(demo["today"])})
    staffing = [n for n in names if n.startswith("henkilosto_")]
    assert sorted(n.split("_")[1].split(".")[0] for n in staffing) == [str(y) for y in years]
    assert sum(n.endswith(".xlsx") for n in staffing) == 1
    assert sum(n.endswith("_lyhyt.csv") for n in names) == 1


def test_encodings(demo: dict) -> None:
    """Windows-1252 files are really cp1252, UTF-8 files UTF-8, the catalogue has a BOM."""
    for p in demo["paths"]:
        raw = p.read_bytes()
        if p.suffix != ".csv":
            assert raw[:2] == b"PK"
        elif is_cp1252(p):
            raw.decode("cp1252")
            with pytest.raises(UnicodeDecodeError):
                raw.decode("utf-8")
        else:
            raw.decode("utf-8")
            assert raw.startswith(b"\xef\xbb\xbf") == (p.name == "kysymykset.csv")


def test_kysymykset(demo: dict) -> None:
    """Question ids are unique with the right scales and goals."""
    q = demo["kysymykset"]
    assert q["kysymys_id"].is_unique().all() and q.height == 7
    for row in q.iter_rows(named=True):
        scale = (row["asteikko_min"], row["asteikko_max"])
        assert scale == ({"likert": ("1", "5"), "enps": ("0", "10")}[row["tyyppi"]])
        assert row["tavoite"] is None or 1 <= int(row["tavoite"]) <= 5
        assert row["teksti"] and row["teksti_sv"] and re.fullmatch(r"[a-z_]+", row["kysymys_id"])


def test_asemat(demo: dict) -> None:
    """Rows 1–2 empty, header on row 3 (the first non-empty row), date cells, and the rollout story."""
    sheet = fastexcel.read_excel(demo["by"]["asemat.xlsx"]).load_sheet("asemat", header_row=None, skip_rows=0)
    raw = sheet.to_polars()
    assert all(v is None for v in raw.row(0) + raw.row(1)) and raw.row(2)[0] == "asema_id"
    a, today = demo["asemat"], demo["today"]
    assert a["asema_id"].is_unique().all() and a.height == 24
    assert a["nimi"].null_count() == 0 and a["kunta"].null_count() == 0
    assert a.schema["suunniteltu_kayttoonotto"] == pl.Datetime and a.schema["kayttoonotto"] == pl.Datetime
    assert a.group_by("kunta").len().sort("kunta").rows() == [
        ("Espoo", 9), ("Hanko", 1), ("Inkoo", 1), ("Karkkila", 1), ("Kauniainen", 1), ("Kirkkonummi", 3),
        ("Lohja", 4), ("Raasepori", 2), ("Siuntio", 1), ("Vihti", 1)]
    status = []
    for row in a.iter_rows(named=True):
        planned, live = as_date(row["suunniteltu_kayttoonotto"]), as_date(row["kayttoonotto"])
        assert row["aalto"] is None or row["aalto"] >= 1
        assert live is None or live <= today
        status.append("live" if live else "ei" if planned is None else "late" if planned < today else "plan")
    assert status.count("late") == 1 and 1 <= status.count("ei") <= 2
    assert status.count("plan") >= 3 and status.count("live") >= 10


def test_tehtavat(demo: dict) -> None:
    """Unique ids, owner roles mostly secretaries, accepted spellings, names with commas."""
    t = demo["tehtavat"]
    assert t["tehtava_id"].is_unique().all() and 20 <= t.height <= 25
    owners = [role_code(v) for v in t["vastuurooli"]]
    assert sum(o in SECRETARY for o in owners) >= 0.8 * len(owners)
    assert {fold(v) for v in t["automatisoitavissa"].drop_nulls()} == {"kylla", "osittain", "ei"}
    assert t["tehtavaryhma"].n_unique() >= 6 and t["tehtava"].str.contains(",").any()
    assert b'"' in demo["by"]["tehtavat.csv"].read_bytes()


def test_kartoitus(demo: dict) -> None:
    """Keys unique, references exist, hours in range, three rounds per station, all before today."""
    k = demo["kart"]
    assert k.select(pl.struct("kartoituspvm", "asema_id", "tehtava_id", "suorittaja").is_unique().all()).item()
    assert set(k["asema_id"]) <= set(demo["asemat"]["asema_id"])
    assert set(k["tehtava_id"]) <= set(demo["tehtavat"]["tehtava_id"])
    assert k["tunnit_viikossa"].min() > 0 and k["tunnit_viikossa"].max() <= 200
    assert demo["by"]["kartoitus.csv"].read_text("cp1252").count(",5") > 0
    rounds = k.group_by("asema_id").agg(pl.col("kartoituspvm").n_unique().alias("n"), pl.col("kartoituspvm").max())
    assert rounds["n"].to_list() == [3] * 24 and rounds["kartoituspvm"].max() < demo["today"]


def test_henkilosto(demo: dict) -> None:
    """Staffing rows keep every contract rule, including absence ≤ working days."""
    s = demo["staff"]
    xlsx = next(p for p in demo["paths"] if p.name.startswith("henkilosto_") and p.suffix == ".xlsx")
    sheet = fastexcel.read_excel(xlsx).load_sheet("henkilosto")
    assert sheet.to_polars().schema["Henkilö ID"] == pl.Float64
    assert sheet.to_polars().schema["Kuukausi"] == pl.Datetime
    assert sorted(s["kuukausi"].unique()) == expected_months(demo["today"])
    assert s.select(pl.struct("kuukausi", "henkilo_id", "asema_id").is_unique().all()).item()
    assert s["henkilo_id"].str.contains(r"^\d{8}$").all()
    assert set(s["asema_id"]) <= set(demo["asemat"]["asema_id"])
    assert set(s["palvelussuhde"]) == {"vakinainen", "maaraaikainen", "sijainen"}
    assert s["tyoaikaprosentti"].min() > 0 and s["tyoaikaprosentti"].max() <= 100
    assert s["sairauspoissaolo_pv"].min() >= 0 and s["muu_poissaolo_pv"].min() >= 0
    s = s.with_columns(month_days(s["kuukausi"]).alias("wd"))
    assert (s["sairauspoissaolo_pv"] + s["muu_poissaolo_pv"] <= s["wd"]).all()
    two = s.group_by("kuukausi", "henkilo_id").agg(pl.col("asema_id").n_unique().alias("n")).filter(pl.col("n") > 1)
    assert two["kuukausi"].n_unique() == 24


def test_staffing_story(demo: dict) -> None:
    """Station sizes, secretary counts, turnover and sick-leave rate are realistic."""
    s = demo["staff"]
    first, last = min(s["kuukausi"]), max(s["kuukausi"])
    size = s.filter(pl.col("kuukausi") == first).group_by("asema_id").agg(
        pl.len().alias("n"), pl.col("rooli").is_in(list(SECRETARY)).sum().alias("sec"),
        (pl.col("rooli") == "esihenkilo").sum().alias("boss"))
    assert size["sec"].min() >= 1 and size["sec"].max() <= 6 and (size["boss"] == 1).all()
    espoo = size.filter(pl.col("asema_id").str.starts_with("ESP-"))["n"]
    assert espoo.min() >= 55 and espoo.max() <= 125 and size["n"].min() >= 5
    ids = [set(s.filter(pl.col("kuukausi") == m)["henkilo_id"]) for m in (first, last)]
    left = 1 - len(ids[0] & ids[1]) / len(ids[0])
    assert 0.08 <= left <= 0.25  # 5–10 % a year over two years, plus summer substitutes
    fte = s["tyoaikaprosentti"] / 100
    wd = month_days(s["kuukausi"])
    rate = (fte * s["sairauspoissaolo_pv"]).sum() / (fte * wd).sum()
    assert 0.03 <= rate <= 0.07
    assert (s["tyoaikaprosentti"] == 100).mean() > 0.6


def test_pulssi(demo: dict) -> None:
    """Months once each, unique response ids, answers on scale, one short month, comments quoted."""
    qs = {r["kysymys_id"]: r for r in demo["kysymykset"].iter_rows(named=True)}
    months = []
    for name, df in demo["pulssi"].items():
        extra = set(df.columns) - {"kuukausi", "vastaus_id", "asema_id", "rooli", "kommentti"}
        assert extra <= set(qs)
        assert ("osaamisen_jakaminen" in extra) != name.endswith("_lyhyt.csv")
        months += df["kuukausi"].unique().to_list()
        assert df["kuukausi"].str.contains(r"^\d{4}-\d{2}$").all()
        assert df.select(pl.struct("kuukausi", "vastaus_id").is_unique().all()).item()
        assert set(df["asema_id"]) <= set(demo["asemat"]["asema_id"])
        assert all(role_code(r) for r in df["rooli"].unique())
        for q in extra:
            vals = df[q].drop_nulls().cast(pl.Int64)
            assert vals.min() >= int(qs[q]["asteikko_min"]) and vals.max() <= int(qs[q]["asteikko_max"])
            assert 0.005 <= df[q].null_count() / df.height <= 0.07
    assert sorted(months) == [f"{m:%Y-%m}" for m in expected_months(demo["today"])]
    every = pl.concat([df.select("kuukausi", "rooli", "kommentti") for df in demo["pulssi"].values()])
    assert every["kommentti"].str.contains(";").any() and every["kommentti"].str.contains("\n").any()
    assert every["rooli"].str.contains("ä").any()


def test_participation(demo: dict) -> None:
    """Responses per station-month are 15–65 % of that station's staff."""
    resp = pl.concat([df.select("kuukausi", "asema_id") for df in demo["pulssi"].values()]).group_by(
        "kuukausi", "asema_id").len()
    head = demo["staff"].group_by(pl.col("kuukausi").dt.strftime("%Y-%m"), "asema_id").agg(
        pl.col("henkilo_id").n_unique().alias("h"))
    rate = head.join(resp, on=["kuukausi", "asema_id"], how="left").with_columns(
        (pl.col("len").fill_null(0) / pl.col("h")).alias("rate"))
    assert rate["rate"].min() >= 0.15 and rate["rate"].max() <= 0.65


def test_compliance_story(demo: dict) -> None:
    """Live stations comply better in the latest round; clinicians did 25–45 % before go-live."""
    owners = dict(demo["tehtavat"].select("tehtava_id", pl.col("vastuurooli").map_elements(
        role_code, return_dtype=pl.Utf8)).iter_rows())
    k = demo["kart"].with_columns(pl.col("tehtava_id").replace_strict(owners).alias("owner"))
    comp = k.group_by("asema_id", "kartoituspvm").agg(share=(
        (pl.col("suorittaja") == pl.col("owner")) * pl.col("tunnit_viikossa")).sum()
        / pl.col("tunnit_viikossa").sum()).sort("kartoituspvm")
    live = {r["asema_id"]: as_date(r["kayttoonotto"]) for r in demo["asemat"].iter_rows(named=True)
            if r["kayttoonotto"] is not None}
    first_round = k["kartoituspvm"].min()
    sec = k.filter(pl.col("owner").is_in(list(SECRETARY)))
    for sid, go in live.items():
        shares = comp.filter(pl.col("asema_id") == sid)["share"].to_list()
        assert shares[-1] > shares[0] + 0.1, sid
        assert 0.8 <= shares[-1] <= 0.97, sid
        assert go > first_round
    base = sec.filter(pl.col("kartoituspvm") < first_round + timedelta(days=30))
    clin = base.filter(pl.col("suorittaja").is_in(list(CLINICAL)))["tunnit_viikossa"].sum()
    assert 0.25 <= clin / base["tunnit_viikossa"].sum() <= 0.45


def test_load_story(demo: dict) -> None:
    """Required secretary hours are 0.85–1.2 × capacity; a couple of stations are overloaded."""
    s = demo["staff"].filter(pl.col("rooli").is_in(list(SECRETARY)))
    wd = month_days(s["kuukausi"])
    s = s.with_columns((pl.col("tyoaikaprosentti") / 100 * 36.25 * (
        1 - (pl.col("sairauspoissaolo_pv") + pl.col("muu_poissaolo_pv")) / wd)).alias("cap"))
    cap = s.group_by("asema_id").agg(pl.col("cap").sum() / 24)
    owners = dict(demo["tehtavat"].select("tehtava_id", "vastuurooli").iter_rows())
    k = demo["kart"].filter(pl.col("tehtava_id").replace_strict(owners).is_in(list(SECRETARY)))
    req = k.group_by("asema_id", "kartoituspvm").agg(pl.col("tunnit_viikossa").sum()).group_by("asema_id").agg(
        pl.col("tunnit_viikossa").mean())
    ratio = req.join(cap, on="asema_id").with_columns((pl.col("tunnit_viikossa") / pl.col("cap")).alias("r"))
    assert ratio["r"].median() >= 0.85 and ratio["r"].median() <= 1.05
    assert 2 <= (ratio["r"] > 1.1).sum() <= 4 and ratio["r"].max() < 1.4 and ratio["r"].min() > 0.75


def test_pulssi_story(demo: dict) -> None:
    """Secretaries' sense of control and coping rise after go-live, with a dip in the go-live month."""
    live = {r["asema_id"]: as_date(r["kayttoonotto"]) for r in demo["asemat"].iter_rows(named=True)
            if r["kayttoonotto"] is not None}
    rows = pl.concat([df.select("kuukausi", "asema_id", "rooli", "hallinta", "jaksaminen")
                      for df in demo["pulssi"].values()])
    rows = rows.with_columns(pl.col("rooli").map_elements(role_code, return_dtype=pl.Utf8)).filter(
        pl.col("rooli").is_in(list(SECRETARY)) & pl.col("asema_id").is_in(list(live)))
    phase = []
    for m, sid in rows.select("kuukausi", "asema_id").iter_rows():
        go = live[sid]
        diff = (int(m[:4]) - go.year) * 12 + int(m[5:]) - go.month
        phase.append("before" if diff < 0 else "dip" if diff == 0 else "after" if diff >= 3 else "ramp")
    rows = rows.with_columns(pl.Series("phase", phase))
    for q in ("hallinta", "jaksaminen"):
        mean = dict(rows.group_by("phase").agg(pl.col(q).cast(pl.Float64).mean()).iter_rows())
        assert 0.2 <= mean["after"] - mean["before"] <= 0.75, (q, mean)
    # Few secretaries answer in a go-live month, so the dip is checked over both questions together.
    both = rows.unpivot(["hallinta", "jaksaminen"], index="phase").with_columns(pl.col("value").cast(pl.Float64))
    mean = dict(both.group_by("phase").agg(pl.col("value").mean()).iter_rows())
    assert mean["dip"] < mean["after"] - 0.15, mean


def test_kysymysloki(demo: dict) -> None:
    """About 25 questions with valid states and resolution dates."""
    log = read_xlsx(demo["by"]["kysymysloki.xlsx"], "kysymysloki")
    assert 20 <= log.height <= 30 and log.schema["avattu"] == pl.Datetime
    assert set(log["asema_id"].drop_nulls()) <= set(demo["asemat"]["asema_id"])
    assert log["asema_id"].null_count() > 0 and log["aihe"].null_count() == 0
    for row in log.iter_rows(named=True):
        state = fold(row["tila"])
        assert state in {"avoin", "ratkaistu"}
        assert (row["ratkaistu"] is not None) == (state == "ratkaistu")
        assert as_date(row["avattu"]) <= demo["today"]
        if row["ratkaistu"] is not None:
            assert row["avattu"] <= row["ratkaistu"] and as_date(row["ratkaistu"]) <= demo["today"]
    assert {fold(v) for v in log["tila"]} == {"avoin", "ratkaistu"}
