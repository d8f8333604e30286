"""pytest plugin (entry point ``pytest11``): the conformance suite as pytest test items.

    pytest --ketensim-profile mijov-2024 [--ketensim-sut SPEC] [--ketensim-clients N]
           [--ketensim-days D] [--ketensim-seed S] [--ketensim-scenario mix,crisis] [-n auto]
           [--junitxml junit.xml]

Each scenario is simulated in one or more **shards**, each shard's ledger is checked, and every rule
of the catalogue becomes a test item per shard: ``mix[seed1]::TERMIJN.retour_302``.  Under xdist
the shards are by default the gemeente shards of one run (``scenarios/shard.py``, the same for any
number of workers); ``--ketensim-shards K``, or a system under test (``--ketensim-sut``, run through
``ketensim run --sut``), gives K independent seeded runs instead (docs/reports.md).  A rule with deviations fails with the
deviations as its text; a rule judged only inconclusively, or that nothing applied to, is skipped
with the reason.  With ``-n``, the items of one shard are kept on one worker (the plugin chooses
xdist's ``loadscope`` scheduling unless ``--dist`` is given; ``--dist loadgroup`` works too), so
every shard is simulated once; a file lock makes that hold under any ``--dist``.  At the end the
controller merges the shards' results into one ``uitslag.json`` in ``--ketensim-out``.

Without ``--ketensim-profile`` the plugin does nothing: it adds its options and no items.
"""

from __future__ import annotations

import os
import shutil
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest

OPTIE = "ketensim_profile"
_CACHE: dict[str, object] = {}  # shard label → Uitslag or the exception its run raised (per process)
_GEDRAAID: set[str] = set()  # labels of the shards this process simulated (sent to the controller)
WACHT_SECONDEN = 3600


# ---------------------------------------------------------------------------------------------
# options and activation
# ---------------------------------------------------------------------------------------------
def pytest_addoption(parser: pytest.Parser) -> None:
    from simulator.cli_typen import positief_geheel

    g = parser.getgroup("ketensim", "ketensim conformance suite (simulate, check, one test per rule)")
    g.addoption("--ketensim-profile", metavar="NAME|FILE.toml", help="protocol profile; turns the suite on")
    g.addoption("--ketensim-sut", metavar="SPEC", action="append",
                help="system under test taking part in the runs, as `ketensim run --sut SPEC` takes it "
                     "(e.g. gemeente:0301=http://localhost:8080); repeatable")
    g.addoption("--ketensim-clients", type=positief_geheel, default=200, metavar="N", help="client trajectories per scenario (200)")
    g.addoption("--ketensim-days", type=positief_geheel, default=365, metavar="D", help="calendar days to simulate (365)")
    g.addoption("--ketensim-seed", type=int, default=1, metavar="S", help="seed of the first shard (1)")
    g.addoption("--ketensim-scenario", default="mix", metavar="ROUTE,...", help="scenarios, comma separated (mix)")
    g.addoption("--ketensim-shards", type=positief_geheel, default=None, metavar="K",
                help="shards per scenario (default: one per xdist worker, else 1)")
    g.addoption("--ketensim-out", default="ketensim-pytest", metavar="DIR",
                help="ledgers, per-shard results and the merged uitslag.json (./ketensim-pytest)")
    g.addoption("--ketensim-schemas", metavar="DIR", help="iStandaarden release folder")
    g.addoption("--ketensim-faults", default="", metavar="NAME,...",
                help="fault switches for the reference actors (actors/fouten.py), to see failures reported")


def actief(config: pytest.Config) -> bool:
    return bool(config.getoption(OPTIE, None))


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def uit_map(config: pytest.Config) -> Path:
    if _is_worker(config) and "ketensim_uit" in config.workerinput:  # type: ignore[attr-defined]
        return Path(config.workerinput["ketensim_uit"])  # type: ignore[attr-defined]
    return (config.invocation_params.dir / config.getoption("ketensim_out")).resolve()


