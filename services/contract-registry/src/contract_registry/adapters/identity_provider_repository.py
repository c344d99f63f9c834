"""The identity provider each organisation trusts (one per organisation)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from contract_registry.adapters.orm import identity_providers
from contract_registry.domain.sign_in import IdentityProvider


class IdentityProviderRepository:
    def __init__(self, session: AsyncSession, organization_id: str) -> None:
        self.session = session
        self.organization_id = organization_id

    async def get(self) -> IdentityProvider | None:
        row = (
            await self.session.execute(
                select(identity_providers).where(identity_providers.c.organization_id == self.organization_id)
            )
        ).first()
        if row is None:
            return None
        mapping = {group: frozenset(scopes) for group, scopes in dict(row.scopes_by_group).items()}
        return IdentityProvider(
            row.issuer, row.client_id, mapping, row.groups_claim, row.session_hours, row.enabled
        )

    async def put(self, provider: IdentityProvider, at: datetime) -> None:
        values = {
            "issuer": provider.issuer,
            "client_id": provider.client_id,
            "groups_claim": provider.groups_claim,
            "scopes_by_group": {group: sorted(scopes) for group, scopes in provider.scopes_by_group.items()},
            "session_hours": provider.session_hours,
            "enabled": provider.enabled,
            "updated_at": at,
        }
        table = identity_providers
        if await self.get() is None:
            await self.session.execute(insert(table).values(organization_id=self.organization_id, **values))
        else:
            await self.session.execute(
                update(table).where(table.c.organization_id == self.organization_id).values(**values)
            )
