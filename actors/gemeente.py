"""The reference gemeente back-office: golden behaviour of Annex 4 for a municipality.

Each within the profile's deadline (keys in brackets):
* 301 after a verwijzing by its toegang [toewijzing_toegang]; every 301 holds all toewijzingen of
  that client at that aanbieder valid on or after its date, plus the ones it changes (§5);
* on a 315 or 317: the retourcodes of the technische regels it enforces, judged on its administration
  as the verzoek arrives — TR347 (a ReferentieAanbieder used before), TR374 (a verzoek for the client
  still onderhanden) and, on a 317, TR349–TR351 (the actuele toewijzingen) and TR357, TR361, TR373,
  TR375, TR411, TR412 (actors/regiecontrole.py); a verzoek so rejected gets no 301 or 319 (IV028: it
  is not processed);
* on a 315: 316 [retour_316]; the §4 checks (:meth:`Gemeente._afwijzing_315`,
  :meth:`Gemeente._afstemming_315`); per request a 301 or a 319 [besluit_vot]; a 319
  "aanvraag in onderzoek" then a 301 or 319 "afgewezen" within 8 weeks of the 315's dagtekening
  [onderzoek]; a woonplaatsbeginsel rejection naming the responsible gemeente [woonplaatsbeginsel].
  The §4 checks and what the reference gemeente does on each (docs/routes.md, "The gemeente's §4
  checks on a 315"): volledigheid (XSD and the technische regels: every message is valid, and the
  checker judges them); woonplaatsbeginsel (319, reden 8, naming the responsible gemeente);
  gecontracteerde aanbieder en contract (319 with the reden of [regels] contract_315_afwijzen);
  stapeling — the same product for the same client at the same aanbieder in an overlapping period
  (319, stapeling_315_afwijzen); naam, adres en woonplaats against its register (no WJ001 retourcode
  fits: overleg buiten het berichtenverkeer, and its 301 carries the register's data, naw_controle);
  samenloop — the client has care at another aanbieder here (afstemming buiten het berichtenverkeer,
  no rejection, samenloop_afstemmen); and the rejections the profile prescribes (WMO315, GI
  bepaling, a 315 from an onderaannemer §11.1, verlenging limits §4.1);
* on a 317: 318 [retour_318]; a 301 for the whole request (never retroactive) or a 319
  [besluit_vow]; WMO317 rejected;
* 305/307 → 306/308 [retour_306, retour_308]; 323 → 325 [antwoord_325], every line 100 %
  approved or rejected (see :mod:`actors.beoordeling`);
* the §8.2/§8.3 changes it initiates: inkorten, verlengen, vervallen (only when nothing was
  declared), voortijdig stoppen at verhuizing; a toewijzing without a 305 lapses after 3 months
  [toewijzing_vervalt]; Jw → Wmo at 18 (§12): a WMO301 continuing the care.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, time, timedelta

from simulator.berichten import (
    Adres, Antwoord, AntwoordInhoud, Contact, Declaratie, Geboortedatum, Naam, Omvang, Product, Relatie,
    Start, Stop, ToegewezenProduct, Toewijzing, ToewijzingClient, VerzoekToewijzing, VerzoekWijziging,
    Woonplaatsbeginsel,
)
from simulator.bus import Aflevering
from simulator.reader import LeesFout, lees
from simulator.regieregels import overlapt as _overlapt, vervallen as _vervallen
from simulator.retour import maak_declaratie_antwoord, maak_retour
from simulator.schemas import IJW, Standaard
from simulator.werkdagen import add_maanden

from .basis import Actor
from simulator.codes import retourcode_voor_regel, verwijzer_codes

from .beoordeling import beoordeel_declaratie, declaratie_afwijzing, dubbel_debet_in_bericht, onbekende_clienten
from .regiecontrole import controleer_305, controleer_307, controleer_317
from .budget import verwachte_kosten_cent
from .traject import Traject, Zorgvraag
from .wereld import Wereld, standaard_van


@dataclass
class Dossier:
    """A client at one aanbieder, as the gemeente administers it."""

    bsn: str
    agb: str
    standaard: Standaard
    traject: Traject | None
    toewijzingen: dict[str, ToegewezenProduct] = field(default_factory=dict)
    gestart: dict[str, date] = field(default_factory=dict)  # toewijzingnummer → current 305 Begindatum
    ooit_gestart: set[str] = field(default_factory=set)
    # toewijzingnummer → the 305s (Begindatum, Product) and 307s received and not withdrawn (actors/regiecontrole.py)
    starts: dict[str, set] = field(default_factory=dict)
    stops: dict[str, list] = field(default_factory=dict)
    gedeclareerd: set[str] = field(default_factory=set)
    verlengingen: int = 0


class Gemeente(Actor):
    def __init__(self, wereld: Wereld, code: str, naam: str) -> None:
        super().__init__(wereld, code, naam)
        self.dossiers: dict[tuple[str, str, str], Dossier] = {}  # (bsn, agb, standaard)
        self.aanbieders_van: dict[tuple[str, str], set[str]] = {}  # (bsn, standaard) → agb of its dossiers
        self.beoordeeld: dict[str, dict] = {}  # per aanbieder: declaration state for beoordeling
        #: verzoeken (315/317) as they arrived: the ReferentieAanbieders accepted per aanbieder (TR347), the
        #: verzoek onderhanden per (aanbieder, bsn) (TR374), and the retourcodes judged on arrival, by ledger seq
        self.referenties: set[tuple[str, str]] = set()
        self.onderhanden: dict[tuple[str, str], str] = {}
        self.verzoek_codes: dict[int, dict] = {}
        self._vorige_toewijzing: dict[str, tuple[str, str]] = {}  # agb → (bsn, nummer) of the last new toewijzing

    # ======================================================================================
    # Helpers
    # ======================================================================================
    def dossier(self, bsn: str, agb: str, std: Standaard, traject: Traject | None) -> Dossier:
        key = (bsn, agb, std.naam)
        d = self.dossiers.get(key)
        if d is None:
            d = self.dossiers[key] = Dossier(bsn, agb, std, traject)
            self.aanbieders_van.setdefault((bsn, std.naam), set()).add(agb)
        elif d.traject is None:
            d.traject = traject
        return d

    def _toewijzingnummer(self, t: Traject) -> str:
        return self.nummer("toewijzing", t.gemeente, self.adres[1:], 6)

    def _retour(self, heen, aflevering: Aflevering, traject: Traject | None, codes: dict | None = None) -> None:
        if heen.nummer == "305" and self.w.fout("retour_niet_schemavalide"):
            # fault: a 306 that is not schema-valid (an unknown element) goes out first, then the correct one
            onjuist = maak_retour(heen, identificatie=self.identificatie(traject.gemeente if traject else self.adres),
                                  dagtekening=self.w.vandaag, registry=self.w.registry, codes_per_klasse=codes or None)
            self.w.verstuur(onjuist, heen=heen.header.identificatie, bsn=aflevering.verzending.bsn,
                            toewijzingnummers=aflevering.verzending.toewijzingnummers, traject=traject,
                            nabewerking=_onbekend_element)
        retour = maak_retour(heen, identificatie=self.identificatie(traject.gemeente if traject else self.adres),
                             dagtekening=self.w.vandaag, registry=self.w.registry, codes_per_klasse=codes or None)
        self.w.verstuur(retour, heen=heen.header.identificatie, bsn=aflevering.verzending.bsn,
                        toewijzingnummers=aflevering.verzending.toewijzingnummers, traject=traject)

    def _traject(self, aflevering: Aflevering, bsn: str | None, agb: str) -> Traject | None:
        """The client's trajectory: from the bus (a reference sender says it); for bare bytes (a SUT's message,
        or this gemeente itself behind the SUT API, actors/referentie_sut.py) by BSN at the sending aanbieder,
        or where it is the trajectory's onderaannemer (§11: the onderaannemer's own 315)."""
        t = self.w.trajecten.get(aflevering.verzending.traject or "")
        if t is not None or not bsn:
            return t
        return self.w.traject_bij(bsn, agb) or next(
            (x for (b, _), lijst in self.w.per_client.items() if b == bsn for x in reversed(lijst)
             if x.onderaannemer == agb), None)

    # ======================================================================================
    # Verzoeken (315/317) judged as they arrive
    # ======================================================================================
    def ontvang(self, aflevering: Aflevering) -> None:
        """A verzoek is judged against the administration at the moment it arrives (what the gemeente sent
        later that day cannot make it wrong); it is handled from the next werkdag as every message."""
        v = aflevering.verzending
        if v.berichttype.endswith(("315", "317")):
            b = v.bericht
            if b is None:  # from a system under test: only bytes (unreadable: the handler records it)
                try:
                    b = lees(v.xml, self.w.registry)
                except LeesFout:
                    b = None
                else:  # read once: the handler gets the message object, Actor._verwerk need not read it again
                    aflevering = replace(aflevering, verzending=replace(v, bericht=b))
            if isinstance(b, (VerzoekToewijzing, VerzoekWijziging)):
                self.verzoek_codes[aflevering.seq] = self._controleer_verzoek(b, aflevering.ontvangen)
        super().ontvang(aflevering)

    def _controleer_verzoek(self, b: VerzoekToewijzing | VerzoekWijziging, ontvangen: date) -> dict:
        """The retourcodes (per berichtklasse) of the technische regels this verzoek breaks; none: it is
        accepted, and onderhanden until the 301 or the 319 'afgewezen'."""
        agb, bsn, std = b.header.afzender, b.client.bsn, b.standaard
        codes: dict = {}

        def breekt(klasse, tr: str) -> None:
            codes[klasse] = codes.get(klasse, ()) + (retourcode_voor_regel(self.w.codelijsten, std, tr),)

        if isinstance(b, VerzoekToewijzing):
            if not b.client.producten:
                return codes  # nothing asked: no verzoek to keep
            referentie = b.client.producten[0].referentie_aanbieder
        else:
            referentie = b.client.verzoek.referentie_aanbieder
            d = self.dossiers.get((bsn, agb, std.naam))
            actueel = {nr for nr, tp in (d.toewijzingen.items() if d else ())
                       if not _vervallen(tp) and (tp.einddatum is None or tp.einddatum >= ontvangen)}
            v = b.client.verzoek
            if not actueel <= {p.toewijzingnummer for p in v.te_wijzigen + v.ongewijzigd}:
                breekt(v, "TR349")
            for p in v.ongewijzigd:
                if p.toewijzingnummer not in actueel:
                    breekt(p, "TR350")
            for p in v.te_wijzigen:
                if p.toewijzingnummer not in actueel:
                    breekt(p, "TR351")
            if d is not None:  # TR357, TR361, TR373, TR375, TR411, TR412 (actors/regiecontrole.py)
                for klasse, c in controleer_317(self, d, b).items():
                    codes[klasse] = codes.get(klasse, ()) + c
        if (agb, referentie) in self.referenties:
            breekt(b.client, "TR347")
        if (agb, bsn) in self.onderhanden:
            breekt(b.client, "TR374")
        if codes and self.w.fout("retour_zonder_code"):
            return {k: () for k in codes}  # fault: rejected all the same, but the 316/318 does not say why
        if not codes:
            self.referenties.add((agb, referentie))
            self.onderhanden[(agb, bsn)] = referentie
        return codes

    def _verzoek_beantwoord(self, agb: str, bsn: str, referentie: str | None) -> None:
        if referentie is not None and self.onderhanden.get((agb, bsn)) == referentie:
            del self.onderhanden[(agb, bsn)]

    # ======================================================================================
    # 301
    # ======================================================================================
    def toewijzen(self, t: Traject, zorg: list[Zorgvraag], vanaf: date, sleutel: str = "toewijzing_toegang",
                  agb: str | None = None) -> None:
        """Assign care without a 315 (toegang, GI bepaling, dyslexie 1.4.2, Jw → Wmo)."""
        dag = self.kies_dag(self.rng(t, f"toewijzen:{vanaf}"), vanaf, sleutel, spreiding=0.8)
        if sleutel == "toewijzing_toegang" and self.w.fout("laat_toewijzing_toegang"):
            dag = self.te_laat("toewijzing_toegang", vanaf, 3)
        self.op(dag, self._nieuwe_toewijzingen, t, zorg, agb or t.aanbieder, None)

    def _nieuwe_toewijzingen(self, t: Traject, zorg: list[Zorgvraag], agb: str, referentie: str | None) -> None:
        std = standaard_van(zorg[0].product.domein)
        d = self.dossier(t.bsn, agb, std, t)
        if referentie is None and self.w.fout("referentie_zonder_verzoek"):
            referentie = f"{agb}-{t.gemeente}-999999"  # fault: a ReferentieAanbieder of no verzoek (TR379)
        nieuw = []
        for z in zorg:
            nr = self._toewijzingnummer(t)
            vorige = self._vorige_toewijzing.get(agb)
            if vorige is not None and vorige[0] != t.bsn and self.w.fout("toewijzingnummer_hergebruikt"):
                nr = vorige[1]  # fault (TR332): the number of another client's toewijzing at this aanbieder
            self._vorige_toewijzing[agb] = (t.bsn, nr)
            w = self.w.profiel.wijze(z.product.domein, z.product)
            if w.specifiek:
                product, omvang, budget = Product(z.product.categorie, z.product.code), Omvang(
                    z.volume, z.product.eenheid, z.product.frequentie), None
                if self.w.fout("specifiek_zonder_omvang"):
                    omvang = None  # fault: a specifieke toewijzing without its Omvang
            else:  # aspecifiek (profile [toewijzing]): categorie only, a budget, no Omvang
                product, omvang = Product(z.product.categorie, None), None
                if self.w.fout("aspecifiek_met_code"):  # fault: the code of the care the aanbieder plans
                    gepland = [g for g in t.zorg if g.product.categorie == z.product.categorie] or [z]
                    product = Product(z.product.categorie, gepland[0].product.code)
                elif self.w.fout("generiek_toewijzen"):  # fault: no Product at all, not even the categorie
                    product = None
                budget = (z.budget or verwachte_kosten_cent(z, self.w.codes(std))) if w.budget else None
            einde = z.einddatum
            if einde is not None and w.einddatum is None:  # §4.1: at most maximale_toewijzingsduur (unless the
                einde = min(einde, self.w.profiel.maximale_einddatum(z.ingangsdatum))  # profile fixes the einddatum)
            if self.w.fout("toewijzing_te_lang") and einde is not None and w.einddatum is None:
                einde = add_maanden(self.w.profiel.maximale_einddatum(z.ingangsdatum), 1)  # fault: a month too long
            tp = ToegewezenProduct(
                toewijzingnummer=nr, toewijzingsdatum=self.w.vandaag, toewijzingstijd=time(9, 0),
                ingangsdatum=z.ingangsdatum, einddatum=einde,
                product=product, referentie_aanbieder=referentie, omvang=omvang, budget=budget)
            d.toewijzingen[nr] = tp
            nieuw.append(nr)
            self._plan_eigen_wijzigingen(d, tp)
        self._stuur_301(d, set(nieuw))
        self._verzoek_beantwoord(agb, t.bsn, referentie)

    def _stuur_301(self, d: Dossier, gewijzigd: set[str]) -> None:
        t = d.traject
        vandaag = self.w.vandaag
        producten = tuple(
            tp for nr, tp in d.toewijzingen.items()
            if nr in gewijzigd or (tp.einddatum is None or tp.einddatum >= vandaag) and not _vervallen(tp)
        )
        weg = [tp for tp in producten if tp.toewijzingnummer not in gewijzigd]
        if weg and self.w.fout("301_onvolledig"):  # fault: a still valid toewijzing left out of the 301
            producten = tuple(tp for tp in producten if tp is not weg[0])
        client = self._client(t, d.standaard, producten)
        identificatie = self.identificatie(t.gemeente)
        vorige = getattr(self, "_vorige_301", None)
        if vorige is not None and vorige[0] == d.agb and self.w.fout("dubbele_identificatie"):
            identificatie = vorige[1]  # fault: the BerichtIdentificatie of the previous 301 to this aanbieder
        self._vorige_301 = (d.agb, identificatie)
        bericht = Toewijzing(d.standaard, self.w.header(d.standaard, "301", self.adres, d.agb, identificatie), client)
        self.w.verstuur(bericht, bsn=d.bsn, toewijzingnummers=tuple(tp.toewijzingnummer for tp in producten), traject=t)

    def _client(self, t: Traject, std: Standaard, producten) -> ToewijzingClient:
        p = t.client.persoon
        eigen = self.w.code(std, "naamgebruik.eigen")
        brp = self.w.code(std, "adressoort.brp")
        contact = Contact(brp, adres=_adres(p.adres))
        relaties = tuple(
            Relatie(nummer=r.nummer, soort=r.soort, volgorde=r.volgorde,
                    naam=Naam(r.persoon.achternaam, voorvoegsel=r.persoon.voorvoegsel, voornamen=r.persoon.voornamen,
                              voorletters=r.persoon.voorletters, naamgebruik=eigen),
                    contact=Contact(brp, adres=_adres(r.persoon.adres)),
                    geboortedatum=Geboortedatum(r.persoon.geboortedatum), geslacht=r.persoon.geslacht)
            for r in t.client.gezagsdragers
        ) if std == IJW else ()
        return ToewijzingClient(
            bsn=p.bsn, geboortedatum=Geboortedatum(p.geboortedatum), geslacht=p.geslacht,
            naam=Naam(p.achternaam, voorvoegsel=p.voorvoegsel, voornamen=p.voornamen, voorletters=p.voorletters,
                      naamgebruik=eigen),
            contactgegevens=(contact,), producten=producten, relaties=relaties)

    def _wijzig(self, d: Dossier, nr: str, einddatum: date, reden: str) -> None:
        tp = d.toewijzingen[nr]
        d.toewijzingen[nr] = replace(tp, einddatum=einddatum, reden_wijziging=self.w.code(d.standaard, reden),
                                     toewijzingsdatum=self.w.vandaag)
        self._stuur_301(d, {nr})

    # ======================================================================================
    # §8.2 / §8.3 / §5 / §12: changes the gemeente initiates
    # ======================================================================================
    def _plan_eigen_wijzigingen(self, d: Dossier, tp: ToegewezenProduct) -> None:
        t = d.traject
        if t is None or tp.einddatum is None:
            return
        rng = self.rng(t, f"gemeente:{tp.toewijzingnummer}")
        kal = self.w.kalender
        nr = tp.toewijzingnummer
        # three months from the later of ingangsdatum and the 301 itself (a retroactive 301 does not lapse at once)
        vervalt = self.w.deadline("toewijzing_vervalt", max(tp.ingangsdatum, tp.toewijzingsdatum))
        if vervalt < tp.einddatum:
            self.op(kal.volgende_werkdag(vervalt), self._vervalt_zonder_start, d, nr)
        eerste = t.details.setdefault("gemeente_eerste_toewijzing", nr) == nr
        if not eerste:
            return
        duur = (tp.einddatum - tp.ingangsdatum).days
        if t.heeft("vervallen") and not self.w.profiel.regel("vervallen_alleen_zonder_declaratie"):
            t.details["vervallen_na_declaratie"] = nr  # the profile allows it: lapses once its last month is approved
        elif t.heeft("vervallen"):
            self.op(kal.add_werkdagen(self.w.vandaag, rng.randint(1, 3)), self._laat_vervallen, d, nr)
        elif t.heeft("verwijderen"):
            self.op(kal.add_werkdagen(self.w.vandaag, rng.randint(1, 3)), self._laat_vervallen, d, nr, "wijziging.verwijderd")
        elif t.heeft("inkorten") and duur > 90:
            wanneer = tp.ingangsdatum + timedelta(days=duur // 3)
            self.op(wanneer, self._inkorten, d, nr, rng.randint(20, max(21, duur // 3)))
        elif t.heeft("verhuizing") and duur > 90:
            self.op(tp.ingangsdatum + timedelta(days=duur // 2), self._verhuizing, d, nr)
        elif t.heeft("verlengen"):
            self.op(max(self.w.vandaag, tp.einddatum - timedelta(days=25)), self._verlengen, d, nr, rng.randint(1, 3))
        if t.details.get("overgang_18_eind") == tp.einddatum and t.details.get("wmo_zorg"):
            contact = self.w.profiel.voor("overgang_18_contact", tp.einddatum)  # §12
            self.op(max(self.w.vandaag, contact), self._overgang_18, t, d)

    def _actief(self, d: Dossier, nr: str) -> bool:
        tp = d.toewijzingen.get(nr)
        return tp is not None and not _vervallen(tp) and (tp.einddatum is None or tp.einddatum > self.w.vandaag)

    def _laat_vervallen(self, d: Dossier, nr: str, reden: str = "wijziging.vervallen") -> None:
        """Vervallen (§8.2): einddatum = ingangsdatum, only if not started and nothing declared; or
        removed (RedenWijziging 13, a toewijzing sent in error; TR385: nothing approved on it)."""
        if not self._actief(d, nr) or nr in d.ooit_gestart or self._gedeclareerd_telt(d, nr):
            return
        self._wijzig(d, nr, d.toewijzingen[nr].ingangsdatum, reden)

    def _gedeclareerd_telt(self, d: Dossier, nr: str) -> bool:
        """Something was declared on ``nr`` and the profile lets a toewijzing lapse only without declarations."""
        return nr in d.gedeclareerd and bool(self.w.profiel.regel("vervallen_alleen_zonder_declaratie"))

    def _vervalt_zonder_start(self, d: Dossier, nr: str) -> None:
        """§5: a toewijzing lapses when no 305 came within 3 months; the gemeente records it with a 301."""
        if nr in d.ooit_gestart or not self._actief(d, nr) or self._gedeclareerd_telt(d, nr):
            return
        self.w.gebeurtenis("toewijzing_vervalt_zonder_start", actor=self.adres, traject=d.traject, toewijzing=nr)
        self._wijzig(d, nr, d.toewijzingen[nr].ingangsdatum, "wijziging.vervallen")

    def _inkorten(self, d: Dossier, nr: str, dagen: int) -> None:
        if not self._actief(d, nr):
            return
        nieuw = self.w.vandaag + timedelta(days=dagen)
        if nieuw < d.toewijzingen[nr].einddatum:
            self._wijzig(d, nr, nieuw, "wijziging.verkorting")

    def _verhuizing(self, d: Dossier, nr: str) -> None:
        if not self._actief(d, nr):
            return
        nieuw = self.w.vandaag + timedelta(days=14)
        if nieuw < d.toewijzingen[nr].einddatum:
            self.w.gebeurtenis("verhuizing", actor=self.adres, traject=d.traject)
            self._wijzig(d, nr, nieuw, "wijziging.verhuizing")

    def _verlengen(self, d: Dossier, nr: str, maanden: int) -> None:
        """Verlengen (§8.2), never past the maximale_toewijzingsduur from the ingangsdatum (§4.1)."""
        if not self._actief(d, nr):
            return
        tp = d.toewijzingen[nr]
        nieuw = min(add_maanden(tp.einddatum, maanden), self.w.profiel.maximale_einddatum(tp.ingangsdatum))
        if nieuw > tp.einddatum:
            self._wijzig(d, nr, nieuw, "wijziging.verlenging")

    def _overgang_18(self, t: Traject, d: Dossier) -> None:
        """§12: the toegang arranges Wmo care continuing on the 18th birthday; the gemeente sends a WMO301."""
        self.w.gebeurtenis("overleg_toegang_overgang_18", actor=self.adres, traject=t)
        zorg = t.details["wmo_zorg"]
        self.toewijzen(t, zorg, self.w.vandaag, sleutel="toewijzing_toegang")

    def melding_zonder_bsn(self, t: Traject, agb: str) -> None:
        """§9.1: acknowledge a mailed notification of a client without BSN."""
        dag = self.kies_dag(self.rng(t, "ontvangstbevestiging"), self.w.vandaag, "afhandeling_zonder_bsn")
        if self.w.fout("laat_bevestiging_zonder_bsn"):
            dag = self.te_laat("afhandeling_zonder_bsn", self.w.vandaag, 3)
        self.op(dag, self.w.gebeurtenis, "ontvangstbevestiging_buiten_berichtenverkeer", actor=self.adres,
                traject=t, aanbieder=agb, kanaal="beveiligde e-mail")

    # ======================================================================================
    # 315
    # ======================================================================================
    def bij_315(self, b: VerzoekToewijzing, aflevering: Aflevering) -> None:
        agb = b.header.afzender
        t = self._traject(aflevering, b.client.bsn, agb)
        rng = self.rng(t, f"315:{b.header.identificatie}")
        retourdag = self.kies_dag(rng, aflevering.ontvangen, "retour_316", spreiding=0.5)
        if self.w.fout("laat_316"):
            retourdag = self.te_laat("retour_316", aflevering.ontvangen, 2)
        codes = self.verzoek_codes.pop(aflevering.seq, {})
        self.op(retourdag, self._retour, b, aflevering, t, codes)
        if t is None or codes:  # rejected with a retourcode: not processed (IV028)
            return
        reden, woonplaats = self._afwijzing_315(b, t, agb)
        if reden is None:
            self._afstemming_315(b, t, agb)
        # the decision never precedes the technical receipt
        besluit = self.kies_dag(rng, aflevering.ontvangen, "besluit_vot", spreiding=0.8, vroegst=retourdag)
        if self.w.fout("laat_besluit"):
            besluit = max(retourdag, self.te_laat("besluit_vot", aflevering.ontvangen, 4))
        if reden is not None:
            if woonplaats is not None:
                besluit = min(besluit, self.w.deadline("woonplaatsbeginsel", aflevering.ontvangen))
                if self.w.fout("woonplaats_zonder_gemeente"):  # fault: the responsible gemeente is not named
                    woonplaats = None
            self.op(besluit, self._stuur_319, b, t, "antwoord.afgewezen", reden, woonplaats)
            if self.w.fout("dubbele_afwijzing"):  # fault: the rejection is sent a second time
                self.op(self.w.kalender.add_werkdagen(besluit, 1), self._stuur_319, b, t, "antwoord.afgewezen", reden,
                        woonplaats)
            return
        if t.heeft("vot_onderzoek") and not t.details.get("onderzoek_gedaan"):
            t.details["onderzoek_gedaan"] = True
            self.op(besluit, self._stuur_319, b, t, "antwoord.in_onderzoek", None, None)
            if t.details.get("onderzoek_uitkomst") != "afgewezen" and self.w.fout("dubbel_in_onderzoek"):
                self.op(self.w.kalender.add_werkdagen(besluit, 1), self._stuur_319, b, t, "antwoord.in_onderzoek",
                        None, None)
            einde = self.kies_dag(rng, b.header.dagtekening, "onderzoek", vroegst=self._na_onderzoek(besluit, b))
            if self.w.fout("laat_na_onderzoek"):
                einde = self.te_laat("onderzoek", b.header.dagtekening, 5)
            if t.details.get("onderzoek_uitkomst") == "afgewezen":
                self.op(einde, self._stuur_319, b, t, "antwoord.afgewezen", "afwijzing.zorginhoudelijk", None)
            else:
                self.op(einde, self._honoreer_315, b, t, agb)
            return
        self.op(besluit, self._honoreer_315, b, t, agb)
        if self.w.fout("afwijzing_na_toewijzing"):  # fault: a 319 'afgewezen' after the 301 on the same verzoek
            self.op(self.w.kalender.add_werkdagen(besluit, 1), self._stuur_319, b, t, "antwoord.afgewezen",
                    "afwijzing.zorginhoudelijk", None)

    def _na_onderzoek(self, besluit: date, b) -> date:
        """The earliest day for the decision after "in onderzoek": some werkdagen of onderzoek, never past the
        onderzoek deadline of the profile (counted from the verzoek's dagtekening)."""
        return min(self.w.kalender.add_werkdagen(besluit, 5), self.w.deadline("onderzoek", b.header.dagtekening))

    def _afwijzing_315(self, b: VerzoekToewijzing, t: Traject, agb: str) -> tuple[str | None, str | None]:
        """(reden key, responsible gemeente) when the §4 / §11 / §4.1 checks reject the request."""
        regel = self.w.profiel.regel
        if not self._bekende_producten(b):
            return "afwijzing.contract", None
        if b.standaard != IJW and regel("wmo315_afwijzen") and not self.w.fout("wmo315_toekennen"):
            return self.w.profiel.reden("wmo315_afwijzen"), None
        verantwoordelijk = self.w.woonplaats.get(b.client.bsn, self.adres)
        if verantwoordelijk != self.adres:
            return "afwijzing.woonplaatsbeginsel", verantwoordelijk
        # §11.1: a 315 from an onderaannemer it knows — a non-contracted third party is engaged only after
        # afstemming with the gemeente's toegang (§11); a contracted one's 315 it cannot tell apart
        bekend = t.onderaanneming is not None and not t.onderaanneming.gecontracteerd
        if bekend and t.onderaannemer == agb and regel("onderaannemer_315_afwijzen"):
            if self.w.fout("onderaannemer_315_toekennen"):
                return None, None  # fault: the onderaannemer's 315 is granted (no check of it at all)
            return self.w.profiel.reden("onderaannemer_315_afwijzen"), None
        if t.variant == "gi_bepaling" and regel("gi_bepaling_315_afwijzen") and not self.w.fout("gi_bepaling_toekennen"):
            return self.w.profiel.reden("gi_bepaling_315_afwijzen"), None
        if (self.w.profiel.regel("contract_315_afwijzen") and not self._gecontracteerd(agb, b.standaard)
                and not self.w.fout("geen_contract_toekennen")):
            return self.w.profiel.reden("contract_315_afwijzen"), None
        if self.w.profiel.regel("stapeling_315_afwijzen") and self._stapeling(b, agb):
            if self.w.fout("stapeling_toekennen"):
                return None, None  # fault: the stapeling is granted (not judged as a verlenging either)
            return self.w.profiel.reden("stapeling_315_afwijzen"), None
        d = self.dossiers.get((b.client.bsn, agb, b.standaard.naam))
        if d is not None and d.toewijzingen:
            # a 315 while a toewijzing exists is a verlenging (§4.1): limited, never for crisis/diagnostiek
            verboden = set(regel("geen_verlenging_voor"))
            for ap in b.client.producten:
                tags = self.w.catalogus.per_code(ap.product.code).tags if ap.product and ap.product.code else set()
                if tags & verboden or any(t.startswith(v) for v in verboden for t in tags):
                    return self.w.profiel.reden("geen_verlenging_voor"), None
            if d.verlengingen >= int(regel("max_verlengingen_via_315")):
                return self.w.profiel.reden("max_verlengingen_via_315"), None
            toegestaan = verwijzer_codes(self.w.codes(b.standaard), self.w.profiel.verlenging_verwijzers())
            if any(ap.verwijzer is None or ap.verwijzer.type not in toegestaan
                   for ap in b.client.producten):
                return self.w.profiel.reden("verlenging_via_315_verwijzers"), None  # §8.2: medisch verwijzer only
        return None, None


    def _gecontracteerd(self, agb: str, std: Standaard) -> bool:
        """§4 "gecontracteerde aanbieder en contract": the aanbieder has a contract with this gemeente for
        the domein (contracts are per domein in the simulated world; an aanbieder the world does not list
        is given the benefit of the doubt)."""
        a = self.w.contracten.get(agb)
        return a is None or ("jeugd" if std == IJW else "wmo") in a.domeinen and self.adres in a.gemeenten

    def _stapeling(self, b: VerzoekToewijzing, agb: str) -> bool:
        """§4 "stapeling van producten": a requested product the client already has at this aanbieder in an
        overlapping period (the same categorie and code; a verlenging starts after the current einddatum
        and does not overlap).  The same product at another aanbieder is samenloop, not stapeling."""
        d = self.dossiers.get((b.client.bsn, agb, b.standaard.naam))
        if d is None:
            return False
        for ap in b.client.producten:
            for tp in d.toewijzingen.values():
                if not _vervallen(tp) and _overlapt(tp, ap):
                    return True
        return False

    def _afstemming_315(self, b: VerzoekToewijzing, t: Traject, agb: str) -> None:
        """The §4 checks that reject nothing: naam/adres against the register and samenloop.

        Naam, adres en woonplaats: a 315 carries the client's BSN, geboortedatum, geslacht and verkorte
        naam (no address; the woonplaats is the woonplaatsbeginsel check).  When they differ from the
        gemeente's register (the simulated BRP), no WJ001 retourcode fits, so — as §4 says for that case —
        the gemeente consults the aanbieder outside the message traffic; its 301 carries the register's
        data, as every 301 does.  Samenloop (multiproblem): the client has a current toewijzing at another
        aanbieder here; the gemeente coordinates the care outside the message traffic and decides on the
        315 as usual."""
        p = t.client.persoon
        c = b.client
        if self.w.profiel.regel("naw_controle"):
            verschil = [veld for veld, in_315, register in (
                ("geslachtsnaam", c.naam.geslachtsnaam, p.achternaam),
                ("voorvoegsel", c.naam.voorvoegsel or None, p.voorvoegsel or None),
                ("voorletters", c.naam.voorletters or None, p.voorletters or None),
                ("geboortedatum", c.geboortedatum.datum, p.geboortedatum)) if in_315 != register]
            if verschil:
                self.w.gebeurtenis("overleg_naw_buiten_berichtenverkeer", actor=self.adres, traject=t, aanbieder=agb,
                                   verschil=verschil, heen=b.header.identificatie)
        if self.w.profiel.regel("samenloop_afstemmen"):
            andere = sorted(a for a in self.aanbieders_van.get((c.bsn, b.standaard.naam), ()) if a != agb
                            and any(self._actief(self.dossiers[(c.bsn, a, b.standaard.naam)], nr)
                                    for nr in self.dossiers[(c.bsn, a, b.standaard.naam)].toewijzingen))
            if andere:
                self.w.gebeurtenis("samenloop_afstemming", actor=self.adres, traject=t, aanbieder=agb, andere=andere)

    def _bekende_producten(self, b: VerzoekToewijzing) -> bool:
        """Every requested product names a categorie (and code) of the gemeente's catalogue (its contracts).
        The reference aanbieders always do; a request from a system under test may not."""
        domein = "jeugd" if b.standaard == IJW else "wmo"
        for ap in b.client.producten:
            if ap.product is None:
                return False
            in_categorie = self.w.catalogus.per_categorie(ap.product.categorie, domein)
            if not in_categorie or ap.product.code and ap.product.code not in {p.code for p in in_categorie}:
                return False
        return True

    def _honoreer_315(self, b: VerzoekToewijzing, t: Traject, agb: str) -> None:
        d = self.dossier(b.client.bsn, agb, b.standaard, t)
        if d.toewijzingen:
            d.verlengingen += 1
        zorg = []
        domein = "jeugd" if b.standaard == IJW else "wmo"
        for ap in b.client.producten:
            if ap.product.code:
                product = self.w.catalogus.per_code(ap.product.code)
            else:  # aspecifiek: any product of the categorie stands for it
                product = self.w.catalogus.per_categorie(ap.product.categorie, domein)[0]
            einde = ap.toewijzing_einddatum or self.w.profiel.maximale_einddatum(ap.toewijzing_ingangsdatum)
            if not self.w.profiel.wijze(domein, product).specifiek:
                einde = self.w.profiel.toewijzing_einddatum(domein, b.header.dagtekening) or einde
            if t.details.get("overgang_18_eind") and t.domein == "jeugd":
                einde = min(einde, t.details["overgang_18_eind"])
            zorg.append(Zorgvraag(product, ap.omvang.volume if ap.omvang else 1, ap.toewijzing_ingangsdatum, einde,
                                  budget=ap.budget))
        referentie = b.client.producten[0].referentie_aanbieder
        self._nieuwe_toewijzingen(t, zorg, agb, referentie)

    def _stuur_319(self, heen, t: Traject, antwoord: str, reden: str | None, woonplaats: str | None) -> None:
        std = heen.standaard
        referentie = (heen.client.producten[0].referentie_aanbieder if isinstance(heen, VerzoekToewijzing)
                      else heen.client.verzoek.referentie_aanbieder)
        inhoud = AntwoordInhoud(
            referentie_aanbieder=referentie, verzoek_antwoord=self.w.code(std, antwoord),
            reden_afwijzing=self.w.code(std, reden) if reden else None,
            woonplaatsbeginsel=Woonplaatsbeginsel(woonplaats) if woonplaats and std == IJW else None)
        if self.w.fout("antwoord_onbekende_referentie"):
            # fault (TR355): first an answer to a ReferentieAanbieder the aanbieder never used
            fout = Antwoord(std, self.w.header(std, "319", self.adres, heen.header.afzender,
                                               self.identificatie(t.gemeente)),
                            replace(inhoud, referentie_aanbieder=referentie[:-6] + "999999"))
            self.w.verstuur(fout, heen=heen.header.identificatie, bsn=t.bsn, traject=t)
        bericht = Antwoord(std, self.w.header(std, "319", self.adres, heen.header.afzender,
                                              self.identificatie(t.gemeente)), inhoud)
        self.w.verstuur(bericht, heen=heen.header.identificatie, bsn=t.bsn, traject=t)
        if antwoord != "antwoord.in_onderzoek":
            self._verzoek_beantwoord(heen.header.afzender, t.bsn, referentie)

    # ======================================================================================
    # 317
    # ======================================================================================
    def bij_317(self, b: VerzoekWijziging, aflevering: Aflevering) -> None:
        agb = b.header.afzender
        t = self._traject(aflevering, b.client.bsn, agb)
        rng = self.rng(t, f"317:{b.header.identificatie}")
        retourdag = self.kies_dag(rng, aflevering.ontvangen, "retour_318", spreiding=0.5)
        if self.w.fout("laat_318"):
            retourdag = self.te_laat("retour_318", aflevering.ontvangen, 2)
        codes = self.verzoek_codes.pop(aflevering.seq, {})
        self.op(retourdag, self._retour, b, aflevering, t, codes)
        if t is None or codes:  # rejected with a retourcode: not processed (IV028)
            return
        besluit = self.kies_dag(rng, aflevering.ontvangen, "besluit_vow", spreiding=0.8, vroegst=retourdag)
        if self.w.fout("laat_besluit_vow"):
            besluit = max(retourdag, self.te_laat("besluit_vow", aflevering.ontvangen, 4))
        if b.standaard != IJW and self.w.profiel.regel("wmo317_afwijzen") and not self.w.fout("wmo317_toekennen"):
            self.op(besluit, self._stuur_319, b, t, "antwoord.afgewezen", self.w.profiel.reden("wmo317_afwijzen"), None)
            return
        uitkomst = t.details.get("vow_uitkomst", "toegekend")
        if uitkomst == "afgewezen":
            self.op(besluit, self._stuur_319, b, t, "antwoord.afgewezen", "afwijzing.zorginhoudelijk", None)
        elif uitkomst == "onderzoek":
            self.op(besluit, self._stuur_319, b, t, "antwoord.in_onderzoek", None, None)
            einde = self.kies_dag(rng, b.header.dagtekening, "onderzoek", vroegst=self._na_onderzoek(besluit, b))
            self.op(einde, self._honoreer_317, b, t, agb)
        else:
            self.op(besluit, self._honoreer_317, b, t, agb)

    def _honoreer_317(self, b: VerzoekWijziging, t: Traject, agb: str) -> None:
        """Approve the whole request with one 301 (two when the profile allows answering in parts:
        ``vow_alleen_geheel = false``); the ingangsdatum is never before today (§8.1) unless the profile
        allows retroactive assignment (``vow_terugwerkend_toewijzen = true``): then it is the one asked."""
        d = self.dossier(b.client.bsn, agb, b.standaard, t)
        vandaag = self.w.vandaag
        gewijzigd: set[str] = set()
        verzoek = b.client.verzoek
        terug = self.w.fout("vow_terugwerkend")  # fault: the new toewijzingen start a week before the 301
        # §8.1: never retroactive — unless the profile allows it (vow_terugwerkend_toewijzen): then as asked
        mag_terug = bool(self.w.profiel.regel("vow_terugwerkend_toewijzen"))
        for tw in verzoek.te_wijzigen:
            oud = d.toewijzingen.get(tw.toewijzingnummer)
            if oud is None or not self._actief(d, tw.toewijzingnummer):
                continue
            ingang = tw.gewenste_ingangsdatum if mag_terug else max(tw.gewenste_ingangsdatum, vandaag)
            ingang = max(ingang, oud.ingangsdatum + timedelta(days=1))
            if terug:
                ingang = max(vandaag - timedelta(days=7), oud.ingangsdatum + timedelta(days=1))
            einde = tw.einddatum or oud.einddatum
            if tw.budget is not None and tw.budget != oud.budget:
                # a budget change holds for the whole toewijzing (TR373): same number, new budget
                d.toewijzingen[oud.toewijzingnummer] = replace(
                    oud, budget=tw.budget, toewijzingsdatum=vandaag, referentie_aanbieder=verzoek.referentie_aanbieder,
                    reden_wijziging=self.w.code(b.standaard, "wijziging.aanbieder"))
                gewijzigd.add(oud.toewijzingnummer)
            elif tw.omvang is not None and tw.omvang != oud.omvang:
                d.toewijzingen[oud.toewijzingnummer] = replace(
                    oud, einddatum=ingang - timedelta(days=1), toewijzingsdatum=vandaag,
                    reden_wijziging=self.w.code(b.standaard, "wijziging.aanbieder"))
                gewijzigd.add(oud.toewijzingnummer)
                if not self.w.profiel.regel("vow_alleen_geheel") or self.w.fout("vow_in_delen"):
                    # the request answered in two 301s — first the shortened toewijzing, then the new one: what
                    # the profile allows with vow_alleen_geheel = false, a fault (§2.3) otherwise
                    d.toewijzingen[oud.toewijzingnummer] = replace(d.toewijzingen[oud.toewijzingnummer],
                                                                   referentie_aanbieder=verzoek.referentie_aanbieder)
                    self._stuur_301(d, set(gewijzigd))
                    gewijzigd.clear()
                nr = self._toewijzingnummer(t)
                d.toewijzingen[nr] = ToegewezenProduct(
                    toewijzingnummer=nr, toewijzingsdatum=vandaag, toewijzingstijd=time(9, 0), ingangsdatum=ingang,
                    einddatum=einde, product=oud.product, referentie_aanbieder=verzoek.referentie_aanbieder,
                    omvang=tw.omvang)
                gewijzigd.add(nr)
            elif einde != oud.einddatum:
                reden = "wijziging.verlenging" if (oud.einddatum and einde and einde > oud.einddatum) else "wijziging.verkorting"
                d.toewijzingen[oud.toewijzingnummer] = replace(
                    oud, einddatum=einde, toewijzingsdatum=vandaag, reden_wijziging=self.w.code(b.standaard, reden))
                gewijzigd.add(oud.toewijzingnummer)
        for np in verzoek.nieuw:
            nr = self._toewijzingnummer(t)
            d.toewijzingen[nr] = ToegewezenProduct(
                toewijzingnummer=nr, toewijzingsdatum=vandaag, toewijzingstijd=time(9, 0),
                ingangsdatum=vandaag - timedelta(days=7) if terug
                else np.gewenste_ingangsdatum if mag_terug else max(np.gewenste_ingangsdatum, vandaag),
                einddatum=np.einddatum, product=np.product,
                referentie_aanbieder=verzoek.referentie_aanbieder, omvang=np.omvang)
            gewijzigd.add(nr)
        if gewijzigd:
            self._stuur_301(d, gewijzigd)
            self._verzoek_beantwoord(agb, b.client.bsn, verzoek.referentie_aanbieder)
        else:  # nothing left to change (the toewijzing ended meanwhile): the request is still answered
            self._stuur_319(b, t, "antwoord.afgewezen", "afwijzing.zorginhoudelijk", None)

    # ======================================================================================
    # 305 / 307 / 323
    # ======================================================================================
    def bij_305(self, b: Start, aflevering: Aflevering) -> None:
        """306 with the retourcodes of the rules a gemeente enforces on a start (actors/regiecontrole.py)."""
        agb = b.header.afzender
        t = self._traject(aflevering, b.client.bsn, agb)
        d = self.dossier(b.client.bsn, agb, b.standaard, t)
        codes = controleer_305(self, d, b)
        if not codes and self.w.fout("code_zonder_oorzaak"):
            codes = {b.client.producten[0]: (retourcode_voor_regel(self.w.codelijsten, b.standaard, "TR019"),)}
        if self.w.fout("geen_306"):
            return
        rng = self.rng(t, f"306:{b.header.identificatie}")
        self.op(self.kies_dag(rng, aflevering.ontvangen, "retour_306", spreiding=0.5), self._retour, b, aflevering, t,
                codes)

    def bij_307(self, b: Stop, aflevering: Aflevering) -> None:
        """308 with the retourcodes of the rules a gemeente enforces on a stop (actors/regiecontrole.py)."""
        agb = b.header.afzender
        t = self._traject(aflevering, b.client.bsn, agb)
        d = self.dossier(b.client.bsn, agb, b.standaard, t)
        codes = controleer_307(self, d, b)
        rng = self.rng(t, f"308:{b.header.identificatie}")
        dag = self.kies_dag(rng, aflevering.ontvangen, "retour_308", spreiding=0.5)
        if self.w.fout("laat_308"):
            dag = self.te_laat("retour_308", aflevering.ontvangen, 2)
        self.op(dag, self._retour, b, aflevering, t, codes)

    def bij_323(self, b: Declaratie, aflevering: Aflevering) -> None:
        agb = b.header.afzender
        afwijzing = declaratie_afwijzing(self, b, agb)  # TR333/TR318: the whole declaration rejected
        # TR416: the message itself is wrong — rejected as a whole, only a Header with 0001 (IV087)
        technisch = (self.w.code(b.standaard, "retour.technisch_afgekeurd"),) if dubbel_debet_in_bericht(b) else ()
        afgekeurd = {} if afwijzing or technisch else beoordeel_declaratie(self, b, agb)
        for c in b.declaratie.clienten:
            for std_key in (b.standaard.naam,):
                d = self.dossiers.get((c.bsn, agb, std_key))
                if d is not None and not afwijzing and not technisch:
                    d.gedeclareerd.update(p.toewijzingnummer for p in c.prestaties
                                          if p.referentie.nummer not in afgekeurd)
        rng = self.w.sim.rng(f"{self.adres}:325:{b.header.identificatie}:{agb}")
        dag = self.kies_dag(rng, aflevering.ontvangen, "antwoord_325", spreiding=0.7)
        if self.w.fout("laat_325"):
            dag = self.te_laat("antwoord_325", aflevering.ontvangen, 4)
        self.op(dag, self._stuur_325, b, aflevering, afgekeurd, afwijzing, onbekende_clienten(self, b, agb), technisch)
        if not afwijzing and not technisch:
            self._vervallen_na_declaratie(b, agb, afgekeurd, dag)

    def _vervallen_na_declaratie(self, b: Declaratie, agb: str, afgekeurd: dict, dag: date) -> None:
        """A toewijzing whose last month was just approved is made to lapse (vervallen): the reference
        gemeente does so for a ``vervallen`` trajectory when the profile allows it
        (``vervallen_alleen_zonder_declaratie = false``); the faults do it (or remove it, RedenWijziging 13)
        where §8.2 / TR385 forbid it once something was approved on it."""
        for c in b.declaratie.clienten:
            d = self.dossiers.get((c.bsn, agb, b.standaard.naam))
            for p in c.prestaties if d is not None else ():
                tp = d.toewijzingen.get(p.toewijzingnummer)
                if (tp is None or p.bedrag_cent <= 0 or p.referentie.nummer in afgekeurd or tp.einddatum is None
                        or p.periode.einddatum < tp.einddatum or _vervallen(tp)):
                    continue
                t = d.traject
                if t is not None and t.details.get("vervallen_na_declaratie") == tp.toewijzingnummer:
                    del t.details["vervallen_na_declaratie"]
                    self.op(self.w.kalender.add_werkdagen(dag, 1), self._wijzig, d, tp.toewijzingnummer,
                            tp.ingangsdatum, "wijziging.vervallen")
                    continue
                for naam, reden in (("vervallen_na_declaratie", "wijziging.vervallen"),
                                    ("verwijderd_na_declaratie", "wijziging.verwijderd")):
                    if self.w.fout(naam):
                        self.op(self.w.kalender.add_werkdagen(dag, 1), self._wijzig, d, tp.toewijzingnummer,
                                tp.ingangsdatum, reden)
                        return

    def bij_302(self, b, aflevering: Aflevering) -> None:
        """A retour from the aanbieder: a technical receipt; rejected parts are recorded."""
        codes = set(b.retour.retourcodes) - {self.w.code(b.standaard, "retour.geen_opmerking")}
        if codes:
            self.w.gebeurtenis("retour_met_codes", actor=self.adres, berichttype=f"{b.standaard.type_prefix}{b.nummer}",
                               codes=sorted(codes), heen=b.header.identificatie)

    bij_320 = bij_302

    def _stuur_325(self, b: Declaratie, aflevering: Aflevering, afgekeurd: dict[str, tuple[str, ...]],
                   afwijzing: tuple[str, ...] = (), client_codes: dict[str, tuple[str, ...]] | None = None,
                   header_codes: tuple[str, ...] = ()) -> None:
        gemeente = self.adres
        antwoord = maak_declaratie_antwoord(b, identificatie=self.identificatie(gemeente), dagtekening=self.w.vandaag,
                                            registry=self.w.registry, afgekeurd=afgekeurd, declaratie_codes=afwijzing,
                                            client_codes=client_codes, header_codes=header_codes)
        if antwoord.antwoord is not None and antwoord.antwoord.totaal_toegekend_cent > 1 and self.w.fout("325_half"):
            half = antwoord.antwoord.totaal_toegekend_cent // 2  # fault: part of a line approved
            antwoord = replace(antwoord, antwoord=replace(antwoord.antwoord, totaal_toegekend_cent=half))
        if antwoord.antwoord is not None and self.w.fout("325_ander_declaratienummer"):
            # fault: the answer names another DeclaratieNummer than the declaration's (TR376)
            nummer = antwoord.antwoord.declaratienummer
            anders = nummer[:-1] + ("1" if nummer.endswith("0") else "0")
            antwoord = replace(antwoord, antwoord=replace(antwoord.antwoord, declaratienummer=anders))
        if self.w.fout("325_andere_xsdversie"):
            # fault: XsdVersieDeclaratie is not the XsdVersie of the 323 it answers (TR371)
            v = antwoord.xsd_versie_declaratie
            delen = v.bericht.split(".")
            anders = ".".join(delen[:-1] + [str(int(delen[-1]) + 1)])
            antwoord = replace(antwoord, xsd_versie_declaratie=replace(v, bericht=anders))
        antwoord = self._foutieve_prestatie(b, antwoord)
        self.w.verstuur(antwoord, heen=b.header.identificatie, toewijzingnummers=aflevering.verzending.toewijzingnummers)
        if self.w.fout("antwoord_onbekende_declaratie"):
            # fault (TR337): one more 325, answering a DeclaratieIdentificatie that never arrived
            header = replace(antwoord.header, identificatie=self.identificatie(gemeente))
            onbekend = replace(antwoord, header=header, declaratie_identificatie=b.header.identificatie[:-8] + "99999999")
            self.w.verstuur(onbekend, heen=onbekend.declaratie_identificatie)

    def _foutieve_prestatie(self, b: Declaratie, antwoord):
        """Faults: a 325 that repeats a prestatie (0200, approved) with a ReferentieNummer the 323 did not hold
        (TR366) or with another IngediendBedrag (TR367)."""
        inhoud = antwoord.antwoord
        if inhoud is None or inhoud.clienten or not b.declaratie.clienten:
            return antwoord
        client = b.declaratie.clienten[0]
        p = client.prestaties[0]
        geen_opmerking = (self.w.code(b.standaard, "retour.geen_opmerking"),)
        if self.w.fout("325_onbekende_prestatie"):
            p = replace(p, referentie=replace(p.referentie, nummer=p.referentie.nummer[:-4] + "9999"))
        elif self.w.fout("325_ander_bedrag"):
            p = replace(p, bedrag_cent=p.bedrag_cent + 100)
        else:
            return antwoord
        herhaald = replace(client, prestaties=(replace(p, retourcodes=geen_opmerking),), retourcodes=geen_opmerking)
        return replace(antwoord, antwoord=replace(inhoud, clienten=(herhaald,)))


def _onbekend_element(xml: bytes) -> bytes:
    """Fault: an element the XSD does not know, right after the Header's opening tag."""
    kop = xml.find(b"<", xml.find(b"Header>") + 1)
    return xml[:kop] + b"<Onbekend>x</Onbekend>" + xml[kop:]


def _adres(a) -> Adres:
    return Adres(huisnummer=a.huisnummer, huisletter=a.huisletter, toevoeging=a.toevoeging, postcode=a.postcode,
                 straatnaam=a.straatnaam, plaatsnaam=a.plaatsnaam, landcode="NL")
