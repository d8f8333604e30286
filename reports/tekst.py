"""Plain-text renderings of a check result and of the rule catalogue (for the terminal and CI logs)."""

from __future__ import annotations

import json
from collections import Counter
from typing import TextIO

from .regels import FOUT, Regel
from .uitslag import Uitslag, sut_omschrijving


def schrijf_uitslag(u: Uitslag, bron: str, stroom: TextIO, max_afwijkingen: int = 25) -> None:
    w = stroom.write
    afw = [o for o in u.afwijkingen if u.regels.get(o.regel) is None or u.regels[o.regel].ernst == FOUT]
    waarsch = [o for o in u.afwijkingen if o not in afw]
    verdicts = Counter(u.verdict(r) for r in u.regels)
    w(f"checked: {bron} (profile {u.run.get('profiel', '?')}): {u.berichten} messages, {u.ongeldig} invalid\n")
    sut = sut_omschrijving(u.run)
    if sut:
        w(f"system under test: {sut}\n")
    if u.derived:
        w(f"note: {', '.join(sorted(u.derived))} were validated against DERIVED (unofficial) schemas\n")
    w(f"verdict: {'FAIL' if afw else 'PASS'} — {len(afw)} deviation(s), {len(waarsch)} warning(s), "
      f"{len(u.onbeslist)} inconclusive\n")
    w(f"rules: {verdicts['pass']} passed, {verdicts['fail']} failed, {verdicts['inconclusive']} inconclusive, "
      f"{verdicts['not applicable']} not applicable (nothing in the input they apply to)\n")
    if afw or waarsch:
        per_regel = Counter(o.regel for o in afw + waarsch)
        w("\ndeviations per rule:\n")
        for regel, n in per_regel.most_common():
            r = u.regels.get(regel)
            w(f"  {n:>6}  {regel:<38} {r.bron if r else ''}\n")
        w(f"\nfirst {min(max_afwijkingen, len(afw + waarsch))} of {len(afw + waarsch)}:\n")
        for o in (afw + waarsch)[:max_afwijkingen]:
            r = u.regels.get(o.regel)
            w(f"- {o.regel} [{r.ernst if r else FOUT}] {o.datum.isoformat()} actor {o.actor or '?'}"
              f"{f' bsn {o.bsn}' if o.bsn else ''}{f' ({o.route})' if o.route else ''}\n")
            if r:
                w(f"    rule:     {r.stelling} ({r.bron})\n")
            w(f"    expected: {o.verwacht}\n    observed: {o.waargenomen}\n")
            w(f"    messages: {'; '.join(o.berichten)}\n")
    if u.onbeslist:
        w("\ninconclusive per rule:\n")
        for regel, n in Counter(o.regel for o in u.onbeslist).most_common():
            voorbeeld = next(o for o in u.onbeslist if o.regel == regel)
            w(f"  {n:>6}  {regel:<38} e.g. {voorbeeld.waargenomen}\n")


def schrijf_regels(regels: list[Regel], formaat: str, stroom: TextIO, dekking: dict[str, list[str]] | None = None) -> None:
    if formaat == "json":
        rijen = [r.as_dict() | ({"bewezen_door": dekking.get(r.id, [])} if dekking is not None else {}) for r in regels]
        json.dump(rijen, stroom, ensure_ascii=False, indent=1)
        stroom.write("\n")
        return
    w = stroom.write
    kop = "| id | rule | source | messages | role | severity | retourcode |"
    if dekking is not None:
        kop += " proven by a fault test |"
    w(kop + "\n" + "|---" * (kop.count("|") - 1) + "|\n")
    for r in regels:
        rij = (f"| `{r.id}` | {r.stelling} | {r.bron} | {', '.join(r.berichten) or '—'} | {r.rol} | {r.ernst} | "
               f"{r.retourcode or '—'} |")
        if dekking is not None:
            rij += f" {', '.join(dekking.get(r.id, [])) or 'NO'} |"
        w(rij + "\n")
