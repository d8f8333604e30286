"""The reference aanbieder (hoofdaannemer): golden behaviour of Annex 4 for a care provider.

What it does, each within the profile's deadline (keys in brackets):
* 302 on every 301 [retour_302]; reconciles the toewijzingen in it (new, inkorten, verlengen,
  vervallen, ended for a wijziging) with the care it delivers;
* 315 after the intake [vot_na_intake], for sGGZ up to 3 months + 5 werkdagen after the start
  of diagnostiek [vot_sggz], for crisis after the first direct client time [vot_crisis]; a new
  315 to the gemeente named in a woonplaatsbeginsel rejection; at most one verlenging via 315;
* 305 after the real start of care [start_305], or after receiving a retroactive 301
  [start_305_terugwerkend, start_305_sggz]; at most one current 305 per toewijzing;
* 307 after the end of care [stop_307], also on the planned end date; a temporary stop when a full
  calendar month passes without care, then a new 305; withdrawing a temporary 307 with status
  "verwijderen aanlevering" and sending the definitive one;
* 317 for a change with a future ingangsdatum (Jeugd only);
* never a new 315/317 while an earlier verzoek for the client at that gemeente is onderhanden (TR374):
  it waits until the verzoek is answered (301, 319 'afgewezen', or rejected with a retourcode);
* retourcodes in its 302 (TR332: a ToewijzingNummer it knows of another client) and 320 (TR355: a
  ReferentieAanbieder it never used);
* monthly 323 batches per gemeente (see :mod:`actors.declareren`).
An onderaannemer never sends anything (§11): when the hoofdaannemer engages one
(``Traject.onderaanneming``, event ``inzet_onderaannemer``), the hoofdaannemer sends the 305 when
the care starts at either party — also when only the onderaannemer gives it — and the 307 only
when it has stopped at both (§11.2), and declares the care of both (§11.3).  The per-party start
and end are ground-truth events (``start_zorg_onderaannemer`` …).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, time, timedelta
from typing import Any

from simulator.berichten import (
    AangevraagdProduct, Antwoord, Geboortedatum, Naam, NieuwProduct, Omvang, OngewijzigdProduct, Product,
    Start, StartClient, StartProduct, Stop, StopClient, StopProduct, StopRetour, TeWijzigenProduct, ToegewezenProduct,
    Toewijzing, Verwijzer, Verzoek, VerzoekToewijzing, VerzoekToewijzingClient, VerzoekWijziging,
    VerzoekWijzigingClient,
)
from simulator.bus import Aflevering
from simulator.codes import retourcode_voor_regel
from simulator.retour import maak_retour
from simulator.schemas import IJW, Standaard
from simulator.synthetisch import Aanbieder as AanbiederGegevens
from simulator.werkdagen import Werkdagkalender, einde_maand

from .basis import Actor
from .budget import nieuw_budget, schat_budget
from .declareren import Declaratieadministratie
from .traject import Traject, Zorgvraag
from .wereld import Wereld, standaard_van


@dataclass
class Levering:
    """One toewijzing as the aanbieder lives it: what was assigned and the care actually given."""

    gemeente: str
    standaard: Standaard
    traject: Traject
    toegewezen: ToegewezenProduct
    ontvangen: date
    perioden: list[list[date]] = field(default_factory=list)  # care periods [begin, eind]
    start_actueel: date | None = None  # Begindatum of the current (not stopped) 305
    gestart: bool = False  # a 305 was ever sent
    gestopt: bool = False  # the definitive 307 was sent
    dag_305: date | None = None  # the day the (first) 305 is planned
    stop_versie: int = 0  # bumped whenever the planned stop changes; a stale scheduled stop skips
    vervallen: bool = False
    eind_gepland: date | None = None
    #: aspecifieke toewijzing: the care the aanbieder itself plans in the categorie (product, volume)
    zorg: Zorgvraag | None = None
    gedeclareerd_cent: int = 0  # every debit line sent on this toewijzing (TR369 budget use)
    budget_gevraagd: int | None = None  # the budget an open 317 asks
    #: §11: an onderaannemer gives part of this toewijzing's care; who of the two started and stopped
    met_onderaannemer: bool = False
    partijen_gestart: set[str] = field(default_factory=set)  # "hoofdaannemer" | "onderaannemer"
    partijen_gestopt: set[str] = field(default_factory=set)

    @property
    def nummer(self) -> str:
        return self.toegewezen.toewijzingnummer


@dataclass
class Intrekking:
    """A temporary 307 withdrawn (§6.4) whose definitive 307 waits for the gemeente's 308."""

    lev: Levering
    laatste: date  # Einddatum of the stop: the last day care was given
    ingetrokken: date  # the day the withdrawal was sent
    gestopt: bool = False  # the definitive 307 was sent


