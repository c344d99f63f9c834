"""Fee schedule CSV: streaming validation with row-level errors, export, round trip, 100k rows."""

from __future__ import annotations

import codecs
import io
import tracemalloc
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from contract_registry.domain import (
    BillingUnit,
    CodeSystem,
    CsvImportReport,
    FeeScheduleRow,
    ImportPolicy,
    RateKind,
    RowError,
    Setting,
    read_fee_schedule_csv,
    write_fee_schedule_csv,
)
from registry_factories import fee_row

D = Decimal
HEADER = "code_system,code,modifiers,place_of_service,setting,unit,rate_kind,amount,percentage,effective_from,effective_to"
GOOD = [
    "CPT,99213,,11,non_facility,,amount,88.95,,2025-01-01,",
    "CPT,99213,26:59,,,,amount,40.10,,2025-01-01,2025-12-31",
    "HCPCS,J1885,,,,,percent_of_medicare,,106,2025-01-01,",
    "REV,0120,,,facility,day,per_diem,2450.00,,2025-01-01,",
    "MSDRG,470,,,,case,case_rate,18500,,2025-01-01,",
    "APC,5012,,,,,percent_of_charges,,45.5,2025-01-01,",
]


def import_csv(
    lines: list[str], policy: ImportPolicy = ImportPolicy.ALL_OR_NOTHING
) -> tuple[list[FeeScheduleRow], CsvImportReport]:
    report = CsvImportReport(policy=policy)
    rows = list(read_fee_schedule_csv(io.StringIO("\n".join(lines) + "\n"), report))
    return rows, report


def test_a_clean_file_imports_every_row() -> None:
    rows, report = import_csv([HEADER, *GOOD])
    assert report.committable and report.errors == []
    assert (report.rows_read, report.rows_accepted) == (6, 6)
    assert rows[0] == fee_row(place_of_service="11", setting=Setting.NON_FACILITY)
    assert rows[1].modifiers == ("26", "59") and rows[1].effective_to == date(2025, 12, 31)
    assert (rows[2].rate_kind, rows[2].percentage) == (RateKind.PERCENT_OF_MEDICARE, D("106"))
    assert (rows[3].unit, rows[3].amount) == (BillingUnit.DAY, D("2450.00"))


@pytest.mark.parametrize(
    ("line", "column", "message"),
    [
        (
            "CPT,9921,,,,,amount,50,,2025-01-01,",
            "code",
            "CPT code '9921' is not 4 digits then a digit, F, T or U (e.g. 99213, 0001T)",
        ),
        (
            "ICD,81.54,,,,,amount,50,,2025-01-01,",
            "code_system",
            "'ICD' is not one of CPT, HCPCS, REV, MSDRG, APC",
        ),
        ("CPT,99213,,,,,amount,-88.95,,2025-01-01,", "amount", "must not be negative, got -88.95"),
        (
            'CPT,99213,,,,,amount,"$1,200.00",,2025-01-01,',
            "amount",
            "'$1,200.00' is not a number (write 1200.00, no $ or commas)",
        ),
        (
            "CPT,99213,,,,,percent_of_medicare,,5000,2025-01-01,",
            "percentage",
            "must be within 0 < p <= 1000%, got 5000%",
        ),
        (
            "CPT,99213,,,,,amount,88.95,,01/01/2025,",
            "effective_from",
            "'01/01/2025' is not a date in YYYY-MM-DD form",
        ),
        ("CPT,99213,,,,,amount,88.95,,,", "effective_from", "required"),
        (
            "CPT,99213,,,,,flat,88.95,,2025-01-01,",
            "rate_kind",
            "'flat' is not one of amount, percent_of_medicare, percent_of_charges, per_diem, case_rate",
        ),
        (
            "CPT,99213,2,,,,amount,88.95,,2025-01-01,",
            "modifiers",
            "modifier '2' is not 2 upper-case letters or digits (e.g. 26, TC, 59)",
        ),
        (
            "CPT,99213,,,inpatient,,amount,88.95,,2025-01-01,",
            "setting",
            "'inpatient' is not one of facility, non_facility",
        ),
        (
            "CPT,99213,,,,,amount,88.95,,2025-01-01,2024-12-31",
            "effective_to",
            "2024-12-31 is before effective_from 2025-01-01",
        ),
        ("CPT,99213,,,,,amount,88.95,,2025-01-01,,extra", "row", "12 cells for 11 columns"),
        ("CPT,99213,,,,,amount,,,2025-01-01,", "amount", "required for a amount row"),
    ],
)
def test_row_level_errors_name_row_column_and_reason(line: str, column: str, message: str) -> None:
    rows, report = import_csv([HEADER, GOOD[0], line])
    assert report.errors == [RowError(3, column, message)]
    assert rows == [] or rows == [fee_row(place_of_service="11", setting=Setting.NON_FACILITY)]
    assert not report.committable


def test_one_row_can_have_several_errors() -> None:
    _, report = import_csv([HEADER, "CPX,99213,,,,,flat,,,yesterday,"])
    assert [(e.row_number, e.column) for e in report.errors] == [
        (2, "code_system"),
        (2, "rate_kind"),
        (2, "effective_from"),
    ]


