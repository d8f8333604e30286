"""Shared fixtures. The schema folder is the development default (../shared/istandaarden)
unless KETENSIM_SCHEMAS points elsewhere."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.schemas import SchemaRegistry, resolve_schema_dir


@pytest.fixture(scope="session")
def registry() -> SchemaRegistry:
    return SchemaRegistry.load()


@pytest.fixture(scope="session")
def schema_dir() -> Path:
    return resolve_schema_dir()[0]


@pytest.fixture(scope="session")
def voorbeelden(schema_dir: Path) -> dict[str, Path]:
    """Example messages by file stem: {"jw301": Path, ..., "wmo325": Path}."""
    return {p.stem: p for p in sorted(schema_dir.glob("*/voorbeelden/*.xml"))}
