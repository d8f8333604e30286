"""The place of a system under test on the bus, and the lock-step loop that drives it.

:class:`SutDeelnemer` registers at the SUT's address instead of the reference actor of that role.
It collects what the bus delivers to the SUT during werkdag D (reference actors act at integer
times), and at D + 0.5 it runs one step of the lock-step loop (docs/sut.md):

    lever(D, messages of D)  →  geef_dag(D)  →  haal_op(D)  →  each collected message onto the bus

(before ``lever``: a gemeente's toegang decisions of D, ``toegang``; an aanbieder's care events of D,
``zorg`` — see actors/sut_aanbieder.py).

What the SUT sends is recorded as it is, with ``rol="sut"`` and the metadata its header gives; a
message that cannot be read is recorded too (the checker reports it), and the receiving reference
actor records it as unreadable.  A day the SUT does not answer is a ledger event
(``sut_dag_onbeantwoord``): the checker then gives "inconclusive" for the SUT's deadlines that
depended on that day.  After ``OPGEVEN_NA`` unanswered days in a row the harness stops calling the
SUT (``sut_opgegeven``), so a hanging SUT costs a bounded amount of wall time, and the run goes on.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Callable

from simulator.bus import Aflevering, Verzending
from simulator.codec import parse
from simulator.reader import LeesFout, lees
from simulator.sut import DagUitkomst, RunInfo, SutAdapter, SutSpec
from simulator.synthetisch import Persoon

from .traject import Traject, Zorgvraag
from .wereld import Wereld

OPGEVEN_NA = 3  # unanswered days in a row after which the SUT is given up for the rest of the run
#: what each role sends (heenberichten and retours); anything else from a SUT is a finding
VERSTUURT = {"gemeente": frozenset({"301", "306", "308", "316", "318", "319", "325"}),
             "aanbieder": frozenset({"302", "305", "307", "315", "317", "320", "323"})}


class SutDeelnemer:
    rol = "sut"

    def __init__(self, wereld: Wereld, spec: SutSpec, adapter: SutAdapter, naam: str) -> None:
        self.w = wereld
        self.spec = spec
        self.adres = spec.code
        self.naam = naam
        self.adapter = adapter
        self._sut_adres = spec.metadata()["adres"]  # as every ledger event of the SUT names it
        self._inbox: list[bytes] = []
        #: (afzender, BerichtIdentificatie) of each heenbericht delivered → its BSN and toewijzingnummers,
        #: so the SUT's retour on it is recorded with the same metadata as a reference actor's
        self._heen: dict[tuple[str, str], tuple[str | None, tuple[str, ...]]] = {}
        self._toegang: list[dict[str, Any]] = []
        self._zorg: list[dict[str, Any]] = []  # care events: aanbieder SUT
        self._stil_op_rij = 0
        self.opgegeven = False
        self.onbeantwoord = 0

    # -- what the bus and the reference actors call --------------------------------------------
    def ontvang(self, aflevering: Aflevering) -> None:
        v = aflevering.verzending
        self._inbox.append(v.xml)
        if v.heen is None:
            self._heen[(v.afzender, v.identificatie)] = (v.bsn, v.toewijzingnummers)

    def op(self, dag: date, actie: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        self.w.sim.plan_op(dag, self.w.veilig, self.adres, actie, *args, **kwargs)

    def toewijzen(self, t: Traject, zorg: list[Zorgvraag], vanaf: date, sleutel: str = "toewijzing_toegang",
                  agb: str | None = None) -> None:
        """The gemeente's own toegang decided: the SUT hears it today (POST /toegang) and must send the 301."""
        for z in zorg:
            self._toegang.append(toegangsbesluit(t, z, agb or t.aanbieder))

    def melding_zonder_bsn(self, t: Traject, agb: str) -> None:
        """§9.1 goes by secure mail, outside the SUT API: said in the ledger, judged inconclusive."""
        self.w.gebeurtenis("buiten_sut_api", actor=self.adres, traject=t, aanbieder=agb,
                           omschrijving="melding zonder BSN (beveiligde e-mail, §9.1)")

    # -- the loop --------------------------------------------------------------------------------
    def start(self, run: RunInfo) -> None:
        fout = self.adapter.begin(run)
        if fout:
            self._geef_op(f"begin: {fout}")
        self.w.sim.start(self._lockstep())

    def einde(self) -> None:
        if not self.opgegeven:
            self.adapter.einde()

    def _lockstep(self):
        yield self.w.sim.env.timeout(0.5)
        while True:
            self.stap(self.w.vandaag)
            yield self.w.sim.env.timeout(1)

    def voor_de_dag(self, dag: date) -> None:
        """What the SUT's role learns on ``dag`` besides messages, gathered just before the step
        (an aanbieder SUT: the care delivered in a month that just ended, actors/sut_aanbieder.py)."""

    def stap(self, dag: date) -> None:
        self.w.veilig(self.adres, self.voor_de_dag, dag)
        inbox, self._inbox = self._inbox, []
        toegang, self._toegang = self._toegang, []
        zorg, self._zorg = self._zorg, []
        if self.opgegeven:
            if inbox or toegang or zorg:
                self._gebeurtenis("sut_niet_geleverd", dag, reden="de SUT is opgegeven", berichten=len(inbox))
            return
        for operatie, bodies, roep in (("toegang", toegang, self.adapter.toegang), ("zorg", zorg, self.adapter.zorg)):
            for body in bodies:
                fout = roep(dag, body)
                if fout:
                    bsn = body["client"]["bsn"] if operatie == "toegang" else body.get("bsn")
                    self._gebeurtenis("sut_fout", dag, operatie=operatie, reden=fout, bsn=bsn)
        if inbox:
            fout = self.adapter.lever(dag, inbox)
            if fout:
                self._gebeurtenis("sut_fout", dag, operatie="lever", reden=fout)
        uitkomst: DagUitkomst = self.adapter.geef_dag(dag)
        if uitkomst.beantwoord:
            self._stil_op_rij = 0
        else:
            self.onbeantwoord += 1
            self._stil_op_rij += 1
            self._gebeurtenis("sut_dag_onbeantwoord", dag, reden=uitkomst.reden)
        berichten = self.adapter.haal_op(dag)
        if isinstance(berichten, str):
            self._gebeurtenis("sut_fout", dag, operatie="haal_op", reden=berichten)
            berichten = []
        for xml in berichten:
            self._verstuur(xml)
        if self._stil_op_rij >= OPGEVEN_NA:
            self._geef_op(f"{OPGEVEN_NA} werkdagen op rij geen antwoord (laatste: {uitkomst.reden})")

    def _geef_op(self, reden: str) -> None:
        self.opgegeven = True
        self._gebeurtenis("sut_opgegeven", self.w.vandaag, reden=reden)

    def _gebeurtenis(self, wat: str, dag: date, **gegevens: Any) -> None:
        self.w.bus.gebeurtenis(wat, actor=self.adres, bsn=gegevens.pop("bsn", None),
                               gegevens={"datum": dag.isoformat(), "sut": self._sut_adres, **gegevens})

    def _verstuur(self, xml: bytes) -> None:
        """Record and route one message the SUT sent, whatever it is."""
        afzender, ontvanger, berichttype, ident, heen, bsn = self.adres, "onbekend", "onleesbaar", "", None, None
        nummers: tuple[str, ...] = ()
        try:
            bericht = lees(xml, self.w.registry)
        except LeesFout:
            bericht = None
            root = parse(xml).document
            if root is not None:
                berichttype = _lokale_naam(root.tag) or berichttype
        except Exception:  # noqa: BLE001 — whatever the reader trips on, the bytes are still recorded
            bericht = None
        if bericht is not None:
            from simulator.berichten import berichttype as bt

            h = bericht.header
            berichttype = bt(bericht)
            afzender, ontvanger, ident = h.afzender, h.ontvanger, h.identificatie
            retour = getattr(bericht, "retour", None)
            if retour is not None:  # a retour keeps the heenbericht's header (IV028) and travels back
                afzender, ontvanger, ident, heen = ontvanger, afzender, retour.identificatie, h.identificatie
            client = getattr(bericht, "client", None)
            bsn = getattr(client, "bsn", None)
            producten = getattr(client, "producten", ()) or ()
            nummers = tuple(n for n in (getattr(p, "toewijzingnummer", None) for p in producten) if n)
            if retour is not None and heen is not None and (ontvanger, heen) in self._heen:
                # a retour without a body (nothing rejected): the metadata of the heenbericht it answers
                heen_bsn, heen_nummers = self._heen[(ontvanger, heen)]
                bsn, nummers = bsn or heen_bsn, nummers or heen_nummers
        dag = self.w.vandaag
        if bericht is None:
            self._gebeurtenis("sut_fout", dag, operatie="haal_op", reden=f"onleesbaar bericht ({len(xml):,} bytes)")
        else:
            if afzender != self.adres:
                self._gebeurtenis("sut_fout", dag, operatie="haal_op", bsn=bsn,
                                  reden=f"{berichttype} {ident}: afzender {afzender} is niet de SUT ({self.adres})")
            if bericht.nummer not in VERSTUURT[self.spec.rol]:
                self._gebeurtenis("sut_fout", dag, operatie="haal_op", bsn=bsn,
                                  reden=f"{berichttype} {ident}: een {self.spec.rol} verstuurt geen {bericht.nummer}")
            if not self.w.bus.kent(ontvanger):
                self._gebeurtenis("sut_fout", dag, operatie="haal_op", bsn=bsn,
                                  reden=f"{berichttype} {ident}: geadresseerd aan {ontvanger}, die niet in de run zit")
        agb = self.adres if self.spec.rol == "aanbieder" else ontvanger
        traject = self.w.traject_bij(bsn, agb) if bsn else None
        self.w.bus.verstuur(Verzending(
            afzender=afzender, ontvanger=ontvanger, berichttype=berichttype, identificatie=ident, xml=xml,
            bericht=None, heen=heen, bsn=bsn, toewijzingnummers=nummers,
            route=traject.route if traject else None, scenario=self.w.scenario,
            traject=traject.id if traject else None, rol="sut"))


