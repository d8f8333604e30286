"""The population: which clients arrive when, where, by which route, needing what.

Arrivals per gemeente follow a Poisson process with a rate proportional to the gemeente's
inhabitants (profile ``[gemeenten]``); for a run of exactly N clients the arrival times are
drawn conditioned on the total (N uniform arrival days, gemeente by weight), which is the same
process given its count.  Routes are drawn by the profile's route weights (or fixed by the
scenario), durations and volumes from ``[populatie]``, and each special event of
``[gebeurtenissen]`` by its chance where it applies to the route.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from simulator.synthetisch import Client, Product, Synthetisch, leeftijd
from simulator.werkdagen import add_maanden

from .traject import Onderaanneming, Traject, Zorgvraag
from .wereld import Wereld

#: special events and the routes they can happen in
EVENT_ROUTES: dict[str, tuple[str, ...]] = {
    "vow": ("toegang", "extern"),
    "vot_onderzoek": ("extern", "sggz", "crisis"),
    "woonplaatsbeginsel": ("extern",),
    "geen_start": ("toegang", "extern"),
    "tijdelijk_stoppen": ("toegang", "extern"),
    "stop_corrigeren": ("toegang", "extern"),
    "correctie": ("toegang", "extern", "sggz"),
    "afkeuring": ("toegang", "extern", "dyslexie"),
    "inkorten": ("toegang",),
    "verlengen": ("toegang",),
    "vervallen": ("toegang",),
    "verhuizing": ("toegang", "extern"),
    "verlenging_via_315": ("extern",),
    "overgang_18": ("toegang",),
    "wmo315": ("toegang",),
    "wmo317": ("toegang",),
    "gi_bepaling_315": ("toegang",),
    "verwijderen": ("toegang",),  # not in the reference profiles: the fault test of TR384 switches it on
    # §11 onderaanneming, and 315s the gemeente's §4 checks must catch (docs/routes.md, "Onderaanneming")
    "onderaannemer": ("toegang", "extern"),
    "onderaannemer_315": ("extern",),  # only with ``onderaannemer``: the onderaannemer sends a JW315 anyway (§11.1)
    "geen_contract_315": ("extern",),  # a 315 from an aanbieder without a contract for the domein here
    "stapeling_315": ("toegang", "extern"),  # a second 315 for the same product, overlapping the toewijzing
    "naw_afwijkend_315": ("extern",),  # a 315 whose client name differs from the gemeente's register
}
#: events drawn each from a random stream of its own (``<seed>:<traject>:<event>``): added after the
#: others, so drawing them from the trajectory's own stream would have shifted every later draw
EIGEN_STROOM = ("onderaannemer", "onderaannemer_315", "geen_contract_315", "stapeling_315", "naw_afwijkend_315")
#: events a ``stapeling_315`` trajectory leaves out: those with a verzoek of their own, so its extra 315 never
#: meets another verzoek onderhanden (TR374), and those that leave no toewijzing for it to overlap
NAAST_STAPELING = frozenset({"vow", "verlenging_via_315", "wmo315", "wmo317", "gi_bepaling_315", "vervallen",
                             "verwijderen", "geen_start"})
#: events that exclude each other (the gemeente changes one toewijzing one way)
EXCLUSIEF = ("vervallen", "inkorten", "verhuizing", "verlengen", "geen_start", "overgang_18", "verwijderen")
#: events that change the person rather than one trajectory (gemeente, age group, GI bepaling): a
#: client with several trajectories (``meervoudig``) has none of them
PERSOONSGEBONDEN = frozenset({"verhuizing", "woonplaatsbeginsel", "overgang_18", "gi_bepaling_315"})
#: events an onderaannemer trajectory leaves out: the pause of a temporary stop would have to hold at
#: both parties (not modelled)
ZONDER_ONDERAANNEMER = frozenset({"tijdelijk_stoppen", "stop_corrigeren"})

PRODUCT_TAGS = {
    ("toegang", "jeugd"): ("ambulant", "dagbehandeling", "verblijf"),
    ("toegang", "wmo"): ("wmo-huishouden", "wmo-begeleiding", "wmo-dagbesteding", "wmo-beschermd-wonen"),
    ("extern", "jeugd"): ("ambulant", "dagbehandeling"),
}


class Populatie:
    def __init__(self, wereld: Wereld, synth: Synthetisch, aanbieders: list, seed: int,
                 meervoudig: float = 0.0) -> None:
        self.w = wereld
        self.synth = synth
        self.aanbieders = aanbieders  # simulator.synthetisch.Aanbieder records
        self.rng = random.Random(f"{seed}:populatie")
        self.p = wereld.profiel
        #: share of trajectories that are a further trajectory of an earlier client (same person,
        #: gemeente and domein, another aanbieder: e.g. huishoudelijke hulp and begeleiding).  0 (the
        #: default) draws a new person for every trajectory; the bench's region-year needs more
        #: trajectories than the BSN test range has people (docs/performance.md).
        self.meervoudig = meervoudig
        #: (gemeente, domein) → [client, {agb of each of its trajectories}] that may get another one
        self._herhaalbaar: dict[tuple[str, str], list[tuple[Client, set[str]]]] = {}
        self._contract: dict[tuple[str, str, bool], list] = {}  # (domein, gemeente, beide) → aanbieders
        self._producten: dict[tuple[tuple[str, ...], str], list[Product]] = {}  # (tags, domein) → products

    # ------------------------------------------------------------------------------------------
    def trajecten(self, aantal: int, start: date, dagen: int, scenario: str) -> list[Traject]:
        kal = self.p.kalender
        venster = max(1, int(dagen * 0.6))
        gemeenten = list(self.p.gemeenten.values())
        gewichten = [g.inwoners for g in gemeenten]
        routes = [r for r in self.p.routes.values() if r.gewicht > 0]
        uit = []
        for i in range(aantal):
            dag = kal.add_werkdagen(start, self.rng.randrange(venster)) if venster > 1 else start
            if not kal.is_werkdag(dag):
                dag = kal.volgende_werkdag(dag)
            gemeente = self.rng.choices(gemeenten, weights=gewichten)[0]
            if scenario == "mix":
                route = self.rng.choices(routes, weights=[r.gewicht for r in routes])[0]
            else:
                route = self.p.routes[scenario]
            uit.append(self._traject(f"T{i + 1:06d}", route.naam, gemeente.code, dag))
        uit.sort(key=lambda t: (t.aanmelding, t.id))
        return uit

    # ------------------------------------------------------------------------------------------
    def _traject(self, tid: str, route: str, gemeente: str, aanmelding: date) -> Traject:
        r = self.w.sim.rng(tid)
        opties = self.p.routes[route].opties
        domeinen = self.p.routes[route].domeinen
        domein = domeinen[0] if len(domeinen) == 1 else r.choices(domeinen, weights=[45, 55][:len(domeinen)])[0]
        events = self._gebeurtenissen(r, route, domein, tid)
        leeftijd_client = 17 if "overgang_18" in events else None
        if domein == "wmo":
            events.discard("overgang_18")
        eerder = self._eerdere_client(r, route, domein, gemeente) if self.meervoudig > 0 else None
        if eerder is not None:
            client, agbs = eerder
            events -= PERSOONSGEBONDEN | {"geen_contract_315"}
            aanbieder = self._aanbieder(r, domein, gemeente, uitgezonderd=agbs)
        else:
            client = self.synth.client(domein, gemeente, peildatum=aanmelding, leeftijd=leeftijd_client,
                                       heeft_bsn=(route != "zonder_bsn"))
            aanbieder = self._aanbieder(r, domein, gemeente, beide="overgang_18" in events)
        if "geen_contract_315" in events:
            zonder = self._zonder_contract(tid, domein, gemeente)
            if zonder is None:  # every aanbieder of this domein has a contract here
                events.discard("geen_contract_315")
            else:
                aanbieder = zonder
        onderaanneming = None
        if "onderaannemer" in events:
            onderaanneming = self._onderaanneming(tid, domein, gemeente, {aanbieder.agb} | (eerder[1] if eerder else set()))
            if onderaanneming is None:
                events -= {"onderaannemer", "onderaannemer_315"}
            elif onderaanneming.gecontracteerd:
                # §11.1's 315 is drawn only for a third party the gemeente knows as onderaannemer (the afstemming
                # with its toegang); of a contracted onderaannemer's 315 it cannot know — the risk §11.1 names
                events.discard("onderaannemer_315")
        t = Traject(tid, route, client, gemeente, aanbieder.agb, aanmelding, [],
                    gebeurtenissen=frozenset(), wachttijd=self._tussen(r, "wachttijd_start_werkdagen", 0, 15),
                    onderaanneming=onderaanneming)
        getattr(self, f"_plan_{route}")(t, r, opties)
        if eerder is not None and t.variant == "gi_bepaling":
            t.variant, t.verwijzer = None, "gemeente"
        self._plan_gebeurtenissen(t, r, events, gemeente)
        t.gebeurtenissen = frozenset(events)
        if self.meervoudig > 0:
            # an aanbieder of the client, hoofd- or onderaannemer, gets no further trajectory of it: the
            # checker knows an onderaannemer by (client, AGB)
            agbs = {aanbieder.agb} | ({onderaanneming.agb} if onderaanneming else set())
            if eerder is not None:
                eerder[1].update(agbs)
            elif client.persoon.bsn is not None and not (events & PERSOONSGEBONDEN) and t.variant != "gi_bepaling":
                self._herhaalbaar.setdefault((gemeente, domein), []).append((client, agbs))
        return t

    def _zonder_contract(self, tid: str, domein: str, gemeente: str):
        """An aanbieder of ``domein`` without a contract with ``gemeente`` (event geen_contract_315), or None."""
        kandidaten = [a for a in self.aanbieders if domein in a.domeinen and gemeente not in a.gemeenten]
        if not kandidaten:
            return None
        return self.w.sim.rng(f"{tid}:geen_contract_aanbieder").choice(kandidaten)

    def _onderaanneming(self, tid: str, domein: str, gemeente: str, uitgezonderd: set[str]) -> Onderaanneming | None:
        """§11: another aanbieder of the domein, contracted here or not, and how the care is divided."""
        kandidaten = [a for a in self.aanbieders if domein in a.domeinen and a.agb not in uitgezonderd]
        if not kandidaten:
            return None
        r = self.w.sim.rng(f"{tid}:onderaanneming")
        # half of them a third party without a contract here, where there is one
        zonder = [a for a in kandidaten if gemeente not in a.gemeenten]
        onder = r.choice(zonder if zonder and r.random() < 0.5 else kandidaten)
        alleen = r.random() < 0.2
        return Onderaanneming(
            agb=onder.agb, gecontracteerd=gemeente in onder.gemeenten,
            begint="onderaannemer" if alleen or r.random() < 0.5 else "hoofdaannemer", alleen_onderaannemer=alleen,
            start_verschil=r.randint(5, 30), stopt_eerst=r.choice(("hoofdaannemer", "onderaannemer")),
            einde_verschil=r.randint(5, 30))

    def _eerdere_client(self, r: random.Random, route: str, domein: str, gemeente: str):
        """An earlier client of this gemeente and domein for a further trajectory (``meervoudig``), or None."""
        kandidaten = self._herhaalbaar.get((gemeente, domein))
        if route == "zonder_bsn" or not kandidaten or r.random() >= self.meervoudig:
            return None
        eerder = r.choice(kandidaten)
        vrij = [a for a in self._gecontracteerd(domein, gemeente, False) if a.agb not in eerder[1]]
        return eerder if vrij else None

    def _gebeurtenissen(self, r: random.Random, route: str, domein: str, tid: str) -> set[str]:
        events = set()
        for naam, kans in sorted(self.p.gebeurtenissen.items()):
            if naam not in EIGEN_STROOM and route in EVENT_ROUTES.get(naam, ()) and r.random() < kans:
                events.add(naam)
        for naam in EIGEN_STROOM:
            kans = self.p.kans(naam)
            if kans > 0 and route in EVENT_ROUTES[naam] and self.w.sim.rng(f"{tid}:{naam}").random() < kans:
                events.add(naam)
        exclusief = [e for e in EXCLUSIEF if e in events]
        for e in exclusief[1:]:
            events.discard(e)
        if domein == "wmo":
            events -= {"vow", "gi_bepaling_315", "overgang_18", "stapeling_315", "onderaannemer_315"}
        else:
            events -= {"wmo315", "wmo317"}
        if "overgang_18" in events:
            # the Jeugd care goes on under the Wmo at 18 (§12): it does not end early by the client's choice
            events.discard("stop_corrigeren")
        if "stop_corrigeren" in events:
            events.add("tijdelijk_stoppen")
        if "onderaannemer" not in events or "geen_contract_315" in events:
            events -= {"onderaannemer", "onderaannemer_315"}
        if "onderaannemer" in events:
            events -= ZONDER_ONDERAANNEMER
        if "stapeling_315" in events:
            events -= NAAST_STAPELING
        return events

    def _aanbieder(self, r: random.Random, domein: str, gemeente: str, beide: bool = False,
                   uitgezonderd: frozenset[str] | set[str] = frozenset()):
        kandidaten = self._gecontracteerd(domein, gemeente, beide)
        if uitgezonderd:
            kandidaten = [a for a in kandidaten if a.agb not in uitgezonderd]
        if not kandidaten:
            kandidaten = [a for a in self.aanbieders if domein in a.domeinen]
        return r.choice(kandidaten)

    def _gecontracteerd(self, domein: str, gemeente: str, beide: bool) -> list:
        """The aanbieders contracted by ``gemeente`` for ``domein`` (both domeinen: ``beide``), in list
        order; computed once per combination (was a scan of every aanbieder per trajectory)."""
        sleutel = (domein, gemeente, beide)
        lijst = self._contract.get(sleutel)
        if lijst is None:
            lijst = self._contract[sleutel] = [
                a for a in self.aanbieders if domein in a.domeinen and gemeente in a.gemeenten
                and (not beide or a.domeinen >= {"jeugd", "wmo"})]
        return lijst

    def _tussen(self, r: random.Random, sleutel: str, laag: int, hoog: int) -> int:
        spec = self.p.populatie.get(sleutel, {})
        return r.randint(int(spec.get("min", laag)), int(spec.get("max", hoog)))

    def _product(self, r: random.Random, tags: tuple[str, ...], domein: str) -> Product:
        sleutel = (tags, domein)
        kandidaten = self._producten.get(sleutel)
        if kandidaten is None:
            kandidaten = self._producten[sleutel] = [
                p for tag in tags for p in self.w.catalogus.met_tag(tag)
                if p.domein == domein and ("crisis" in tags or "crisis" not in p.tags)]
        return r.choice(kandidaten)

    def _volume(self, r: random.Random, product: Product) -> int:
        codes = self.w.codes(self._std(product))
        if product.eenheid == codes["eenheid.etmaal"]:
            return 7 if product.frequentie == codes["frequentie.week"] else r.randint(5, 30)
        if product.eenheid == codes["eenheid.dagdeel"]:
            return r.randint(1, 5)
        if product.eenheid == codes["eenheid.stuks_output"]:
            return 1
        if product.frequentie == codes["frequentie.maand"]:
            return r.randint(4, 20)
        if product.frequentie == codes["frequentie.totaal"]:
            return r.randint(10, 40)
        return self._tussen(r, "uren_per_week", 1, 6)

    @staticmethod
    def _std(product: Product):
        from .wereld import standaard_van
        return standaard_van(product.domein)

    def _zorg(self, r: random.Random, product: Product, ingang: date, maanden: int) -> Zorgvraag:
        return Zorgvraag(product, self._volume(r, product), ingang, add_maanden(ingang, maanden) - timedelta(days=1))

    # -- per route ----------------------------------------------------------------------------
    def _plan_toegang(self, t: Traject, r: random.Random, opties) -> None:
        kal = self.p.kalender
        verwijzing = kal.add_werkdagen(t.aanmelding, r.randint(3, 15))
        t.details["verwijzing"] = verwijzing
        ingang = verwijzing + timedelta(days=r.randint(10, 30))
        product = self._product(r, PRODUCT_TAGS[("toegang", t.domein)], t.domein)
        t.zorg = [self._zorg(r, product, ingang, self._tussen(r, "duur_maanden", 2, 12))]
        if t.domein == "jeugd" and r.random() < float(opties.get("kans_gi_bepaling", 0.1)):
            t.variant = "gi_bepaling"
            t.verwijzer = "gi"

    def _plan_extern(self, t: Traject, r: random.Random, opties) -> None:
        kal = self.p.kalender
        t.verwijzer = r.choice(list(opties.get("verwijzers", ["huisarts"])))
        intake = kal.add_werkdagen(t.aanmelding, r.randint(3, 15))
        t.details["intake"] = intake
        t.details["verwijzer_naam"] = f"{t.verwijzer.replace('_', ' ')} {self.synth._faker.last_name()}"[:64]
        ingang = intake + timedelta(days=r.randint(21, 40))
        product = self._product(r, PRODUCT_TAGS[("extern", "jeugd")], "jeugd")
        t.zorg = [self._zorg(r, product, ingang, self._tussen(r, "duur_maanden", 2, 12))]

    def _plan_sggz(self, t: Traject, r: random.Random, opties) -> None:
        kal = self.p.kalender
        t.verwijzer = "huisarts"
        intake = kal.add_werkdagen(t.aanmelding, r.randint(3, 15))
        t.details["intake"] = intake
        # diagnostiek starts after the intake, which is not care (§4 note 2, §6.1); its own stream, so
        # the trajectory's other draws keep their values
        wacht = self._tussen(self.w.sim.rng(f"{t.id}:start_diagnostiek"), "start_diagnostiek_werkdagen", 1, 10)
        start = kal.add_werkdagen(intake, max(1, wacht))
        t.details["start_diagnostiek"] = start
        t.details["vot_sggz_vroegst"] = kal.add_werkdagen(start, r.randint(15, 50))
        if r.random() < float(opties.get("kans_alleen_diagnostiek", 0.3)):
            # diagnostiek only: asked for once it is done and shows no behandeling is needed (§4)
            t.variant = "diagnostiek"
            product = self._product(r, ("sggz-diagnostiek",), "jeugd")
            klaar = kal.vorige_werkdag(t.details["vot_sggz_vroegst"])
            t.zorg = [Zorgvraag(product, self._volume(r, product), start, klaar)]
        else:
            t.variant = "behandelgroep"
            groep = r.choice(list(opties.get("behandelgroepen", ["sggz-basaal"])))
            t.zorg = [self._zorg(r, self._product(r, (groep,), "jeugd"), start, self._tussen(r, "duur_maanden", 6, 12))]

    def _plan_dyslexie(self, t: Traject, r: random.Random, opties) -> None:
        kal = self.p.kalender
        t.variant = self.p.gemeenten[t.gemeente].dyslexie
        t.verwijzer = str(opties.get("verwijzer", "gemeente"))
        intake = kal.add_werkdagen(t.aanmelding, r.randint(5, 15))
        t.details["intake"] = intake
        t.details["verwijzing"] = intake
        ingang = intake + timedelta(days=r.randint(21, 35))
        diag = self._product(r, ("dyslexie-diagnostiek",), "jeugd")
        beh = self._product(r, ("dyslexie-behandeling",), "jeugd")
        eind_diag = add_maanden(ingang, 3) - timedelta(days=1)
        t.zorg = [Zorgvraag(diag, 1, ingang, eind_diag),
                  Zorgvraag(beh, 1, eind_diag + timedelta(days=1), add_maanden(eind_diag, 9))]

    def _plan_crisis(self, t: Traject, r: random.Random, opties) -> None:
        t.verwijzer = str(opties.get("verwijzer", "huisarts"))
        product = self._product(r, ("crisis",), "jeugd")
        eind = t.aanmelding + timedelta(weeks=r.randint(3, 8))
        t.zorg = [Zorgvraag(product, self._volume(r, product), t.aanmelding, eind)]

    def _plan_zonder_bsn(self, t: Traject, r: random.Random, opties) -> None:
        product = self._product(r, PRODUCT_TAGS[("extern", "jeugd")], "jeugd")
        t.zorg = [self._zorg(r, product, t.aanmelding + timedelta(days=14), 4)]

    # -- special events --------------------------------------------------------------------------
    def _plan_gebeurtenissen(self, t: Traject, r: random.Random, events: set[str], gemeente: str) -> None:
        if t.variant != "gi_bepaling":
            events.discard("gi_bepaling_315")
        else:
            events.discard("stapeling_315")  # a 315 on a GI bepaling is rejected as such (§4, §11) anyway
        if "vow" in events:
            t.details["vow_uitkomst"] = r.choices(("toegekend", "afgewezen", "onderzoek"), weights=(2, 1, 1))[0]
        if "vot_onderzoek" in events:
            t.details["onderzoek_uitkomst"] = "afgewezen" if r.random() < 0.2 else "toegekend"
        verwijzers = self.p.verlenging_verwijzers()
        if "verlenging_via_315" in events and t.verwijzer not in verwijzers:
            events.discard("verlenging_via_315")  # §8.2: only at a medisch verwijzer
        if "woonplaatsbeginsel" in events:
            andere = [g for g in self.p.gemeenten if g != gemeente]
            t.details["eerste_gemeente"] = r.choice(andere)
        if "vervallen" in events:
            t.wachttijd = max(t.wachttijd, 15)
        if "overgang_18" in events and t.domein == "jeugd":
            verjaardag = _verjaardag(t.client, 18)
            z = t.zorg[0]
            if not (z.ingangsdatum + timedelta(days=30) < verjaardag):
                events.discard("overgang_18")
                return
            z.einddatum = max(z.einddatum, verjaardag + timedelta(days=60))
            t.details["overgang_18_eind"] = verjaardag - timedelta(days=1)
            z.einddatum = verjaardag - timedelta(days=1)
            wmo = self._product(r, ("wmo-begeleiding",), "wmo")
            t.details["wmo_zorg"] = [Zorgvraag(wmo, self._tussen(r, "uren_per_week", 1, 6), verjaardag,
                                               add_maanden(verjaardag, 6) - timedelta(days=1))]


def _verjaardag(client: Client, jaren: int) -> date:
    g = client.persoon.geboortedatum
    try:
        return g.replace(year=g.year + jaren)
    except ValueError:
        return date(g.year + jaren, 3, 1)
