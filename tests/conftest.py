"""Shared fixtures. The schema folder is the development default (../shared/istandaarden)
unless KETENSIM_SCHEMAS points elsewhere."""

from __future__ import annotations

import shutil
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


@pytest.fixture
def schema_kopie(tmp_path: Path, schema_dir: Path) -> Path:
    """A throw-away copy of the parts of the schema folder the harness reads (XSDs, code lists,
    regels.csv), for tests that damage it. Lives under tmp_path only; never committed."""
    kopie = tmp_path / "istandaarden"
    for std in ("ijw-3.2", "iwmo-3.2"):
        shutil.copytree(schema_dir / std / "xsd", kopie / std / "xsd")
        shutil.copytree(schema_dir / std / "codelijsten", kopie / std / "codelijsten",
                        ignore=shutil.ignore_patterns("bron"))
        (kopie / std / "regels").mkdir()
        shutil.copy(schema_dir / std / "regels" / "regels.csv", kopie / std / "regels" / "regels.csv")
    return kopie
