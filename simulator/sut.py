"""Systems under test: the adapter interface and the three adapters (HTTP, mailbox, in-process).

A SUT takes the place of one reference actor (a gemeente back-office or an aanbieder system) and
advances with the harness in lock-step, one werkdag at a time (docs/sut.md):

1. ``lever(dag, berichten)`` — deliver the messages addressed to the SUT that arrived on ``dag``
   (and what the SUT's role learns outside the message traffic that day: for a gemeente
   ``toegang(dag, besluit)`` — its own toegang decided a toewijzing; for an aanbieder
   ``zorg(dag, gebeurtenis)`` — an intake, the start, pause or end of care, a month's care delivered);
2. ``geef_dag(dag)`` — grant the day: "it is now ``dag``; finish your work for it";
3. ``haal_op(dag)`` — collect what the SUT sent on ``dag``.

Every operation returns a value; a SUT that hangs, crashes, closes its port or answers garbage
gives a :class:`DagUitkomst` with ``beantwoord=False`` and a reason, never an exception that
escapes into the simulation.  What the SUT sends is recorded in the ledger as it is (rol "sut"),
however malformed; the checker judges it.
"""

from __future__ import annotations

import json
import math
import os
import queue
import re
import sys
import threading
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

ROLLEN = ("gemeente", "aanbieder")
#: ``--sut gemeente:CODE=referentie``: the run's own reference gemeente as an in-process SUT (actors/referentie_sut.py)
REFERENTIE = "referentie"
REFERENTIE_KLASSE = ("actors.referentie_sut", "ReferentieGemeente")
_RUN_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class SutFout(ValueError):
    """A --sut specification that cannot be used (a usage error, said before the run starts)."""


@dataclass(frozen=True)
class SutSpec:
    """``ROL:CODE=ADRES`` from the command line."""

    rol: str  # gemeente | aanbieder
    code: str  # gemeentecode (4 digits) or AGB code (8 digits)
    adres: str  # http(s)://…, mailbox:DIR, inproces:module:attribuut, referentie

    @property
    def soort(self) -> str:
        return "http" if self.adres.startswith(("http://", "https://")) else self.adres.split(":", 1)[0]

    def metadata(self) -> dict[str, str]:
        """What a run records about its SUT (ledger header, uitslag.json, reports): role, code and
        address. Never a token: the bearer token is not part of the spec, and user:password in a URL
        is left out."""
        adres = self.adres
        if self.soort == "http":
            delen = urlsplit(adres)
            if delen.username is not None or delen.password is not None:
                adres = urlunsplit(delen._replace(netloc=delen.netloc.rsplit("@", 1)[1]))
        return {"rol": self.rol, "code": self.code, "adres": adres}


def parse_sut_spec(tekst: str) -> SutSpec:
    m = re.fullmatch(r"(gemeente|aanbieder):(\d+)=(.+)", tekst.strip())
    if not m:
        raise SutFout(f"--sut {tekst!r}: expected ROL:CODE=ADRES, e.g. gemeente:0200=http://127.0.0.1:8080 "
                      "or aanbieder:12345678=mailbox:DIR")
    rol, code, adres = m.groups()
    if rol == "gemeente" and len(code) != 4:
        raise SutFout(f"--sut {tekst!r}: a gemeentecode has 4 digits")
    if rol == "aanbieder" and len(code) != 8:
        raise SutFout(f"--sut {tekst!r}: an AGB code has 8 digits")
    spec = SutSpec(rol, code, adres)
    if spec.soort not in ("http", "mailbox", "inproces", REFERENTIE):
        raise SutFout(f"--sut {tekst!r}: the address must start with http://, https://, mailbox: or inproces:, "
                      f"or be {REFERENTIE}")
    if spec.soort == REFERENTIE and (adres != REFERENTIE or rol != "gemeente"):
        raise SutFout(f"--sut {tekst!r}: {REFERENTIE} (the reference gemeente behind the in-process adapter) "
                      f"takes no argument and only the gemeente role, e.g. gemeente:0200={REFERENTIE}")
    return spec


@dataclass(frozen=True)
class DagUitkomst:
    """Outcome of granting a day: answered, or not (with the reason)."""

    dag: date
    beantwoord: bool
    reden: str = ""


