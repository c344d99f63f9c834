"""Reference data shipped with the package: CY2025 Medicare localities (MAC + locality number)."""

from __future__ import annotations

import csv
from functools import cache
from importlib.resources import files

from contract_registry.domain import MedicareLocality


@cache
def medicare_localities() -> frozenset[MedicareLocality]:
    """Every MAC + locality pair of CMS's CY2025 GPCI file (attribution in the CSV's first line)."""
    text = files("contract_registry").joinpath("reference/medicare_localities_2025.csv").read_text("utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    return frozenset(MedicareLocality(row["mac"], row["locality"]) for row in csv.DictReader(lines))
