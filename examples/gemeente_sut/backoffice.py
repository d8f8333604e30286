"""The gemeente back-office: what it does with each message, and on which werkdag.

Per run (one municipality, code ``code``), following Annex 4 (Zorgregio MIJOV):

* 315 → 316 on the day of receipt; the next werkdag a 301 or a 319 "afgewezen": a WMO315 is
  rejected (§4), as is a 315 from an aanbieder without a contract for that domain (§4, §11.1), a
  315 for a client with a GI's bepaling jeugdhulp (§4, §11) and a 315 for a product the client
  already has at that aanbieder in an overlapping period (§4 stapeling);
* 317 → 318 the same day; the next werkdag one 301 for the whole request, never with an
  ingangsdatum before the 301 itself (§8.1), or a 319; a WMO317 is rejected (§8.1);
* 305 → 306, 307 → 308 the same day, with the retourcode of each product that breaks TR019
  (no such toewijzing), TR326 (already started) or TR069 (stop without that start); 302/320 stored;
* 323 → 325 the next werkdag: every line approved or rejected as a whole (§7.1);
* a decision of its own toegang → a 301 the next werkdag (Bijlage 1.1).

Every 301 holds all toewijzingen of that client at that aanbieder valid on or after its date,
plus the changed ones (§5); a toewijzing honouring a 315/317 carries its ReferentieAanbieder.
"""

from __future__ import annotations

from datetime import date, timedelta

from lxml import etree

import kalender
import xmlbericht as xb
from opslag import Opslag
from xmlbericht import BerichtFout, Bouw, Ontvangen, kind, kinderen, tekst

#: --fault NAME → (rule of the ketensim catalogue it breaks, what the back-office then does wrong)
FOUTEN: dict[str, tuple[str, str]] = {
    "laat_316": ("TERMIJN.retour_316", "de 316 komt 5 werkdagen na ontvangst van de 315"),
    "geen_306": ("TERMIJN.retour_306", "op een 305 komt geen 306"),
    "laat_besluit": ("TERMIJN.besluit_vot", "de 301/319 op een 315 komt 8 werkdagen na ontvangst"),
    "laat_toegang": ("TERMIJN.toewijzing_toegang", "de 301 na een besluit van de toegang komt 8 werkdagen later"),
    "laat_325": ("TERMIJN.antwoord_325", "de 325 komt 14 werkdagen na ontvangst van de 323"),
    "325_half": ("PROT.325_volledig", "de 325 kent de helft van het goedgekeurde bedrag toe"),
    "wmo315_toekennen": ("PROT.afwijzen_wmo315", "een WMO315 wordt toegewezen in plaats van afgewezen"),
    "vow_terugwerkend": ("PROT.vow_niet_terugwerkend", "een 317 wordt gehonoreerd met een ingangsdatum 7 dagen terug"),
    "dubbele_id": ("TR056", "de tweede 301 van een run hergebruikt de BerichtIdentificatie van de eerste"),
}
ONTVANGT = {"302", "305", "307", "315", "317", "320", "323"}
AFGEWEZEN, GEEN_CONTRACT, PAST_NIET, STAPELING, ZORGINHOUDELIJK = "1", "3", "4", "6", "7"  # VerzoekAntwoord / RedenAfwijzingVerzoek
GEEN_OPMERKING, VOLLEDIG_TOEGEWEZEN = "0200", "8001"
UUR, MINUUT = "04", "01"
WIJZIGING_VERLENGING, WIJZIGING_VERKORTING, WIJZIGING_AANBIEDER = "04", "05", "12"
EERSTE, VERWIJDEREN = "1", "3"  # StatusAanlevering
#: retourcodes of the rules this gemeente applies to a start, stop or declared line (WJ001)
CODE = {"TR019": "9019", "TR326": "9326", "TR069": "9069", "TR338": "9338", "TR339": "9339", "TR340": "9340",
        "TR341": "9341", "TR307": "9307", "TR308": "9308", "TR314": "8021", "TR323": "8017"}


