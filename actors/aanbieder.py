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
* monthly 323 batches per gemeente (see :mod:`actors.declareren`).
An onderaannemer never sends anything: the hoofdaannemer reports its start and stop and declares
its care (§11).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, time, timedelta

from simulator.berichten import (
    AangevraagdProduct, Antwoord, Geboortedatum, Naam, NieuwProduct, Omvang, OngewijzigdProduct, Product,
    Start, StartClient, StartProduct, Stop, StopClient, StopProduct, TeWijzigenProduct, ToegewezenProduct,
    Toewijzing, Verwijzer, Verzoek, VerzoekToewijzing, VerzoekToewijzingClient, VerzoekWijziging,
    VerzoekWijzigingClient,
)
from simulator.bus import Aflevering
from simulator.retour import maak_retour
from simulator.schemas import IJW, Standaard
from simulator.synthetisch import Aanbieder as AanbiederGegevens
from simulator.werkdagen import einde_maand

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

    @property
    def nummer(self) -> str:
        return self.toegewezen.toewijzingnummer


class Aanbieder(Actor):
    def __init__(self, wereld: Wereld, gegevens: AanbiederGegevens) -> None:
        super().__init__(wereld, gegevens.agb, gegevens.naam)
        self.gegevens = gegevens
        self.leveringen: dict[tuple[str, str], Levering] = {}  # (gemeente, toewijzingnummer)
        self._per_traject: dict[int, list[Levering]] = {}  # id(traject) → its leveringen, in insertion order
        self.verzoeken: dict[str, Traject] = {}  # ReferentieAanbieder → trajectory
        self.verlengingen: dict[str, int] = {}  # traject id → verlengingen asked via 315
        self.declaraties = Declaratieadministratie(self)

    # ======================================================================================
    # Entry points from the world (routes)
    # ======================================================================================
    def verwijzing(self, t: Traject, intake: date) -> None:
        """A client is referred here (extern, sGGZ, dyslexie 1.4.1); intake on ``intake``."""
        self.op(intake, self._intake, t)

    def _intake(self, t: Traject) -> None:
        self.w.gebeurtenis("intake", actor=self.adres, traject=t)
        rng = self.rng(t, "vot")
        if t.route == "sggz":
            start = self.w.vandaag
            t.details["start_zorg"] = start
            self.w.gebeurtenis("start_diagnostiek", actor=self.adres, traject=t)
            self._zorg_tijdens_wachten(t, start)
            # once the diagnostiek shows what is needed, but never after the deadline (a shorter vot_sggz)
            vroegst = t.details.get("vot_sggz_vroegst")
            if vroegst is not None:
                vroegst = min(vroegst, self.w.deadline("vot_sggz", start))
            dag = self.kies_dag(rng, start, "vot_sggz", vroegst=vroegst)
        else:
            dag = self.kies_dag(rng, self.w.vandaag, "vot_na_intake")
            if self.w.fout("laat_315"):
                dag = self.te_laat("vot_na_intake", self.w.vandaag, 4)
        self.op(dag, self.stuur_315, t, t.details.get("eerste_gemeente", t.gemeente), t.zorg)

    def crisis(self, t: Traject) -> None:
        """A client in crisis presents here: care starts today; 315 afterwards (Bijlage 1.5)."""
        t.details["start_zorg"] = self.w.vandaag
        self.w.gebeurtenis("eerste_contact_crisis", actor=self.adres, traject=t)
        self._zorg_tijdens_wachten(t, self.w.vandaag)
        self.op(self.kies_dag(self.rng(t, "vot"), self.w.vandaag, "vot_crisis"), self.stuur_315, t, t.gemeente, t.zorg)

    def _zorg_tijdens_wachten(self, t: Traject, start: date) -> None:
        """Care given before the toewijzing exists (crisis, sGGZ diagnostiek): declared after the 301."""
        self.declaraties.voorlopige_zorg[t.id] = start

    def verwacht(self, t: Traject) -> None:
        """Route toegang / GI bepaling / dyslexie 1.4.2: the client comes with the plan; a 301 follows."""
        self.w.gebeurtenis("client_aangemeld_bij_aanbieder", actor=self.adres, traject=t)

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
        std = standaard_van(t.domein)
        p = t.client.persoon
        referentie = self.nummer("referentie", t.gemeente, f"{self.adres}-{t.gemeente}-", 6)
        self.verzoeken[referentie] = t
        verwijzer = Verwijzer(self.w.code(std, f"verwijzer.{t.verwijzer}"),
                              naam=t.details.get("verwijzer_naam"), zorgverlenercode=t.details.get("verwijzer_agb"))
        producten = tuple(self._aangevraagd(t, z, referentie, verwijzer) for z in zorg)
        client = VerzoekToewijzingClient(
            bsn=t.bsn, geboortedatum=Geboortedatum(p.geboortedatum), geslacht=p.geslacht,
            naam=_verkorte_naam(p), producten=producten,
            gezagsdrager_bekend=(bool(t.client.gezagsdragers) if std == IJW else None),
        )
        bericht = VerzoekToewijzing(std, self.w.header(std, "315", self.adres, gemeente, self.identificatie(t.gemeente)), client)
        self.w.verstuur(bericht, bsn=t.bsn, traject=t)
        if verlenging:
            self.verlengingen[t.id] = self.verlengingen.get(t.id, 0) + 1

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
        referentie = self.nummer("referentie", t.gemeente, f"{self.adres}-{t.gemeente}-", 6)
        self.verzoeken[referentie] = t
        lev.budget_gevraagd = nieuw
        andere = [l for l in self._leveringen_van(t) if l is not lev and l.gemeente == lev.gemeente
                  and l.standaard == std and _actueel(l.toegewezen, self.w.vandaag)]
        verzoek = Verzoek(
            referentie_aanbieder=referentie, reden=self.w.code(std, "verzoek.zorgplan"),
            ongewijzigd=tuple(OngewijzigdProduct(l.nummer) for l in andere),
            te_wijzigen=(TeWijzigenProduct(tp.toewijzingnummer, tp.ingangsdatum, einddatum=tp.einddatum, budget=nieuw),),
        )
        self.w.gebeurtenis("budget_vow", actor=self.adres, traject=t, toewijzing=tp.toewijzingnummer,
                           budget=tp.budget, gedeclareerd=lev.gedeclareerd_cent, gevraagd=nieuw)
        bericht = VerzoekWijziging(std, self.w.header(std, "317", self.adres, lev.gemeente, self.identificatie(t.gemeente)),
                                   VerzoekWijzigingClient(t.bsn, verzoek))
        self.w.verstuur(bericht, bsn=t.bsn, toewijzingnummers=(tp.toewijzingnummer,), traject=t)

    def stuur_317(self, lev: Levering, gewenst: date, nieuw_volume: int) -> None:
        """Verzoek om wijziging: more (or less) care per period from ``gewenst`` on (§8.1)."""
        t, std = lev.traject, lev.standaard
        referentie = self.nummer("referentie", t.gemeente, f"{self.adres}-{t.gemeente}-", 6)
        self.verzoeken[referentie] = t
        tp = lev.toegewezen
        if self.w.fout("vow_verleden"):
            gewenst = self.w.vandaag - timedelta(days=10)
        # the other current toewijzingen of this gemeente and standard (a Wmo toewijzing after 18 is not one, TR349)
        andere = [l for l in self._leveringen_van(t) if l is not lev and l.gemeente == lev.gemeente
                  and l.standaard == std and _actueel(l.toegewezen, self.w.vandaag)]
        verzoek = Verzoek(
            referentie_aanbieder=referentie, reden=self.w.code(std, "verzoek.zorgplan"),
            ongewijzigd=tuple(OngewijzigdProduct(l.nummer) for l in andere),
            te_wijzigen=(TeWijzigenProduct(tp.toewijzingnummer, gewenst, einddatum=tp.einddatum,
                                           omvang=replace(tp.omvang, volume=nieuw_volume)),),
        )
        bericht = VerzoekWijziging(std, self.w.header(std, "317", self.adres, lev.gemeente, self.identificatie(t.gemeente)),
                                   VerzoekWijzigingClient(t.bsn, verzoek))
        self.w.verstuur(bericht, bsn=t.bsn, toewijzingnummers=(tp.toewijzingnummer,), traject=t)

    # ======================================================================================
    # Receiving
    # ======================================================================================
    def _retour(self, heen, aflevering: Aflevering, gemeente: str) -> None:
        retour = maak_retour(heen, identificatie=self.identificatie(gemeente), dagtekening=self.w.vandaag,
                             registry=self.w.registry)
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
        if not self.w.fout("geen_302"):
            self.op(retourdag, self._retour, b, aflevering, gemeente)
        if t is None:
            self.w.gebeurtenis("toewijzing_onbekende_client", actor=self.adres, bsn=b.client.bsn)
            return
        for tp in b.client.producten:
            self._verwerk_toegewezen(t, b.standaard, gemeente, tp, aflevering.ontvangen, retourdag)

    def bij_319(self, b: Antwoord, aflevering: Aflevering) -> None:
        gemeente = b.header.afzender
        t = self.verzoeken.get(b.antwoord.referentie_aanbieder)
        rng = self.rng(t, f"320:{b.header.identificatie}")
        self.op(self.kies_dag(rng, aflevering.ontvangen, "retour_320", spreiding=0.5), self._retour, b, aflevering, gemeente)
        if t is None:
            return
        std = b.standaard
        if b.antwoord.verzoek_antwoord == self.w.code(std, "antwoord.in_onderzoek"):
            self.w.gebeurtenis("verzoek_in_onderzoek", actor=self.adres, traject=t)
            return
        self.w.gebeurtenis("verzoek_afgewezen", actor=self.adres, traject=t, reden=b.antwoord.reden_afwijzing)
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

    bij_308 = bij_316 = bij_318 = bij_320 = bij_306

    def bij_325(self, b, aflevering: Aflevering) -> None:
        self.declaraties.verwerk_antwoord(b, aflevering.ontvangen)

    def _noteer_retourcodes(self, b) -> None:
        codes = set(b.retour.retourcodes)
        if b.client is not None:
            codes.update(b.client.retourcodes)
        codes -= {"0200"}
        if codes:
            self.w.gebeurtenis("retour_met_codes", actor=self.adres, berichttype=f"{b.standaard.type_prefix}{b.nummer}",
                               codes=sorted(codes), heen=b.header.identificatie)

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
            if tp.product is not None and tp.omvang is None:  # aspecifiek: the aanbieder chooses the products
                lev.zorg = _zorg_in_categorie(t, tp)
                if lev.zorg is not None and tp.einddatum is not None:
                    lev.eind_gepland = min(tp.einddatum, lev.zorg.einddatum)
            self.leveringen[sleutel] = lev
            self._per_traject.setdefault(id(t), []).append(lev)
            self._plan_start(lev, retourdag)
            self.declaraties.nieuwe_levering(lev)
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
        if t.heeft("geen_start") and t.details.get("geen_start_toewijzing", tp.toewijzingnummer) == tp.toewijzingnummer:
            t.details["geen_start_toewijzing"] = tp.toewijzingnummer
            self.w.gebeurtenis("zorg_start_niet", actor=self.adres, traject=t, toewijzing=tp.toewijzingnummer)
            return
        rng = self.rng(t, f"start:{tp.toewijzingnummer}")
        kal = self.w.kalender
        eerder = t.details.get("start_zorg")
        if self._voorganger(lev) is not None:
            # continuous care: Jw → Wmo at 18, the new toewijzing after a wijziging, dyslexie behandeling
            start = tp.ingangsdatum
            sleutel = "start_305"
        elif eerder is not None and eerder <= lev.ontvangen:
            # care began before the toewijzing (crisis, sGGZ): the 301 is retroactive
            start = max(eerder, tp.ingangsdatum)
            sleutel = "start_305_sggz" if t.route == "sggz" else "start_305_terugwerkend"
        else:
            start = max(tp.ingangsdatum, kal.volgende_werkdag(lev.ontvangen))
            start = kal.add_werkdagen(start, t.wachttijd) if t.wachttijd else start
            if not kal.is_werkdag(start):
                start = kal.volgende_werkdag(start)
            sleutel = "start_305"
        vervallen = kal.volgende_werkdag(self.w.deadline("toewijzing_vervalt", max(tp.ingangsdatum, lev.ontvangen)))
        na_verval = (sleutel == "start_305" and (tp.einddatum is None or vervallen < tp.einddatum)
                     and self.w.fout("start_na_vervaltermijn"))
        if na_verval:
            start = vervallen  # fault: care starts, and its 305 goes, after the toewijzing lapsed (§5)
        if tp.einddatum is not None and start > tp.einddatum:
            return
        lev.perioden.append([start, lev.eind_gepland or tp.einddatum or start])
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

    def _voorganger(self, lev: Levering) -> Levering | None:
        """The toewijzing of the same trajectory this one directly continues (einddatum + 1 = ingangsdatum)."""
        ingang = lev.toegewezen.ingangsdatum
        for l in self._leveringen_van(lev.traject):
            eind = l.toegewezen.einddatum
            if l is not lev and l.gestart and eind is not None and eind + timedelta(days=1) == ingang:
                return l
        return None

    def _plan_verloop(self, lev: Levering, start: date) -> None:
        """Schedule the definitive stop and the special events of the care period."""
        t, tp = lev.traject, lev.toegewezen
        eind = lev.eind_gepland or tp.einddatum  # aspecifiek: the care ends when the planned care does
        if eind is None:
            return
        self._plan_stop(lev, eind, "beeindiging.volgens_plan" if not t.details.get("overgang_18_eind") == eind
                        else "beeindiging.ander_domein")
        duur = (eind - start).days
        if t.heeft("tijdelijk_stoppen") and duur > 120 and "tijdelijk_gedaan" not in t.details:
            t.details["tijdelijk_gedaan"] = True
            self._plan_tijdelijk_stoppen(lev, start)
        # a 317 is for Jeugd; a WMO317 only as a provocation the gemeente must reject (§8.1)
        vow = (t.heeft("vow") and lev.standaard == IJW) or (t.heeft("wmo317") and lev.standaard != IJW)
        vow = vow and tp.omvang is not None  # an aspecifieke toewijzing changes by budget (stuur_317_budget)
        if vow and duur > 100 and "vow_gedaan" not in t.details:
            t.details["vow_gedaan"] = True
            rng = self.rng(t, "vow")
            verzend = start + timedelta(days=rng.randint(20, max(21, duur // 3)))
            gewenst = verzend + timedelta(days=rng.randint(14, 45))
            if gewenst < eind - timedelta(days=20):
                volume = max(1, tp.omvang.volume + rng.choice((-1, 1, 2))) if tp.omvang else 1
                self.op(verzend, self._vow_als_actueel, lev, gewenst, volume)
        if t.heeft("verlenging_via_315") and t.route == "extern" and "verlenging_gedaan" not in t.details:
            t.details["verlenging_gedaan"] = True
            max_n = int(self.w.profiel.regel("max_verlengingen_via_315"))
            if self.verlengingen.get(t.id, 0) < max_n:
                nieuw_begin = eind + timedelta(days=1)
                zorg = [Zorgvraag(z.product, z.volume, nieuw_begin, nieuw_begin + (z.einddatum - z.ingangsdatum))
                        for z in t.zorg[:1]]
                self.op(max(start, eind - timedelta(days=35)), self.stuur_315, t, t.gemeente, zorg, True)

    def _vow_als_actueel(self, lev: Levering, gewenst: date, volume: int) -> None:
        if lev.gestopt or lev.start_actueel is None or (lev.toegewezen.einddatum or gewenst) <= gewenst:
            return
        self.stuur_317(lev, gewenst, volume)

    def _plan_stop(self, lev: Levering, eind: date, reden: str, bekend: date | None = None) -> None:
        """Plan the 307 for ``eind``; ``bekend`` is when the aanbieder learnt of this end (a 301)."""
        lev.stop_versie += 1
        lev.eind_gepland = eind
        if lev.perioden:
            lev.perioden[-1][1] = eind
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
        t = lev.traject
        codes = self.w.codes(lev.standaard)
        nieuw = tp.einddatum
        if lev.gestopt or not lev.perioden:
            return
        if lev.zorg is not None and nieuw is not None:
            nieuw = min(nieuw, lev.zorg.einddatum)  # aspecifiek: care never runs past what is planned
            if nieuw == lev.eind_gepland:
                return
        if lev.eind_gepland is not None and nieuw is not None and nieuw > lev.eind_gepland:
            self._plan_stop(lev, nieuw, "beeindiging.volgens_plan", ontvangen)  # verlengd
            return
        reden = {
            codes["wijziging.verkorting"]: "beeindiging.gemeente",
            codes["wijziging.verhuizing"]: "beeindiging.gemeente",
            codes["wijziging.aanbieder"]: "beeindiging.wijzigingsverzoek",
            codes["wijziging.ander_domein"]: "beeindiging.ander_domein",
        }.get(tp.reden_wijziging or "", "beeindiging.gemeente")
        if nieuw is not None:
            self._plan_stop(lev, nieuw, reden, ontvangen)

    def _plan_tijdelijk_stoppen(self, lev: Levering, start: date) -> None:
        """Full calendar months without care (§6.4; how many: [regels] tijdelijk_stoppen_na): 307
        'tijdelijk' once they have passed, later a new 305."""
        t = lev.traject
        eerste_maand = date(start.year, start.month, 1)
        pauze_begin = _eerste_van_maand(eerste_maand, 2)
        laatste_maand = _eerste_van_maand(pauze_begin, int(self.w.profiel.regel("tijdelijk_stoppen_na")) - 1)
        pauze_eind = einde_maand(laatste_maand.year, laatste_maand.month)
        laatste_zorgdag = pauze_begin - timedelta(days=1)
        hervat = pauze_eind + timedelta(days=1)
        if lev.eind_gepland is None or hervat >= lev.eind_gepland - timedelta(days=20):
            return
        definitief = t.heeft("stop_corrigeren")
        t.details["tijdelijk"] = (laatste_zorgdag, hervat)
        lev.perioden[-1][1] = laatste_zorgdag
        rng = self.rng(t, "tijdelijk")
        # the stop is known once the month without care has passed
        dag = self.kies_dag(rng, pauze_eind, "stop_307_tijdelijk", spreiding=0.5)
        self.op(dag, self._stuur_tijdelijke_stop, lev, laatste_zorgdag, hervat, definitief)

    def _stuur_tijdelijke_stop(self, lev: Levering, laatste: date, hervat: date, definitief: bool) -> None:
        if lev.gestopt or lev.vervallen or lev.start_actueel is None:
            return
        lev.stop_versie += 1  # the planned definitive stop is replaced below
        self._stuur_stopbericht(lev, laatste, "beeindiging.tijdelijk", "status.eerste")
        lev.start_actueel = None
        rng = self.rng(lev.traject, "tijdelijk2")
        if definitief:
            # the temporary stop turns out to be definitive: withdraw it, then stop for real (§6.4)
            lev.gestopt = True
            kal = self.w.kalender
            dag = kal.add_werkdagen(self.w.vandaag, 2)
            self.op(dag, self._stuur_stopbericht, lev, laatste, "beeindiging.tijdelijk", "status.verwijderen")
            # the definitive 307 runs from the withdrawal (stop_307)
            self.op(min(kal.add_werkdagen(dag, 2), self.w.deadline("stop_307", dag)), self._stuur_stopbericht, lev, laatste,
                    "beeindiging.door_client", "status.eerste")
            lev.eind_gepland = laatste
            return
        lev.perioden.append([hervat, lev.eind_gepland])
        self._plan_stop(lev, lev.eind_gepland, "beeindiging.volgens_plan")
        self.op(hervat, self.w.gebeurtenis, "hervat_zorg", actor=self.adres, traject=lev.traject, toewijzing=lev.nummer)
        self.op(self.kies_dag(rng, hervat, "start_305", spreiding=0.5), self._stuur_305, lev, hervat)

    # ======================================================================================
    # 305 / 307
    # ======================================================================================
    def _stuur_305(self, lev: Levering, begindatum: date) -> None:
        if lev.vervallen or lev.gestopt or lev.start_actueel is not None:
            return
        t, tp, std = lev.traject, lev.toegewezen, lev.standaard
        if tp.einddatum is not None and tp.einddatum <= tp.ingangsdatum:
            return
        p = t.client.persoon
        product = StartProduct(begindatum, self.w.code(std, "status.eerste"), toewijzingnummer=tp.toewijzingnummer,
                               product=tp.product, toewijzing_ingangsdatum=tp.ingangsdatum)
        client = StartClient(t.bsn, Geboortedatum(p.geboortedatum), p.geslacht, _verkorte_naam(p), (product,))
        b = Start(std, self.w.header(std, "305", self.adres, lev.gemeente, self.identificatie(t.gemeente)), client)
        self.w.verstuur(b, bsn=t.bsn, toewijzingnummers=(tp.toewijzingnummer,), traject=t)
        lev.start_actueel = begindatum
        lev.gestart = True
        self._foutieve_305(lev, client, product)

    def _foutieve_305(self, lev: Levering, client: StartClient, product: StartProduct) -> None:
        """Fault switches: a 305 on a toewijzing never received, or a second current 305."""
        fout = None
        if self.w.fout("305_zonder_301"):
            fout = replace(product, toewijzingnummer=str(999_000_000 + int(product.toewijzingnummer) % 1_000_000))
        elif self.w.fout("dubbele_305"):
            fout = replace(product, begindatum=product.begindatum + timedelta(days=1))
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
        self._stuur_stopbericht(lev, einddatum, reden, "status.eerste")
        lev.gestopt = True
        lev.start_actueel = None
        self.w.gebeurtenis("einde_zorg", actor=self.adres, traject=lev.traject, toewijzing=lev.nummer,
                           datum_einde=einddatum.isoformat())

    def _stuur_stopbericht(self, lev: Levering, einddatum: date, reden: str, status: str) -> None:
        t, tp, std = lev.traject, lev.toegewezen, lev.standaard
        p = t.client.persoon
        begin = lev.start_actueel or t.details.get("laatste_start", {}).get(lev.nummer) or lev.perioden[-1][0]
        t.details.setdefault("laatste_start", {})[lev.nummer] = begin
        if status == "status.eerste" and reden != "beeindiging.tijdelijk" and self.w.fout("307_zonder_305"):
            begin = begin - timedelta(days=1)  # a begindatum for which no 305 is current
        product = StopProduct(begin, self.w.code(std, reden), einddatum, self.w.code(std, status),
                              toewijzingnummer=tp.toewijzingnummer, product=tp.product,
                              toewijzing_ingangsdatum=tp.ingangsdatum)
        client = StopClient(t.bsn, Geboortedatum(p.geboortedatum), p.geslacht, _verkorte_naam(p), (product,))
        b = Stop(std, self.w.header(std, "307", self.adres, lev.gemeente, self.identificatie(t.gemeente)), client)
        self.w.verstuur(b, bsn=t.bsn, toewijzingnummers=(tp.toewijzingnummer,), traject=t)


def _zorg_in_categorie(t: Traject, tp: ToegewezenProduct) -> Zorgvraag | None:
    """The planned care of ``t`` an aspecifieke toewijzing (categorie only) covers."""
    passend = [z for z in t.zorg + list(t.details.get("wmo_zorg") or [])
               if z.product.categorie == tp.product.categorie]
    return min(passend, key=lambda z: abs((z.ingangsdatum - tp.ingangsdatum).days), default=None)


def _verkorte_naam(p) -> Naam:
    return Naam(geslachtsnaam=p.achternaam, voorvoegsel=p.voorvoegsel, voorletters=p.voorletters)


def _actueel(tp: ToegewezenProduct, op: date) -> bool:
    return (tp.einddatum is None or tp.einddatum >= op) and not (tp.einddatum is not None and tp.einddatum <= tp.ingangsdatum)


def _eerste_van_maand(d: date, maanden_later: int) -> date:
    j, m = divmod(d.year * 12 + d.month - 1 + maanden_later, 12)
    return date(j, m + 1, 1)
