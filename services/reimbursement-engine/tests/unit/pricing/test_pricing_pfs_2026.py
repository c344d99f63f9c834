"""CY2026 physician fee schedule: CMS's files as published (RVU26C July 2026, January 2026 GPCIs
with the 1.0 work floor, anesthesia factors), releases in force by date, and the figures an analyst
checks on CMS's search tool.

Data: rows copied from the CMS files into data/cms_pfs_2026/ (see its README for the attribution).
Formula: round_half_up((work RVU x work GPCI + PE RVU x PE GPCI + MP RVU x MP GPCI) x 33.4009, 2).
Rest of Texas 04412-99: work GPCI 1.000 with the floor (0.991 without), PE 0.949, MP 0.903.
"""

import io
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from reimbursement_engine.adapters.medicare_files import LoadedRelease, load_medicare_release, read_release
from reimbursement_engine.domain.pricing import LocalityKey, MedicareQuote, MedicareReference, Setting
from reimbursement_engine.domain.pricing.medicare_release import Release, release_in_file_name, release_named

D = Decimal
FILES = Path(__file__).parent / "data" / "cms_pfs_2026"
REST_OF_TEXAS = LocalityKey("04412", "99")
AUGUST = date(2026, 8, 3)


@pytest.fixture(scope="module")
def loaded() -> LoadedRelease:
    return load_medicare_release(FILES, 2026)


@pytest.fixture(scope="module")
def medicare(loaded: LoadedRelease) -> MedicareReference:
    return MedicareReference(years={2026: loaded.year})


def test_the_july_release_is_read_as_cms_publishes_it(loaded: LoadedRelease) -> None:
    year = loaded.year
    assert (year.release, year.effective, year.conversion_factor) == (
        "RVU26C",
        date(2026, 7, 1),
        D("33.4009"),
    )
    assert [(r.file, r.read, r.refused) for r in loaded.reports] == [
        ("PPRRVU2026_Jul_nonQPP.csv", 18, ()),
        ("GPCI2026.csv", 32, ()),
        ("ANES2026.csv", 9, ()),
    ]
    row = year.rvus[("27447", "")]
    assert (row.work, row.pe_facility, row.mp, row.mult_proc, row.bilat_surg, row.asst_surg, row.co_surg) == (
        D("19.11"),
        D("11.58"),
        D("4.02"),
        "2",
        "1",
        "2",
        "1",
    )
    texas = year.gpcis[REST_OF_TEXAS]
    assert (texas.work, texas.work_without_floor, texas.pe, texas.mp) == (
        D("1.000"),
        D("0.991"),
        D("0.949"),
        D("0.903"),
    )
    # ANES2026.csv states the qualifying APM factor first; the non-qualifying one is priced
    assert year.anesthesia_national_cf == D("20.49754")
    assert year.anesthesia_cfs[REST_OF_TEXAS] == D("20.21")


@pytest.mark.parametrize(
    ("code", "modifiers", "locality", "setting", "expected"),
    [
        # (1.60 x 1.000 + 1.76 x 0.949 + 0.16 x 0.903) x 33.4009 = 114.0547 (113.57 without the floor)
        ("99203", (), REST_OF_TEXAS, Setting.NON_FACILITY, "114.05"),
        # (1.60 x 1.000 + 0.38 x 0.949 + 0.16 x 0.903) x 33.4009 = 70.3106
        ("99203", (), REST_OF_TEXAS, Setting.FACILITY, "70.31"),
        # national: 2.85 RVU x 33.4009 = 95.1926; facility 1.72 x 33.4009 = 57.4495
        ("99213", (), None, Setting.NON_FACILITY, "95.19"),
        ("99213", (), None, Setting.FACILITY, "57.45"),
        # the file's component rows: 26 (0.21 + 0.08 x 0.949 + 0.01 x 0.903) x 33.4009 = 9.8515
        ("71046", ("26",), REST_OF_TEXAS, Setting.NON_FACILITY, "9.85"),
        # TC (0.68 x 0.949 + 0.01 x 0.903) x 33.4009 = 21.8557; global 0.9493 x 33.4009 = 31.7075
        ("71046", ("TC",), REST_OF_TEXAS, Setting.NON_FACILITY, "21.86"),
        ("71046", (), REST_OF_TEXAS, Setting.NON_FACILITY, "31.71"),
    ],
)
def test_cy2026_amounts(
    medicare: MedicareReference,
    code: str,
    modifiers: tuple[str, ...],
    locality: LocalityKey | None,
    setting: Setting,
    expected: str,
) -> None:
    quote = medicare.quote(code, modifiers, locality, setting, AUGUST)
    assert isinstance(quote, MedicareQuote), quote
    assert quote.amount == D(expected)


