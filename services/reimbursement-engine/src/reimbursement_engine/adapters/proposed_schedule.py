"""A proposed fee schedule uploaded for a what-if: CSV or XLSX with a header row naming
code_system, code, amount (dollars per unit) and optionally modifiers and place_of_service.
Every bad cell is reported by row and column; nothing is modelled from a file with errors."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from accord_common.errors import Unprocessable
from accord_common.exports import NotASpreadsheet, xlsx_text_rows

from reimbursement_engine.adapters.terms_mapping import CODE_SYSTEMS
from reimbursement_engine.domain.pricing.fee_schedule import FeeScheduleRow

REQUIRED = ("code_system", "code", "amount")
OPTIONAL = ("modifiers", "place_of_service")
MAX_ERRORS = 200


def read_proposal(data: bytes, filename: str) -> tuple[FeeScheduleRow, ...]:
    if filename.lower().endswith(".xlsx"):
        try:
            rows: Iterable[list[str]] = xlsx_text_rows(io.BytesIO(data))
        except NotASpreadsheet as exc:
            raise Unprocessable(str(exc), errors=[{"field": "file", "message": str(exc)}])
    else:  # a row ends at CR, LF or CRLF (newline="" as the csv module wants)
        rows = csv.reader(io.StringIO(data.decode("utf-8-sig", errors="replace"), newline=""))
    try:
        return _rows(iter(rows))
    except csv.Error as error:  # e.g. a field over the csv module's limit
        line = getattr(rows, "line_num", 0)
        message = f"line {line}: not readable as CSV ({error})"
        raise Unprocessable(message, errors=[{"row": line, "field": "file", "message": str(error)}])


def _rows(rows: Iterable[list[str]]) -> tuple[FeeScheduleRow, ...]:
    it = iter(rows)
    header = [c.strip().lower() for c in next(it, [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        message = f"the header lacks {', '.join(missing)} (columns: code_system, code, amount, modifiers)"
        raise Unprocessable(message, errors=[{"row": 1, "field": "header", "message": message}])
    found: list[FeeScheduleRow] = []
    errors: list[dict[str, object]] = []
    for number, cells in enumerate(it, start=2):
        values = dict(zip(header, (c.strip() for c in cells), strict=False))
        if not any(values.values()):
            continue
        row = _row(number, values, errors)
        if row is not None:
            found.append(row)
    if errors or not found:
        detail = f"{len(errors)} error(s) in the proposed schedule" if errors else "the proposal has no rows"
        raise Unprocessable(detail, errors=errors[:MAX_ERRORS] or [{"field": "file", "message": "no rows"}])
    return tuple(found)


def _row(number: int, values: dict[str, str], errors: list[dict[str, object]]) -> FeeScheduleRow | None:
    system = CODE_SYSTEMS.get(values.get("code_system", "").upper())
    if system is None:
        errors.append(
            {"row": number, "field": "code_system", "message": f"unknown {values.get('code_system')!r}"}
        )
    code = values.get("code", "")
    if not code:
        errors.append({"row": number, "field": "code", "message": "empty"})
    try:
        amount = Decimal(values.get("amount", "").replace("$", "").replace(",", ""))
        if amount < 0 or not amount.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        errors.append(
            {"row": number, "field": "amount", "message": f"not an amount: {values.get('amount')!r}"}
        )
        return None
    if system is None or not code:
        return None
    modifiers = tuple(m for m in values.get("modifiers", "").replace(":", " ").split() if m)
    return FeeScheduleRow(system, code.upper(), amount, modifiers, values.get("place_of_service") or None)
