from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from simulator.schemas import ALLE_BERICHTTYPEN, ENV_VAR, SchemaFolderError, SchemaRegistry, parse_berichttype


def test_all_28_types_known_with_cod002_codes(registry):
    assert registry.berichttypen == list(ALLE_BERICHTTYPEN)
    assert len(registry.berichttypen) == 28
    assert registry.berichtcode("JW301") == "436"
    assert registry.berichtcode("JW325") == "491"
    assert registry.berichtcode("WMO301") == "414"
    assert registry.type_for_code("446") == "JW315"
    assert registry.type_for_code("485") == "WMO325"
    assert registry.type_for_code("999") is None


def test_derived_schemas_are_flagged(registry):
    derived = {t for t in registry.berichttypen if registry.is_derived(t)}
    assert derived == {"WMO302", "WMO306", "WMO308", "WMO316", "WMO318", "WMO320", "WMO325"}


def test_schema_compiled_once(registry):
    assert registry.compiled("JW315") is registry.compiled("JW315")


def test_parse_berichttype():
    std, n = parse_berichttype("wmo305")
    assert (std.naam, n) == ("iwmo", "305")
    with pytest.raises(ValueError, match="unknown message type"):
        parse_berichttype("JW303")


def test_missing_folder_gives_one_clear_message(tmp_path):
    with pytest.raises(SchemaFolderError) as exc:
        SchemaRegistry.load(tmp_path / "nope")
    assert "does not exist" in str(exc.value) and "--schemas" in str(exc.value)


def test_incomplete_folder_names_what_is_missing(tmp_path, schema_dir):
    shutil.copytree(schema_dir / "ijw-3.2", tmp_path / "ijw-3.2")
    (tmp_path / "ijw-3.2" / "xsd" / "jw305.xsd").unlink()
    with pytest.raises(SchemaFolderError) as exc:
        SchemaRegistry.load(tmp_path)
    text = str(exc.value)
    assert "iwmo-3.2/xsd/" in text
    assert "ijw-3.2/xsd/jw305.xsd (JW305)" in text
    assert "jw301.xsd" not in text  # present files are not reported


def test_env_var_is_used(monkeypatch, tmp_path):
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "elsewhere"))
    with pytest.raises(SchemaFolderError, match=ENV_VAR.replace("$", "")):
        SchemaRegistry.load()


def test_cli_value_beats_env(monkeypatch, schema_dir, tmp_path):
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "elsewhere"))
    assert SchemaRegistry.load(schema_dir).root == schema_dir


def test_a_clean_copy_is_complete(schema_kopie):
    """The fixture's copy holds everything the harness reads: the damage tests below start clean."""
    reg = SchemaRegistry.load(schema_kopie)
    assert reg.missing == [] and reg.compileer_alle() == []


@pytest.mark.parametrize("lijst, waarvoor", [
    ("ijw-3.2/codelijsten/JZ020.csv", "productcategorie"),
    ("ijw-3.2/codelijsten/xsd-enumeraties.csv", "code values"),
    ("iwmo-3.2/codelijsten/xsd-enumeraties.csv", "code values"),
    ("iwmo-3.2/codelijsten/WMO020.csv", "productcategorie"),
    ("ijw-3.2/codelijsten/WJ001.csv", "retourcode"),
    ("ijw-3.2/codelijsten/CBS_Gemeentecodes.csv", "gemeentecodes"),
    ("ijw-3.2/regels/regels.csv", "technische regels"),
])
def test_missing_code_list_is_reported_at_load(schema_kopie, lijst, waarvoor):
    (schema_kopie / lijst).unlink()
    with pytest.raises(SchemaFolderError) as exc:
        SchemaRegistry.load(schema_kopie)
    text = str(exc.value)
    assert f"  - {lijst} (" in text and waarvoor in text
    assert text.count("\n  - ") == 1  # only what is missing


def test_cod002_without_its_column_names_file_and_columns(schema_kopie):
    pad = schema_kopie / "iwmo-3.2" / "codelijsten" / "COD002.csv"
    pad.write_text(pad.read_text(encoding="utf-8").replace("code,omschrijving", "code,bericht", 1), encoding="utf-8")
    with pytest.raises(SchemaFolderError) as exc:
        SchemaRegistry.load(schema_kopie)
    text = str(exc.value)
    assert "iwmo-3.2/codelijsten/COD002.csv lacks column(s) omschrijving" in text
    assert "expected a header row with code, omschrijving (found: code, bericht)" in text
    assert "has no BerichtCode" not in text  # one line for the file, not one per message type


def test_code_list_without_code_column_is_a_schema_folder_error(schema_kopie):
    from simulator.codelijsten import Codelijsten
    from simulator.schemas import IJW

    reg = SchemaRegistry.load(schema_kopie)
    (schema_kopie / "ijw-3.2" / "codelijsten" / "COD046.csv").write_text("waarde,omschrijving\n1,Man\n", encoding="utf-8")
    with pytest.raises(SchemaFolderError, match=r"COD046\.csv lacks column\(s\) code"):
        Codelijsten(reg).lijst(IJW, "COD046")


def test_broken_xsd_is_listed_by_compileer_alle(schema_kopie):
    (schema_kopie / "ijw-3.2" / "xsd" / "jw301.xsd").write_text("<xs:schema", encoding="utf-8")
    reg = SchemaRegistry.load(schema_kopie)  # present, so the scan passes; compiling is lazy
    (fout,) = reg.compileer_alle()
    assert fout.startswith("schema ijw-3.2/xsd/jw301.xsd does not compile:")


def test_summary_has_release_and_xsd_versions(registry):
    s = registry.summary()
    ijw, iwmo = s["standards"]["ijw-3.2"], s["standards"]["iwmo-3.2"]
    # PROVENANCE §3.1: the iJw set is XSD version 0.1.0, the iWmo set 1.0.0, both release 3.2
    assert (ijw["release"], ijw["basisschema_versie"]) == ("3.2", "0.1.0")
    assert (iwmo["release"], iwmo["basisschema_versie"]) == ("3.2", "1.0.0")
    assert set(ijw["versions"].values()) == {"0.1.0"} and len(ijw["versions"]) == 14
    assert iwmo["versions"]["WMO302"] == "1.0.0"
