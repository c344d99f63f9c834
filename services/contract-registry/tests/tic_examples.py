"""The CMS Transparency in Coverage in-network-rates examples (../shared/data) and what each gives.

Shared by the unit tests (the domain import) and the integration tests (the HTTP import); both
conftest.py files put this folder on sys.path.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
SHARED_DATA = Path(os.environ.get("ACCORD_SHARED_DATA", REPO.parent / "shared" / "data"))
EXAMPLES = SHARED_DATA / "price-transparency" / "tic" / "examples" / "in-network-rates"

# file -> rows imported, or the reason the whole file is refused
EXPECTED: dict[str, int | str] = {
    "in-network-rates-all-negotiated-types-sample.json": 11,
    "in-network-rates-fee-for-service-single-plan-sample.json": 11,
    "in-network-rates-multiple-plans-sample.json": 14,
    "in-network-rates-no-npi.json": 1,
    "in-network-rates-bundle-single-plan-sample.json": "billing_code_type ICD is not supported",
    "in-network-rates-capitation-single-plan-sample.json": "capitation is paid per member per month",
    "in-network-rates-bundle-sample.xml": "XML in-network files (the retired v1 layout)",
    "in-network-rates-capitation-sample.xml": "XML in-network files (the retired v1 layout)",
    "in-network-rates-fee-for-service-sample.xml": "XML in-network files (the retired v1 layout)",
}
