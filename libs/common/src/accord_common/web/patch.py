"""Partial-update (PATCH) request models: a field left out stays as it is; null only where it clears.

`name: str | None = None` lets a client leave `name` out, but also send `"name": null`, which
would reach a NOT NULL column (a 500) or be stored as text. A PatchModel refuses an explicit null
(422 naming the field) unless the field is listed in `nullable_fields`, and its JSON schema shows
those fields as non-nullable, so the OpenAPI document says what the service accepts.
`changes()` gives the fields sent, nested models whole.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, GetJsonSchemaHandler, ValidationInfo, field_validator
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

NULL = {"type": "null"}


class PatchModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    nullable_fields: ClassVar[frozenset[str]] = frozenset()
    """Fields whose null means "clear it"; every other field may be omitted but not null."""

    def changes(self, *, mode: Literal["json", "python"] = "python") -> dict[str, Any]:
        """The fields the client sent, each whole: unlike model_dump(exclude_unset=True), a nested
        model keeps its defaults (a plan sent without line_of_business gets the default one)."""
        dumped = self.model_dump(mode=mode)
        return {name: dumped[name] for name in self.model_fields_set}

    @field_validator("*", mode="before")
    @classmethod
    def _omitted_not_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.nullable_fields:
            raise ValueError("may be left out, but not null")
        return value

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        target = handler.resolve_ref_schema(schema)
        for name, prop in target.get("properties", {}).items():
            if name not in cls.nullable_fields:
                _drop_null(prop)
        return schema


def _drop_null(prop: dict[str, Any]) -> None:
    branches = prop.get("anyOf")
    if isinstance(branches, list) and NULL in branches:
        rest = [branch for branch in branches if branch != NULL]
        del prop["anyOf"]
        if len(rest) == 1:
            prop.update(rest[0])
        else:
            prop["anyOf"] = rest
    if "default" in prop and prop["default"] is None:
        del prop["default"]