@dataclass
class RunInfo:
    """What a SUT is told when a run starts (the JSON of ``PUT /runs/{run}``)."""

    run: str
    rol: str
    code: str
    profiel: str
    startdatum: date
    contracten: list[dict[str, Any]] = field(default_factory=list)
    #: the run's world (actors/wereld.py), given only to the reference gemeente as a SUT (``=referentie``):
    #: it is an actor of this run; never part of what an external SUT is told
    wereld: Any = field(default=None, repr=False, compare=False)

    def as_dict(self) -> dict[str, Any]:
        return {"run": self.run, "rol": self.rol, "code": self.code, "profiel": self.profiel,
                "startdatum": self.startdatum.isoformat(), "contracten": self.contracten}


class SutAdapter(Protocol):
    """The three operations of the lock-step loop, plus the start and end of a run.
    Each returns '' (or an answered :class:`DagUitkomst`) when fine, else the reason."""

    def begin(self, run: RunInfo) -> str: ...

    def lever(self, dag: date, berichten: list[bytes]) -> str: ...

    def toegang(self, dag: date, besluit: dict[str, Any]) -> str: ...

    def zorg(self, dag: date, gebeurtenis: dict[str, Any]) -> str: ...

    def geef_dag(self, dag: date) -> DagUitkomst: ...

    def haal_op(self, dag: date) -> list[bytes] | str: ...

    def einde(self) -> None: ...


# ---------------------------------------------------------------------------------------------
class HttpAdapter:
    """The SUT HTTP API v1 (docs/sut-api.yaml) over http.client, one call at a time."""

    def __init__(self, url: str, token: str | None = None, timeout: float = 30.0,
                 timeout_dag: float | None = None) -> None:
        from .cli_sutcheck import BASIS, Verbinding

        self.url = url
        self.basis = BASIS
        self.verbinding = Verbinding(url, token, timeout)  # ValueError on a URL that is no http(s) URL
        # the day grant (POST klok) waits for a day's work: it may have a timeout of its own
        self.klok_verbinding = self.verbinding if timeout_dag is None else Verbinding(url, token, timeout_dag)
        self.run = ""

    def _roep(self, methode: str, pad: str, body: bytes | None = None, ctype: str | None = None,
              verwacht: tuple[int, ...] = (200,), verbinding: Any = None) -> tuple[Any, str]:
        from .cli_sutcheck import Antwoord

        a = (verbinding or self.verbinding).roep(methode, self.basis + pad, body, ctype)
        if not isinstance(a, Antwoord):
            return None, f"{methode} {pad}: {a}"
        if a.status not in verwacht:
            tekst = a.body[:200].decode("utf-8", "replace")
            return None, f"{methode} {pad}: HTTP {a.status} {tekst}"
        if not a.body or a.status == 204:
            return {}, ""
        if a.content_type != "application/json":
            return None, f"{methode} {pad}: Content-Type {a.content_type or '(none)'}, expected application/json"
        try:
            return a.json(), ""
        except (ValueError, UnicodeDecodeError) as exc:
            return None, f"{methode} {pad}: no JSON ({exc})"

    def begin(self, run: RunInfo) -> str:
        if not _RUN_ID.match(run.run):
            return f"run id {run.run!r} is not [A-Za-z0-9_-]{{1,64}}"
        self.run = run.run
        body = {k: v for k, v in run.as_dict().items() if k != "run"}
        _, fout = self._roep("PUT", f"/runs/{run.run}", json.dumps(body).encode(), "application/json", (200, 201))
        return fout

    def lever(self, dag: date, berichten: list[bytes]) -> str:
        fouten = []
        for xml in berichten:
            _, fout = self._roep("POST", f"/runs/{self.run}/inbox?datum={dag.isoformat()}", xml, "application/xml",
                                 (200, 202))
            if fout:
                fouten.append(fout)
        return "; ".join(fouten)

    def _json(self, soort: str, dag: date, body: dict[str, Any]) -> str:
        """``POST /runs/{run}/{soort}?datum=…`` with a JSON body (toegang, zorg)."""
        _, fout = self._roep("POST", f"/runs/{self.run}/{soort}?datum={dag.isoformat()}",
                             json.dumps(body).encode(), "application/json", (200, 202))
        return fout

    def toegang(self, dag: date, besluit: dict[str, Any]) -> str:
        return self._json("toegang", dag, besluit)

    def zorg(self, dag: date, gebeurtenis: dict[str, Any]) -> str:
        """(aanbieder) a care event of that day: ``POST /runs/{run}/zorg`` (docs/sut-api.yaml)."""
        return self._json("zorg", dag, gebeurtenis)

    def geef_dag(self, dag: date) -> DagUitkomst:
        data, fout = self._roep("POST", f"/runs/{self.run}/klok", json.dumps({"datum": dag.isoformat()}).encode(),
                                "application/json", verbinding=self.klok_verbinding)
        if fout:
            return DagUitkomst(dag, False, fout)
        if not isinstance(data, dict) or data.get("klaar") is not True:
            return DagUitkomst(dag, False, f"POST klok: answer {str(data)[:120]} has no \"klaar\": true")
        return DagUitkomst(dag, True)

    def haal_op(self, dag: date) -> list[bytes] | str:
        data, fout = self._roep("GET", f"/runs/{self.run}/outbox?datum={dag.isoformat()}")
        if fout:
            return fout
        berichten = data.get("berichten") if isinstance(data, dict) else None
        if not isinstance(berichten, list):
            return f"GET outbox: answer has no list \"berichten\": {str(data)[:120]}"
        uit: list[bytes] = []
        for b in berichten:
            xml = b.get("xml") if isinstance(b, dict) else None
            if isinstance(xml, str):
                uit.append(xml.encode("utf-8"))
            else:  # recorded as it is, so the checker reports it as an unreadable message
                uit.append(json.dumps(b, ensure_ascii=False).encode("utf-8"))
        return uit

    def einde(self) -> None:
        if self.run:
            self._roep("DELETE", f"/runs/{self.run}", verwacht=(200, 204))


