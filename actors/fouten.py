"""Fault switches: deliberate deviations of a reference actor, to prove each rule fires.

A run with ``--fault NAAM`` (``RunInstellingen.fouten``) makes the reference actor of the named
role break one rule; ``tests/test_fouten.py`` runs every fault and asserts that exactly the rules
listed here fire, and ``ketensim rules --coverage`` shows which rule a fault test proves.

A fault applies to the first ``hoe_vaak`` opportunities (default: every one) of the run, so one
faulty message stands among correct ones — as with a real system that fails now and then.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Fout:
    naam: str
    rol: str  # aanbieder | gemeente
    beschrijving: str
    regels: tuple[str, ...]  # the rules this fault must make fire (and no other)
    scenario: str = "toegang"
    gebeurtenissen: dict[str, float] = field(default_factory=dict)  # special events the test switches on
    hoe_vaak: int = 3
    profiel: str = "mijov-2024"  # the profile the test runs under (a rule of one protocol only)
    #: faults switched on together with this one: a receiver's fault (a retour without the code of a
    #: broken rule) needs a sender that breaks the rule; ``regels`` then lists the rules of both
    samen_met: tuple[str, ...] = ()
    #: route options the test sets on top of the profile's (e.g. more GI bepalingen), like ``gebeurtenissen``
    route_opties: dict[str, dict[str, float]] = field(default_factory=dict)


FOUTEN: dict[str, Fout] = {f.naam: f for f in (
    # -- aanbieder ---------------------------------------------------------------------------
    Fout("laat_302", "aanbieder", "de 302 komt 3 werkdagen na de termijn retour_302", ("TERMIJN.retour_302",)),
    Fout("geen_302", "aanbieder", "op een 301 komt geen 302", ("TERMIJN.retour_302",)),
    Fout("laat_305", "aanbieder", "de 305 komt 3 werkdagen na de termijn start_305 (vanaf de start van de zorg)",
         ("TERMIJN.start_305",)),
    Fout("laat_307", "aanbieder", "de 307 komt 4 werkdagen na de termijn stop_307 (vanaf het einde van de zorg)",
         ("TERMIJN.stop_307",)),
    Fout("305_zonder_301", "aanbieder", "een 305 op een toewijzingnummer dat de aanbieder nooit kreeg",
         ("PROT.305_na_toewijzing", "TR019")),
    Fout("dubbele_305", "aanbieder", "een tweede 305 terwijl de eerste nog actueel is",
         ("PROT.een_actuele_305", "TR326")),
    Fout("307_zonder_305", "aanbieder", "een 307 met een begindatum waarvoor geen 305 actueel is",
         ("PROT.geen_307_zonder_305",)),
    Fout("uren_declareren", "aanbieder", "wat in uren is toegewezen wordt in uren gedeclareerd, niet in minuten",
         ("PROT.eenheid_minuten", "TR341")),
    Fout("laat_323", "aanbieder", "de declaratie van een maand komt 3 werkdagen na de termijn declaratie_323",
         ("TERMIJN.declaratie_323",)),
    Fout("verkeerd_tarief", "aanbieder", "een prestatie met een ander dan het contracttarief", ("TR418",),
         hoe_vaak=2),
    # H-fa: the aanbieder's declaration administration (323 and corrections)
    Fout("periode_voor_ingang", "aanbieder", "een ProductPeriode die op de 1e begint, vóór de ingangsdatum halverwege "
         "de maand (dus ook niet de ingangsdatum als begin)", ("TR307", "TR387")),
    Fout("periode_na_einde", "aanbieder", "een ProductPeriode die tot het einde van de maand loopt, na de einddatum "
         "van de toewijzing (dus ook niet de einddatum als einde)", ("TR308", "TR388")),
    Fout("begindatum_niet_eerste", "aanbieder", "een ProductPeriode die op de 2e van de maand begint", ("TR387",)),
    Fout("einddatum_niet_laatste", "aanbieder", "een ProductPeriode die een dag voor het einde van de maand eindigt",
         ("TR388",)),
    Fout("andere_categorie", "aanbieder", "een prestatie met een andere productcategorie dan toegewezen", ("TR339",)),
    Fout("andere_productcode", "aanbieder", "een prestatie met een andere productcode (zelfde categorie) dan toegewezen",
         ("TR340",)),
    Fout("dubbele_referentie", "aanbieder", "een nieuwe prestatie met het ReferentieNummer van een eerdere", ("TR314",)),
    Fout("declaratie_zonder_toewijzing", "aanbieder", "een extra prestatie op een toewijzingnummer dat de aanbieder "
         "nooit kreeg", ("TR338", "PROT.declaratie_met_toewijzing")),
    Fout("tweede_debet", "aanbieder", "een tweede debetprestatie voor dezelfde toewijzing en ProductPeriode, met "
         "de volgende 323", ("TR389",)),
    Fout("credit_zonder_debet", "aanbieder", "een creditprestatie die verwijst naar een nooit verzonden debetprestatie",
         ("TR323",)),
    Fout("dubbele_credit", "aanbieder", "een goedgekeurde prestatie wordt twee keer gecrediteerd (de tweede credit "
         "hoort niet meer bij een goedgekeurde debet)", ("TR323", "TR390"), gebeurtenissen={"correctie": 1.0}),
    Fout("dubbel_declaratienummer", "aanbieder", "een 323 met het DeclaratieNummer van de vorige", ("TR333",)),
    Fout("periode_na_declaratieperiode", "aanbieder", "een 323 waarvan de DeclaratiePeriode een maand te vroeg is: "
         "prestaties vallen erna (TR319); de maand van die prestaties is zo nooit DeclaratiePeriode geweest en de "
         "volgende 323 slaat haar over (TR318)", ("TR319", "TR318")),
    Fout("declaratieperiode_overgeslagen", "aanbieder", "een 323 met de maand na die van haar prestaties als "
         "DeclaratiePeriode: de periode met zorg wordt overgeslagen", ("TR318",)),
    Fout("afgekeurd_laat_gecorrigeerd", "aanbieder", "een prestatie met een verkeerd tarief (afgekeurd) wordt pas na "
         "de termijn correctie_afgekeurd gecorrigeerd", ("TR418", "TERMIJN.correctie_afgekeurd"), hoe_vaak=2),
    Fout("goedgekeurd_laat_gecorrigeerd", "aanbieder", "een goedgekeurde prestatie wordt pas 3 werkdagen na de termijn "
         "correctie_goedgekeurd gecrediteerd en opnieuw gedeclareerd", ("TERMIJN.correctie_goedgekeurd",),
         gebeurtenissen={"correctie": 1.0}),
    Fout("laat_declaratie_sggz", "aanbieder", "sGGZ: de zorg vóór de 301 wordt pas 3 werkdagen na de termijn "
         "declaratie_sggz gedeclareerd", ("TERMIJN.declaratie_sggz",), scenario="sggz"),
    Fout("budget_overschrijden", "aanbieder", "LTA: een prestatie die het budget van de aspecifieke toewijzing "
         "overschrijdt", ("TR369",), scenario="extern", profiel="lta-2021", hoe_vaak=2),
    Fout("start_na_vervaltermijn", "aanbieder", "de zorg start, en de 305 komt, pas op de dag dat de toewijzing "
         "zonder start vervalt (3 maanden)", ("PROT.start_binnen_vervaltermijn",), hoe_vaak=2),
    Fout("volume_boven_omvang", "aanbieder", "een prestatie met meer volume dan de omvang (per week/maand/dag) in "
         "de ProductPeriode toestaat", ("TR321",)),
    Fout("som_boven_omvang", "aanbieder", "crisis: een latere prestatie neemt de hele omvang (totaal binnen de "
         "geldigheidsduur), samen met de eerdere te veel", ("TR322",), scenario="crisis"),
    Fout("onbekende_bsn", "aanbieder", "een 323 met een extra Client (BSN van geen cliënt van de aanbieder) met een "
         "kopie van een prestatie", ("TR304", "TR338", "PROT.declaratie_met_toewijzing"), hoe_vaak=2),
    Fout("declaratie_op_verwijderde", "aanbieder", "een dag zorg gedeclareerd op een toewijzing die de gemeente "
         "verwijderde (RedenWijziging 13; gebeurtenis verwijderen)", ("TR384",), gebeurtenissen={"verwijderen": 1.0}),
    Fout("laat_315", "aanbieder", "de 315 komt 4 werkdagen na de termijn vot_na_intake", ("TERMIJN.vot_na_intake",),
         scenario="extern"),
    Fout("vow_verleden", "aanbieder", "een 317 met een gewenste ingangsdatum in het verleden (ook TR357: niet de "
         "ingangsdatum van de toewijzing; de gemeente keurt af met 9357)",
         ("PROT.vow_ingang_toekomst", "TR357"), scenario="extern", gebeurtenissen={"vow": 1.0}),
    # -- C1: berichtoverstijgende TRs on 305/307, 317 and 323 ---------------------------------
    Fout("305_herhaald", "aanbieder", "dezelfde 305 nog eens: een sleutel die al ontvangen is (9074)", ("TR074",)),
    Fout("start_verwijderd_na_stop", "aanbieder", "na de definitieve 307 wordt de 305 verwijderd (status 3; 9071)",
         ("TR071",)),
    Fout("stop_ander_product", "aanbieder", "een definitieve 307 met een andere productcode dan de 305 (9069)",
         ("TR382",)),
    Fout("tweede_tijdelijke_stop", "aanbieder", "na een tijdelijke 307 nog een tijdelijke 307 op dezelfde start (9413)",
         ("TR413",), gebeurtenissen={"tijdelijk_stoppen": 1.0}),
    Fout("stop_eerder_dan_tijdelijk", "aanbieder", "na een tijdelijke 307 een definitieve 307 met een eerdere "
         "einddatum (9414)", ("TR414",), gebeurtenissen={"tijdelijk_stoppen": 1.0}),
    Fout("tweede_definitieve_stop", "aanbieder", "na de definitieve 307 een tweede 307 met een andere reden (9415)",
         ("TR415",)),
    Fout("vow_product_dubbel", "aanbieder", "een 317 vraagt het te wijzigen product ook als NieuwProduct, in "
         "dezelfde periode (9361)", ("TR361",), scenario="extern", gebeurtenissen={"vow": 1.0}),
    Fout("vow_zonder_omvang", "aanbieder", "een 317 zonder Omvang op een toewijzing met productcode (9411)",
         ("TR411",), scenario="extern", gebeurtenissen={"vow": 1.0}),
    Fout("budget_vow_toekomst", "aanbieder", "LTA: een budget-317 met een gewenste ingangsdatum over twee weken, niet "
         "die van de toewijzing (9373)", ("TR373",), scenario="extern", profiel="lta-2021"),
    Fout("omvang_in_budgetverzoek", "aanbieder", "LTA: een budget-317 met een Omvang op een aspecifieke toewijzing "
         "(9412)", ("TR412",), scenario="extern", profiel="lta-2021"),
    Fout("omvang_op_generiek", "aanbieder", "LTA: een budget-317 met een Omvang op een toewijzing zonder Product "
         "(9375); zo'n generieke toewijzing geeft alleen een afwijkende gemeente (generiek_toewijzen, samen aan)",
         ("TR375", "PROT.aspecifiek_gevuld"), scenario="extern", profiel="lta-2021",
         samen_met=("generiek_toewijzen",)),
    Fout("debet_dubbel_in_bericht", "aanbieder", "dezelfde debetprestatie twee keer in één 323 (de gemeente keurt de "
         "hele 323 af met 0001)", ("TR416",)),
    # -- B2: verlenging via 315 only at a medisch verwijzer (§8.2) ---------------------------
    Fout("verlenging_niet_medisch", "aanbieder", "een verlenging via 315 met een gecertificeerde instelling als "
         "verwijzer (geen medisch verwijzer); de gemeente wijst haar af", ("PROT.verlenging_medisch_verwijzer",),
         scenario="extern", gebeurtenissen={"verlenging_via_315": 1.0}),
    # -- B1: onderaannemerschap (§11) --------------------------------------------------------
    Fout("onderaannemer_meldt_start", "aanbieder", "de onderaannemer meldt de start van zijn deel van de zorg zelf "
         "met een 305 op de toewijzing van de hoofdaannemer (ook PROT.305_na_toewijzing en TR019: die toewijzing is "
         "niet van hem; de 306 draagt 9019)", ("PROT.onderaannemer_stuurt_niet", "PROT.305_na_toewijzing", "TR019"),
         scenario="extern", gebeurtenissen={"onderaannemer": 1.0}),
    # -- C2: aanbieder faults for the checked-but-unproven rules -----------------------------
    Fout("laat_320", "aanbieder", "de 320 komt 2 werkdagen na de termijn op de 319", ("TERMIJN.retour_320",),
         scenario="extern", gebeurtenissen={"vot_onderzoek": 1.0}),
    Fout("laat_315_sggz", "aanbieder", "sGGZ: de 315 komt 2 werkdagen na de termijn (3 maanden + 5 werkdagen na de "
         "start van de diagnostiek)", ("TERMIJN.vot_sggz",), scenario="sggz"),
    Fout("laat_315_crisis", "aanbieder", "crisis: de 315 komt 2 werkdagen na de termijn na het eerste cliëntcontact",
         ("TERMIJN.vot_crisis",), scenario="crisis"),
    Fout("laat_305_terugwerkend", "aanbieder", "crisis: de 305 op de terugwerkende 301 komt 2 werkdagen na de termijn",
         ("TERMIJN.start_305_terugwerkend",), scenario="crisis"),
    Fout("laat_305_sggz", "aanbieder", "sGGZ: de 305 op de 301 komt 2 werkdagen na de termijn",
         ("TERMIJN.start_305_sggz",), scenario="sggz"),
    Fout("laat_tijdelijke_stop", "aanbieder", "een tijdelijke stop (zorg twee maanden onderbroken) wordt 2 werkdagen "
         "na de termijn gemeld (na de eerste volle maand zonder zorg)", ("TERMIJN.stop_307_tijdelijk",),
         gebeurtenissen={"tijdelijk_stoppen": 1.0}),
    Fout("tweede_verlenging", "aanbieder", "na de verlenging via een 315 vraagt de aanbieder nog een verlenging",
         ("PROT.verlenging_eenmaal",), scenario="extern", gebeurtenissen={"verlenging_via_315": 1.0}),
    Fout("verlenging_crisis", "aanbieder", "crisis: de aanbieder vraagt met een 315 verlenging van de crisiszorg",
         ("PROT.verlenging_eenmaal",), scenario="crisis"),
    Fout("verwijderen_zonder_aanlevering", "aanbieder", "na een 305 een 307 'verwijderen aanlevering' voor een stop "
         "die nooit gestuurd is", ("TR063",)),
    Fout("referentie_hergebruikt", "aanbieder", "de 315 voor de verlenging heeft de ReferentieAanbieder van de eerste "
         "315 (de gemeente keurt hem af met 9347)", ("TR347",), scenario="extern",
         gebeurtenissen={"verlenging_via_315": 1.0}),
    Fout("vow_zonder_actuele", "aanbieder", "een 317 vraagt de extra zorg als NieuwProduct en noemt de actuele "
         "toewijzing niet (de gemeente keurt hem af met 9349)", ("TR349",), scenario="extern",
         gebeurtenissen={"vow": 1.0}),
    Fout("vow_onbekend_ongewijzigd", "aanbieder", "een 317 met een OngewijzigdProduct op een toewijzingnummer dat de "
         "aanbieder nooit kreeg (de gemeente keurt hem af met 9350)", ("TR350",), scenario="extern",
         gebeurtenissen={"vow": 1.0}),
    Fout("vow_na_einde", "aanbieder", "na de 307 een 317 die de beëindigde toewijzing wil wijzigen (de gemeente keurt "
         "hem af met 9351)", ("TR351",)),
    Fout("verzoek_tijdens_onderhanden", "aanbieder", "de aanbieder wacht niet op het antwoord op zijn onderhanden "
         "verzoek: dezelfde 317 gaat meteen nog eens, met een nieuwe ReferentieAanbieder (de gemeente keurt de tweede "
         "af met 9374)", ("TR374",), scenario="extern", gebeurtenissen={"vow": 1.0}),
    # -- gemeente ----------------------------------------------------------------------------
    Fout("laat_316", "gemeente", "de 316 komt 2 werkdagen na de termijn retour_316", ("TERMIJN.retour_316",), scenario="extern"),
    Fout("geen_306", "gemeente", "op een 305 komt geen 306", ("TERMIJN.retour_306",)),
    Fout("laat_besluit", "gemeente", "de 301 op een 315 komt 4 werkdagen na de termijn besluit_vot", ("TERMIJN.besluit_vot",),
         scenario="extern"),
    Fout("laat_325", "gemeente", "de 325 komt 4 werkdagen na de termijn antwoord_325", ("TERMIJN.antwoord_325",)),
    Fout("laat_308", "gemeente", "de 308 komt 2 werkdagen na de termijn retour_308", ("TERMIJN.retour_308",)),
    Fout("vervallen_na_declaratie", "gemeente", "een toewijzing waarvan de laatste maand net is goedgekeurd laat de "
         "gemeente vervallen (einddatum = ingangsdatum)", ("PROT.vervallen_zonder_declaratie",)),
    Fout("vow_in_delen", "gemeente", "een 317 (omvang) beantwoord met twee 301's: eerst de ingekorte, dan de "
         "nieuwe toewijzing", ("PROT.vow_geheel",), scenario="extern", gebeurtenissen={"vow": 1.0}),
    Fout("301_onvolledig", "gemeente", "een 301 zonder een nog geldige, ongewijzigde toewijzing van de cliënt",
         ("PROT.301_volledig",), scenario="extern", gebeurtenissen={"verlenging_via_315": 1.0}),
    Fout("vow_terugwerkend", "gemeente", "op een 317 begint de nieuwe toewijzing een week vóór de 301",
         ("PROT.vow_niet_terugwerkend",), scenario="extern", gebeurtenissen={"vow": 1.0}),
    Fout("dubbele_identificatie", "gemeente", "een 301 met de BerichtIdentificatie van de vorige 301 aan die aanbieder "
         "(ook RETOUR.een_op_een: de 302 daarop verwijst naar dezelfde identificatie als de eerste 302)",
         ("TR056", "RETOUR.een_op_een")),
    Fout("retour_niet_schemavalide", "gemeente", "een 306 met een element dat de XSD niet kent (daarna de juiste 306)",
         ("XSD",)),
    Fout("wmo317_toekennen", "gemeente", "een WMO317 wordt toegekend in plaats van afgewezen",
         ("PROT.afwijzen_wmo317",), gebeurtenissen={"wmo317": 1.0}),
    Fout("dubbele_afwijzing", "gemeente", "een afwijzende 319 wordt een werkdag later nog eens gestuurd",
         ("TR365",), gebeurtenissen={"wmo315": 1.0}),
    Fout("dubbel_in_onderzoek", "gemeente", "na een 319 'in onderzoek' komt een tweede 319 'in onderzoek'",
         ("TR360",), scenario="extern", gebeurtenissen={"vot_onderzoek": 1.0}),
    Fout("afwijzing_na_toewijzing", "gemeente", "een 319 'afgewezen' een werkdag na de 301 op hetzelfde verzoek "
         "(ook TR365: een tweede antwoord dat niet op 'in onderzoek' volgt)", ("TR359", "TR365"), scenario="extern"),
    Fout("laat_na_onderzoek", "gemeente", "na 'in onderzoek' komt de 301/319 5 werkdagen na de termijn onderzoek",
         ("TERMIJN.onderzoek",), scenario="extern", gebeurtenissen={"vot_onderzoek": 1.0}),
    Fout("woonplaats_zonder_gemeente", "gemeente", "een Jw319 afgewezen op woonplaatsbeginsel zonder de "
         "verantwoordelijke gemeente", ("TERMIJN.woonplaatsbeginsel",), scenario="extern",
         gebeurtenissen={"woonplaatsbeginsel": 1.0}),
    Fout("laat_toewijzing_toegang", "gemeente", "de 301 komt 3 werkdagen na de termijn toewijzing_toegang",
         ("TERMIJN.toewijzing_toegang",)),
    Fout("laat_bevestiging_zonder_bsn", "gemeente", "de ontvangstbevestiging van een melding zonder BSN komt "
         "3 werkdagen na de termijn afhandeling_zonder_bsn", ("TERMIJN.afhandeling_zonder_bsn",), scenario="zonder_bsn"),
    Fout("laat_318", "gemeente", "de 318 komt 2 werkdagen na de termijn retour_318", ("TERMIJN.retour_318",), scenario="extern",
         gebeurtenissen={"vow": 1.0}),
    Fout("laat_besluit_vow", "gemeente", "het besluit (301/319) op een 317 komt 4 werkdagen na de termijn besluit_vow",
         ("TERMIJN.besluit_vow",), scenario="extern", gebeurtenissen={"vow": 1.0}),
    Fout("325_half", "gemeente", "een 325 die een regel half toekent (totaal toegekend klopt niet)",
         ("PROT.325_volledig",)),
    Fout("code_zonder_oorzaak", "gemeente", "een 306 met retourcode 9019 op een juiste 305",
         ("RETOUR.code_zonder_oorzaak",)),
    Fout("aspecifiek_met_code", "gemeente", "een aspecifieke toewijzing (LTA) met een productcode",
         ("PROT.aspecifiek_gevuld",), scenario="extern", profiel="lta-2021"),
    Fout("wmo315_toekennen", "gemeente", "een WMO315 wordt toegewezen in plaats van afgewezen",
         ("PROT.afwijzen_wmo315",), gebeurtenissen={"wmo315": 1.0}),
    # -- B1: the gemeente's §4 checks on a 315 and §11.1 ------------------------------------
    Fout("onderaannemer_315_toekennen", "gemeente", "de 315 van een onderaannemer wordt toegewezen in plaats van "
         "afgewezen", ("PROT.afwijzen_onderaannemer",), scenario="extern",
         gebeurtenissen={"onderaannemer": 1.0, "onderaannemer_315": 1.0}),
    Fout("geen_contract_toekennen", "gemeente", "de 315 van een aanbieder zonder contract voor het domein wordt "
         "toegewezen", ("PROT.afwijzen_geen_contract",), scenario="extern", gebeurtenissen={"geen_contract_315": 1.0}),
    Fout("stapeling_toekennen", "gemeente", "een 315 voor hetzelfde product in een overlappende periode (stapeling) "
         "wordt toegewezen", ("PROT.afwijzen_stapeling",), gebeurtenissen={"stapeling_315": 1.0}),
    # -- C1: berichtoverstijgende TRs on 301 and 325 -------------------------------------------
    Fout("referentie_zonder_verzoek", "gemeente", "een 301 na verwijzing door de toegang met een ReferentieAanbieder "
         "van geen enkel verzoek (de aanbieder keurt af met 9379)", ("TR379",)),
    Fout("verwijderd_na_declaratie", "gemeente", "een toewijzing waarvan de laatste maand net is goedgekeurd wordt "
         "verwijderd (RedenWijziging 13; de aanbieder keurt af met 9385)",
         ("PROT.vervallen_zonder_declaratie", "TR385")),
    Fout("325_ander_declaratienummer", "gemeente", "een 325 met een ander DeclaratieNummer dan dat van de 323",
         ("TR376",)),
    Fout("generiek_toewijzen", "gemeente", "LTA: een toewijzing zonder Product (ook zonder categorie), ook in de "
         "305 van de aanbieder", ("PROT.aspecifiek_gevuld",), scenario="extern", profiel="lta-2021", hoe_vaak=8),
    Fout("325_andere_xsdversie", "gemeente", "een 325 waarvan XsdVersieDeclaratie niet de XsdVersie van de 323 is",
         ("TR371",)),
    # -- C2: gemeente faults for the checked-but-unproven rules ------------------------------
    Fout("gi_bepaling_toekennen", "gemeente", "een 315 voor hulp op basis van een GI-bepaling wordt toegewezen in "
         "plaats van afgewezen", ("PROT.afwijzen_gi_bepaling",), gebeurtenissen={"gi_bepaling_315": 1.0},
         route_opties={"toegang": {"kans_gi_bepaling": 0.5}}),
    Fout("specifiek_zonder_omvang", "gemeente", "een specifieke toewijzing (301) zonder Omvang", ("PROT.specifiek_gevuld",)),
    Fout("toewijzingnummer_hergebruikt", "gemeente", "een nieuwe toewijzing krijgt het ToewijzingNummer van de vorige "
         "toewijzing aan die aanbieder, voor een andere cliënt (de aanbieder keurt hem af met 9332)", ("TR332",),
         hoe_vaak=1),
    Fout("antwoord_onbekende_declaratie", "gemeente", "na de 325 nog een 325 met een DeclaratieIdentificatie die de "
         "gemeente nooit ontving", ("TR337",), hoe_vaak=2),
    Fout("antwoord_onbekende_referentie", "gemeente", "vóór de 319 een 319 met een ReferentieAanbieder die de "
         "aanbieder nooit gebruikte (de aanbieder keurt hem af met 9355)", ("TR355",), scenario="extern",
         gebeurtenissen={"vot_onderzoek": 1.0}),
    Fout("325_onbekende_prestatie", "gemeente", "een 325 die een prestatie noemt met een ReferentieNummer dat niet in "
         "de 323 stond", ("TR366",), hoe_vaak=2),
    Fout("325_ander_bedrag", "gemeente", "een 325 die een prestatie uit de 323 noemt met een ander IngediendBedrag",
         ("TR367",), hoe_vaak=2),
    Fout("retour_zonder_code", "gemeente", "de 318 op een 317 die de aanbieder stuurde terwijl zijn vorige 317 nog "
         "onderhanden was (fout verzoek_tijdens_onderhanden) mist retourcode 9374; de gemeente keurt het verzoek wel "
         "af", ("RETOUR.oorzaak_zonder_code", "TR374"), scenario="extern", gebeurtenissen={"vow": 1.0},
         samen_met=("verzoek_tijdens_onderhanden",)),
    # -- C3: profile keys that drive behaviour ----------------------------------------------
    Fout("toewijzing_te_lang", "gemeente", "een toewijzing loopt een maand langer dan de maximale toewijzingsduur "
         "van het profiel", ("PROT.toewijzingsduur",), hoe_vaak=2),
)}


#: rules proven by a faulty system under test rather than a reference-actor switch (tests/test_sut_hostile.py:
#: a hanging, crashing or garbage-answering SUT fires it; the example SUT's clean run keeps it silent)
SUT_FOUTEN = {"SUT.lockstep": ["sut:hang", "sut:gesloten_poort", "sut:http_500", "sut:onleesbaar"]}


def met_samen(fouten: frozenset[str] | set[str]) -> frozenset[str]:
    """The faults switched on in a run: the named ones and the ones each needs (``samen_met``)."""
    return frozenset(fouten) | {s for f in fouten if f in FOUTEN for s in FOUTEN[f].samen_met}


def dekking() -> dict[str, list[str]]:
    """Rule id → the faults whose test proves it fires."""
    uit: dict[str, list[str]] = {r: list(n) for r, n in SUT_FOUTEN.items()}
    for f in FOUTEN.values():
        for r in f.regels:
            uit.setdefault(r, []).append(f.naam)
    return uit
