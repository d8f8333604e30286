"""An aanbieder system under test on the bus: ``--sut aanbieder:AGB=…`` (docs/sut.md).

:class:`SutAanbieder` stands where the reference aanbieder with that AGB code would stand.  The
routes (scenarios/routes.py) and verwijzers call it as they call a reference aanbieder: a
referred client had the intake, a client in crisis presents, sGGZ diagnostiek starts.  It turns
those, and the care the world decides (actors/zorgverloop.py), into care events for the SUT
(``POST …/zorg``, docs/sut-api.yaml), each recorded in the ledger as a ``sut_zorg`` event with
exactly the body the SUT got.  Messages to and from the SUT go through the lock-step loop of
:class:`actors.sut.SutDeelnemer`, unchanged.

What it does not ask of the SUT: requests the reference aanbieder makes on its own initiative
(a 317 when the care need changes, a verlenging via 315, the provocations a protocol test adds:
a WMO315, a 315 on a GI's bepaling) — the SUT may send them, and they are judged.  §9.1 clients
without BSN are handled by secure mail, outside the API (``buiten_sut_api``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from simulator.berichten import Toewijzing
from simulator.bus import Aflevering

from .sut import SutDeelnemer, client_json, product_json
from .traject import Traject, Zorgvraag
from .wereld import standaard_van
from .zorgverloop import Zorgverloop


class SutAanbieder(SutDeelnemer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zorgverloop = Zorgverloop(self)

    # -- the bus ---------------------------------------------------------------------------------
    def ontvang(self, aflevering: Aflevering) -> None:
        super().ontvang(aflevering)
        bericht = aflevering.verzending.bericht  # a reference gemeente's message object
        if isinstance(bericht, Toewijzing):
            self.zorgverloop.bij_301(bericht, aflevering.ontvangen)

    def voor_de_dag(self, dag: date) -> None:
        self.zorgverloop.leveringen(dag)

    def vertel(self, gebeurtenis: dict[str, Any], t: Traject | None) -> None:
        """A care event for the SUT: recorded now (ground truth for the checker), delivered in today's step."""
        self.w.gebeurtenis("sut_zorg", actor=self.adres, traject=t, **gebeurtenis)
        self._zorg.append(gebeurtenis)

    # -- what the routes and verwijzers call (the entry points of actors.aanbieder.Aanbieder) -----
    def verwijzing(self, t: Traject, intake: date) -> None:
        """A client is referred here (extern, sGGZ, dyslexie 1.4.1): the intake is on ``intake``."""
        self.op(intake, self._intake, t)

    def _intake(self, t: Traject) -> None:
        self.w.gebeurtenis("intake", actor=self.adres, traject=t)
        if t.route == "sggz":
            # the intake is not care (§4 note 2, §6.1): diagnostiek starts on a later werkdag, the day the
            # world drew for it (as at the reference aanbieder, actors/aanbieder.py)
            self.op(t.details["start_diagnostiek"], self._start_diagnostiek, t)
        else:
            self.vertel(self._aanmelding(t, "intake"), t)

    def _start_diagnostiek(self, t: Traject) -> None:
        """sGGZ: diagnostiek begins, care before any toewijzing; the SUT's 315 is due within vot_sggz."""
        self.w.gebeurtenis("start_diagnostiek", actor=self.adres, traject=t)
        self.zorgverloop.voorlopig[t.id] = t.details["start_diagnostiek"]
        self.vertel(self._aanmelding(t, "start_diagnostiek"), t)

    def crisis(self, t: Traject) -> None:
        """A client in crisis presents here: care starts today, before any toewijzing (Bijlage 1.5)."""
        self.w.gebeurtenis("eerste_contact_crisis", actor=self.adres, traject=t)
        self.zorgverloop.voorlopig[t.id] = self.w.vandaag
        self.vertel(self._aanmelding(t, "eerste_contact_crisis"), t)

    def verwacht(self, t: Traject) -> None:
        """Route toegang / GI bepaling / dyslexie 1.4.2: the client comes with the plan; a 301 follows."""
        self.w.gebeurtenis("client_aangemeld_bij_aanbieder", actor=self.adres, traject=t)

    def zonder_bsn(self, t: Traject, gemeente: Any) -> None:
        """§9.1 goes by secure mail, outside the SUT API: said in the ledger, judged inconclusive."""
        self.w.gebeurtenis("client_zonder_bsn", actor=self.adres, traject=t)
        self.w.gebeurtenis("buiten_sut_api", actor=self.adres, traject=t, gemeente=gemeente.adres,
                           omschrijving="melding zonder BSN (beveiligde e-mail, §9.1)")

    def stuur_315(self, t: Traject, gemeente: str, zorg: list[Zorgvraag], verlenging: bool = False) -> None:
        """A 315 the reference aanbieder sends on its own initiative (a provocation of the route mix):
        an aanbieder SUT decides for itself what it sends."""

    # -- bodies ------------------------------------------------------------------------------------
    def _aanmelding(self, t: Traject, soort: str) -> dict[str, Any]:
        """The body of an intake / start_diagnostiek / eerste_contact_crisis event: who, referred by
        whom, to which gemeente the 315 goes, and the care the intake showed is needed."""
        std = standaard_van(t.domein)
        p = t.client.persoon
        return {
            "soort": soort, "datum": self.w.vandaag.isoformat(),
            "gemeente": t.details.get("eerste_gemeente", t.gemeente),  # as the client says (woonplaatsbeginsel)
            "bsn": p.bsn, "standaard": "iJw" if std.naam == "ijw" else "iWmo",
            "client": {**client_json(p),
                       "gezagsdrager_bekend": bool(t.client.gezagsdragers) if t.domein == "jeugd" else None},
            "verwijzer": {"type": self.w.code(std, f"verwijzer.{t.verwijzer}"), "naam": t.details.get("verwijzer_naam"),
                          "zorgverlenercode": t.details.get("verwijzer_agb")},
            "zorg": [{"product": product_json(z),
                      "ingangsdatum": z.ingangsdatum.isoformat(), "einddatum": z.einddatum.isoformat()}
                     for z in t.zorg],
        }