# ---------------------------------------------------------------------------------------------
class InprocesAdapter:
    """Any Python object with ``geef_dag``/``haal_op`` (``begin``, ``lever``, ``toegang``, ``zorg``,
    ``einde`` optional), or a class, instantiated on first use.

    Every call runs on one worker thread of the adapter (so a SUT that keeps thread-bound resources,
    such as an sqlite3 connection made in ``begin``, sees one thread) and is waited for at most
    ``timeout`` seconds (``timeout_dag`` for ``geef_dag``).  A call that does not return in time is
    reported as the HTTP adapter reports a hang; its thread is abandoned (a daemon thread, so it
    never keeps the harness alive), and while it is still busy every further call is refused at once
    with that reason, so the lock-step loop gives the SUT up after its usual number of silent days
    instead of waiting again.  An exception the SUT raises becomes a reason, as a crash of an
    external SUT would.

    An object that shares state with the harness (the reference gemeente as a SUT,
    actors/referentie_sut.py, writes its events to the run's ledger) may define ``te_laat()``: it is
    called on the harness's thread when a call did not return in time, must return at once, and from
    then on the object must touch nothing it shares with the harness."""

    def __init__(self, doel: Any, timeout: float = 30.0, timeout_dag: float | None = None) -> None:
        self.doel = doel  # the object, or a class still to be instantiated (on the worker thread)
        self.timeout = timeout
        self.timeout_dag = timeout if timeout_dag is None else timeout_dag
        self._werk: queue.SimpleQueue[_Opdracht | None] = queue.SimpleQueue()
        self._werker: threading.Thread | None = None
        self._hangt: _Opdracht | None = None  # the call that did not return in time

    def _doe(self, opdracht: _Opdracht) -> None:
        try:
            if isinstance(self.doel, type):
                self.doel = self.doel()
            f = getattr(self.doel, opdracht.naam, None)
            opdracht.resultaat = f(*opdracht.args) if f is not None else None
        except BaseException as exc:  # noqa: BLE001 — a SUT's crash (even SystemExit) is a finding, not the harness's
            opdracht.fout = f"{opdracht.naam}: {type(exc).__name__}: {exc}"
        finally:
            opdracht.klaar.set()

    def _werkloop(self) -> None:
        while (opdracht := self._werk.get()) is not None:
            self._doe(opdracht)

    def _roep(self, naam: str, *args: Any) -> tuple[Any, str]:
        if self._hangt is not None:
            if not self._hangt.klaar.is_set():
                return None, f"{naam}: de SUT is nog bezig met {self._hangt.wat} (geen antwoord binnen de time-out)"
            self._hangt = None  # it returned after all: the worker is free again
        if self._werker is None:
            self._werker = threading.Thread(target=self._werkloop, name="ketensim-sut-inproces", daemon=True)
            self._werker.start()
        opdracht = _Opdracht(naam, args)
        self._werk.put(opdracht)
        timeout = self.timeout_dag if naam == "geef_dag" else self.timeout
        if not opdracht.klaar.wait(timeout):
            self._hangt = opdracht
            te_laat = None if isinstance(self.doel, type) else getattr(self.doel, "te_laat", None)
            if callable(te_laat):
                try:
                    te_laat()
                except Exception:  # noqa: BLE001 — the call is reported as not answered either way
                    pass
            return None, f"{naam}: geen antwoord binnen {timeout:g} s"
        return opdracht.resultaat, opdracht.fout

    def begin(self, run: RunInfo) -> str:
        return self._roep("begin", run)[1]

    def lever(self, dag: date, berichten: list[bytes]) -> str:
        return self._roep("lever", dag, berichten)[1]

    def toegang(self, dag: date, besluit: dict[str, Any]) -> str:
        return self._roep("toegang", dag, besluit)[1]

    def zorg(self, dag: date, gebeurtenis: dict[str, Any]) -> str:
        return self._roep("zorg", dag, gebeurtenis)[1]

    def geef_dag(self, dag: date) -> DagUitkomst:
        r, fout = self._roep("geef_dag", dag)
        if fout:
            return DagUitkomst(dag, False, fout)
        return r if isinstance(r, DagUitkomst) else DagUitkomst(dag, r is not False, "" if r is not False else "False")

    def haal_op(self, dag: date) -> list[bytes] | str:
        r, fout = self._roep("haal_op", dag)
        if fout:
            return fout
        if not isinstance(r, (list, tuple)) or not all(isinstance(x, bytes) for x in r):
            return f"haal_op gave {type(r).__name__}, expected a list of bytes"
        return list(r)

    def einde(self) -> None:
        self._roep("einde")
        if self._werker is not None and self._hangt is None:
            self._werk.put(None)  # let the worker end; a hung one is left behind as a daemon thread
            self._werker = None