class Aanbieder(Actor):
    def __init__(self, wereld: Wereld, gegevens: AanbiederGegevens) -> None:
        super().__init__(wereld, gegevens.agb, gegevens.naam)
        self.gegevens = gegevens
        self.leveringen: dict[tuple[str, str], Levering] = {}  # (gemeente, toewijzingnummer)
        self._per_traject: dict[int, list[Levering]] = {}  # id(traject) → its leveringen, in insertion order
        self.verzoeken: dict[str, Traject] = {}  # ReferentieAanbieder → trajectory
        self.verzoek_aan: dict[str, str] = {}  # ReferentieAanbieder → the gemeente the 315/317 went to (TR379)
        self.verlengingen: dict[str, int] = {}  # traject id → verlengingen asked via 315
        self.intrekkingen: dict[tuple[str, str], Intrekking] = {}  # (gemeente, id of the withdrawing 307)
        #: TR374: (gemeente, bsn) → (ReferentieAanbieder, BerichtIdentificatie) of the verzoek not yet answered,
        #: and what waits for that answer (a 315 or 317 to send then)
        self.onderhanden: dict[tuple[str, str], tuple[str, str]] = {}
        self.na_verzoek: dict[tuple[str, str], list[tuple[Callable[..., None], tuple[Any, ...]]]] = {}
        self._eerste_referentie: dict[str, str] = {}  # traject id → ReferentieAanbieder of its first 315
        self.declaraties = Declaratieadministratie(self)
        self.onderaannemers: dict[str, Aanbieder] = {}  # traject id → the onderaannemer engaged (§11)

    # ======================================================================================
    # Entry points from the world (routes)
    # ======================================================================================
    def verwijzing(self, t: Traject, intake: date) -> None:
        """A client is referred here (extern, sGGZ, dyslexie 1.4.1); intake on ``intake``."""
        self.op(intake, self._intake, t)

    def _intake(self, t: Traject) -> None:
        self.w.gebeurtenis("intake", actor=self.adres, traject=t)
        self._zet_onderaannemer_in(t)
        if t.route == "sggz":
            # the intake is not care (§4 note 2, §6.1): diagnostiek starts on a later werkdag
            self.op(t.details["start_diagnostiek"], self._start_diagnostiek, t)
            return
        dag = self.kies_dag(self.rng(t, "vot"), self.w.vandaag, "vot_na_intake")
        if self.w.fout("laat_315"):
            dag = self.te_laat("vot_na_intake", self.w.vandaag, 4)
        self.op(dag, self.stuur_315, t, t.details.get("eerste_gemeente", t.gemeente), t.zorg)

    def _start_diagnostiek(self, t: Traject) -> None:
        """sGGZ: diagnostiek begins before any toewijzing; the 315 follows within 3 months + 5 werkdagen
        [vot_sggz], once the need for behandeling can be judged (not before ``vot_sggz_vroegst``)."""
        start = t.details["start_diagnostiek"]
        t.details["start_zorg"] = start
        self.w.gebeurtenis("start_diagnostiek", actor=self.adres, traject=t)
        self._zorg_tijdens_wachten(t, start)
        # once the diagnostiek shows what is needed, but never after the deadline (a shorter vot_sggz)
        vroegst = t.details.get("vot_sggz_vroegst")
        if vroegst is not None:
            vroegst = min(vroegst, self.w.deadline("vot_sggz", start))
        dag = self.kies_dag(self.rng(t, "vot"), start, "vot_sggz", vroegst=vroegst)
        if self.w.fout("laat_315_sggz"):
            dag = self.te_laat("vot_sggz", start, 2)
        self.op(dag, self.stuur_315, t, t.details.get("eerste_gemeente", t.gemeente), t.zorg)

    def crisis(self, t: Traject) -> None:
        """A client in crisis presents here: care starts today; 315 afterwards (Bijlage 1.5)."""
        t.details["start_zorg"] = self.w.vandaag
        self.w.gebeurtenis("eerste_contact_crisis", actor=self.adres, traject=t)
        self._zorg_tijdens_wachten(t, self.w.vandaag)
        dag = self.kies_dag(self.rng(t, "vot"), self.w.vandaag, "vot_crisis")
        if self.w.fout("laat_315_crisis"):
            dag = self.te_laat("vot_crisis", self.w.vandaag, 2)
        self.op(dag, self.stuur_315, t, t.gemeente, t.zorg)

    def _zorg_tijdens_wachten(self, t: Traject, start: date) -> None:
        """Care given before the toewijzing exists (crisis, sGGZ diagnostiek): declared after the 301."""
        self.declaraties.voorlopige_zorg[t.id] = start

    def verwacht(self, t: Traject) -> None:
        """Route toegang / GI bepaling / dyslexie 1.4.2: the client comes with the plan; a 301 follows."""
        self.w.gebeurtenis("client_aangemeld_bij_aanbieder", actor=self.adres, traject=t)
        self._zet_onderaannemer_in(t)

    # ======================================================================================
    # §11 onderaannemerschap
    # ======================================================================================
    def _zet_onderaannemer_in(self, t: Traject) -> None:
        """§11: with the plan made (intake, or the toegang's verwijzing), the hoofdaannemer engages its
        onderaannemer.  A third party without a contract with the gemeente needs afstemming with the
        toegang first (§11); that contact is outside the message traffic and recorded as an event."""
        o = t.onderaanneming
        if o is None:
            return
        self.w.gebeurtenis("inzet_onderaannemer", actor=self.adres, traject=t, hoofdaannemer=self.adres,
                           onderaannemer=o.agb, gecontracteerd=o.gecontracteerd)
        if not o.gecontracteerd:
            self.w.gebeurtenis("afstemming_toegang_onderaannemer", actor=self.adres, traject=t, gemeente=t.gemeente,
                               onderaannemer=o.agb)
        onder = self.onderaannemers.get(t.id)
        if t.heeft("onderaannemer_315") and onder is not None:
            # provocation (§11.1): the onderaannemer asks for the toewijzing itself, which the gemeente rejects
            dag = self.w.kalender.add_werkdagen(self.w.vandaag, self.rng(t, "onderaannemer_315").randint(1, 2))
            onder.op(dag, onder.stuur_315, t, t.gemeente, t.zorg)

    def _rol_agb(self, lev: Levering, rol: str) -> str:
        return self.adres if rol == "hoofdaannemer" else lev.traject.onderaannemer or ""

    def _start_partijen(self, lev: Levering, start: date) -> None:
        """§11.2: the care starts at ``start`` at one party (the 305 reports this date), at the other later."""
        o = lev.traject.onderaanneming
        eerst = o.begint
        later = "hoofdaannemer" if eerst == "onderaannemer" else "onderaannemer"
        self._partij_start(lev, eerst, start)
        if not (later == "hoofdaannemer" and o.alleen_onderaannemer):
            dag = start + timedelta(days=o.start_verschil)
            self.op(dag, self._partij_start, lev, later, dag)

    def _partij_start(self, lev: Levering, rol: str, dag: date) -> None:
        if (lev.vervallen or lev.gestopt or rol in lev.partijen_gestart
                or (lev.eind_gepland is not None and dag > lev.eind_gepland)):
            return
        lev.partijen_gestart.add(rol)
        t = lev.traject
        self.w.gebeurtenis(f"start_zorg_{rol}", actor=self._rol_agb(lev, rol), traject=t, toewijzing=lev.nummer,
                           hoofdaannemer=self.adres, onderaannemer=t.onderaannemer, datum_start=dag.isoformat())
        onder = self.onderaannemers.get(t.id)
        if rol == "onderaannemer" and onder is not None and self.w.fout("onderaannemer_meldt_start"):
            onder.stuur_305_als_onderaannemer(lev, dag)  # fault: the onderaannemer reports its own start (§11.2)

    def _plan_partij_stops(self, lev: Levering, eind: date) -> None:
        """§11.2: the party that stops first stops some days before ``eind`` (only while the other gives care:
        the care has no gap), the other on ``eind``; the definitive 307 (after ``eind``) follows the end at both."""
        o = lev.traject.onderaanneming
        eerst = o.stopt_eerst
        vroeg = eind - timedelta(days=o.einde_verschil)
        self.op(vroeg, self._partijen_stoppen, lev, (eerst,), vroeg, lev.stop_versie)
        self.op(eind, self._partijen_stoppen, lev, ("hoofdaannemer", "onderaannemer"), eind, lev.stop_versie)

    def _partijen_stoppen(self, lev: Levering, rollen: tuple[str, ...], dag: date, versie: int) -> None:
        if versie != lev.stop_versie or lev.vervallen:
            return
        if len(rollen) == 1:  # an early stop: only while the other party gives care
            ander = "onderaannemer" if rollen[0] == "hoofdaannemer" else "hoofdaannemer"
            if ander not in lev.partijen_gestart or ander in lev.partijen_gestopt:
                return
        for rol in rollen:
            if rol in lev.partijen_gestart and rol not in lev.partijen_gestopt:
                lev.partijen_gestopt.add(rol)
                self.w.gebeurtenis(f"einde_zorg_{rol}", actor=self._rol_agb(lev, rol), traject=lev.traject,
                                   toewijzing=lev.nummer, hoofdaannemer=self.adres,
                                   onderaannemer=lev.traject.onderaannemer, datum_einde=dag.isoformat())

    def stuur_305_als_onderaannemer(self, lev: Levering, begindatum: date) -> None:
        """Fault ``onderaannemer_meldt_start`` only: this aanbieder, the onderaannemer, sends a 305 for the
        hoofdaannemer's toewijzing itself — which §11.2 says it never does."""
        self._verstuur_305(lev, begindatum, "status.eerste")

    def zonder_bsn(self, t: Traject, gemeente) -> None:
        """§9.1: a client without BSN (or who must stay secret): no messages; mail instead."""
        self.w.gebeurtenis("client_zonder_bsn", actor=self.adres, traject=t)
        dag = self.kies_dag(self.rng(t, "melding"), t.aanmelding, "vot_na_intake")
        self.op(dag, self._meld_buiten_berichtenverkeer, t, gemeente)

    def _meld_buiten_berichtenverkeer(self, t: Traject, gemeente) -> None:
        self.w.gebeurtenis("melding_buiten_berichtenverkeer", actor=self.adres, traject=t, gemeente=gemeente.adres,
                           kanaal="beveiligde e-mail")
        gemeente.melding_zonder_bsn(t, self.adres)
        z = t.zorg[0]
        maand = date(z.ingangsdatum.year, z.ingangsdatum.month, 1)
        while maand <= z.einddatum:
            dag = self.declaraties.batchdag((maand.year, maand.month))  # with the month's regular batch
            self.op(dag, self.w.gebeurtenis, "declaratie_buiten_berichtenverkeer", actor=self.adres, traject=t,
                    periode=maand.isoformat()[:7])
            maand = _eerste_van_maand(maand, 1)

    # ======================================================================================
    # 315 / 317
    # ======================================================================================
    def stuur_315(self, t: Traject, gemeente: str, zorg: list[Zorgvraag], verlenging: bool = False) -> None:
        if self._wacht_op_verzoek(gemeente, t, self.stuur_315, t, gemeente, zorg, verlenging):
            return
        std = standaard_van(t.domein)
        p = t.client.persoon
        referentie = self._referentie(t, gemeente)
        eerste = self._eerste_referentie.setdefault(t.id, referentie)
        if verlenging and eerste != referentie and self.w.fout("referentie_hergebruikt"):
            referentie = eerste  # fault (TR347): the ReferentieAanbieder of the first 315 once more
        verwijzer = Verwijzer(self.w.code(std, f"verwijzer.{t.verwijzer}"),
                              naam=t.details.get("verwijzer_naam"), zorgverlenercode=t.details.get("verwijzer_agb"))
        if verlenging and self.w.fout("verlenging_niet_medisch"):
            # fault: a verlenging asked for a client referred by a GI, not a medisch verwijzer (§8.2)
            verwijzer = Verwijzer(self.w.code(std, "verwijzer.gi"), naam=t.details.get("verwijzer_naam"))
        producten = tuple(self._aangevraagd(t, z, referentie, verwijzer) for z in zorg)
        naam = _verkorte_naam(p)
        if (t.heeft("naw_afwijkend_315") and self.adres == t.aanbieder and gemeente == t.gemeente
                and not t.details.get("naw_afwijkend_gedaan")):
            # provocation (§4 naam/adres check): the 315 carries a misspelt geslachtsnaam
            t.details["naw_afwijkend_gedaan"] = True
            naam = replace(naam, geslachtsnaam=_verschreven(naam.geslachtsnaam))
            self.w.gebeurtenis("clientgegevens_afwijkend_315", actor=self.adres, traject=t, gemeente=gemeente,
                               geslachtsnaam_315=naam.geslachtsnaam, geslachtsnaam_register=p.achternaam)
        client = VerzoekToewijzingClient(
            bsn=t.bsn, geboortedatum=Geboortedatum(p.geboortedatum), geslacht=p.geslacht,
            naam=naam, producten=producten,
            gezagsdrager_bekend=(bool(t.client.gezagsdragers) if std == IJW else None),
        )
        bericht = VerzoekToewijzing(std, self.w.header(std, "315", self.adres, gemeente, self.identificatie(t.gemeente)), client)
        self.w.verstuur(bericht, bsn=t.bsn, traject=t)
        self._verzoek_verstuurd(gemeente, t, referentie, bericht.header.identificatie)
        if verlenging:
            self.verlengingen[t.id] = self.verlengingen.get(t.id, 0) + 1

    def _referentie(self, t: Traject, gemeente: str) -> str:
        """A new ReferentieAanbieder for a 315 or 317 to ``gemeente``."""
        referentie = self.nummer("referentie", t.gemeente, f"{self.adres}-{t.gemeente}-", 6)
        self.verzoeken[referentie] = t
        self.verzoek_aan[referentie] = gemeente
        return referentie

    def _aangevraagd(self, t: Traject, z: Zorgvraag, referentie: str, verwijzer: Verwijzer) -> AangevraagdProduct:
        """Specifiek: categorie, code and Omvang.  Aspecifiek (profile [toewijzing]): categorie only, an
        estimated budget, and the einddatum the profile fixes from the verzoek (LTA: 365 days)."""
        w = self.w.profiel.wijze(t.domein, z.product)
        if w.specifiek:
            return AangevraagdProduct(
                referentie_aanbieder=referentie, toewijzing_ingangsdatum=z.ingangsdatum, verwijzer=verwijzer,
                product=Product(z.product.categorie, z.product.code), toewijzing_einddatum=z.einddatum,
                omvang=Omvang(z.volume, z.product.eenheid, z.product.frequentie))
        budget = None
        if w.budget:
            budget = schat_budget(z, self.w.codes(standaard_van(t.domein)), self.rng(t, f"budget:{z.product.code}"))
        einde = self.w.profiel.toewijzing_einddatum(t.domein, self.w.vandaag) or z.einddatum
        return AangevraagdProduct(
            referentie_aanbieder=referentie, toewijzing_ingangsdatum=z.ingangsdatum, verwijzer=verwijzer,
            product=Product(z.product.categorie, None), toewijzing_einddatum=einde, budget=budget)

    def _stuur_stapeling_315(self, lev: Levering) -> None:
        """Provocation (§4 stapeling): soon after receiving a toewijzing the aanbieder asks, with a new 315,
        for the same product again from two weeks on — overlapping what it already has."""
        t, tp = lev.traject, lev.toegewezen
        if lev.vervallen or lev.gestopt or tp.einddatum is None or tp.product is None:
            return
        ingang = max(tp.ingangsdatum, self.w.vandaag) + timedelta(days=14)
        if ingang > tp.einddatum:
            return
        product = (self.w.catalogus.per_code(tp.product.code) if tp.product.code
                   else (lev.zorg or t.zorg[0]).product)
        volume = tp.omvang.volume if tp.omvang is not None else (lev.zorg or t.zorg[0]).volume
        self.stuur_315(t, lev.gemeente, [Zorgvraag(product, volume, ingang, tp.einddatum)])

    def stuur_317_budget(self, lev: Levering) -> None:
        """LTA §3.3.2: at the profile's share of the budget declared, while the planned care will not
        fit, ask a higher budget.  TR373: a budget change runs from the toewijzing's own ingangsdatum;
        TR375/TR412: no product and no Omvang on an aspecifieke toewijzing."""
        tp, t, std = lev.toegewezen, lev.traject, lev.standaard
        if lev.gestopt or lev.vervallen or lev.budget_gevraagd is not None or lev.zorg is None or tp.budget is None:
            return
        nieuw = nieuw_budget(lev.gedeclareerd_cent, lev.zorg, self.w.codes(std), self.w.vandaag)
        if nieuw <= tp.budget:
            return
        if self._wacht_op_verzoek(lev.gemeente, t, self.stuur_317_budget, lev):
            return
        referentie = self._referentie(t, lev.gemeente)
        lev.budget_gevraagd = nieuw
        andere = [l for l in self._leveringen_van(t) if l is not lev and l.gemeente == lev.gemeente
                  and l.standaard == std and _actueel(l.toegewezen, self.w.vandaag)]
        gewenst, omvang = tp.ingangsdatum, None
        if self.w.fout("budget_vow_toekomst"):  # fault: the budget from a future date, not the whole toewijzing (TR373)
            gewenst = self.w.vandaag + timedelta(days=14)
        elif tp.product is not None and self.w.fout("omvang_in_budgetverzoek"):
            omvang = Omvang(lev.zorg.volume, lev.zorg.product.eenheid, lev.zorg.product.frequentie)  # fault (TR412)
        elif tp.product is None and self.w.fout("omvang_op_generiek"):
            omvang = Omvang(lev.zorg.volume, lev.zorg.product.eenheid, lev.zorg.product.frequentie)  # fault (TR375)
        verzoek = Verzoek(
            referentie_aanbieder=referentie, reden=self.w.code(std, "verzoek.zorgplan"),
            ongewijzigd=tuple(OngewijzigdProduct(l.nummer) for l in andere),
            te_wijzigen=(TeWijzigenProduct(tp.toewijzingnummer, gewenst, einddatum=tp.einddatum, omvang=omvang,
                                           budget=nieuw),),
        )
        self.w.gebeurtenis("budget_vow", actor=self.adres, traject=t, toewijzing=tp.toewijzingnummer,
                           budget=tp.budget, gedeclareerd=lev.gedeclareerd_cent, gevraagd=nieuw)
        bericht = VerzoekWijziging(std, self.w.header(std, "317", self.adres, lev.gemeente, self.identificatie(t.gemeente)),
                                   VerzoekWijzigingClient(t.bsn, verzoek))
        self.w.verstuur(bericht, bsn=t.bsn, toewijzingnummers=(tp.toewijzingnummer,), traject=t)
        self._verzoek_verstuurd(lev.gemeente, t, referentie, bericht.header.identificatie)

    def stuur_317(self, lev: Levering, gewenst: date, nieuw_volume: int) -> None:
        """Verzoek om wijziging: more (or less) care per period from ``gewenst`` on (§8.1)."""
        t, std = lev.traject, lev.standaard
        referentie = self._referentie(t, lev.gemeente)
        tp = lev.toegewezen
        if self.w.fout("vow_verleden"):
            gewenst = self.w.vandaag - timedelta(days=10)
        # the other current toewijzingen of this gemeente and standard (a Wmo toewijzing after 18 is not one, TR349)
        andere = [l for l in self._leveringen_van(t) if l is not lev and l.gemeente == lev.gemeente
                  and l.standaard == std and _actueel(l.toegewezen, self.w.vandaag)]
        ongewijzigd = tuple(OngewijzigdProduct(l.nummer) for l in andere)
        omvang = replace(tp.omvang, volume=nieuw_volume)
        te_wijzigen = (TeWijzigenProduct(tp.toewijzingnummer, gewenst, einddatum=tp.einddatum, omvang=omvang),)
        nieuw: tuple[NieuwProduct, ...] = ()
        if self.w.fout("vow_zonder_omvang"):  # fault: no Omvang for a toewijzing with a ProductCode (TR411)
            te_wijzigen = (TeWijzigenProduct(tp.toewijzingnummer, gewenst, einddatum=tp.einddatum, omvang=None),)
        elif self.w.fout("vow_product_dubbel"):  # fault: the same product also asked new, overlapping (TR361)
            nieuw = (NieuwProduct(gewenst, product=tp.product, einddatum=tp.einddatum, omvang=tp.omvang),)
        elif self.w.fout("vow_zonder_actuele"):
            # fault (TR349): the care asked as a new product; the current toewijzing is not named at all
            te_wijzigen, nieuw = (), (NieuwProduct(gewenst, tp.product, tp.einddatum, omvang),)
        elif self.w.fout("vow_onbekend_ongewijzigd"):
            # fault (TR350): an OngewijzigdProduct on a toewijzingnummer this aanbieder never received
            ongewijzigd += (OngewijzigdProduct(str(999_000_000 + int(tp.toewijzingnummer) % 1_000_000)),)
        verzoek = Verzoek(referentie_aanbieder=referentie, reden=self.w.code(std, "verzoek.zorgplan"),
                          ongewijzigd=ongewijzigd, te_wijzigen=te_wijzigen, nieuw=nieuw)
        bericht = VerzoekWijziging(std, self.w.header(std, "317", self.adres, lev.gemeente, self.identificatie(t.gemeente)),
                                   VerzoekWijzigingClient(t.bsn, verzoek))
        self.w.verstuur(bericht, bsn=t.bsn, toewijzingnummers=(tp.toewijzingnummer,), traject=t)
        self._verzoek_verstuurd(lev.gemeente, t, referentie, bericht.header.identificatie)

    def _wacht_op_verzoek(self, gemeente: str, t: Traject, actie: Callable[..., None], *args: Any) -> bool:
        """TR374: while a verzoek for this client is onderhanden at ``gemeente``, a new one waits for its
        answer (then ``actie(*args)`` runs).  True when it waits."""
        sleutel = (gemeente, t.bsn)
        if sleutel not in self.onderhanden:
            return False
        self.na_verzoek.setdefault(sleutel, []).append((actie, args))
        self.w.gebeurtenis("verzoek_wacht_op_antwoord", actor=self.adres, traject=t,
                           onderhanden=self.onderhanden[sleutel][0])
        return True

    def _verzoek_verstuurd(self, gemeente: str, t: Traject, referentie: str, identificatie: str) -> None:
        self.onderhanden[(gemeente, t.bsn)] = (referentie, identificatie)

    def _verzoek_beantwoord(self, gemeente: str, bsn: str, *, referentie: str | None = None,
                            identificatie: str | None = None) -> None:
        """The onderhanden verzoek (named by its ReferentieAanbieder or BerichtIdentificatie) is answered:
        what waited for it goes now."""
        sleutel = (gemeente, bsn)
        open_verzoek = self.onderhanden.get(sleutel)
        if open_verzoek is None or referentie not in (None, open_verzoek[0]) or identificatie not in (None, open_verzoek[1]):
            return
        del self.onderhanden[sleutel]
        for actie, args in self.na_verzoek.pop(sleutel, []):
            actie(*args)

    # ======================================================================================
    # Receiving
    # ======================================================================================
    def _retour(self, heen, aflevering: Aflevering, gemeente: str, codes: dict | None = None) -> None:
        retour = maak_retour(heen, identificatie=self.identificatie(gemeente), dagtekening=self.w.vandaag,
                             registry=self.w.registry, codes_per_klasse=codes or None)
        self.w.verstuur(retour, heen=heen.header.identificatie, bsn=aflevering.verzending.bsn,
                        toewijzingnummers=aflevering.verzending.toewijzingnummers,
                        traject=self.w.trajecten.get(aflevering.verzending.traject or ""))

    def bij_301(self, b: Toewijzing, aflevering: Aflevering) -> None:
        gemeente = b.header.afzender
        t = self.w.traject_bij(b.client.bsn, self.adres)
        rng = self.rng(t, f"302:{b.header.identificatie}")
        retourdag = self.kies_dag(rng, aflevering.ontvangen, "retour_302", spreiding=0.5)
        if self.w.fout("laat_302"):
            retourdag = self.te_laat("retour_302", aflevering.ontvangen, 3)
        gemeld, afgewezen = self._codes_301(b, gemeente)
        if not self.w.fout("geen_302"):
            self.op(retourdag, self._retour, b, aflevering, gemeente, gemeld)
        if t is None:
            self.w.gebeurtenis("toewijzing_onbekende_client", actor=self.adres, bsn=b.client.bsn)
            return
        for tp in b.client.producten:
            if tp not in afgewezen:
                self._verwerk_toegewezen(t, b.standaard, gemeente, tp, aflevering.ontvangen, retourdag)
        for tp in b.client.producten:
            if tp.referentie_aanbieder and tp not in afgewezen:
                self._verzoek_beantwoord(gemeente, b.client.bsn, referentie=tp.referentie_aanbieder)

    def _codes_301(self, b: Toewijzing, gemeente: str) -> tuple[dict[ToegewezenProduct, tuple[str, ...]],
                                                                 set[ToegewezenProduct]]:
        """The retourcodes of the 302 per ToegewezenProduct, judged as received (before they change the
        leveringen), and the ToegewezenProducten rejected (not processed).  TR379 a ReferentieAanbieder, new on
        this toewijzing, of no 315/317 this aanbieder sent this gemeente for this client; TR385 a removal
        (RedenWijziging 13) of a toewijzing with approved prestaties: both reported, the toewijzing is still
        taken as the gemeente sent it.  TR332 a ToewijzingNummer this aanbieder holds for another client (or
        standaard) is not unique: rejected."""
        codes: dict[ToegewezenProduct, tuple[str, ...]] = {}
        afgewezen: set[ToegewezenProduct] = set()
        verwijderd = self.w.code(b.standaard, "wijziging.verwijderd")
        for tp in b.client.producten:
            lev = self.leveringen.get((gemeente, tp.toewijzingnummer))
            oud = lev.toegewezen if lev is not None else None
            regels = []
            ref = tp.referentie_aanbieder
            if ref and (oud is None or oud.referentie_aanbieder != ref):
                t = self.verzoeken.get(ref)
                if t is None or t.bsn != b.client.bsn or self.verzoek_aan.get(ref) != gemeente:
                    regels.append("TR379")
            if (tp.reden_wijziging == verwijderd and oud is not None and oud.reden_wijziging != verwijderd
                    and self.declaraties.heeft_goedgekeurd(gemeente, tp.toewijzingnummer)):
                regels.append("TR385")
            if lev is not None and (lev.traject.bsn != b.client.bsn or lev.standaard != b.standaard):
                regels.append("TR332")
                afgewezen.add(tp)
            if regels:
                codes[tp] = tuple(retourcode_voor_regel(self.w.codelijsten, b.standaard, r) for r in regels)
        return codes, afgewezen

    def bij_319(self, b: Antwoord, aflevering: Aflevering) -> None:
        gemeente = b.header.afzender
        t = self.verzoeken.get(b.antwoord.referentie_aanbieder)
        rng = self.rng(t, f"320:{b.header.identificatie}")
        dag = self.kies_dag(rng, aflevering.ontvangen, "retour_320", spreiding=0.5)
        if self.w.fout("laat_320"):
            dag = self.te_laat("retour_320", aflevering.ontvangen, 2)
        # TR355: an answer to a ReferentieAanbieder this aanbieder never used is rejected
        codes = {b.antwoord: (self.w.code(b.standaard, "retour.referentie_onbekend"),)} if t is None else None
        self.op(dag, self._retour, b, aflevering, gemeente, codes)
        if t is None:
            return
        std = b.standaard
        if b.antwoord.verzoek_antwoord == self.w.code(std, "antwoord.in_onderzoek"):
            self.w.gebeurtenis("verzoek_in_onderzoek", actor=self.adres, traject=t)
            return
        self.w.gebeurtenis("verzoek_afgewezen", actor=self.adres, traject=t, reden=b.antwoord.reden_afwijzing)
        self._verzoek_beantwoord(gemeente, t.bsn, referentie=b.antwoord.referentie_aanbieder)
        wpb = b.antwoord.woonplaatsbeginsel
        if wpb is not None and wpb.gemeente != gemeente and t.details.get("opnieuw_315") is None:
            t.details["opnieuw_315"] = wpb.gemeente
            dag = self.kies_dag(self.rng(t, "vot2"), aflevering.ontvangen, "vot_na_intake")
            self.op(dag, self.stuur_315, t, wpb.gemeente, t.zorg)
        elif t.details.get("start_zorg") is not None and t.id in self.declaraties.voorlopige_zorg:
            # crisis / sGGZ care without a toewijzing is not declarable: it ends
            del self.declaraties.voorlopige_zorg[t.id]
            self.w.gebeurtenis("zorg_beeindigd_zonder_toewijzing", actor=self.adres, traject=t)

    def bij_306(self, b, aflevering: Aflevering) -> None:
        self._noteer_retourcodes(b)

    bij_320 = bij_306

    def bij_308(self, b: StopRetour, aflevering: Aflevering) -> None:
        self._noteer_retourcodes(b)
        self._na_retour_intrekking(b)

    def bij_316(self, b, aflevering: Aflevering) -> None:
        """A verzoek rejected with a retourcode (IV028) is not onderhanden any more: it gets no 301 or 319."""
        if self._noteer_retourcodes(b) and b.client is not None:
            self._verzoek_beantwoord(b.header.ontvanger, b.client.bsn, identificatie=b.header.identificatie)

    bij_318 = bij_316

    def bij_325(self, b, aflevering: Aflevering) -> None:
        self.declaraties.verwerk_antwoord(b, aflevering.ontvangen)

    def _noteer_retourcodes(self, b) -> set[str]:
        codes = set(b.retour.retourcodes)
        if b.client is not None:
            codes.update(b.client.retourcodes)
        codes -= {self.w.code(b.standaard, "retour.geen_opmerking")}
        if codes:
            self.w.gebeurtenis("retour_met_codes", actor=self.adres, berichttype=f"{b.standaard.type_prefix}{b.nummer}",
                               codes=sorted(codes), heen=b.header.identificatie)
        return codes

    # ======================================================================================
    # Toewijzingen → care
    # ======================================================================================
    def _leveringen_van(self, t: Traject) -> list[Levering]:
        return list(self._per_traject.get(id(t), ()))  # an index: scanning every levering grew with the run

    def _verwerk_toegewezen(self, t: Traject, std: Standaard, gemeente: str, tp: ToegewezenProduct,
                            ontvangen: date, retourdag: date) -> None:
        sleutel = (gemeente, tp.toewijzingnummer)
        lev = self.leveringen.get(sleutel)
        if lev is None:
            if tp.einddatum is not None and tp.einddatum <= tp.ingangsdatum:
                return  # arrives already vervallen
            lev = Levering(gemeente, std, t, tp, ontvangen, eind_gepland=tp.einddatum)
            if tp.omvang is None:  # aspecifiek (or generiek: no Product at all): the aanbieder chooses the products
                lev.zorg = _zorg_in_categorie(t, tp)
                lev.eind_gepland = zorg_einde(tp, lev.zorg)
            self.leveringen[sleutel] = lev
            self._per_traject.setdefault(id(t), []).append(lev)
            self._plan_start(lev, retourdag)
            self.declaraties.nieuwe_levering(lev)
            if t.heeft("stapeling_315") and "stapeling_gedaan" not in t.details and std == IJW:
                t.details["stapeling_gedaan"] = True
                dag = self.w.kalender.add_werkdagen(retourdag, self.rng(t, "stapeling_315").randint(1, 3))
                self.op(dag, self._stuur_stapeling_315, lev)
            return
        oud = lev.toegewezen
        lev.toegewezen = tp
        if tp.budget != oud.budget:
            lev.budget_gevraagd = None  # the budget change was answered
        if tp == oud:
            return
        if tp.einddatum is not None and tp.einddatum <= tp.ingangsdatum:  # vervallen
            lev.vervallen = True
            lev.stop_versie += 1
            self.w.gebeurtenis("toewijzing_vervallen", actor=self.adres, traject=t, toewijzing=tp.toewijzingnummer)
            return
        if tp.einddatum != oud.einddatum:
            self._wijzig_einde(lev, tp, ontvangen)

    def _plan_start(self, lev: Levering, retourdag: date) -> None:
        """Plan the real start of care and its 305 (never before the 302 of the toewijzing)."""
        t, tp = lev.traject, lev.toegewezen
        if start_niet(t, tp.toewijzingnummer):
            self.w.gebeurtenis("zorg_start_niet", actor=self.adres, traject=t, toewijzing=tp.toewijzingnummer)
            return
        rng = self.rng(t, f"start:{tp.toewijzingnummer}")
        kal = self.w.kalender
        start, terugwerkend = eerste_zorgdag(kal, t, tp, lev.ontvangen, voortgezet=self._voorganger(lev) is not None,
                                             eerder=t.details.get("start_zorg"))
        if terugwerkend:
            sleutel = "start_305_sggz" if t.route == "sggz" else "start_305_terugwerkend"
        else:
            sleutel = "start_305"
        vervallen = kal.volgende_werkdag(self.w.deadline("toewijzing_vervalt", max(tp.ingangsdatum, lev.ontvangen)))
        na_verval = (sleutel == "start_305" and (tp.einddatum is None or vervallen < tp.einddatum)
                     and self.w.fout("start_na_vervaltermijn"))
        if na_verval:
            start = vervallen  # fault: care starts, and its 305 goes, after the toewijzing lapsed (§5)
        if tp.einddatum is not None and start > tp.einddatum:
            return
        lev.perioden.append([start, lev.eind_gepland or tp.einddatum or start])
        # §11: the onderaannemer gives part of the care of the trajectory's first toewijzing
        lev.met_onderaannemer = (t.onderaanneming is not None and self._voorganger(lev) is None
                                 and t.details.setdefault("onderaanneming_toewijzing", tp.toewijzingnummer)
                                 == tp.toewijzingnummer)
        laat = False
        if sleutel == "start_305":
            self.op(start, self._zorg_start, lev, start)
            dag = start if na_verval else self.kies_dag(rng, start, sleutel, spreiding=0.6, vroegst=retourdag)
            if self.w.fout("laat_305"):
                dag, laat = self.te_laat("start_305", start, 3), True
        else:
            dag = self.kies_dag(rng, lev.ontvangen, sleutel, spreiding=0.6, vroegst=retourdag)
            # the care before the 301 is declared after this 305: both within the declaration deadline
            dag = min(dag, max(retourdag, kal.vorige_werkdag(self.declaraties.inhaal_uiterlijk(lev))))
            if self.w.fout({"start_305_sggz": "laat_305_sggz", "start_305_terugwerkend": "laat_305_terugwerkend"}[sleutel]):
                dag, laat = self.te_laat(sleutel, lev.ontvangen, 2), True
        eind = lev.eind_gepland or tp.einddatum
        if eind is not None and not laat and not na_verval:
            # care that ends soon (a short crisis, sGGZ diagnostiek already done): the 307 follows this 305
            # and is due within stop_307 of the end (or of the 301): leave it a werkdag
            stop_uiterlijk = self.w.deadline("stop_307", max(eind, lev.ontvangen))
            dag = min(dag, max(retourdag, kal.vorige_werkdag(stop_uiterlijk)))
        lev.dag_305 = dag
        self.op(dag, self._stuur_305, lev, start)
        self._plan_verloop(lev, start)

    def _zorg_start(self, lev: Levering, start: date) -> None:
        if not lev.vervallen:
            self.w.gebeurtenis("start_zorg", actor=self.adres, traject=lev.traject, toewijzing=lev.nummer,
                               datum_start=start.isoformat())
            if lev.met_onderaannemer:
                self._start_partijen(lev, start)

    def _voorganger(self, lev: Levering) -> Levering | None:
        """The toewijzing of the same trajectory this one directly continues (einddatum + 1 = ingangsdatum):
        one whose care has started, or — Jw → Wmo at 18 (§12) — the Jeugd toewijzing that ends the day before
        the 18th birthday, even when the WMO301 arrives before that Jeugd care has begun."""
        ingang = lev.toegewezen.ingangsdatum
        for l in self._leveringen_van(lev.traject):
            eind = l.toegewezen.einddatum
            if l is lev or eind is None or eind + timedelta(days=1) != ingang:
                continue
            if l.gestart or _overgang_18(l, lev):
                return l
        return None

    def _plan_verloop(self, lev: Levering, start: date) -> None:
        """Schedule the definitive stop and the special events of the care period."""
        t, tp = lev.traject, lev.toegewezen
        eind = lev.eind_gepland or tp.einddatum  # aspecifiek: the care ends when the planned care does
        if eind is None:
            return
        self._plan_stop(lev, eind, reden_einde_plan(t, eind))
        duur = (eind - start).days
        if t.heeft("tijdelijk_stoppen") and duur > 120 and "tijdelijk_gedaan" not in t.details:
            t.details["tijdelijk_gedaan"] = True
            self._plan_tijdelijk_stoppen(lev, start)
        # a 317 is for Jeugd; a WMO317 only as a provocation the gemeente must reject (§8.1)
        vow = (t.heeft("vow") and lev.standaard == IJW) or (t.heeft("wmo317") and lev.standaard != IJW)
        vow = vow and tp.omvang is not None  # an aspecifieke toewijzing changes by budget (stuur_317_budget)
        # a total over the loopduur changes only for the whole toewijzing (TR373), never from a future date (§8.1)
        vow = vow and tp.omvang.frequentie != self.w.code(lev.standaard, "frequentie.totaal")
        if vow and duur > 100 and "vow_gedaan" not in t.details:
            t.details["vow_gedaan"] = True
            rng = self.rng(t, "vow")
            verzend = start + timedelta(days=rng.randint(20, max(21, duur // 3)))
            gewenst = verzend + timedelta(days=rng.randint(14, 45))
            if gewenst < eind - timedelta(days=20):
                volume = max(1, tp.omvang.volume + rng.choice((-1, 1, 2))) if tp.omvang else 1
                self.op(verzend, self._vow_als_actueel, lev, gewenst, volume)
        max_n = int(self.w.profiel.regel("max_verlengingen_via_315"))
        if t.heeft("verlenging_via_315") and t.route == "extern" and "verlenging_gedaan" not in t.details:
            t.details["verlenging_gedaan"] = True
            if self.verlengingen.get(t.id, 0) < max_n:
                self._vraag_verlenging(t, start, eind)
        elif (t.heeft("verlenging_via_315") and self.verlengingen.get(t.id, 0) >= max_n
              and "tweede_verlenging" not in t.details and self.w.fout("tweede_verlenging")):
            t.details["tweede_verlenging"] = True  # fault: one verlenging more than §4.1 allows
            self._vraag_verlenging(t, start, eind)
        elif t.route == "crisis" and "verlenging_gedaan" not in t.details and self.w.fout("verlenging_crisis"):
            t.details["verlenging_gedaan"] = True  # fault: a verlenging of crisis care (§4.1: never)
            self._vraag_verlenging(t, start, eind)

    def _vraag_verlenging(self, t: Traject, start: date, eind: date) -> None:
        """§4.1: a 315 for the same care from the day after ``eind``, sent some weeks before it."""
        nieuw_begin = eind + timedelta(days=1)
        zorg = [Zorgvraag(z.product, z.volume, nieuw_begin, nieuw_begin + (z.einddatum - z.ingangsdatum))
                for z in t.zorg[:1]]
        self.op(max(start, eind - timedelta(days=35)), self.stuur_315, t, t.gemeente, zorg, True)

    def _vow_als_actueel(self, lev: Levering, gewenst: date, volume: int) -> None:
        if (lev.gestopt or lev.start_actueel is None or (lev.toegewezen.einddatum or gewenst) <= gewenst
                or gewenst <= self.w.vandaag):  # (after waiting for an earlier verzoek: no longer in the future)
            return
        if self._wacht_op_verzoek(lev.gemeente, lev.traject, self._vow_als_actueel, lev, gewenst, volume):
            return
        self.stuur_317(lev, gewenst, volume)
        if self.w.fout("verzoek_tijdens_onderhanden"):
            self.stuur_317(lev, gewenst, volume)  # fault (TR374): sent again at once, the first one still onderhanden

    def _plan_stop(self, lev: Levering, eind: date, reden: str, bekend: date | None = None) -> None:
        """Plan the 307 for ``eind``; ``bekend`` is when the aanbieder learnt of this end (a 301)."""
        lev.stop_versie += 1
        lev.eind_gepland = eind
        if lev.perioden:
            lev.perioden[-1][1] = eind
        if lev.met_onderaannemer:
            self._plan_partij_stops(lev, eind)
        # the 307 follows the 305; when the toewijzing came only after the care ended (a retroactive
        # sGGZ diagnostiek, a short crisis) the 5 werkdagen run from receiving the 301
        basis = max(eind, bekend or lev.ontvangen)
        vroegst = self.w.kalender.volgende_werkdag(lev.dag_305) if lev.dag_305 else None
        dag = self.kies_dag(self.rng(lev.traject, f"stop:{lev.nummer}:{eind}"), basis, "stop_307", spreiding=0.6,
                            vroegst=vroegst)
        if reden == "beeindiging.volgens_plan" and basis == eind and eind > self.w.vandaag and self.w.fout("laat_307"):
            dag = self.te_laat("stop_307", basis, 4)
        self.op(dag, self._stuur_307, lev, eind, reden, lev.stop_versie)

    def _wijzig_einde(self, lev: Levering, tp: ToegewezenProduct, ontvangen: date) -> None:
        """The gemeente changed the einddatum: inkorten / voortijdig stoppen / wijziging / verlengen."""
        if lev.gestopt or not lev.perioden:
            return
        nieuw = zorg_einde(tp, lev.zorg)
        if lev.zorg is not None and nieuw is not None and nieuw == lev.eind_gepland:
            return  # aspecifiek: the end of the planned care did not move
        if nieuw is not None:
            self._plan_stop(lev, nieuw, reden_nieuw_einde(self.w.codes(lev.standaard), tp, lev.eind_gepland, nieuw),
                            ontvangen)

    def _plan_tijdelijk_stoppen(self, lev: Levering, start: date) -> None:
        """Full calendar months without care (§6.4; how many: [regels] tijdelijk_stoppen_na): 307
        'tijdelijk' once they have passed, later a new 305."""
        t = lev.traject
        pauze = pauze_zonder_zorg(start, lev.eind_gepland, int(self.w.profiel.regel("tijdelijk_stoppen_na")))
        if pauze is None:
            return
        pauze_begin, pauze_eind = pauze
        laatste_zorgdag, hervat = pauze_begin - timedelta(days=1), pauze_eind + timedelta(days=1)
        laat = False
        if (_eerste_van_maand(pauze_begin, 2) < lev.eind_gepland - timedelta(days=20)
                and self.w.fout("laat_tijdelijke_stop")):
            laat, hervat = True, _eerste_van_maand(pauze_begin, 2)  # fault: a pause of two months, reported late
        definitief = t.heeft("stop_corrigeren")
        t.details["tijdelijk"] = (laatste_zorgdag, hervat)
        lev.perioden[-1][1] = laatste_zorgdag
        rng = self.rng(t, "tijdelijk")
        # the stop is known once the month without care has passed
        dag = self.kies_dag(rng, pauze_eind, "stop_307_tijdelijk", spreiding=0.5)
        if laat:
            dag = self.te_laat("stop_307_tijdelijk", pauze_eind, 2)
        self.op(dag, self._stuur_tijdelijke_stop, lev, laatste_zorgdag, hervat, definitief)

    def _stuur_tijdelijke_stop(self, lev: Levering, laatste: date, hervat: date, definitief: bool) -> None:
        if lev.gestopt or lev.vervallen or lev.start_actueel is None:
            return
        lev.stop_versie += 1  # the planned definitive stop is replaced below
        begin = lev.start_actueel
        self._stuur_stopbericht(lev, laatste, "beeindiging.tijdelijk", "status.eerste")
        lev.start_actueel = None
        if not definitief and self.w.fout("tweede_tijdelijke_stop"):
            # fault: a second temporary stop on this start, a week later (TR413)
            self._stuur_extra_stop(lev, begin, laatste + timedelta(days=7), "beeindiging.tijdelijk")
        elif not definitief and self.w.fout("stop_eerder_dan_tijdelijk"):
            # fault: a definitive stop after the temporary one, with an einddatum before it (TR414)
            self._stuur_extra_stop(lev, begin, laatste - timedelta(days=1), "beeindiging.door_client")
        rng = self.rng(lev.traject, "tijdelijk2")
        if definitief:
            # the temporary stop turns out to be definitive: withdraw it, then stop for real (§6.4)
            lev.gestopt = True
            dag = self.w.kalender.add_werkdagen(self.w.vandaag, 2)
            self.op(dag, self._trek_tijdelijke_stop_in, lev, laatste)
            lev.eind_gepland = laatste
            return
        lev.perioden.append([hervat, lev.eind_gepland])
        self._plan_stop(lev, lev.eind_gepland, "beeindiging.volgens_plan")
        # known (and recorded) once the 307 is out, after the month without care; the care resumed on ``hervat``
        self.op(hervat, self.w.gebeurtenis, "hervat_zorg", actor=self.adres, traject=lev.traject, toewijzing=lev.nummer,
                datum_hervat=hervat.isoformat())
        self.op(self.kies_dag(rng, hervat, "start_305", spreiding=0.5), self._stuur_305, lev, hervat)

    def _trek_tijdelijke_stop_in(self, lev: Levering, laatste: date) -> None:
        """§6.4, a temporary stop that turns out definitive: withdraw the temporary 307 ('verwijderen
        aanlevering'), wait for the gemeente's 308 on it, then send the 307 with the right reden.  The
        definitive 307 is due within ``stop_307`` of the withdrawal; if no 308 has come by that last day,
        it goes then anyway (the deadline outweighs the order)."""
        b = self._stuur_stopbericht(lev, laatste, "beeindiging.tijdelijk", "status.verwijderen")
        intrekking = Intrekking(lev, laatste, self.w.vandaag)
        self.intrekkingen[(lev.gemeente, b.header.identificatie)] = intrekking
        self.op(self.w.deadline("stop_307", self.w.vandaag), self._definitieve_stop, intrekking)

    def _na_retour_intrekking(self, b: StopRetour) -> None:
        """The 308 on a withdrawal arrived (handled the werkdag after): now the definitive 307 may go."""
        intrekking = self.intrekkingen.pop((b.header.ontvanger, b.header.identificatie), None)
        if intrekking is None:
            return
        rng = self.rng(intrekking.lev.traject, f"definitief:{intrekking.lev.nummer}")
        dag = self.kies_dag(rng, intrekking.ingetrokken, "stop_307", vroegst=self.w.vandaag, spreiding=0.5)
        self.op(dag, self._definitieve_stop, intrekking)

    def _definitieve_stop(self, intrekking: Intrekking) -> None:
        if intrekking.gestopt:
            return
        intrekking.gestopt = True
        self._stuur_stopbericht(intrekking.lev, intrekking.laatste, "beeindiging.door_client", "status.eerste")

    # ======================================================================================
    # 305 / 307
    # ======================================================================================
    def _stuur_305(self, lev: Levering, begindatum: date) -> None:
        if lev.vervallen or lev.gestopt or lev.start_actueel is not None:
            return
        tp = lev.toegewezen
        if tp.einddatum is not None and tp.einddatum <= tp.ingangsdatum:
            return
        client, product = self._verstuur_305(lev, begindatum, "status.eerste")
        lev.start_actueel = begindatum
        lev.gestart = True
        self._foutieve_305(lev, client, product)

    def _foutieve_305(self, lev: Levering, client: StartClient, product: StartProduct) -> None:
        """Fault switches: a 305 on a toewijzing never received, a second current 305, or the withdrawal of a
        stop that was never sent."""
        if self.w.fout("verwijderen_zonder_aanlevering"):
            # fault (TR063): a stop withdrawn ("verwijderen aanlevering") that was never sent
            tp = lev.toegewezen
            self._stuur_stopbericht(lev, lev.eind_gepland or tp.einddatum or product.begindatum,
                                    "beeindiging.volgens_plan", "status.verwijderen")
            return
        fout = None
        if self.w.fout("305_zonder_301"):
            fout = replace(product, toewijzingnummer=str(999_000_000 + int(product.toewijzingnummer) % 1_000_000))
        elif self.w.fout("dubbele_305"):
            fout = replace(product, begindatum=product.begindatum + timedelta(days=1))
        elif self.w.fout("305_herhaald"):
            fout = product  # the same start again: a key already received (TR074)
        if fout is None:
            return
        t, std = lev.traject, lev.standaard
        b = Start(std, self.w.header(std, "305", self.adres, lev.gemeente, self.identificatie(t.gemeente)),
                  replace(client, producten=(fout,)))
        self.w.verstuur(b, bsn=t.bsn, toewijzingnummers=(fout.toewijzingnummer,), traject=t)

    def _stuur_307(self, lev: Levering, einddatum: date, reden: str, versie: int) -> None:
        if versie != lev.stop_versie or lev.gestopt:
            return
        if lev.start_actueel is None:
            return  # never started (or temporarily stopped and not resumed): nothing to stop
        begin = lev.start_actueel
        self._stuur_stopbericht(lev, einddatum, reden, "status.eerste")
        lev.gestopt = True
        lev.start_actueel = None
        if self.w.fout("tweede_definitieve_stop"):  # fault: a second definitive 307 on this start (TR415)
            ander = "beeindiging.in_overeenstemming" if reden == "beeindiging.volgens_plan" else "beeindiging.volgens_plan"
            self._stuur_extra_stop(lev, begin, einddatum, ander)
        elif self.w.fout("start_verwijderd_na_stop"):  # fault: the stopped start withdrawn a werkdag later (TR071)
            self.op(self.w.kalender.add_werkdagen(self.w.vandaag, 1), self._verwijder_305, lev, begin)
        self.w.gebeurtenis("einde_zorg", actor=self.adres, traject=lev.traject, toewijzing=lev.nummer,
                           datum_einde=einddatum.isoformat())
        tp = lev.toegewezen
        if lev.standaard == IJW and tp.omvang is not None and self.w.fout("vow_na_einde"):
            # fault (TR351): a change asked for the toewijzing that just ended
            self.stuur_317(lev, self.w.vandaag + timedelta(days=14), tp.omvang.volume + 1)

    def _stuur_stopbericht(self, lev: Levering, einddatum: date, reden: str, status: str) -> Stop:
        t, tp = lev.traject, lev.toegewezen
        begin = lev.start_actueel or t.details.get("laatste_start", {}).get(lev.nummer) or lev.perioden[-1][0]
        t.details.setdefault("laatste_start", {})[lev.nummer] = begin
        if status == "status.eerste" and reden != "beeindiging.tijdelijk" and self.w.fout("307_zonder_305"):
            begin = begin - timedelta(days=1)  # a begindatum for which no 305 is current
        product = tp.product
        if (status == "status.eerste" and reden != "beeindiging.tijdelijk" and product is not None and product.code
                and "stop_ander_product" in self.w.fouten):  # the catalogue scan only when the fault is on
            domein = self.w.catalogus.per_code(product.code).domein
            andere = [p for p in self.w.catalogus.per_categorie(product.categorie, domein) if p.code != product.code]
            if andere and self.w.fout("stop_ander_product"):  # fault: not the product of the 305 (TR382)
                product = Product(andere[0].categorie, andere[0].code)
        return self._verstuur_307(lev, begin, einddatum, reden, status, product)

    def _verstuur_305(self, lev: Levering, begindatum: date, status: str) -> tuple[StartClient, StartProduct]:
        """A 305 for toewijzing ``lev`` with one StartProduct; sent, and returned for the fault switches."""
        t, tp, std = lev.traject, lev.toegewezen, lev.standaard
        p = t.client.persoon
        product = StartProduct(begindatum, self.w.code(std, status), toewijzingnummer=tp.toewijzingnummer,
                               product=tp.product, toewijzing_ingangsdatum=tp.ingangsdatum)
        client = StartClient(t.bsn, Geboortedatum(p.geboortedatum), p.geslacht, _verkorte_naam(p), (product,))
        b = Start(std, self.w.header(std, "305", self.adres, lev.gemeente, self.identificatie(t.gemeente)), client)
        self.w.verstuur(b, bsn=t.bsn, toewijzingnummers=(tp.toewijzingnummer,), traject=t)
        return client, product

    def _verstuur_307(self, lev: Levering, begin: date, einddatum: date, reden: str, status: str,
                      product: Product | None) -> Stop:
        """A 307 for toewijzing ``lev`` with one StopProduct (the start of ``begin``); sent and returned."""
        t, tp, std = lev.traject, lev.toegewezen, lev.standaard
        p = t.client.persoon
        stop = StopProduct(begin, self.w.code(std, reden), einddatum, self.w.code(std, status),
                           toewijzingnummer=tp.toewijzingnummer, product=product,
                           toewijzing_ingangsdatum=tp.ingangsdatum)
        client = StopClient(t.bsn, Geboortedatum(p.geboortedatum), p.geslacht, _verkorte_naam(p), (stop,))
        b = Stop(std, self.w.header(std, "307", self.adres, lev.gemeente, self.identificatie(t.gemeente)), client)
        self.w.verstuur(b, bsn=t.bsn, toewijzingnummers=(tp.toewijzingnummer,), traject=t)
        return b

    # -- fault switches on starts and stops (actors/fouten.py) --------------------------------
    def _stuur_extra_stop(self, lev: Levering, begin: date, einddatum: date, reden: str) -> None:
        """A further 307 on the start of ``begin``; the aanbieder's own bookkeeping does not change."""
        self._verstuur_307(lev, begin, einddatum, reden, "status.eerste", lev.toegewezen.product)

    def _verwijder_305(self, lev: Levering, begin: date) -> None:
        """A 305 with StatusAanlevering 3 (verwijderen) for the start of ``begin``."""
        self._verstuur_305(lev, begin, "status.verwijderen")


def _zorg_in_categorie(t: Traject, tp: ToegewezenProduct) -> Zorgvraag | None:
    """The planned care of ``t`` an aspecifieke toewijzing (categorie only) covers; without a Product
    (generiek, which no profile assigns: fault ``generiek_toewijzen``) any care in the toewijzing's domein."""
    passend = [z for z in t.zorg + list(t.details.get("wmo_zorg") or [])
               if (z.product.categorie == tp.product.categorie if tp.product is not None
                   else z.product.domein == t.domein)]
    return min(passend, key=lambda z: abs((z.ingangsdatum - tp.ingangsdatum).days), default=None)


# -- the rules of the care itself: shared with the ground truth told to an aanbieder SUT (actors/zorgverloop.py) --
def start_niet(t: Traject, nummer: str) -> bool:
    """Event ``geen_start``: the client never comes — true for the trajectory's first toewijzing to arrive
    (the gemeente lets it lapse); its later ones start as usual."""
    return t.heeft("geen_start") and t.details.setdefault("geen_start_toewijzing", nummer) == nummer


def eerste_zorgdag(kal: Werkdagkalender, t: Traject, tp: ToegewezenProduct, ontvangen: date, *, voortgezet: bool,
                   eerder: date | None) -> tuple[date, bool]:
    """The real start of care on a new toewijzing received on ``ontvangen``, and whether its 301 is retroactive.
    Continuous care (``voortgezet``: Jw → Wmo at 18, the new toewijzing after a wijziging, dyslexie behandeling)
    starts on the ingangsdatum; care that began before the toewijzing (``eerder``: crisis, sGGZ diagnostiek)
    goes on from then, not before the ingangsdatum (retroactive); else care starts the werkdag after the 301
    plus the trajectory's wachttijd, not before the ingangsdatum."""
    if voortgezet:
        return tp.ingangsdatum, False
    if eerder is not None and eerder <= ontvangen:
        return max(eerder, tp.ingangsdatum), True
    start = max(tp.ingangsdatum, kal.volgende_werkdag(ontvangen))
    start = kal.add_werkdagen(start, t.wachttijd) if t.wachttijd else start
    if not kal.is_werkdag(start):
        start = kal.volgende_werkdag(start)
    return start, False


def zorg_einde(tp: ToegewezenProduct, zorg: Zorgvraag | None) -> date | None:
    """The last day of care on a toewijzing: its einddatum; an aspecifieke one (``zorg``: the care the
    aanbieder plans in it) never runs past the planned care."""
    if zorg is not None and tp.einddatum is not None:
        return min(tp.einddatum, zorg.einddatum)
    return tp.einddatum


def pauze_zonder_zorg(start: date, eind: date | None, maanden: int) -> tuple[date, date] | None:
    """§6.4 tijdelijk stoppen: the ``maanden`` full calendar months without care ([regels]
    tijdelijk_stoppen_na), from the second calendar month after the one care started in: (first, last day
    of the pause).  None when care ending on ``eind`` would not resume at least 20 days before it."""
    pauze_begin = _eerste_van_maand(date(start.year, start.month, 1), 2)
    laatste_maand = _eerste_van_maand(pauze_begin, maanden - 1)
    pauze_eind = einde_maand(laatste_maand.year, laatste_maand.month)
    if eind is None or pauze_eind + timedelta(days=1) >= eind - timedelta(days=20):
        return None
    return pauze_begin, pauze_eind


def reden_einde_plan(t: Traject, eind: date) -> str:
    """The RedenBeeindiging of care ending on its planned ``eind``: at the 18th birthday the care goes on
    under the Wmo (§12), else the plan is done."""
    return "beeindiging.ander_domein" if t.details.get("overgang_18_eind") == eind else "beeindiging.volgens_plan"


def reden_nieuw_einde(codes, tp: ToegewezenProduct, gepland: date | None, nieuw: date) -> str:
    """The RedenBeeindiging when a 301 moves the end of care from ``gepland`` to ``nieuw``: extended, the
    plan still holds; ended earlier, by the toewijzing's RedenWijziging."""
    if gepland is not None and nieuw > gepland:
        return "beeindiging.volgens_plan"
    return beeindiging_na_wijziging(codes, tp)


def beeindiging_na_wijziging(codes, tp: ToegewezenProduct) -> str:
    """The RedenBeeindiging (a code name) of the 307 that follows a toewijzing the gemeente ended early,
    by its RedenWijziging (§8.2, §8.3)."""
    return {
        codes["wijziging.verkorting"]: "beeindiging.gemeente",
        codes["wijziging.verhuizing"]: "beeindiging.gemeente",
        codes["wijziging.aanbieder"]: "beeindiging.wijzigingsverzoek",
        codes["wijziging.ander_domein"]: "beeindiging.ander_domein",
    }.get(tp.reden_wijziging or "", "beeindiging.gemeente")


def _overgang_18(jeugd: Levering, wmo: Levering) -> bool:
    """``wmo`` is the Wmo care that takes over ``jeugd`` at the 18th birthday (§12)."""
    eind = jeugd.traject.details.get("overgang_18_eind")
    return (jeugd.standaard == IJW and wmo.standaard != IJW and eind is not None
            and jeugd.toegewezen.einddatum == eind)


def _verschreven(naam: str) -> str:
    """A plausible misspelling: the middle letter doubled (Jansen → Janssen)."""
    i = len(naam) // 2
    return naam[:i + 1] + naam[i:]


def _verkorte_naam(p) -> Naam:
    return Naam(geslachtsnaam=p.achternaam, voorvoegsel=p.voorvoegsel, voorletters=p.voorletters)


def _actueel(tp: ToegewezenProduct, op: date) -> bool:
    return (tp.einddatum is None or tp.einddatum >= op) and not (tp.einddatum is not None and tp.einddatum <= tp.ingangsdatum)


def _eerste_van_maand(d: date, maanden_later: int) -> date:
    j, m = divmod(d.year * 12 + d.month - 1 + maanden_later, 12)
    return date(j, m + 1, 1)
