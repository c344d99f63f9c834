"""Documents' metadata and their links to contract versions, scoped to one organisation."""

from __future__ import annotations

from typing import Any

from accord_common.errors import NotFound
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from contract_registry.adapters.orm import document_links, documents


class DocumentRepository:
    def __init__(self, session: AsyncSession, organization_id: str) -> None:
        self.session = session
        self.org = organization_id

    async def add(self, values: dict[str, Any]) -> None:
        await self.session.execute(insert(documents).values(organization_id=self.org, **values))

    async def get(self, document_id: str) -> Any:
        query = select(documents).where(
            documents.c.id == document_id, documents.c.organization_id == self.org
        )
        row = (await self.session.execute(query)).first()
        if row is None:
            raise NotFound(f"document {document_id} not found")
        return row

    async def by_hash(self, sha256: str) -> Any | None:
        query = select(documents).where(documents.c.sha256 == sha256, documents.c.organization_id == self.org)
        return (await self.session.execute(query)).first()

    async def link(self, values: dict[str, Any]) -> None:
        await self.session.execute(insert(document_links).values(**values))

    async def linked(self, document_id: str, contract_id: str, version: int) -> bool:
        query = select(document_links.c.document_id).where(
            document_links.c.document_id == document_id,
            document_links.c.contract_id == contract_id,
            document_links.c.version == version,
        )
        return (await self.session.scalar(query)) is not None

    async def for_contract(self, contract_id: str) -> list[Any]:
        query = (
            select(documents, document_links.c.version, document_links.c.linked_at)
            .join(document_links, document_links.c.document_id == documents.c.id)
            .where(document_links.c.contract_id == contract_id, documents.c.organization_id == self.org)
            .order_by(document_links.c.linked_at)
        )
        return list((await self.session.execute(query)).all())
