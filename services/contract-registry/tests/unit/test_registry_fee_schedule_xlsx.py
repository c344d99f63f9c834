"""A payer's rate sheet as XLSX: read as the CSV import's lines (numbers as typed, dates ISO, blank
rows kept so errors name the sheet's own row numbers), and a schedule written as XLSX round-trips."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from contract_registry.adapters.fee_schedule_xlsx import (
    NotAWorkbook,
    RateSheetWriter,
    open_rate_sheet,
    rate_sheet_lines,
)
from contract_registry.domain import ImportPolicy
from contract_registry.domain.fee_schedule_csv import CsvImportReport, read_numbered_fee_schedule_csv
from openpyxl import Workbook, load_workbook

HEADER = ["code_system", "code", "modifiers", "rate_kind", "amount", "effective_from", "effective_to"]


def _sheet(rows: list[list[object]]) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    return out


def _read(
    raw: io.BytesIO, policy: ImportPolicy = ImportPolicy.ALL_OR_NOTHING
) -> tuple[list, CsvImportReport]:
    report = CsvImportReport(policy=policy)
    rows = list(read_numbered_fee_schedule_csv(rate_sheet_lines(open_rate_sheet(raw)), report))
    return rows, report


def test_numbers_and_dates_typed_in_a_spreadsheet_read_as_the_csv_would() -> None:
    raw = _sheet(
        [
            HEADER,
            ["CPT", 99213, None, "amount", 100, datetime(2026, 1, 1), None],  # code and amount as numbers
            ["CPT", "99214", "25", "amount", 150.5, "2026-01-01", None],
            [],  # a blank row is skipped, and the rows after it keep the sheet's numbers
            ["HCPCS", "G0438", None, "amount", 172.31, date(2026, 1, 1), date(2026, 12, 31)],
        ]
    )
    rows, report = _read(raw)
    assert report.error_count == 0
    found = [(n, r.code, r.modifiers, r.amount, r.effective_from, r.effective_to) for n, r in rows]
    assert found == [
        (2, "99213", (), Decimal("100"), date(2026, 1, 1), None),
        (3, "99214", ("25",), Decimal("150.5"), date(2026, 1, 1), None),
        (5, "G0438", (), Decimal("172.31"), date(2026, 1, 1), date(2026, 12, 31)),
    ]


def test_errors_name_the_sheet_row_and_column() -> None:
    raw = _sheet(
        [
            HEADER,
            ["CPT", 99213, None, "amount", 100, "2026-01-01", None],
            ["CPT", 99214, None, "amount", "one hundred", "2026-01-01", None],
            ["CPT", 99215, None, "amount", 200, "13/01/2026", None],
        ]
    )
    rows, report = _read(raw, ImportPolicy.SKIP_INVALID_ROWS)
    assert [n for n, _ in rows] == [2]
    assert [(e.row_number, e.column) for e in report.errors] == [(3, "amount"), (4, "effective_from")]


def test_a_file_that_is_not_a_workbook_is_named() -> None:
    with pytest.raises(NotAWorkbook, match="not an XLSX workbook"):
        open_rate_sheet(io.BytesIO(b"code_system,code\nCPT,99213\n"))


def test_a_schedule_written_as_xlsx_reads_back_to_the_same_rows() -> None:
    raw = _sheet(
        [
            HEADER,
            ["CPT", 99213, None, "amount", 100, "2026-01-01", None],
            ["REV", "0450", None, "amount", 1234.56, "2026-01-01", "2026-12-31"],
        ]
    )
    rows, _ = _read(raw)
    writer = RateSheetWriter()
    writer.append(r for _, r in rows)
    out = io.BytesIO()
    writer.save(out)
    sheet = load_workbook(io.BytesIO(out.getvalue()))["fee schedule"]
    assert sheet["H3"].value == pytest.approx(1234.56) and sheet["B3"].value == "0450"
    out.seek(0)
    again, report = _read(out)
    assert report.error_count == 0 and [r for _, r in again] == [r for _, r in rows]
