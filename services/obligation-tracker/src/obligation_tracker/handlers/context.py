"""What every use case needs besides its unit of work: calendar defaults and the clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from obligation_tracker.adapters.repository import ObligationRepository
from obligation_tracker.adapters.settings_repository import OrgSettingsRepository
from obligation_tracker.clock import Clock, system_clock
from obligation_tracker.config import TrackerSettings
from obligation_tracker.domain import BusinessCalendar, OrgSchedule

SOURCE = "obligation-tracker"
SYSTEM_ACTOR = "obligation-tracker"


@dataclass(frozen=True)
class OrgCalendar:
    """An organisation's calendar rules: its zone, whose holidays it keeps, when to remind."""

    time_zone: str
    holiday_country: str
    holiday_subdivision: str | None
    lead_days: tuple[int, ...]

    @property
    def schedule(self) -> OrgSchedule:
        business = BusinessCalendar(country=self.holiday_country, subdivision=self.holiday_subdivision)
        return OrgSchedule(time_zone=self.time_zone, business_calendar=business)


@dataclass(frozen=True)
class Tracker:
    defaults: OrgCalendar
    clock: Clock = system_clock

    @classmethod
    def from_settings(cls, settings: TrackerSettings, clock: Clock = system_clock) -> Tracker:
        defaults = OrgCalendar(
            settings.default_time_zone,
            settings.default_holiday_country,
            settings.default_holiday_subdivision,
            tuple(settings.default_lead_days),
        )
        return cls(defaults, clock)

    def now(self) -> datetime:
        return self.clock()

    async def calendar(self, session: AsyncSession, organization_id: str) -> OrgCalendar:
        row = await OrgSettingsRepository(session, organization_id).get()
        if row is None:
            return self.defaults
        return OrgCalendar(row.time_zone, row.holiday_country, row.holiday_subdivision, tuple(row.lead_days))

    async def obligations(self, session: AsyncSession, organization_id: str) -> ObligationRepository:
        """The organisation's obligations, with due times in its own zone."""
        calendar = await self.calendar(session, organization_id)
        return ObligationRepository(session, organization_id, calendar.schedule.zone)