class RunOnbekend(Exception):
    pass


def domein(std: str) -> str:
    return "jeugd" if std == "ijw" else "wmo"


def geldig_op(tw: dict, d: date) -> bool:
    """Not vervallen, and not ended before d."""
    einde = date.fromisoformat(tw["einde"]) if tw.get("einde") else None
    ingang = date.fromisoformat(tw["ingang"])
    return not (einde is not None and einde <= ingang) and (einde is None or einde >= d)


def een_jaar(ingang: date) -> date:
    try:
        return ingang.replace(year=ingang.year + 1) - timedelta(days=1)
    except ValueError:  # 29 February
        return ingang.replace(year=ingang.year + 1, day=28)


class Backoffice:
    def __init__(self, opslag: Opslag, schemas: xb.Schemas, fouten: set[str]) -> None:
        self.db = opslag
        self.schemas = schemas
        self.fouten = fouten

    # =========================================================================================
    # the API operations
    # =========================================================================================
    def start(self, run: str, instellingen: dict) -> None:
        code = str(instellingen.get("code", ""))
        if instellingen.get("rol") != "gemeente" or not (len(code) == 4 and code.isdigit()):
            raise ValueError("deze back-office speelt alleen rol 'gemeente' met een code van 4 cijfers")
        date.fromisoformat(str(instellingen.get("startdatum", "2026-01-01")))
        if not isinstance(instellingen.get("contracten", []), list):
            raise ValueError("'contracten' moet een lijst zijn")
        self.db.start_run(run, instellingen)

    def _instellingen(self, run: str) -> dict:
        inst = self.db.instellingen(run)
        if inst is None:
            raise RunOnbekend(run)
        return inst

    def ontvang(self, run: str, datum: date, xml: bytes) -> None:
        code = self._instellingen(run)["code"]
        b = xb.lees(xml)
        if b.nummer not in ONTVANGT:
            raise BerichtFout(f"een gemeente ontvangt geen {b.type}")
        retour = b.nummer in ("302", "320")  # IV028: a retour keeps the header of our own heenbericht
        aan = b.tekst("Header", "Afzender" if retour else "Ontvanger")
        if aan != code:
            raise BerichtFout(f"{b.type} is niet gericht aan gemeente {code}")
        fout = self.schemas.controleer(xml)
        if fout:
            raise BerichtFout(f"{b.type} valideert niet tegen zijn XSD: {fout}")
        self.db.bewaar_inbox(run, datum, xml, b.type)

    def toegang(self, run: str, datum: date, gegevens: dict) -> None:
        self._instellingen(run)
        for veld in ("standaard", "aanbieder", "client", "product", "ingangsdatum"):
            if not gegevens.get(veld):
                raise ValueError(f"veld '{veld}' ontbreekt")
        date.fromisoformat(gegevens["ingangsdatum"])
        self.db.bewaar_toegang(run, datum, gegevens)

    def outbox(self, run: str, datum: date) -> list[str]:
        self._instellingen(run)
        return self.db.outbox(run, datum)

    def einde(self, run: str) -> None:
        self._instellingen(run)
        self.db.verwijder_run(run)

    def klok(self, run: str, dag: date) -> None:
        """Werkdag ``dag``: take in what arrived, then do all work planned up to today."""
        inst = self._instellingen(run)
        for rij, datum, gegevens in self.db.onverwerkt_toegang(run, dag):
            self._los(run, "toegang", rij, self._toegang_besluit, run, inst, datum, gegevens)
        for rij, datum, xml in self.db.onverwerkt_inbox(run, dag):
            self._los(run, "inbox", rij, self._binnen, run, rij, datum, xml)
        for rij, soort, gegevens in self.db.taken_tot(run, dag):
            self._los(run, "taken", rij, getattr(self, f"_taak_{soort}"), run, inst, dag, gegevens)

    def _los(self, run: str, tabel: str, rij: int, werk, *args) -> None:
        """One piece of work on its own: if it fails, its half-done changes are undone, it is logged
        and set aside, and the rest of the day goes on (one bad message never blocks a day)."""
        self.db.db.execute("SAVEPOINT werk")
        try:
            werk(*args)
        except Exception as exc:  # noqa: BLE001 — logged for the operator, the day continues
            self.db.db.execute("ROLLBACK TO werk")
            xb.meld(f"[{run}] {tabel} {rij} overgeslagen: {type(exc).__name__}: {exc}")
        self.db.db.execute("RELEASE werk")
        self.db.verwerkt(tabel, rij)

    # =========================================================================================
    # intake: plan the work of each message
    # =========================================================================================
    def _binnen(self, run: str, rij: int, ontvangen: date, xml: bytes) -> None:
        b = xb.lees(xml)
        later = kalender.volgende_werkdag(ontvangen)
        if b.nummer in ("302", "320"):
            codes = [c.text for c in b.root.iter() if isinstance(c.tag, str) and c.tag.endswith("}RetourCode")]
            if set(codes) - {GEEN_OPMERKING}:
                xb.meld(f"[{run}] {b.type} met retourcodes {sorted(set(codes))}")
            return
        codes = self._regie(run, b) if b.nummer in ("305", "307") else {}
        if b.nummer == "305" and "geen_306" in self.fouten:
            pass
        elif b.nummer == "315" and "laat_316" in self.fouten:
            self.db.plan(run, kalender.plus_werkdagen(ontvangen, 5), "retour", {"inbox": rij})
        elif b.nummer in xb.RETOUR:
            self.db.plan(run, ontvangen, "retour", {"inbox": rij, "codes": codes})
        if b.nummer == "315":
            besluit = kalender.plus_werkdagen(ontvangen, 8) if "laat_besluit" in self.fouten else later
            self.db.plan(run, besluit, "besluit_315", {"inbox": rij})
        elif b.nummer == "317":
            self.db.plan(run, later, "besluit_317", {"inbox": rij})
        elif b.nummer == "323":
            dag = kalender.plus_werkdagen(ontvangen, 14) if "laat_325" in self.fouten else later
            self.db.plan(run, dag, "antwoord_323", {"inbox": rij})

    def _regie(self, run: str, b: Ontvangen) -> dict[str, str]:
        """Start (305) and stop (307) per product: index → retourcode of the rule it breaks.

        TR019 the product belongs to a toewijzing of this client and aanbieder; TR326 no second first
        start while one is current; TR069 a stop ends the current start (same Begindatum).
        Verwijderen (StatusAanlevering 3) withdraws the last start or stop with that Begindatum."""
        agb, client = b.tekst("Header", "Afzender"), kind(b.root, "Client")
        bsn = tekst(client, "Bsn")
        codes: dict[str, str] = {}
        soort = "StartProduct" if b.nummer == "305" else "StopProduct"
        for i, p in enumerate(kinderen(kind(client, soort + "en"), soort)):
            tw = self.db.toewijzing(run, tekst(p, "ToewijzingNummer") or "")
            if tw is None or tw["agb"] != agb or (b.nummer == "305" and tw["bsn"] != bsn):
                codes[str(i)] = CODE["TR019"]
                continue
            begin, status = tekst(p, "Begindatum"), tekst(p, "StatusAanlevering")
            start, stops = tw.get("start"), tw.setdefault("stops", [])
            if b.nummer == "305" and status == VERWIJDEREN:
                tw["start"] = None if start == begin else start
            elif b.nummer == "305" and status == EERSTE:
                if start is not None:
                    codes[str(i)] = CODE["TR326"]
                else:
                    tw["start"] = begin
            elif b.nummer == "307" and status == VERWIJDEREN:
                if begin in stops:
                    stops.remove(begin)
                    tw["start"] = begin
            elif b.nummer == "307":
                if start != begin:
                    codes[str(i)] = CODE["TR069"]
                else:
                    stops.append(begin)
                    tw["start"] = None
            self.db.bewaar_toewijzing(run, tw)
        return codes

    def _toegang_besluit(self, run: str, inst: dict, datum: date, g: dict) -> None:
        c = g["client"]
        adres = c.get("adres") or {}
        self.db.bewaar_client(run, str(c["bsn"]), {
            "achternaam": c.get("geslachtsnaam"), "voorvoegsel": c.get("voorvoegsel"),
            "voorletters": c.get("voorletters"), "geboortedatum": c.get("geboortedatum"),
            "geslacht": _geslacht(c.get("geslacht")), "adres": adres or None})
        if g.get("reden") == "bepaling_jeugdhulp_gi":
            self.db.markeer_gi(run, str(c["bsn"]))
        dag = kalender.plus_werkdagen(datum, 8) if "laat_toegang" in self.fouten else kalender.volgende_werkdag(datum)
        self.db.plan(run, dag, "toewijzen", g)

    def _inbox_bericht(self, run: str, rij: int) -> Ontvangen:
        xml = self.db.db.execute("SELECT xml FROM inbox WHERE id = ?", (rij,)).fetchone()[0]
        return xb.lees(bytes(xml))

    # =========================================================================================
    # planned work
    # =========================================================================================
    def _taak_retour(self, run: str, inst: dict, dag: date, g: dict) -> None:
        heen = self._inbox_bericht(run, g["inbox"])
        self._verstuur(run, dag, xb.retour(heen, self._identificatie(run, inst), dag, g.get("codes")))

    def _taak_toewijzen(self, run: str, inst: dict, dag: date, g: dict) -> None:
        std = "ijw" if str(g["standaard"]).lower() in ("ijw", "jeugd") else "iwmo"
        p = g["product"]
        ingang = date.fromisoformat(g["ingangsdatum"])
        einde = date.fromisoformat(g["einddatum"]) if g.get("einddatum") else een_jaar(ingang)
        tw = self._nieuwe_toewijzing(run, inst, dag, str(g["client"]["bsn"]), str(g["aanbieder"]), std, None,
                                     p.get("categorie"), p.get("code"), ingang, einde,
                                     (p.get("volume"), p.get("eenheid"), p.get("frequentie")))
        self._stuur_301(run, inst, dag, tw["bsn"], tw["agb"], std, {tw["nummer"]})

    def _taak_besluit_315(self, run: str, inst: dict, dag: date, g: dict) -> None:
        b = self._inbox_bericht(run, g["inbox"])
        agb, client = b.tekst("Header", "Afzender"), kind(b.root, "Client")
        bsn = tekst(client, "Bsn")
        gevraagd = kinderen(kind(client, "AangevraagdeProducten"), "AangevraagdProduct")
        referentie = tekst(gevraagd[0], "ReferentieAanbieder") if gevraagd else None
        reden = None
        if b.std == "iwmo" and "wmo315_toekennen" not in self.fouten:
            reden = PAST_NIET  # §4: Wmo and MO/BW are never asked for with a 315
        elif not self._gecontracteerd(inst, agb, b.std):
            reden = GEEN_CONTRACT  # §4 contract check; §11.1 an onderaannemer has none with us
        elif b.std == "ijw" and self.db.heeft_gi(run, bsn):
            reden = PAST_NIET  # §4, §11: help on a GI's bepaling is assigned by the toegang, not on a 315
        elif self._stapeling(run, bsn, agb, b.std, gevraagd):
            reden = STAPELING  # §4: the same product at this aanbieder in an overlapping period
        if reden is not None or not gevraagd:
            self._stuur_319(run, inst, dag, b.std, agb, referentie or "-", reden or ZORGINHOUDELIJK)
            return
        naam = kind(client, "Naam")
        self.db.bewaar_client(run, bsn, {
            "achternaam": tekst(naam, "Geslachtsnaam", "Achternaam"), "voorvoegsel": tekst(naam, "Geslachtsnaam", "Voorvoegsel"),
            "voornamen": tekst(naam, "Voornamen"), "voorletters": tekst(naam, "Voorletters"),
            "geboortedatum": tekst(client, "Geboortedatum", "Datum"), "geslacht": tekst(client, "Geslacht")})
        nieuw = set()
        for ap in gevraagd:
            ingang = date.fromisoformat(tekst(ap, "ToewijzingIngangsdatum"))
            eind = tekst(ap, "ToewijzingEinddatum")
            omvang = kind(ap, "Omvang")
            tw = self._nieuwe_toewijzing(
                run, inst, dag, bsn, agb, b.std, tekst(ap, "ReferentieAanbieder"), tekst(ap, "Product", "Categorie"),
                tekst(ap, "Product", "Code"), ingang, date.fromisoformat(eind) if eind else een_jaar(ingang),
                (tekst(omvang, "Volume"), tekst(omvang, "Eenheid"), tekst(omvang, "Frequentie")))
            nieuw.add(tw["nummer"])
        self._stuur_301(run, inst, dag, bsn, agb, b.std, nieuw)

    def _taak_besluit_317(self, run: str, inst: dict, dag: date, g: dict) -> None:
        b = self._inbox_bericht(run, g["inbox"])
        agb, client = b.tekst("Header", "Afzender"), kind(b.root, "Client")
        bsn, verzoek = tekst(client, "Bsn"), kind(client, "Verzoek")
        ref = tekst(verzoek, "ReferentieAanbieder")
        if b.std == "iwmo":
            return self._stuur_319(run, inst, dag, b.std, agb, ref, PAST_NIET)  # §8.1: Wmo changes via the toegang
        if not self._gecontracteerd(inst, agb, b.std):
            return self._stuur_319(run, inst, dag, b.std, agb, ref, GEEN_CONTRACT)
        gewijzigd: set[str] = set()
        for tp in kinderen(kind(verzoek, "TeWijzigenProducten"), "TeWijzigenProduct"):
            oud = self.db.toewijzing(run, tekst(tp, "ToewijzingNummer") or "")
            if oud is None or oud["bsn"] != bsn or oud["agb"] != agb or not geldig_op(oud, dag):
                continue
            gewenst = date.fromisoformat(tekst(tp, "GewensteIngangsdatum"))
            einde = tekst(tp, "Einddatum") or oud["einde"]
            omvang = kind(tp, "Omvang")
            nieuwe_omvang = (tekst(omvang, "Volume"), tekst(omvang, "Eenheid"), tekst(omvang, "Frequentie"))
            if omvang is not None and list(nieuwe_omvang) != oud["omvang"]:
                ingang = max(gewenst, dag)
                oud.update(einde=(ingang - timedelta(days=1)).isoformat(), datum=dag.isoformat(),
                           reden=WIJZIGING_AANBIEDER, referentie=ref)
                self.db.bewaar_toewijzing(run, oud)
                nieuw = self._nieuwe_toewijzing(run, inst, dag, bsn, agb, b.std, ref, oud["categorie"], oud["code"],
                                                self._ingang_vow(gewenst, dag),
                                                date.fromisoformat(einde) if einde else None, nieuwe_omvang)
                gewijzigd |= {oud["nummer"], nieuw["nummer"]}
            elif einde != oud["einde"]:
                langer = oud["einde"] is None or (einde is not None and einde > oud["einde"])
                oud.update(einde=einde, datum=dag.isoformat(), referentie=ref,
                           reden=WIJZIGING_VERLENGING if langer else WIJZIGING_VERKORTING)
                self.db.bewaar_toewijzing(run, oud)
                gewijzigd.add(oud["nummer"])
        for np in kinderen(kind(verzoek, "NieuweProducten"), "NieuwProduct"):
            ingang = self._ingang_vow(date.fromisoformat(tekst(np, "GewensteIngangsdatum")), dag)
            eind = tekst(np, "Einddatum")
            omvang = kind(np, "Omvang")
            nieuw = self._nieuwe_toewijzing(
                run, inst, dag, bsn, agb, b.std, ref, tekst(np, "Product", "Categorie"), tekst(np, "Product", "Code"),
                ingang, date.fromisoformat(eind) if eind else een_jaar(ingang),
                (tekst(omvang, "Volume"), tekst(omvang, "Eenheid"), tekst(omvang, "Frequentie")))
            gewijzigd.add(nieuw["nummer"])
        if gewijzigd and self.db.client(run, bsn):
            self._stuur_301(run, inst, dag, bsn, agb, b.std, gewijzigd)
        else:  # nothing (left) to change: the whole request is rejected
            self._stuur_319(run, inst, dag, b.std, agb, ref, ZORGINHOUDELIJK)

    def _ingang_vow(self, gewenst: date, dag: date) -> date:
        """§8.1: a change is never assigned retroactively: nothing starts before the day of the 301."""
        if "vow_terugwerkend" in self.fouten:
            return dag - timedelta(days=7)
        return max(gewenst, dag)

    def _taak_antwoord_323(self, run: str, inst: dict, dag: date, g: dict) -> None:
        d = self._inbox_bericht(run, g["inbox"])
        agb = d.tekst("Header", "Afzender")
        decl = kind(d.root, "Declaratie")
        afgekeurd: list[tuple[str, etree._Element, list[str]]] = []
        for client in kinderen(kind(decl, "Clienten"), "Client"):
            bsn = tekst(client, "Bsn")
            for p in kinderen(kind(client, "Prestaties"), "Prestatie"):
                codes = self._beoordeel(run, agb, bsn, p)
                if codes:
                    afgekeurd.append((bsn, p, codes))
        ingediend = xb.bedrag(kind(decl, "TotaalIngediendBedrag"), "TotaalBedrag")
        toegekend = ingediend - sum(xb.bedrag(kind(p, "IngediendBedrag")) for _, p, _ in afgekeurd)
        if "325_half" in self.fouten and toegekend > 1:
            toegekend //= 2  # fault: part of a line approved
        b = Bouw(d.std, "325")
        h = b.header(inst["code"], agb, self._identificatie(run, inst), dag)
        di = b.el(h, "DeclaratieIdentificatie")
        b.be(di, "Identificatie", d.tekst("Header", "BerichtIdentificatie", "Identificatie"))
        b.be(di, "Dagtekening", d.tekst("Header", "BerichtIdentificatie", "Dagtekening"))
        xv = b.el(h, "XsdVersieDeclaratie")
        for veld in ("BasisschemaXsdVersie", "BerichtXsdVersie"):
            b.be(xv, veld, d.tekst("Header", "XsdVersie", veld))
        b.retourcodes(h, GEEN_OPMERKING)
        a = b.el(b.root, "DeclaratieAntwoord")
        b.el(a, "DeclaratieNummer", tekst(decl, "DeclaratieNummer"))
        for naam, cent in (("TotaalIngediendBedrag", ingediend), ("TotaalToegekendBedrag", toegekend)):
            t = b.el(a, naam)
            b.be(t, "TotaalBedrag", abs(cent))
            b.be(t, "DebetCredit", "C" if cent < 0 else "D")
        if afgekeurd:
            clienten = b.el(a, "Clienten")
            for bsn in dict.fromkeys(bsn for bsn, _, _ in afgekeurd):
                c = b.el(clienten, "Client")
                b.el(c, "Bsn", bsn)
                ps = b.el(c, "Prestaties")
                for _, p, codes in (x for x in afgekeurd if x[0] == bsn):
                    b.retourcodes(b.kopie(ps, p), *codes)
                b.retourcodes(c, GEEN_OPMERKING)
        b.retourcodes(a, GEEN_OPMERKING if afgekeurd else VOLLEDIG_TOEGEWEZEN)
        self._verstuur(run, dag, b.bytes())

    def _beoordeel(self, run: str, agb: str, bsn: str, p) -> list[str]:
        """The retourcodes of the rules this declared line breaks (none: approved, 100 %)."""
        ref = tekst(p, "ProductReferentie", "ReferentieNummer")
        vorig = tekst(p, "ProductReferentie", "VorigReferentieNummer")
        credit = xb.bedrag(kind(p, "IngediendBedrag")) < 0
        gebroken = []
        if self.db.prestatie_status(run, agb, ref) is not None:
            gebroken.append("TR314")
        tw = self.db.toewijzing(run, tekst(p, "ToewijzingNummer") or "")
        if tw is None or tw["agb"] != agb or tw["bsn"] != bsn:
            gebroken.append("TR338")
        else:
            if tekst(p, "ProductCategorie") != tw["categorie"]:
                gebroken.append("TR339")
            if tw["code"] and tekst(p, "ProductCode") != tw["code"]:
                gebroken.append("TR340")
            eenheid = tw["omvang"][1]
            if eenheid and tekst(p, "Eenheid") != (MINUUT if eenheid == UUR else eenheid):
                gebroken.append("TR341")  # Annex 4 §7 note 13: assigned in hours, declared in minutes
            if tekst(p, "ProductPeriode", "Begindatum") < tw["ingang"]:
                gebroken.append("TR307")
            if tw["einde"] and tekst(p, "ProductPeriode", "Einddatum") > tw["einde"]:
                gebroken.append("TR308")
        if credit and (vorig is None or self.db.prestatie_status(run, agb, vorig) != "toegekend"):
            gebroken.append("TR323")
        if ref not in (None, "") and "TR314" not in gebroken:
            self.db.zet_prestatie(run, agb, ref, "afgekeurd" if gebroken else "toegekend")
        if credit and not gebroken:
            self.db.zet_prestatie(run, agb, vorig, "gecrediteerd")
        return [CODE[r] for r in gebroken]

    # =========================================================================================
    # sending
    # =========================================================================================
    def _stapeling(self, run: str, bsn: str, agb: str, std: str, gevraagd: list) -> bool:
        """A requested product (categorie and code) the client already has at this aanbieder, not vervallen,
        in an overlapping period; a verlenging starts after the current einddatum and does not overlap."""
        for ap in gevraagd:
            product = (tekst(ap, "Product", "Categorie"), tekst(ap, "Product", "Code"))
            van = date.fromisoformat(tekst(ap, "ToewijzingIngangsdatum"))
            tot = date.fromisoformat(tekst(ap, "ToewijzingEinddatum")) if tekst(ap, "ToewijzingEinddatum") else date.max
            for tw in self.db.toewijzingen(run, bsn, agb, std):
                ingang = date.fromisoformat(tw["ingang"])
                einde = date.fromisoformat(tw["einde"]) if tw.get("einde") else date.max
                if (tw["categorie"], tw["code"]) == product and einde > ingang and ingang <= tot and van <= einde:
                    return True
        return False

    def _gecontracteerd(self, inst: dict, agb: str, std: str) -> bool:
        contracten = inst.get("contracten") or []
        if not contracten:
            return True  # a run without contract data: every aanbieder is accepted
        for c in contracten:
            if str(c.get("aanbieder")) == agb:
                return bool(c.get("gecontracteerd", True)) and domein(std) in (c.get("domeinen") or [domein(std)])
        return False

    def _identificatie(self, run: str, inst: dict) -> str:
        return f"{inst['code']}{self.db.volgnummer(run):08d}"

    def _nieuwe_toewijzing(self, run: str, inst: dict, dag: date, bsn: str, agb: str, std: str, referentie: str | None,
                           categorie: str | None, code: str | None, ingang: date, einde: date | None,
                           omvang: tuple) -> dict:
        tw = {"nummer": f"{inst['code'][1:]}{self.db.volgnummer(run):06d}", "bsn": bsn, "agb": agb, "std": std,
              "referentie": referentie, "categorie": categorie, "code": code, "datum": dag.isoformat(),
              "ingang": ingang.isoformat(), "einde": einde.isoformat() if einde else None, "reden": None,
              "omvang": [None if v is None else str(v) for v in omvang]}
        self.db.bewaar_toewijzing(run, tw)
        return tw

    def _stuur_301(self, run: str, inst: dict, dag: date, bsn: str, agb: str, std: str, gewijzigd: set[str]) -> None:
        producten = [tw for tw in self.db.toewijzingen(run, bsn, agb, std)
                     if tw["nummer"] in gewijzigd or geldig_op(tw, dag)]
        client = self.db.client(run, bsn) or {}
        ident = self._identificatie(run, inst)
        if "dubbele_id" in self.fouten:
            ident = self.db.eerste(run, "eerste_301", ident)  # fault: every 301 reuses the first one's id
        b = Bouw(std, "301")
        b.header(inst["code"], agb, ident, dag)
        c = b.el(b.root, "Client")
        b.el(c, "Bsn", bsn)
        b.be(b.el(c, "Geboortedatum"), "Datum", client.get("geboortedatum"))
        b.el(c, "Geslacht", client.get("geslacht") or "0")
        naam = b.el(c, "Naam")
        gn = b.groep(naam, "Geslachtsnaam")
        b.be(gn, "Achternaam", client.get("achternaam") or "Onbekend")
        b.be(gn, "Voorvoegsel", client.get("voorvoegsel"))
        b.be(naam, "Voornamen", client.get("voornamen"))
        b.be(naam, "Voorletters", client.get("voorletters"))
        b.be(naam, "NaamGebruik", "1")
        contact = b.el(b.el(c, "Contactgegevens"), "Contact")
        b.el(contact, "Soort", "01")
        adres = client.get("adres") or {}
        if adres:
            a = b.el(contact, "Adres")
            if adres.get("huisnummer") not in (None, ""):
                b.be(b.groep(a, "Huis"), "Huisnummer", adres["huisnummer"])
            b.be(a, "Postcode", adres.get("postcode"))
            b.be(a, "Straatnaam", adres.get("straat"))
            b.be(a, "Plaatsnaam", adres.get("plaats"))
            b.be(a, "LandCode", "NL")
        tps = b.el(c, "ToegewezenProducten")
        for tw in producten:
            tp = b.el(tps, "ToegewezenProduct")
            b.el(tp, "ToewijzingNummer", tw["nummer"])
            b.opt(tp, "ReferentieAanbieder", tw["referentie"])  # TR379: only when honouring a 315/317
            if tw["categorie"]:
                pr = b.el(tp, "Product")
                b.be(pr, "Categorie", tw["categorie"])
                b.be(pr, "Code", tw["code"])
            b.el(tp, "Toewijzingsdatum", tw["datum"])
            b.el(tp, "Toewijzingstijd", "09:00:00")
            b.el(tp, "Ingangsdatum", tw["ingang"])
            b.opt(tp, "Einddatum", tw["einde"])
            b.opt(tp, "RedenWijziging", tw["reden"])
            if all(tw["omvang"]):
                o = b.el(tp, "Omvang")
                for veld, waarde in zip(("Volume", "Eenheid", "Frequentie"), tw["omvang"]):
                    b.be(o, veld, waarde)
        self._verstuur(run, dag, b.bytes())

    def _stuur_319(self, run: str, inst: dict, dag: date, std: str, agb: str, referentie: str, reden: str) -> None:
        b = Bouw(std, "319")
        b.header(inst["code"], agb, self._identificatie(run, inst), dag)
        a = b.el(b.root, "Antwoord")
        b.el(a, "ReferentieAanbieder", referentie)
        b.el(a, "VerzoekAntwoord", AFGEWEZEN)
        b.el(a, "RedenAfwijzingVerzoek", reden)
        self._verstuur(run, dag, b.bytes())

    def _verstuur(self, run: str, dag: date, xml: bytes) -> None:
        fout = self.schemas.controleer(xml)
        if fout:
            xb.meld(f"[{run}] eigen bericht valideert niet (toch verstuurd): {fout}")
        self.db.verstuur(run, dag, xml)


def _geslacht(waarde) -> str:
    w = str(waarde or "").strip().lower()
    return {"1": "1", "m": "1", "man": "1", "mannelijk": "1", "2": "2", "v": "2", "vrouw": "2",
            "vrouwelijk": "2"}.get(w, "0")
