"""The CPU-heavy part of reconciling a chunk of claims: each claim against its effective payment
(domain.reconciliation) and, for a variance, its root causes (re-priced under alternatives).

No I/O: the chunk's rows and its root-cause context were read before, the results are written
after. It runs on the event loop (`reconcile_rows`) or in a worker process of a `ComputePool`
(`reconcile_packed`: the same rows as field names and tuples), with identical results.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from reimbursement_engine.adapters.compute_pool import Rows
from reimbursement_engine.domain.pricing import PricingCompleteness
from reimbursement_engine.domain.reconciliation import (
    ZERO,
    CasAmount,
    ExpectedLine,
    PaidClaim,
    PaidLine,
    Reconciliation,
    pair_lines,
    reconcile,
)
from reimbursement_engine.domain.root_causes import RootCause
from reimbursement_engine.handlers.root_causes import Diagnosis, RootCauseContext

Reconciled = tuple[Reconciliation, tuple[RootCause, ...]]


@dataclass
class ChunkRows:
    """A chunk's priced and paid claims, in order: each claim row with its line rows, its
    effective payment row with its line rows."""

    claims: list[Any]
    claim_lines: list[list[Any]]
    payments: list[Any]
    paid_lines: list[list[Any]]


def cas(items: list[dict[str, Any]]) -> tuple[CasAmount, ...]:
    return tuple([CasAmount(a["group"], a["carc"], Decimal(a["amount"])) for a in items])


def paid_line(line: Any) -> PaidLine:
    """A paid line row as the domain's line: the code adjudicated (SVC01's, its modifiers left off)."""
    code = line.code
    return PaidLine(
        code.partition(":")[0] or None if code else None,
        line.paid,
        cas(line.adjustments),
        line.line_control_number,
        getattr(line, "original_code", None),
    )


def paid_claim(payment: Any, lines: list[Any]) -> PaidClaim:
    return PaidClaim(
        status_code=payment.status_code,
        paid=payment.paid,
        patient_responsibility=payment.patient_responsibility,
        adjustments=cas(payment.adjustments),
        lines=tuple([paid_line(line) for line in lines]),
    )


def reconcile_rows(
    chunk: ChunkRows, tolerance: Decimal, context: RootCauseContext, *, held: Mapping[str, Any]
) -> list[Reconciled]:
    """Each claim of the chunk reconciled, with its root causes when it is a variance."""
    diagnosis = Diagnosis(context, held)
    out: list[Reconciled] = []
    for claim, lines, payment, paid_rows in zip(
        chunk.claims, chunk.claim_lines, chunk.payments, chunk.paid_lines, strict=True
    ):
        expected = tuple([ExpectedLine(r.line_number, r.code, r.expected_allowed or ZERO) for r in lines])
        fully_priced = claim.pricing_completeness in (None, PricingCompleteness.FULLY_PRICED)
        paid = paid_claim(payment, paid_rows)
        paired = pair_lines(expected, paid.lines)  # once: reconciling and root causes both read it
        result = reconcile(expected, claim.expected_allowed, paid, tolerance, fully_priced, paired)
        causes: tuple[RootCause, ...] = ()
        if result.classification.is_variance:
            rest = result.variance - sum([line.variance for line in result.lines], ZERO)
            causes = diagnosis.claim(claim, lines, paid, paid_rows, paired, rest)
        out.append((result, causes))
    return out


@dataclass
class PackedChunk:
    """`ChunkRows` as it crosses to a worker process: each table's rows as field names and tuples,
    the line rows flat with each claim's count."""

    claims: Rows
    claim_lines: Rows
    line_counts: list[int]
    payments: Rows
    paid_lines: Rows
    paid_counts: list[int]


# the columns reconciling and root causes read (a claim row also holds its explanation steps)
_CLAIM = ("id", "expected_allowed", "pricing_completeness", "contract_id", "contract_version", "submitted")
_PAYMENT = ("status_code", "paid", "patient_responsibility", "adjustments")
_PAID_LINE = ("code", "paid", "adjustments", "line_control_number", "original_code", "allowed", "modifiers")


def pack(chunk: ChunkRows) -> PackedChunk:
    return PackedChunk(
        Rows(chunk.claims, _CLAIM),
        Rows([r for rows in chunk.claim_lines for r in rows]),
        [len(rows) for rows in chunk.claim_lines],
        Rows(chunk.payments, _PAYMENT),
        Rows([r for rows in chunk.paid_lines for r in rows], _PAID_LINE),
        [len(rows) for rows in chunk.paid_lines],
    )


def reconcile_packed(
    packed: PackedChunk, tolerance: Decimal, context: RootCauseContext, *, held: Mapping[str, Any]
) -> list[Reconciled]:
    """`reconcile_rows` of a packed chunk (run in a worker process)."""
    chunk = ChunkRows(
        packed.claims.rows(),
        _split(packed.claim_lines.rows(), packed.line_counts),
        packed.payments.rows(),
        _split(packed.paid_lines.rows(), packed.paid_counts),
    )
    return reconcile_rows(chunk, tolerance, context, held=held)


def _split(rows: Sequence[Any], counts: list[int]) -> list[list[Any]]:
    out, start = [], 0
    for count in counts:
        out.append(list(rows[start : start + count]))
        start += count
    return out