def pytest_configure(config: pytest.Config) -> None:
    if not actief(config):
        return
    config.addinivalue_line("markers", "xdist_group(name): run the items of one group on one xdist worker")
    from simulator.profiel import ProfielFout, laad_profiel

    try:
        laad_profiel(config.getoption(OPTIE))
    except ProfielFout as exc:
        raise pytest.UsageError(f"--ketensim-profile: {exc}") from None
    if config.getoption("ketensim_sut") and config.getoption("ketensim_faults"):
        raise pytest.UsageError("--ketensim-faults cannot be combined with --ketensim-sut")
    from actors.fouten import FOUTEN

    onbekend = sorted(set(_fouten(config)) - set(FOUTEN))
    if onbekend:
        raise pytest.UsageError(f"--ketensim-faults: unknown {', '.join(onbekend)}; known: {', '.join(sorted(FOUTEN))}")
    if config.getoption("ketensim_clients") < 1 or config.getoption("ketensim_days") < 1:
        raise pytest.UsageError("--ketensim-clients and --ketensim-days must be at least 1")
    if not _is_worker(config):  # the controller (or the only process): start from an empty result folder
        uit = uit_map(config)
        shutil.rmtree(uit / "shards", ignore_errors=True)
        (uit / "uitslag.json").unlink(missing_ok=True)
        (uit / "shards").mkdir(parents=True, exist_ok=True)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:  # xdist, on the controller: tell each worker where results go
    if actief(node.config):
        node.workerinput["ketensim_uit"] = str(uit_map(node.config))


@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """Keep a shard's items together on one worker (scope = the shard), unless --dist was chosen."""
    if not actief(config) or any(a == "--dist" or a.startswith(("--dist=", "-d")) for a in config.invocation_params.args):
        return None
    from xdist.scheduler import LoadScopeScheduling

    return LoadScopeScheduling(config, log)


# ---------------------------------------------------------------------------------------------
# shards
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Shard:
    """One independent seeded run of a scenario, or (``gemeenten`` set) one gemeente shard of a run
    (``scenarios/shard.py``; ``index`` of ``aantal``)."""

    scenario: str
    seed: int
    clients: int
    dagen: int
    index: int = 0
    aantal: int = 1
    gemeenten: tuple[str, ...] | None = None

    @property
    def label(self) -> str:
        if self.gemeenten:
            return f"{self.scenario}[seed{self.seed}-{'+'.join(self.gemeenten)}]"
        return f"{self.scenario}[seed{self.seed}]"


def aantal_shards(config: pytest.Config) -> int:
    gekozen = config.getoption("ketensim_shards")
    if gekozen:
        return max(1, gekozen)
    if _is_worker(config):
        return max(1, int(config.workerinput.get("workercount", 1)))  # type: ignore[attr-defined]
    return 1


