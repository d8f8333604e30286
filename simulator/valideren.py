"""``ketensim validate``: codec + XSD over files and folders, one report per file."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, TextIO

from . import codec
from .schemas import SchemaRegistry


@dataclass
class Bestandsuitslag:
    """The verdict on one file."""

    pad: Path
    validatie: codec.Validatie

    def as_dict(self) -> dict[str, object]:
        return {"bestand": str(self.pad), **self.validatie.as_dict()}


class InvoerFout(Exception):
    """A path given on the command line does not exist or holds no XML."""


def bestanden(paden: Iterable[str | Path]) -> list[Path]:
    """Expand files and folders (``*.xml``, recursively, sorted) into a list of files."""
    out: list[Path] = []
    for p in map(Path, paden):
        if p.is_dir():
            found = sorted(q for q in p.rglob("*") if q.is_file() and q.suffix.lower() == ".xml")
            if not found:
                raise InvoerFout(f"{p}: folder holds no .xml files")
            out.extend(found)
        elif p.is_file():
            out.append(p)
        else:
            raise InvoerFout(f"{p}: no such file or folder")
    return out


def valideer_bestanden(paden: list[Path], registry: SchemaRegistry, *, max_bytes: int, detail: bool = True) -> list[Bestandsuitslag]:
    uitslagen = []
    for pad in paden:
        try:
            with pad.open("rb") as fh:
                data = fh.read(max_bytes + 1)  # never read more than the limit + 1 byte
        except OSError as exc:
            v = codec.Validatie(None, [codec.Fout("leeg", f"cannot read file: {exc.strerror or exc}")])
        else:
            v = codec.validate(data, registry, max_bytes=max_bytes, detail=detail)
            v.document = None  # keep the verdict, not the parsed tree: memory stays flat over big folders
        uitslagen.append(Bestandsuitslag(pad, v))
    return uitslagen


def schrijf_tekst(uitslagen: list[Bestandsuitslag], out: TextIO) -> None:
    ongeldig = [u for u in uitslagen if not u.validatie.geldig]
    for u in uitslagen:
        v = u.validatie
        derived = "  [derived schema — unofficial]" if v.derived else ""
        if v.geldig:
            out.write(f"VALID    {u.pad}  {v.berichttype}{derived}\n")
            continue
        out.write(f"INVALID  {u.pad}  {v.berichttype or '?'}{derived}\n")
        for f in v.fouten:
            plek = f"line {f.regel}" if f.regel else "-"
            out.write(f"  {plek}: {f.melding}\n")
            if f.pad:
                out.write(f"    at {f.pad}\n")
            if f.detail:
                out.write(f"    reason: {f.detail}\n")
    out.write(f"{len(uitslagen)} file(s): {len(uitslagen) - len(ongeldig)} valid, {len(ongeldig)} invalid\n")


def schrijf_json(uitslagen: list[Bestandsuitslag], out: TextIO) -> None:
    ongeldig = sum(1 for u in uitslagen if not u.validatie.geldig)
    json.dump({"files": [u.as_dict() for u in uitslagen], "valid": len(uitslagen) - ongeldig, "invalid": ongeldig},
              out, indent=2, ensure_ascii=False)
    out.write("\n")
