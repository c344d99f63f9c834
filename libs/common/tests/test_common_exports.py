"""Streamed exports: CSV text and an XLSX read back with openpyxl, money to the cent, formulas kept
as text, and a large export in constant memory."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal

from accord_common.exports import Row, csv_chunks, xlsx_chunks
from openpyxl import load_workbook

D = Decimal
HEADER = ("patient_control_number", "variance", "remittance_date", "carcs")
ROWS: list[Row] = [
    ("SC-1", D("34.65"), date(2026, 4, 1), "CO-45"),
    ('=HYPERLINK("x")', D("-30.00"), date(2026, 4, 1), None),
    ("SC-3", D("19500.00"), date(2026, 4, 2), "CO-50 CO-45"),
]


async def _rows(rows: list[Row]) -> AsyncIterator[Row]:
    for row in rows:
        yield row


async def _collect(chunks: AsyncIterator[bytes]) -> bytes:
    return b"".join([chunk async for chunk in chunks])


async def test_csv_keeps_exact_money_and_quotes_a_formula() -> None:
    text = (await _collect(csv_chunks(HEADER, _rows(ROWS)))).decode()
    assert list(csv.reader(io.StringIO(text))) == [
        list(HEADER),
        ["SC-1", "34.65", "2026-04-01", "CO-45"],
        ['\'=HYPERLINK("x")', "-30.00", "2026-04-01", ""],
        ["SC-3", "19500.00", "2026-04-02", "CO-50 CO-45"],
    ]


async def test_xlsx_reads_back_with_money_as_numbers_to_the_cent() -> None:
    raw = await _collect(xlsx_chunks("variances", HEADER, _rows(ROWS)))
    sheet = load_workbook(io.BytesIO(raw))["variances"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == HEADER
    assert [(r[0], D(str(r[1])).quantize(D("0.01")), r[2].date(), r[3]) for r in rows[1:]] == [  # type: ignore[union-attr]
        ("SC-1", D("34.65"), date(2026, 4, 1), "CO-45"),
        ('=HYPERLINK("x")', D("-30.00"), date(2026, 4, 1), None),  # text, not a formula
        ("SC-3", D("19500.00"), date(2026, 4, 2), "CO-50 CO-45"),
    ]
    assert sheet["B2"].number_format == "#,##0.00" and sheet["A3"].data_type == "s"
    assert sheet["C2"].number_format == "yyyy-mm-dd"


async def test_a_large_xlsx_export_streams_every_row() -> None:
    count = 20_000

    async def many() -> AsyncIterator[Row]:
        for n in range(count):
            yield (f"PCN-{n}", D(n) / 100, date(2026, 1, 1), "CO-45")

    raw = await _collect(xlsx_chunks("big", HEADER, many()))
    sheet = load_workbook(io.BytesIO(raw), read_only=True)["big"]
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == count + 1
    assert (rows[-1][0], D(str(rows[-1][1]))) == (f"PCN-{count - 1}", D("199.99"))
    total = sum((D(str(r[1])).quantize(D("0.01")) for r in rows[1:]), D(0))
    assert total == D("1999900.00")  # 0.00 + 0.01 + ... + 199.99


async def test_xlsx_shows_control_characters_xml_cannot_hold_as_replacement_characters() -> None:
    """Text that came from anywhere (a payer's name with a control character) must not break the
    export halfway: the cell shows U+FFFD where XML has no character, the rest as it was."""
    rows: list[Row] = [("SC\x01-1\x1b", D("1.00"), date(2026, 4, 1), "=A1\x08")]
    raw = await _collect(xlsx_chunks("variances", HEADER, _rows(rows)))
    sheet = load_workbook(io.BytesIO(raw))["variances"]
    (_, row) = list(sheet.iter_rows(values_only=True))
    assert (row[0], row[3]) == ("SC\ufffd-1\ufffd", "=A1\ufffd")
    assert sheet["D2"].data_type == "s"