def shards(config: pytest.Config, gemeenten: list[str]) -> list[Shard]:
    """The shards of every scenario. Under xdist (more than one worker, no ``--ketensim-shards``, no
    SUT): the gemeente shards of one run, exactly those of ``ketensim run --workers``
    (``scenarios.shard.shards``: fixed by the profile, whatever the number of workers or machines).
    With ``--ketensim-shards K`` (or a SUT): K independent runs, shard k with seed S+k and its share
    of the clients. ``gemeenten`` holds the gemeente shard's name (``0200.1``: a part of a split gemeente)."""
    k = aantal_shards(config)
    seed, n, dagen = (config.getoption(x) for x in ("ketensim_seed", "ketensim_clients", "ketensim_days"))
    uit = []
    for scenario in [s.strip() for s in config.getoption("ketensim_scenario").split(",") if s.strip()]:
        if k > 1 and not config.getoption("ketensim_shards") and not config.getoption("ketensim_sut"):
            from scenarios.shard import shards as gemeente_shards
            from simulator.profiel import laad_profiel

            alle = gemeente_shards(laad_profiel(config.getoption(OPTIE)))
            uit += [Shard(scenario, seed, n, dagen, i, len(alle), (sh.naam,)) for i, sh in enumerate(alle)]
        else:
            k_ = min(k, n)
            uit += [Shard(scenario, seed + i, n // k_ + (i < n % k_), dagen, i, k_) for i in range(k_)]
    return uit


def voer_shard_uit(shard: Shard, config: pytest.Config):
    """Simulate one shard, check its ledger, keep its result in the shared result folder."""
    from reports.controleer import controleer
    from reports.invoer import open_invoer
    from scenarios.run import RunInstellingen, voer_uit
    from simulator.profiel import laad_profiel
    from simulator.schemas import SchemaRegistry

    map_ = uit_map(config) / "shards" / _bestandsnaam(shard.label)
    extra = {}
    fouten = _fouten(config)
    if fouten:
        extra["fouten"] = fouten
    profiel = laad_profiel(config.getoption(OPTIE))
    schemas = config.getoption("ketensim_schemas")
    if config.getoption("ketensim_sut"):
        _run_met_sut(shard, config, map_)
    elif shard.gemeenten:  # one gemeente shard of the run (scenarios/shard.py)
        from scenarios.shard import voer_shard_uit

        voer_shard_uit(RunInstellingen(uit=map_, scenario=shard.scenario, clients=shard.clients, dagen=shard.dagen,
                                       seed=shard.seed, profiel=profiel, schemas=schemas, **extra), shard.index)
    else:
        voer_uit(RunInstellingen(uit=map_, scenario=shard.scenario, clients=shard.clients, dagen=shard.dagen,
                                 seed=shard.seed, profiel=profiel, schemas=schemas, **extra))
    registry = SchemaRegistry.load(schemas)
    u = controleer(open_invoer(map_, registry), profiel, registry)
    u.run["label"] = shard.label
    u.run["shard"] = {"index": shard.index, "aantal": shard.aantal, "gemeenten": list(shard.gemeenten or [])}
    tijdelijk = map_ / "uitslag.json.tmp"
    u.schrijf(tijdelijk)
    os.replace(tijdelijk, map_ / "uitslag.json")  # readers never see a half-written result
    return u


def _fouten(config: pytest.Config) -> frozenset[str]:
    return frozenset(f.strip() for f in (config.getoption("ketensim_faults") or "").split(",") if f.strip())


def _run_met_sut(shard: Shard, config: pytest.Config, map_: Path) -> None:
    """A run with a system under test goes through ``ketensim run --sut``, exactly as on the command
    line (the SUT adapters parse their own SPEC)."""
    import contextlib
    import io

    from simulator.cli import main

    args = ["run", "--out", str(map_), "--scenario", shard.scenario, "--clients", str(shard.clients),
            "--days", str(shard.dagen), "--seed", str(shard.seed), "--profile", str(config.getoption(OPTIE))]
    for spec in config.getoption("ketensim_sut"):
        args += ["--sut", spec]
    if config.getoption("ketensim_schemas"):
        args += ["--schemas", config.getoption("ketensim_schemas")]
    fout = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(fout):
        code = main(args)
    if code != 0:
        raise RuntimeError(f"ketensim {' '.join(args)} exited with status {code}: {fout.getvalue().strip()[-2000:]}")


def _bestandsnaam(label: str) -> str:
    return "".join(c if c.isalnum() or c in "-_.+" else "_" for c in label)


def shard_uitslag(shard: Shard, config: pytest.Config):
    """The shard's result: from this process's cache, from another process that ran it, or run now
    (under a lock file, so that a shard is simulated once even when its items are spread out)."""
    from reports.uitslag import Uitslag

    if shard.label in _CACHE:
        return _CACHE[shard.label]
    map_ = uit_map(config) / "shards" / _bestandsnaam(shard.label)
    map_.mkdir(parents=True, exist_ok=True)
    slot, klaar = map_ / ".lock", map_ / "uitslag.json"
    try:
        fd = os.open(slot, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        eind = time.monotonic() + WACHT_SECONDEN
        while not klaar.exists() and slot.exists() and time.monotonic() < eind:
            time.sleep(0.2)
        if klaar.exists():
            _CACHE[shard.label] = Uitslag.lees(klaar)
        else:
            _CACHE[shard.label] = RuntimeError(f"shard {shard.label}: its run in another worker did not finish")
        return _CACHE[shard.label]
    os.close(fd)
    try:
        _CACHE[shard.label] = voer_shard_uit(shard, config)
        _GEDRAAID.add(shard.label)
    except Exception as exc:  # every item of the shard reports it, none crashes the session
        _CACHE[shard.label] = RuntimeError(f"shard {shard.label} could not run: {type(exc).__name__}: {exc}")
    finally:
        slot.unlink(missing_ok=True)
    return _CACHE[shard.label]


# ---------------------------------------------------------------------------------------------
# collection: shard × rule
# ---------------------------------------------------------------------------------------------
class KetensimAfwijking(Exception):
    """A rule was broken; the text lists the deviations."""


class ShardCollector(pytest.Collector):
    def __init__(self, *, shard: Shard, regels: dict, **kw) -> None:
        super().__init__(**kw)
        self.shard = shard
        self.regels = regels

    def collect(self):
        return [RegelItem.from_parent(self, name=r, regel=r) for r in self.regels]


class RegelItem(pytest.Item):
    def __init__(self, *, regel: str, **kw) -> None:
        super().__init__(**kw)
        self.regel = regel
        self.add_marker(pytest.mark.xdist_group(self.parent.shard.label))

    def runtest(self) -> None:
        from reports.junit import afwijkingen_tekst, reden_onbeslist
        from reports.uitslag import NVT, ONBESLIST

        u = shard_uitslag(self.parent.shard, self.config)
        if isinstance(u, Exception):
            raise u
        afw = [o for o in u.afwijkingen if o.regel == self.regel]
        r = u.regels.get(self.regel)
        if r is not None:
            self.user_properties.append(("bron", r.bron))
        self.user_properties.append(("tellingen", str(dict(u.tellingen.get(self.regel, {})))))
        if afw and (r is None or r.ernst == "fout"):
            raise KetensimAfwijking(afwijkingen_tekst(u, afw))
        if afw:
            warnings.warn(f"{self.regel} (severity {r.ernst}): " + afwijkingen_tekst(u, afw, 5), UserWarning)
        if u.verdict(self.regel) in (ONBESLIST, NVT):
            pytest.skip(reden_onbeslist(u.oordelen_van(self.regel)))

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, (KetensimAfwijking, RuntimeError)):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        return self.path, None, self.nodeid


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list) -> None:
    if not actief(config):
        return
    from reports.regels import catalogus
    from simulator.profiel import laad_profiel
    from simulator.schemas import SchemaFolderError, SchemaRegistry

    try:
        registry = SchemaRegistry.load(config.getoption("ketensim_schemas"))
    except SchemaFolderError as exc:
        raise pytest.UsageError(f"ketensim: {exc}") from None
    profiel = laad_profiel(config.getoption(OPTIE))
    regels = catalogus(profiel, registry)
    for shard in shards(config, list(profiel.gemeenten)):
        items.extend(ShardCollector.from_parent(session, name=shard.label, nodeid=shard.label, shard=shard,
                                                 regels=regels).collect())


# ---------------------------------------------------------------------------------------------
# the end: merge the shards into one result (controller only)
# ---------------------------------------------------------------------------------------------
def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    if actief(config) and _is_worker(config):  # xdist worker: send its shard results to the controller
        config.workeroutput[UITSLAGEN] = eigen_uitslagen(config)  # type: ignore[attr-defined]
    if not actief(config) or _is_worker(config):
        return
    from reports.uitslag import Uitslag, voeg_samen

    uit = uit_map(config)
    delen = [Uitslag.lees(p) for p in sorted((uit / "shards").glob("*/uitslag.json"))]
    if delen:
        samen = voeg_samen(delen)
        samen.schrijf(uit / "uitslag.json")
        config.stash[_SAMEN] = (uit / "uitslag.json", samen)


_SAMEN = pytest.StashKey[tuple]()
UITSLAGEN = "ketensim_uitslagen"


def eigen_uitslagen(config: pytest.Config) -> dict[str, str]:
    """The uitslag.json text of every shard this process simulated, by label."""
    uit = {}
    for label in sorted(_GEDRAAID):
        pad = uit_map(config) / "shards" / _bestandsnaam(label) / "uitslag.json"
        if pad.exists():
            uit[label] = pad.read_text(encoding="utf-8")
    return uit


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:
    """xdist, on the controller: keep a worker's shard results where the controller merges them. On
    another machine (``--tx ssh=…``) the worker wrote them into that machine's folder, not this one."""
    if not actief(node.config):
        return
    for label, tekst in (getattr(node, "workeroutput", None) or {}).get(UITSLAGEN, {}).items():
        doel = uit_map(node.config) / "shards" / _bestandsnaam(label) / "uitslag.json"
        if doel.exists():  # same machine: the worker wrote it here already
            continue
        doel.parent.mkdir(parents=True, exist_ok=True)
        tijdelijk = doel.with_name("uitslag.json.tmp")
        tijdelijk.write_text(tekst, encoding="utf-8")
        os.replace(tijdelijk, doel)


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    if not actief(config) or _SAMEN not in config.stash:
        return
    pad, samen = config.stash[_SAMEN]
    terminalreporter.write_sep("-", "ketensim")
    terminalreporter.write_line(f"{len(samen.scenarios())} shard(s), {samen.berichten} messages, "
                                f"{len(samen.afwijkingen)} deviation(s), verdict {samen.totaal_verdict().upper()}")
    terminalreporter.write_line(f"merged result: {pad}  (render it: ketensim report {pad} --format html|junit|rapport)")