def test_the_explanation_names_the_release_and_the_work_floor(medicare: MedicareReference) -> None:
    quote = medicare.quote("99203", (), REST_OF_TEXAS, Setting.NON_FACILITY, AUGUST)
    assert isinstance(quote, MedicareQuote)
    assert quote.source == (
        "Medicare CY2026 RVU26C locality 04412-99 99203 non-facility "
        "(work GPCI 1.000 with the 1.0 floor, 0.991 without)"
    )
    assert quote.cf.value == D("33.4009")


def test_a_later_release_supersedes_an_earlier_one_from_its_effective_date(loaded: LoadedRelease) -> None:
    july = loaded.year
    rvus = dict(july.rvus)
    rvus[("99213", "")] = replace(rvus[("99213", "")], work=D("1.00"))  # a January row, for the test
    january = replace(july, rvus=rvus, release="RVU26A", effective=date(2026, 1, 1))
    both = MedicareReference(years={2026: january}, later_releases={2026: (july,)})
    only_july = MedicareReference(years={2026: july})
    # January: (1.00 + 1.46 + 0.09) x 33.4009 = 85.17; from July 1: 2.85 x 33.4009 = 95.19
    cases = [(both, date(2026, 6, 30), "85.17", "RVU26A"), (both, date(2026, 7, 1), "95.19", "RVU26C")]
    # with only July loaded, the whole year is priced from it (the earliest release held)
    cases.append((only_july, date(2026, 2, 2), "95.19", "RVU26C"))
    for reference, on, amount, release in cases:
        quote = reference.quote("99213", (), None, Setting.NON_FACILITY, on)
        assert isinstance(quote, MedicareQuote), quote
        assert (quote.amount, quote.cf.label) == (D(amount), f"CY2026 {release}")


def test_a_2026_date_without_2026_data_says_so() -> None:
    assert MedicareReference(years={}).quote("99213", (), None, Setting.NON_FACILITY, AUGUST) == (
        "no Medicare data loaded for CY2026"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("RVU26C", Release("RVU26C", date(2026, 7, 1))),
        ("rvu26a", Release("RVU26A", date(2026, 1, 1))),
        ("Q2", Release("RVU26B", date(2026, 4, 1))),
        ("oct", Release("RVU26D", date(2026, 10, 1))),
        ("July", Release("RVU26C", date(2026, 7, 1))),
    ],
)
def test_release_names(text: str, expected: Release) -> None:
    assert release_named(2026, text) == expected


@pytest.mark.parametrize("text", ["RVU25C", "summer", "Q5"])
def test_a_release_that_is_not_of_the_year_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="release"):
        release_named(2026, text)


def test_the_release_in_cms_file_names() -> None:
    assert release_in_file_name(2026, "PPRRVU2026_Jul_nonQPP.csv") == Release("RVU26C", date(2026, 7, 1))
    assert release_in_file_name(2025, "pprrvu2025_oct.csv") == Release("RVU25D", date(2025, 10, 1))
    assert release_in_file_name(2026, "GPCI2026.csv") is None


def test_a_release_read_from_streams_reports_the_rows_it_refused() -> None:
    rvu_text = (FILES / "PPRRVU2026_Jul_nonQPP.csv").read_text(encoding="utf-8")
    bad = rvu_text.replace("99213,,A,,1.30,", "99213,,A,,1.3O,")  # letter O, as mistyped
    gpci = (FILES / "GPCI2026.csv").open(encoding="utf-8")
    with gpci:
        loaded = read_release(2026, "RVU26C", io.StringIO(bad), gpci, names={"pprrvu": "upload.csv"})
    (rvus, _) = loaded.reports
    assert (rvus.file, rvus.read, rvus.refused) == (
        "upload.csv",
        18,
        ("line 28 (99213): '1.3O' is not a number",),
    )
    assert ("99213", "") not in loaded.year.rvus and ("99203", "") in loaded.year.rvus
    assert (loaded.year.release, loaded.year.anesthesia_national_cf) == ("RVU26C", None)
