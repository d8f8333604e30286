"""What this aanbieder does with each message and care event of a werkdag (Annex 4, Zorgregio
Midden-IJssel/Oost-Veluwe).  Everything is sent on the day it is due ("today" is the granted
werkdag, never the wall clock); a deliberate fault (``--fault``) makes one thing go wrong.

Each day the granted werkdag's received messages are handled first, then its care events:

| receives                         | sends                                                          |
|----------------------------------|----------------------------------------------------------------|
| 301                              | 302 (the toewijzingen are kept: product, ingangsdatum, client)  |
| 319                              | 320; "afgewezen" on the woonplaatsbeginsel: the 315 again, to   |
|                                  | the gemeente it names                                          |
| 306, 308, 316, 318, 320, 325     | nothing (retourcodes are logged)                                |
| intake / start_diagnostiek /     | a 315 to the gemeente of the event, one AangevraagdProduct per  |
| eerste_contact_crisis            | care need, with the verwijzer                                   |
| start_zorg                       | a 305 (Begindatum = the start)                                  |
| onderbreking                     | a 307 "tijdelijk beëindigd" (20) on the current 305             |
| einde_zorg                       | a 307 with the event's reden; after a pause that turns out       |
|                                  | definitive: the tijdelijke 307 withdrawn (status 3), then it     |
| levering                         | a 323 the same day: per gemeente and standaard, per month in    |
|                                  | order; DeclaratiePeriode = that month, never before an earlier  |
|                                  | one; tariff and unit from the run's contract                    |
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date

from xmlbericht import Bouw, BerichtFout, Ontvangen, kind, kinderen, lees, meld, retour, tekst

FOUTEN = {  # --fault NAME → the ketensim rule it breaks (and what goes wrong)
    "laat_302": ("TERMIJN.retour_302", "the 302 comes 5 werkdagen after the 301"),
    "laat_315": ("TERMIJN.vot_na_intake", "the 315 comes 8 werkdagen after the intake"),
    "laat_305": ("TERMIJN.start_305", "the 305 comes 8 werkdagen after care started"),
    "geen_307": ("TERMIJN.stop_307", "no 307 when care ends"),
    "305_zonder_301": ("PROT.305_na_toewijzing", "each 305 also goes out for a toewijzing never received"),
    "laat_323": ("TERMIJN.declaratie_323", "a month is declared two months late"),
    "verkeerd_tarief": ("TR418", "a prestatie at a tariff one cent above the contract"),
}
TIJDELIJK = "20"  # RedenBeeindiging "tijdelijk beëindigd" (iJw and iWmo)
EERSTE, VERWIJDEREN = "1", "3"  # StatusAanlevering


@dataclass
class Toewijzing:
    gemeente: str
    std: str
    nummer: str
    bsn: str
    categorie: str | None
    code: str | None
    ingangsdatum: date
    start: date | None = None  # Begindatum of the current 305
    tijdelijk: tuple[date, date] | None = None  # (Begindatum, Einddatum) of a tijdelijke 307


@dataclass
class Run:
    run: str
    agb: str
    tarieven: dict[str, tuple[str, int]] = field(default_factory=dict)  # productcode → (eenheid, tarief)


class Administratie:
    def __init__(self, run: dict, fouten: frozenset[str] = frozenset()) -> None:
        self.run = Run(str(run.get("run", "")), str(run.get("code", "")))
        for c in run.get("contracten") or []:
            for p in c.get("producten") or []:
                self.run.tarieven[str(p.get("code"))] = (str(p.get("eenheid")), int(p.get("tarief") or 0))
        self.fouten = fouten
        self.dagnummer = 0  # granted werkdagen so far: the faults count werkdagen with it
        self.teller = 0
        self.clienten: dict[str, dict] = {}  # bsn → Bsn, Geboortedatum, Geslacht, Naam
        self.toewijzingen: dict[tuple[str, str], Toewijzing] = {}  # (gemeente, nummer)
        self.verzoeken: dict[str, dict] = {}  # ReferentieAanbieder → the intake event it asked for
        self.laatste_periode: dict[tuple[str, str], tuple[int, int]] = {}  # (gemeente, std) → last month
        self.uitgesteld: list[tuple[int, bytes]] = []  # (werkdag number, message): faults only
        self.te_declareren: list[tuple[int, dict]] = []  # (werkdag number, levering event)

    # -- one werkdag -----------------------------------------------------------------------------
    def dag(self, vandaag: date, inbox: list[bytes], zorg: list[dict]) -> list[bytes]:
        self.dagnummer += 1
        self.vandaag = vandaag
        uit: list[bytes] = []
        for xml in inbox:
            try:
                uit += self._bericht(lees(xml))
            except (BerichtFout, ValueError, KeyError, TypeError, AttributeError) as exc:
                meld(f"{vandaag}: bericht niet verwerkt: {exc}")
        for gebeurtenis in zorg:
            try:
                uit += self._zorg(gebeurtenis)
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                meld(f"{vandaag}: zorggebeurtenis niet verwerkt ({gebeurtenis.get('soort')}): {exc}")
        uit += self._declareer()
        nu = [x for d, x in self.uitgesteld if d <= self.dagnummer]
        self.uitgesteld = [(d, x) for d, x in self.uitgesteld if d > self.dagnummer]
        return uit + nu

    def _later(self, werkdagen: int, xml: bytes) -> list[bytes]:
        self.uitgesteld.append((self.dagnummer + werkdagen, xml))
        return []

    def _ident(self) -> str:
        self.teller += 1
        return f"A{self.teller:09d}"

    # -- messages --------------------------------------------------------------------------------
    def _bericht(self, b: Ontvangen) -> list[bytes]:
        if b.nummer == "301":
            self._toewijzing(b)
            antwoord = retour(b, self._ident(), self.vandaag)
            return self._later(5, antwoord) if "laat_302" in self.fouten else [antwoord]
        if b.nummer == "319":
            return [retour(b, self._ident(), self.vandaag)] + self._antwoord(b)
        codes = [c.text for c in b.root.iter() if isinstance(c.tag, str) and c.tag.endswith("}RetourCode")
                 and c.text not in ("0200", "8001")]
        if codes:
            meld(f"{self.vandaag}: {b.std} {b.nummer} met retourcodes {', '.join(codes)}")
        return []

    def _toewijzing(self, b: Ontvangen) -> None:
        gemeente = b.tekst("Header", "Afzender") or ""
        c = kind(b.root, "Client")
        bsn = tekst(c, "Bsn") or ""
        self.clienten[bsn] = {"bsn": bsn, "geboortedatum": tekst(c, "Geboortedatum", "Datum"),
                              "geslacht": tekst(c, "Geslacht"), "geslachtsnaam": tekst(c, "Naam", "Geslachtsnaam", "Achternaam"),
                              "voorvoegsel": tekst(c, "Naam", "Geslachtsnaam", "Voorvoegsel"),
                              "voorletters": tekst(c, "Naam", "Voorletters")}
        for tp in kinderen(kind(c, "ToegewezenProducten"), "ToegewezenProduct"):
            nummer = tekst(tp, "ToewijzingNummer") or ""
            oud = self.toewijzingen.get((gemeente, nummer))
            nieuw = Toewijzing(gemeente, b.std, nummer, bsn, tekst(tp, "Product", "Categorie"), tekst(tp, "Product", "Code"),
                               date.fromisoformat(tekst(tp, "Ingangsdatum") or ""))
            if oud is not None:  # a change keeps what was started
                nieuw.start, nieuw.tijdelijk = oud.start, oud.tijdelijk
            self.toewijzingen[(gemeente, nummer)] = nieuw

    def _antwoord(self, b: Ontvangen) -> list[bytes]:
        """A 315 rejected on the woonplaatsbeginsel goes again, to the gemeente that is responsible."""
        a = kind(b.root, "Antwoord")
        gemeente = tekst(a, "Woonplaatsbeginsel", "Gemeente")
        intake = self.verzoeken.get(tekst(a, "ReferentieAanbieder") or "")
        if tekst(a, "VerzoekAntwoord") != "1" or not gemeente or intake is None or intake.get("opnieuw"):
            return []
        return self._315(dict(intake, gemeente=gemeente, opnieuw=True))

    # -- care events -----------------------------------------------------------------------------
    def _zorg(self, z: dict) -> list[bytes]:
        soort = z.get("soort")
        if soort in ("intake", "start_diagnostiek", "eerste_contact_crisis"):
            xml = self._315(z)
            return self._later(8, xml[0]) if "laat_315" in self.fouten else xml
        if soort == "levering":
            wanneer = self.dagnummer + (45 if "laat_323" in self.fouten else 0)
            self.te_declareren.append((wanneer, z))
            return []
        tw = self.toewijzingen.get((str(z.get("gemeente")), str(z.get("toewijzingnummer"))))
        if tw is None:
            meld(f"{self.vandaag}: {soort} voor onbekende toewijzing {z.get('toewijzingnummer')}")
            return []
        datum = date.fromisoformat(z["datum"])
        if soort == "start_zorg":
            tw.start, tw.tijdelijk = datum, None
            xml = self._305(tw, tw.nummer, datum)
            if "laat_305" in self.fouten:
                return self._later(8, xml)
            if "305_zonder_301" in self.fouten:
                return [xml, self._305(tw, "9" * len(tw.nummer), datum)]  # a number no gemeente gave
            return [xml]
        if soort == "onderbreking" and tw.start is not None:
            xml = self._307(tw, tw.start, TIJDELIJK, datum, EERSTE)
            tw.tijdelijk, tw.start = (tw.start, datum), None
            return [xml]
        if soort == "einde_zorg":
            if "geen_307" in self.fouten:
                return []
            uit = []
            if tw.start is None and tw.tijdelijk is not None:  # the pause turned out definitive (§6.4)
                begin, eind = tw.tijdelijk
                uit.append(self._307(tw, begin, TIJDELIJK, eind, VERWIJDEREN))
                tw.start, tw.tijdelijk = begin, None
            if tw.start is not None:
                uit.append(self._307(tw, tw.start, str(z["reden"]), datum, EERSTE))
                tw.start = None
            return uit
        return []

    # -- building --------------------------------------------------------------------------------
    def _315(self, z: dict) -> list[bytes]:
        std = "ijw" if z.get("standaard") == "iJw" else "iwmo"
        b = Bouw(std, "315")
        b.header(self.run.agb, str(z["gemeente"]), self._ident(), self.vandaag)
        c = b.client(b.root, z["client"])
        if std == "ijw" and z["client"].get("gezagsdrager_bekend") is not None:
            b.el(c, "GezagsdragerBekend", "1" if z["client"]["gezagsdrager_bekend"] else "2")
        producten = b.el(c, "AangevraagdeProducten")
        for zorg in z["zorg"]:
            referentie = f"R{self._ident()}"
            self.verzoeken[referentie] = z
            p = zorg["product"]
            ap = b.el(producten, "AangevraagdProduct")
            b.el(ap, "ReferentieAanbieder", referentie)
            b.product(ap, p["categorie"], p.get("code"))
            b.el(ap, "ToewijzingIngangsdatum", zorg["ingangsdatum"])
            b.opt(ap, "ToewijzingEinddatum", zorg.get("einddatum"))
            o = b.el(ap, "Omvang")
            b.be(o, "Volume", p["volume"])
            b.be(o, "Eenheid", p["eenheid"])
            b.be(o, "Frequentie", p["frequentie"])
            v = b.el(ap, "Verwijzer")
            b.be(v, "Type", z["verwijzer"]["type"])
            b.be(v, "Naam", z["verwijzer"].get("naam"))
            b.be(v, "ZorgverlenerCode", z["verwijzer"].get("zorgverlenercode"))
        return [b.bytes()]

    def _305(self, tw: Toewijzing, nummer: str, begindatum: date) -> bytes:
        b = Bouw(tw.std, "305")
        b.header(self.run.agb, tw.gemeente, self._ident(), self.vandaag)
        c = b.client(b.root, self.clienten[tw.bsn])
        sp = b.el(b.el(c, "StartProducten"), "StartProduct")
        b.el(sp, "ToewijzingNummer", nummer)
        b.product(sp, tw.categorie, tw.code)
        b.el(sp, "ToewijzingIngangsdatum", tw.ingangsdatum)
        b.el(sp, "Begindatum", begindatum)
        b.el(sp, "StatusAanlevering", EERSTE)
        return b.bytes()

    def _307(self, tw: Toewijzing, begindatum: date, reden: str, einddatum: date, status: str) -> bytes:
        b = Bouw(tw.std, "307")
        b.header(self.run.agb, tw.gemeente, self._ident(), self.vandaag)
        c = b.client(b.root, self.clienten[tw.bsn])
        sp = b.el(b.el(c, "StopProducten"), "StopProduct")
        b.el(sp, "ToewijzingNummer", tw.nummer)
        b.product(sp, tw.categorie, tw.code)
        b.el(sp, "ToewijzingIngangsdatum", tw.ingangsdatum)
        b.el(sp, "Begindatum", begindatum)
        b.el(sp, "RedenBeeindiging", reden)
        b.el(sp, "Einddatum", einddatum)
        b.el(sp, "StatusAanlevering", status)
        return b.bytes()

    def _declareer(self) -> list[bytes]:
        """One 323 per gemeente, standaard and month of care, months in order (TR318: the
        DeclaratiePeriode follows the previous one and never goes back)."""
        nu = [z for d, z in self.te_declareren if d <= self.dagnummer]
        self.te_declareren = [(d, z) for d, z in self.te_declareren if d > self.dagnummer]
        groepen: dict[tuple[str, str, tuple[int, int]], list[dict]] = {}
        for z in nu:
            tw = self.toewijzingen.get((str(z["gemeente"]), str(z["toewijzingnummer"])))
            if tw is None:
                meld(f"{self.vandaag}: levering voor onbekende toewijzing {z['toewijzingnummer']}")
                continue
            einde = date.fromisoformat(z["periode"]["einddatum"])
            groepen.setdefault((tw.gemeente, tw.std, (einde.year, einde.month)), []).append(z)
        uit = []
        for (gemeente, std, maand), leveringen in sorted(groepen.items()):
            periode = max(maand, self.laatste_periode.get((gemeente, std), maand))
            self.laatste_periode[(gemeente, std)] = periode
            uit.append(self._323(gemeente, std, periode, leveringen))
        return uit

    def _323(self, gemeente: str, std: str, periode: tuple[int, int], leveringen: list[dict]) -> bytes:
        b = Bouw(std, "323")
        b.header(self.run.agb, gemeente, self._ident(), self.vandaag)
        d = b.el(b.root, "Declaratie")
        b.el(d, "DeclaratieNummer", f"D{self._ident()}")
        dp = b.el(d, "DeclaratiePeriode")
        jaar, maand = periode
        b.be(dp, "Begindatum", date(jaar, maand, 1))
        b.be(dp, "Einddatum", date(jaar, maand, calendar.monthrange(jaar, maand)[1]))
        b.el(d, "DeclaratieDagtekening", self.vandaag)
        totaal = b.el(d, "TotaalIngediendBedrag")
        clienten = b.el(d, "Clienten")
        per_bsn: dict[str, list[dict]] = {}
        for z in leveringen:
            per_bsn.setdefault(str(z["bsn"]), []).append(z)
        som = 0
        for bsn, lijst in per_bsn.items():
            c = b.el(clienten, "Client")
            b.el(c, "Bsn", bsn)
            prestaties = b.el(c, "Prestaties")
            for z in lijst:
                eenheid, tarief = self.run.tarieven.get(z["product"]["code"], (z["eenheid"], 0))
                if "verkeerd_tarief" in self.fouten:
                    tarief += 1
                bedrag = int(z["volume"]) * tarief
                som += bedrag
                p = b.el(prestaties, "Prestatie")
                b.be(b.el(p, "ProductReferentie"), "ReferentieNummer", f"P{self._ident()}")
                b.el(p, "ToewijzingNummer", z["toewijzingnummer"])
                b.el(p, "ProductCategorie", z["product"]["categorie"])
                b.opt(p, "ProductCode", z["product"].get("code"))
                pp = b.el(p, "ProductPeriode")
                b.be(pp, "Begindatum", z["periode"]["begindatum"])
                b.be(pp, "Einddatum", z["periode"]["einddatum"])
                b.el(p, "GeleverdVolume", z["volume"])
                b.el(p, "Eenheid", z["eenheid"])
                b.el(p, "ProductTarief", tarief)
                ib = b.el(p, "IngediendBedrag")
                b.be(ib, "Bedrag", bedrag)
                b.be(ib, "DebetCredit", "D")
        b.be(totaal, "TotaalBedrag", som)
        b.be(totaal, "DebetCredit", "D")
        return b.bytes()