@dataclass
class _Opdracht:
    """One call to an in-process SUT, handed to its worker thread."""

    naam: str
    args: tuple[Any, ...]
    klaar: threading.Event = field(default_factory=threading.Event)
    resultaat: Any = None
    fout: str = ""

    @property
    def wat(self) -> str:
        dag = next((a for a in self.args if isinstance(a, date)), None)
        return f"{self.naam}({dag.isoformat()})" if dag else f"{self.naam}()"


def maak_adapter(spec: SutSpec, timeout: float = 30.0, token: str | None = None,
                 timeout_dag: float | None = None) -> SutAdapter:
    """The adapter for a parsed --sut; :class:`SutFout` when it cannot be made.  ``timeout`` holds
    for every call, ``timeout_dag`` (when given) for the day grant instead."""
    for naam, t in (("--sut-timeout", timeout), ("--sut-timeout-dag", timeout_dag)):
        if t is not None and not (0 < t < math.inf):
            raise SutFout(f"{naam} {t:g}: expected a positive number of seconds")
    if spec.soort == "http":
        try:
            return HttpAdapter(spec.adres, token, timeout, timeout_dag)
        except ValueError as exc:
            raise SutFout(f"--sut {spec.adres}: {exc}") from None
    if spec.soort == "mailbox":
        from .sut_mailbox import MailboxAdapter

        # only the day grant waits for the SUT (the klaar file); the other calls are file writes
        return MailboxAdapter(spec.adres.split(":", 1)[1], timeout=timeout if timeout_dag is None else timeout_dag)
    if spec.soort == REFERENTIE:  # the same path as inproces:actors.referentie_sut:ReferentieGemeente
        return InprocesAdapter(_laad(spec, *REFERENTIE_KLASSE), timeout, timeout_dag)
    delen = spec.adres.split(":")
    if len(delen) != 3 or not delen[1] or not delen[2]:
        raise SutFout(f"--sut {spec.adres}: expected inproces:module:attribuut")
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())  # as `python -m`: a module in the current folder can be named
    return InprocesAdapter(_laad(spec, delen[1], delen[2]), timeout, timeout_dag)


def _laad(spec: SutSpec, module: str, attribuut: str) -> Any:
    import importlib

    try:
        return getattr(importlib.import_module(module), attribuut)
    except Exception as exc:  # noqa: BLE001 — ImportError, AttributeError, or whatever the module raises on import
        raise SutFout(f"--sut {spec.adres}: {type(exc).__name__}: {exc}") from None
