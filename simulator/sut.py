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
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

ROLLEN = ("gemeente", "aanbieder")
_RUN_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class SutFout(ValueError):
    """A --sut specification that cannot be used (a usage error, said before the run starts)."""


@dataclass(frozen=True)
class SutSpec:
    """``ROL:CODE=ADRES`` from the command line."""

    rol: str  # gemeente | aanbieder
    code: str  # gemeentecode (4 digits) or AGB code (8 digits)
    adres: str  # http(s)://…, mailbox:DIR, inproces:module:attribuut

    @property
    def soort(self) -> str:
        return "http" if self.adres.startswith(("http://", "https://")) else self.adres.split(":", 1)[0]


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
    if spec.soort not in ("http", "mailbox", "inproces"):
        raise SutFout(f"--sut {tekst!r}: the address must start with http://, https://, mailbox: or inproces:")
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

    def __init__(self, url: str, token: str | None = None, timeout: float = 30.0) -> None:
        from .cli_sutcheck import BASIS, Verbinding

        self.url = url
        self.basis = BASIS
        self.verbinding = Verbinding(url, token, timeout)  # ValueError on a URL that is no http(s) URL
        self.run = ""

    def _roep(self, methode: str, pad: str, body: bytes | None = None, ctype: str | None = None,
              verwacht: tuple[int, ...] = (200,)) -> tuple[Any, str]:
        from .cli_sutcheck import Antwoord

        a = self.verbinding.roep(methode, self.basis + pad, body, ctype)
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

    def toegang(self, dag: date, besluit: dict[str, Any]) -> str:
        _, fout = self._roep("POST", f"/runs/{self.run}/toegang?datum={dag.isoformat()}",
                             json.dumps(besluit).encode(), "application/json", (200, 202))
        return fout

    def zorg(self, dag: date, gebeurtenis: dict[str, Any]) -> str:
        """(aanbieder) a care event of that day: ``POST /runs/{run}/zorg`` (docs/sut-api.yaml)."""
        _, fout = self._roep("POST", f"/runs/{self.run}/zorg?datum={dag.isoformat()}",
                             json.dumps(gebeurtenis).encode(), "application/json", (200, 202))
        return fout

    def geef_dag(self, dag: date) -> DagUitkomst:
        data, fout = self._roep("POST", f"/runs/{self.run}/klok", json.dumps({"datum": dag.isoformat()}).encode(),
                                "application/json")
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
    """Any Python object with ``lever``/``geef_dag``/``haal_op`` (``begin``, ``toegang``, ``zorg``,
    ``einde`` optional).  Exceptions it raises become reasons, as a crash of an external SUT would."""

    def __init__(self, doel: Any) -> None:
        self.doel = doel

    def _roep(self, naam: str, *args: Any) -> tuple[Any, str]:
        f = getattr(self.doel, naam, None)
        if f is None:
            return None, ""
        try:
            return f(*args), ""
        except Exception as exc:  # noqa: BLE001 — a SUT's crash is a finding, not the harness's
            return None, f"{naam}: {type(exc).__name__}: {exc}"

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


def maak_adapter(spec: SutSpec, timeout: float = 30.0, token: str | None = None) -> SutAdapter:
    """The adapter for a parsed --sut; :class:`SutFout` when it cannot be made."""
    if spec.soort == "http":
        try:
            return HttpAdapter(spec.adres, token, timeout)
        except ValueError as exc:
            raise SutFout(f"--sut {spec.adres}: {exc}") from None
    if spec.soort == "mailbox":
        from .sut_mailbox import MailboxAdapter

        return MailboxAdapter(spec.adres.split(":", 1)[1], timeout=timeout)
    import importlib

    delen = spec.adres.split(":")
    if len(delen) != 3:
        raise SutFout(f"--sut {spec.adres}: expected inproces:module:attribuut")
    try:
        doel = getattr(importlib.import_module(delen[1]), delen[2])
    except (ImportError, AttributeError) as exc:
        raise SutFout(f"--sut {spec.adres}: {exc}") from None
    return InprocesAdapter(doel() if isinstance(doel, type) else doel)
