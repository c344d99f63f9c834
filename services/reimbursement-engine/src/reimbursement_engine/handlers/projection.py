"""The contract projection: versions from contract.* events, fee schedules from their chunks.

Every version received is kept (claims are priced with the version in force on their date of
service); contract-level state follows the highest version. Whatever brings a contract into force
(created, activated, amended, renewed, or its fee schedule completing) prices the claims that were
waiting for it; a new version re-prices those it now governs (in batches: handlers/repricing.py).
"""

from __future__ import annotations

import logging

from accord_common.events.payloads import ContractVersionData, FeeScheduleChunkData
from accord_common.uow import UnitOfWork

from reimbursement_engine.adapters.caches import EngineCaches
from reimbursement_engine.adapters.locks import hold_contract_terms
from reimbursement_engine.adapters.projection_repo import ProjectionRepository
from reimbursement_engine.adapters.terms_mapping import TermsMappingError, contract_terms
from reimbursement_engine.domain.repricing import all_pending, governed_by_version, pending_for_contract
from reimbursement_engine.handlers.repricing import reprice_batch

log = logging.getLogger(__name__)


async def apply_contract_version(
    uow: UnitOfWork, caches: EngineCaches, change: str, version: ContractVersionData
) -> bool:
    """Apply a contract.* event (``change`` is its type) inside the consumer's unit of work; False
    when the projection already holds its content."""
    try:
        contract_terms(version.model_dump(mode="json"))  # refuse terms this engine cannot read before storing
    except (TermsMappingError, KeyError, ValueError) as exc:
        log.warning(
            "contract version not applied", extra={"contract_id": version.contract_id, "error": str(exc)}
        )
        raise
    await hold_contract_terms(uow.session, version.organization_id, exclusive=True)  # see adapters/locks
    repo = ProjectionRepository(uow.session)
    await repo.upsert_contract(version)
    org, contract_id, number = version.organization_id, version.contract_id, version.version
    reason = f"{change} {contract_id} v{number}"
    waiting = pending_for_contract(org, reason, contract_id, (version.payer_id, version.payer_x12_id))
    if not await repo.is_newer_content(version):  # stale or repeated: the projection holds newer content
        if change == "contract.terminated" and version.effective_to and not version.revision:
            await repo.set_version_end(contract_id, number, version.effective_to)
        await reprice_batch(uow, caches, waiting)  # e.g. contract.activated: now in force
        return False
    revised = await repo.has_version(contract_id, number)  # new content under a number held
    await repo.add_version(version)
    start, end = version.effective_from, version.effective_to
    governed = governed_by_version(org, reason, contract_id, number, start, end, revised=revised)
    await reprice_batch(uow, caches, governed)
    await reprice_batch(uow, caches, waiting)
    return True


async def apply_fee_schedule_chunk(
    uow: UnitOfWork, caches: EngineCaches, chunk: FeeScheduleChunkData
) -> bool:
    """Hold a chunk; once every chunk of its content hash is held, assemble it, then price the
    waiting claims and re-price those priced before under another version of a contract whose
    version pays from this schedule (a new version that arrived before its schedule could not price
    them: they kept their old pricing until now)."""
    org = chunk.organization_id
    await hold_contract_terms(uow.session, org, exclusive=True)  # see adapters/locks
    repo = ProjectionRepository(uow.session)
    await repo.add_chunk(chunk)
    assembled = await repo.assemble(chunk.content_hash, chunk.chunk_count, chunk.row_count)
    if assembled:
        reason = f"fee_schedule.published {chunk.schedule_id} complete"
        for ref in await repo.version_refs(org):
            if ref.fee_schedule_hash == chunk.content_hash:
                governed = governed_by_version(
                    org,
                    reason,
                    ref.contract_id,
                    ref.version,
                    ref.effective_from,
                    ref.effective_to,
                    revised=True,
                )
                await reprice_batch(uow, caches, governed)
        await reprice_batch(uow, caches, all_pending(org, reason))
    return assembled
