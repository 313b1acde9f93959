"""No raw employee number in any message, whatever column a shifted or garbled staffing row puts it in
(hypothesis over random employee numbers, shifts and garbling; validation and reference checks in-process)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.readers import read_bytes_here
from etl.validate import MASKED, reference_errors, validate

HEADER = ["kuukausi", "henkilo_id", "asema_id", "rooli", "tyoaikaprosentti", "palvelussuhde", "sairauspoissaolo_pv",
          "muu_poissaolo_pv"]
STATIONS = {"A1", "A2"}

employee = st.one_of(
    st.from_regex(r"[1-9][0-9]{4,8}", fullmatch=True),
    st.from_regex(r"[A-Z][0-9]{5,7}", fullmatch=True),
)


@st.composite
def staffing(draw: st.DrawFn) -> tuple[bytes, set[str]]:
    """A staffing file of a few people; some rows slip left or right by one or more columns, or lose cells."""
    ids = draw(st.lists(employee, min_size=1, max_size=6, unique=True))
    lines = [";".join(HEADER)]
    for person in ids:
        row = ["1/2025", person, draw(st.sampled_from(sorted(STATIONS))), "laakari", "100", "vakinainen", "0", "0"]
        shift = draw(st.integers(-3, 3))
        if shift > 0:
            row = [""] * shift + row[: len(row) - shift]
        elif shift < 0:
            row = row[-shift:] + [""] * -shift
        if draw(st.booleans()):
            row[draw(st.integers(0, len(row) - 1))] = draw(st.sampled_from(ids))  # an id pasted into any cell
        lines.append(";".join(row))
    return ("\n".join(lines) + "\n").encode(), set(ids)


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(staffing())
def test_no_employee_number_in_any_problem(case: tuple[bytes, set[str]]) -> None:
    data, ids = case
    v = validate(read_bytes_here(data, "henkilosto.csv"), "henkilosto")
    v.add_errors(reference_errors(v, "asema_id", STATIONS, "asemaluettelossa (asemat)"))
    texts = [f"{p} {p.column}" for p in v.problems()] + [f"{w} {w.column}" for w in v.warnings]
    for text in texts:
        for person in ids:
            assert person not in text, text
    if any(MASKED in t for t in texts):
        assert v.error_count > 0
