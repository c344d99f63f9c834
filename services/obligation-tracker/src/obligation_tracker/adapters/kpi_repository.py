"""Value-based measures, their readings and the at-risk alerts already sent."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from accord_common.errors import NotFound
from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from obligation_tracker.adapters.orm import kpi_alerts, kpi_measures, kpi_readings

DEFINED_BY_STAFF = "staff"
DEFINED_BY_CONTRACT = "contract"


# Built once (a contract version reads its measures per event), its values bound when run.
_CONTRACT_MEASURES = (
    select(kpi_measures)
    .where(
        kpi_measures.c.organization_id == bindparam("org"),
        kpi_measures.c.contract_id == bindparam("contract_id"),
        kpi_measures.c.defined_by == DEFINED_BY_CONTRACT,
    )
    .order_by(kpi_measures.c.id)
    .with_for_update()
)


class KpiRepository:
    def __init__(self, session: AsyncSession, organization_id: str) -> None:
        self.session = session
        self.org = organization_id

    async def add_measure(self, row: dict[str, Any]) -> None:
        await self.session.execute(insert(kpi_measures).values(organization_id=self.org, **row))

    async def measure(self, measure_id: str) -> Any:
        query = select(kpi_measures).where(
            kpi_measures.c.id == measure_id, kpi_measures.c.organization_id == self.org
        )
        row = (await self.session.execute(query)).first()
        if row is None:
            raise NotFound(f"measure {measure_id} not found")
        return row

    async def measures(
        self, contract_id: str | None, measure_id: str | None = None, *, include_retired: bool = False
    ) -> list[Any]:
        """The organisation's measures, oldest first; retired ones only when asked (or by id)."""
        query = select(kpi_measures).where(kpi_measures.c.organization_id == self.org)
        if measure_id:
            query = query.where(kpi_measures.c.id == measure_id)
        elif not include_retired:
            query = query.where(kpi_measures.c.retired_at.is_(None))
        if contract_id:
            query = query.where(kpi_measures.c.contract_id == contract_id)
        query = query.order_by(kpi_measures.c.created_at, kpi_measures.c.name, kpi_measures.c.id)
        return list((await self.session.execute(query)).all())

    async def contract_measures(self, contract_id: str) -> list[Any]:
        """The measures the contract's versions defined (never staff's), locked for the update."""
        found = await self.session.execute(_CONTRACT_MEASURES, {"org": self.org, "contract_id": contract_id})
        return list(found.all())

    async def update_measure(self, measure_id: str, values: dict[str, Any]) -> None:
        await self.session.execute(
            update(kpi_measures)
            .where(kpi_measures.c.id == measure_id, kpi_measures.c.organization_id == self.org)
            .values(**values)
        )

    async def record_reading(self, measure_id: str, recorded_on: date, row: dict[str, Any]) -> None:
        """A second reading for the same day replaces the first."""
        await self.session.execute(
            delete(kpi_readings).where(
                kpi_readings.c.measure_id == measure_id, kpi_readings.c.recorded_on == recorded_on
            )
        )
        await self.session.execute(
            insert(kpi_readings).values(measure_id=measure_id, recorded_on=recorded_on, **row)
        )

    async def readings(self, measure_ids: list[str]) -> list[Any]:
        query = select(kpi_readings).where(kpi_readings.c.measure_id.in_(measure_ids))
        return list((await self.session.execute(query.order_by(kpi_readings.c.recorded_on))).all())

    async def alert_sent(self, measure_id: str, reading_date: date) -> bool:
        query = select(kpi_alerts.c.id).where(
            kpi_alerts.c.measure_id == measure_id, kpi_alerts.c.reading_date == reading_date
        )
        return (await self.session.execute(query)).first() is not None

    async def record_alert(self, measure_id: str, reading_date: date, event_id: str, at: datetime) -> None:
        await self.session.execute(
            insert(kpi_alerts).values(
                measure_id=measure_id, reading_date=reading_date, event_id=event_id, sent_at=at
            )
        )
