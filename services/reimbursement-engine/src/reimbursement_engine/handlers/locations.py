"""The organisation's locations (organisation.updated) and CMS's ZIP-to-locality file: what
derives a claim's Medicare locality and CBSA."""

from __future__ import annotations

import asyncio
from pathlib import Path

from accord_common.events.payloads import OrganisationData
from accord_common.uow import UnitOfWork

from reimbursement_engine.adapters.caches import EngineCaches
from reimbursement_engine.adapters.location_repo import LocationRepository
from reimbursement_engine.domain.repricing import all_pending
from reimbursement_engine.domain.zip5 import ZipLocality, parse_zip5
from reimbursement_engine.handlers.repricing import reprice_batch


async def apply_organisation(uow: UnitOfWork, caches: EngineCaches, organisation: OrganisationData) -> None:
    """Hold the organisation's locations (inside the consumer's unit of work); claims waiting for a
    contract or a review are tried again."""
    org = organisation.organization_id
    await LocationRepository(uow.session).save(org, organisation.locations)
    await reprice_batch(uow, caches, all_pending(org, "the organisation's locations changed"))


def read_zip_file(path: Path) -> list[ZipLocality]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return list(parse_zip5(stream))


async def load_zip_localities(uow: UnitOfWork, path: Path) -> int:
    """Replace the ZIP-to-locality table with a CMS ZIP5 CSV; answers the number of ZIP codes."""
    rows = await asyncio.to_thread(read_zip_file, path)
    async with uow:
        count = await LocationRepository(uow.session).replace_zip_localities(rows)
        await uow.commit()
    return count
