"""The routes of Annex 4 (Bijlage 1.1 – 1.5 and §9.1): how a trajectory begins.

Each route is a function that plays the part of the world on the trajectory's arrival day:
who the client goes to and what happens outside the message traffic.  From there the actors'
own behaviour (actors/) carries the trajectory through the messages.  The expected message
sequences per route are written down in ``docs/routes.md`` and pinned by ``tests/test_routes.py``.

| route       | annex          | begins with                                                         |
|-------------|----------------|---------------------------------------------------------------------|
| toegang     | Bijlage 1.1    | client at the gemeentelijke toegang → verwijzing → 301              |
| extern      | Bijlage 1.2    | huisarts/jeugdarts/medisch specialist/GI → aanbieder intake → 315   |
| sggz        | Bijlage 1.3    | huisarts → sGGZ aanbieder: diagnostiek starts, 315 ≤ 3 mnd + 5 wd   |
| dyslexie    | Bijlage 1.4.1  | school leesdossier → aanbieder intake → 315 (variant aanbieder_vot) |
|             | Bijlage 1.4.2  | school leesdossier → toegang → 301 (variant toegang_toewijzing)     |
| crisis      | Bijlage 1.5    | client at the aanbieder in crisis: care first, 315 ≤ 5 wd, 301 back |
| zonder_bsn  | §9.1           | no messages: handled by secure mail, recorded as events             |
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from actors.aanbieder import Aanbieder
from actors.gemeente import Gemeente
from actors.traject import Traject
from actors.verwijzers import School, Toegang, Verwijzer
from actors.wereld import Wereld


@dataclass
class Rolverdeling:
    """Who plays which part in a run (reference actors or systems under test)."""

    wereld: Wereld
    gemeenten: dict[str, Gemeente]
    toegangen: dict[str, Toegang]
    aanbieders: dict[str, Aanbieder]
    verwijzers: dict[str, Verwijzer]
    school: School
    sut: Any = None  # actors.sut.SutDeelnemer when a system under test plays a role


def _bijzonderheden(r: Rolverdeling, t: Traject) -> None:
    """What the world knows from the start: the hoofdaannemer's onderaannemer (§11), and — ground truth for
    the checks — that the trajectory's aanbieder has no contract with the gemeente (geen_contract_315)."""
    hoofd, onder = r.aanbieders.get(t.aanbieder), r.aanbieders.get(t.onderaannemer or "")
    if isinstance(hoofd, Aanbieder) and isinstance(onder, Aanbieder):  # reference actors (not a SUT's stand-in)
        hoofd.onderaannemers[t.id] = onder
    if t.heeft("geen_contract_315"):
        r.wereld.gebeurtenis("geen_contract", actor=t.aanbieder, traject=t, gemeente=t.gemeente, domein=t.domein)


def begin_toegang(r: Rolverdeling, t: Traject) -> None:
    _bijzonderheden(r, t)
    aanbieder = r.aanbieders[t.aanbieder]
    wat = "bepaling_jeugdhulp_gi" if t.variant == "gi_bepaling" else "aanmelding_toegang"
    r.toegangen[t.gemeente].meld(t, aanbieder, t.details["verwijzing"], wat)
    if t.heeft("gi_bepaling_315"):
        # provocation: the aanbieder also asks for it with a 315, which §4 says the gemeente rejects
        aanbieder.op(t.details["verwijzing"], aanbieder.stuur_315, t, t.gemeente, t.zorg)
    if t.heeft("wmo315"):
        # provocation: a Wmo client asked for with a WMO315, which §4 says the gemeente rejects
        aanbieder.op(t.aanmelding, aanbieder.stuur_315, t, t.gemeente, t.zorg)


def begin_extern(r: Rolverdeling, t: Traject) -> None:
    _bijzonderheden(r, t)
    r.verwijzers[t.verwijzer].verwijs(t, r.aanbieders[t.aanbieder], t.details["intake"])


def begin_sggz(r: Rolverdeling, t: Traject) -> None:
    r.verwijzers[t.verwijzer].verwijs(t, r.aanbieders[t.aanbieder], t.details["intake"])


def begin_dyslexie(r: Rolverdeling, t: Traject) -> None:
    r.school.leesdossier(t)
    aanbieder = r.aanbieders[t.aanbieder]
    if t.variant == "toegang_toewijzing":  # Bijlage 1.4.2
        r.toegangen[t.gemeente].meld(t, aanbieder, t.details["verwijzing"], "leesdossier_bij_toegang")
    else:  # Bijlage 1.4.1
        aanbieder.w.gebeurtenis("leesdossier_bij_aanbieder", actor=aanbieder.adres, traject=t)
        aanbieder.verwijzing(t, t.details["intake"])


def begin_crisis(r: Rolverdeling, t: Traject) -> None:
    r.aanbieders[t.aanbieder].crisis(t)


def begin_zonder_bsn(r: Rolverdeling, t: Traject) -> None:
    aanbieder = r.aanbieders[t.aanbieder]
    gemeente = r.gemeenten[t.gemeente]
    aanbieder.zonder_bsn(t, gemeente)


ROUTES: dict[str, Callable[[Rolverdeling, Traject], None]] = {
    "toegang": begin_toegang,
    "extern": begin_extern,
    "sggz": begin_sggz,
    "dyslexie": begin_dyslexie,
    "crisis": begin_crisis,
    "zonder_bsn": begin_zonder_bsn,
}


def begin(r: Rolverdeling, t: Traject) -> None:
    ROUTES[t.route](r, t)
