"""Shared X12 examples: $ACCORD_SHARED_DATA, else the `shared/data` folder beside the repo root.

A test that takes `shared_835`, `shared_837p`, `shared_837i` or `shared_malformed` runs once per
file of that folder (the directory listing, so new examples are picked up without code changes).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

FOLDERS = {
    "shared_835": "835",
    "shared_837p": "837p",
    "shared_837i": "837i",
    "shared_malformed": "malformed",
}


def x12_dir() -> Path:
    configured = os.environ.get("ACCORD_SHARED_DATA")
    if configured:
        return Path(configured) / "x12"
    repo_root = next(p for p in Path(__file__).resolve().parents if (p / "uv.lock").exists())
    return repo_root.parent / "shared" / "data" / "x12"


def x12_files(folder: str) -> list[Path]:
    directory = x12_dir() / folder
    assert directory.is_dir(), f"missing shared X12 data: {directory}"
    return sorted(p for p in directory.iterdir() if p.is_file() and not p.name.startswith("README"))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    for argument, folder in FOLDERS.items():
        if argument in metafunc.fixturenames:
            paths = x12_files(folder)
            metafunc.parametrize(argument, paths, ids=[p.name for p in paths])


@pytest.fixture(scope="session")
def x12_examples() -> Path:
    """The shared x12 folder: `x12_examples / "835" / "managed-care.835"`."""
    return x12_dir()