def _lokale_naam(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1][:40] if isinstance(tag, str) else ""


def client_json(p: Persoon) -> dict[str, Any]:
    """The client as the SUT API's JSON bodies give it (docs/sut-api.yaml): POST /toegang and POST /zorg."""
    adres = p.adres
    return {
        "bsn": p.bsn, "geslachtsnaam": p.achternaam, "voorvoegsel": p.voorvoegsel,
        "voorletters": p.voorletters, "geboortedatum": p.geboortedatum.isoformat(), "geslacht": p.geslacht,
        "adres": {"straat": adres.straatnaam, "huisnummer": adres.huisnummer, "postcode": adres.postcode,
                  "plaats": adres.plaatsnaam} if adres else None,
    }


def product_json(z: Zorgvraag) -> dict[str, Any]:
    """One product of a care need as the SUT API's JSON bodies give it (docs/sut-api.yaml)."""
    return {"categorie": z.product.categorie, "code": z.product.code, "eenheid": z.product.eenheid,
            "volume": z.volume, "frequentie": z.product.frequentie}


def toegangsbesluit(t: Traject, z: Zorgvraag, agb: str) -> dict[str, Any]:
    """The JSON body of POST /toegang (docs/sut-api.yaml) for one product."""
    return {
        "standaard": "iJw" if z.product.domein == "jeugd" else "iWmo",
        "aanbieder": agb,
        "client": client_json(t.client.persoon),
        "product": product_json(z),
        "ingangsdatum": z.ingangsdatum.isoformat(), "einddatum": z.einddatum.isoformat(),
        "reden": "bepaling_jeugdhulp_gi" if t.variant == "gi_bepaling" else None,
    }