def test_all_or_nothing_stops_yielding_after_the_first_error_but_reports_every_error() -> None:
    rows, report = import_csv(
        [
            HEADER,
            GOOD[0],
            "CPT,9921,,,,,amount,50,,2025-01-01,",
            GOOD[2],
            "CPT,99213,,,,,amount,-1,,2025-01-01,",
        ]
    )
    assert [row.code for row in rows] == ["99213"]
    assert [error.row_number for error in report.errors] == [3, 5]
    assert not report.committable


def test_skip_invalid_rows_keeps_the_good_ones() -> None:
    rows, report = import_csv(
        [HEADER, "CPT,9921,,,,,amount,50,,2025-01-01,", *GOOD], ImportPolicy.SKIP_INVALID_ROWS
    )
    assert len(rows) == 6 and report.rows_accepted == 6 and report.error_count == 1
    assert report.committable


def test_duplicate_keys_are_refused_naming_the_first_row() -> None:
    _, report = import_csv(
        [HEADER, GOOD[0], GOOD[1], "CPT,99213,,11,non_facility,,amount,92.00,,2025-01-01,"]
    )
    assert report.errors == [
        RowError(4, "code", "duplicate of row 2: CPT 99213 POS 11 non_facility from 2025-01-01")
    ]


@pytest.mark.parametrize(
    ("header", "problems"),
    [
        ("code_system,code,rate_kind,amount", ["missing required column effective_from"]),
        ("code_system,code,rate_kind,ammount,effective_from", ["unknown column 'ammount'"]),
        ("code,code_system,code,rate_kind,effective_from", ["column code appears twice"]),
    ],
)
def test_header_problems_refuse_the_file(header: str, problems: list[str]) -> None:
    rows, report = import_csv([header, GOOD[0]])
    assert rows == [] and not report.committable
    assert [error.message for error in report.errors] == problems
    assert {error.row_number for error in report.errors} == {1}


def test_an_empty_file_is_refused() -> None:
    _, report = import_csv([])
    assert report.errors == [RowError(1, "header", "the file is empty: expected a header row")]


def test_columns_in_any_order_lower_case_codes_and_spreadsheet_dropped_zeros() -> None:
    lines = [
        "\ufeffeffective_from,rate_kind,amount,code,code_system,modifiers",
        "2025-01-01,amount,2450,120,REV,",  # Excel turned 0120 into 120
        "2025-01-01,amount,12.50,0001t,cpt,tc",
        "2025-01-01,case_rate,18500,1,MS-DRG,",
    ]
    rows, report = import_csv(lines)
    assert report.errors[:1] == [RowError(4, "unit", "a case_rate row is paid per case")]
    assert [(row.code_system, row.code, row.modifiers) for row in rows[:2]] == [
        (CodeSystem.REV, "0120", ()),
        (CodeSystem.CPT, "0001T", ("TC",)),
    ]


def test_bytes_decoded_by_the_caller_import_the_same() -> None:
    data = ("\n".join([HEADER, *GOOD]) + "\n").encode("utf-8-sig")
    report = CsvImportReport()
    rows = list(read_fee_schedule_csv(codecs.iterdecode(io.BytesIO(data), "utf-8-sig"), report))
    assert len(rows) == 6 and report.committable


def test_export_round_trips() -> None:
    rows, _ = import_csv([HEADER, *GOOD])
    exported = list(write_fee_schedule_csv(rows))
    assert exported[0] == HEADER + "\n"
    assert exported[1] == "CPT,99213,,11,non_facility,unit,amount,88.95,,2025-01-01,\n"
    again, report = import_csv([line.rstrip("\n") for line in exported])
    assert again == rows and report.committable


def many_rows(count: int) -> Iterator[str]:
    yield HEADER
    for n in range(count):
        # 100,000 distinct keys: 10,000 CPT codes x 10 places of service
        yield f"CPT,{10000 + n // 10:05d},,{11 + n % 10},,,amount,{n % 500}.25,,2025-01-01,"


def test_100000_rows_validate_in_flat_memory() -> None:
    report = CsvImportReport()
    tracemalloc.start()
    accepted = sum(1 for _ in read_fee_schedule_csv(many_rows(100_000), report))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert accepted == 100_000 and report.committable
    # The rows themselves would take well over 50 MB; what stays is one fingerprint per key.
    assert peak < 20_000_000, f"peak {peak / 1e6:.1f} MB"


@pytest.mark.parametrize("policy", list(ImportPolicy))
def test_a_line_the_csv_reader_cannot_split_refuses_the_import_naming_the_row(policy: ImportPolicy) -> None:
    """A bare carriage return inside an unquoted field (found by fuzzing: a 500)."""
    report = CsvImportReport(policy=policy)
    lines = [HEADER + "\n", "CPT,99213,,11,,unit,amount,88.95,,2025-01-01,\n", "CPT,99\r214,,11\n"]
    rows = list(read_fee_schedule_csv(lines, report))
    assert [(e.row_number, e.column) for e in report.errors] == [(3, "row")]
    assert "new-line character seen in unquoted field" in report.errors[0].message
    assert not report.committable and len(rows) <= 1
