"""Local engine: per-document components in worker processes, then the corpus stages.

What to analyse is decided by signatures (``tracewire.signatures``): a document gets the
components whose stored signature differs from the current one, plus every component that reads
their layers (``requires``/``provides``). Components that are only needed as inputs (the spaCy
parse for a places re-run) run too, but only the changed layers are written.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from .. import pipeline, settings
from ..corpus.furniture import masked_documents, update_furniture
from ..pipeline import Analysis, Component, Resources
from ..records import Document, DocumentAnalysis
from ..signatures import Signature, changes, signatures
from ..store.base import Store
from ..store.sqlite import SQLiteStore
from . import pool

Progress = Callable[[str, int, int], None]
Task = tuple[int, tuple[str, ...], list[Document]]
# how the per-document work runs: (group, component names, documents) chunks in, each chunk's
# records out in the same order; the local engine uses worker processes, the Spark engine executors
Mapper = Callable[[Iterator[Task], tuple[str, ...], tuple[str, ...]], Iterator[tuple[int, list[DocumentAnalysis]]]]
# a corpus stage as an engine runs it: (store, progress) -> its summary
Stage = Callable[[Store, "Callable[[int, int], None] | None"], Any]

# corpus-level stages run after the per-document components: (name, "module:function")
CORPUS_STAGES: tuple[tuple[str, str], ...] = (("reuse", "tracewire.corpus.reuse:update_reuse"),
                                               ("narratives", "tracewire.corpus.narratives:update_narratives"),
                                              ("factchecks", "tracewire.corpus.factcheck:update_factchecks"))


@dataclass(frozen=True, slots=True)
class Work:
    """Documents that need the same components: ``run`` all of them, write the layers of ``write``."""

    docs: tuple[str, ...]
    run: tuple[str, ...]
    write: tuple[str, ...]
    reason: str
    new: bool


@dataclass(slots=True)
class AnalyzeSummary:
    """What one analyze run did."""

    analysed: int = 0
    reanalysed: int = 0
    up_to_date: int = 0
    failed_components: int = 0
    pipeline: str = ""
    reasons: list[str] = field(default_factory=list)
    components: dict[str, int] = field(default_factory=dict)  # component name -> documents it rewrote
    corpus: dict[str, Any] = field(default_factory=dict)


def describe(result: Any) -> str:
    """A corpus stage's summary dataclass as 'name value, ...' for people."""
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        return ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in dataclasses.asdict(result).items())
    return str(result)


def _short(name: str) -> str:
    """'tracewire.places.v1' -> 'places'."""
    parts = name.split(".")
    return parts[-2] if len(parts) >= 2 and parts[-1][:1] == "v" and parts[-1][1:].isdigit() else parts[-1]


def _dependents(comps: Sequence[Component], changed: set[str]) -> set[str]:
    """``changed`` and every later component that reads a layer they provide, transitively."""
    out = set(changed)
    made: set[str] = set()
    for c in comps:
        if c.name in out or any(r in made for r in c.requires):
            out.add(c.name)
            made.update(c.provides)
    return out


def _inputs(comps: Sequence[Component], wanted: set[str]) -> set[str]:
    """``wanted`` and the earlier components that provide what they require, transitively."""
    out = set(wanted)
    need: set[str] = set()
    for c in reversed(comps):
        if c.name in out or any(p in need for p in c.provides):
            out.add(c.name)
            need.update(c.requires)
    return out


def plan(
    comps: Sequence[Component],
    current: Mapping[str, Signature],
    stored: Mapping[str, Mapping[str, str]],
    known: Mapping[str, Signature],
) -> list[Work]:
    """Group documents by what they need: ``stored`` maps each document id to {component key: digest}
    of its layers, ``known`` the stored signatures by digest."""
    order = [c.name for c in comps]
    groups: dict[tuple[tuple[str, ...], str, bool], list[str]] = defaultdict(list)
    for doc_id in sorted(stored):
        layers = stored[doc_id]
        if not layers:
            groups[(tuple(order), "new documents", True)].append(doc_id)
            continue
        changed: set[str] = set()
        why: dict[str, list[str]] = {}  # what changed -> components it changed
        for c in comps:
            sig = current[c.name]
            old = layers.get(sig.key)
            if old == sig.digest:
                continue
            changed.add(c.name)
            before = known.get(old) if old is not None else None
            what = ", ".join(changes(before, sig)) if before is not None else "not run before"
            why.setdefault(what, []).append(sig.short)
        if not changed:
            continue
        redo = _dependents(comps, changed)
        follow = [_short(n) for n in order if n in redo and n not in changed]
        reason = "; ".join(f"{', '.join(names)} changed ({what})" for what, names in why.items())
        if follow:
            reason += f"; then what reads those layers: {', '.join(follow)}"
        groups[(tuple(n for n in order if n in redo), reason, False)].append(doc_id)
    work: list[Work] = []
    for (write, reason, new), ids in groups.items():
        run = _inputs(comps, set(write))
        work.append(Work(tuple(ids), tuple(n for n in order if n in run), write, reason, new))
    return sorted(work, key=lambda w: (not w.new, w.docs[0]))


def _setup(names: Sequence[str], packs: Sequence[str]) -> tuple[dict[str, Component], Resources]:
    """Load the components and resources once in each worker (or here when serial)."""
    return {c.name: c for c in pipeline.build(names)}, Resources(packs)


def _work(task: Task) -> tuple[int, list[Analysis]]:
    """Analyse a chunk of documents with the named components; the group number comes back with it."""
    group, names, docs = task
    comps, res = pool.state()
    return group, pipeline.analyze_documents(docs, [comps[n] for n in names], res)


def _work_records(task: Task) -> tuple[int, list[DocumentAnalysis]]:
    """``_work`` returning the frozen records (the parse trees stay in the worker)."""
    group, anas = _work(task)
    return group, [a.record() for a in anas]


def local_mapper(workers: int) -> Mapper:
    """The local engine's per-document runner: ``workers`` forked processes (here when 1)."""
    def run(tasks: Iterator[Task], names: tuple[str, ...], packs: tuple[str, ...]
            ) -> Iterator[tuple[int, list[DocumentAnalysis]]]:
        """Records of each task's documents, in task order."""
        return pool.ordered_map(_work_records, tasks, workers, state=(names, packs), setup=_setup)
    return run


def local_stages(workers: int) -> dict[str, Stage]:
    """The corpus stages of ``CORPUS_STAGES`` as the local engine runs them (with ``workers``)."""
    out: dict[str, Stage] = {}
    for name, target in CORPUS_STAGES:
        module, _, func = target.partition(":")
        out[name] = partial(getattr(importlib.import_module(module), func), workers=workers)
    return out


def _chunks(docs: Iterator[Document], size: int) -> Iterator[list[Document]]:
    """Consecutive lists of at most ``size`` documents."""
    while part := [d for _, d in zip(range(size), docs, strict=False)]:
        yield part


def analyses(docs: Iterator[Document], names: Sequence[str], packs: Sequence[str],
             workers: int, chunk: int = 16) -> Iterator[Analysis]:
    """Analyses of ``docs`` by the components ``names``, in input order, here or in worker processes."""
    run = tuple(names)
    tasks = ((0, run, part) for part in _chunks(docs, chunk))
    for _, part in pool.ordered_map(_work, tasks, workers, state=(run, tuple(packs)), setup=_setup):
        yield from part


def _with_refurnished(work: list[Work], comps: Sequence[Component], refurnished: Sequence[str]) -> list[Work]:
    """``work`` plus every component on the documents whose masked furniture changed (their text did)."""
    fresh = {d for w in work if w.new for d in w.docs}
    redo = sorted(set(refurnished) - fresh)
    if not redo:
        return work
    gone = set(redo)
    kept = [dataclasses.replace(w, docs=tuple(d for d in w.docs if d not in gone)) for w in work]
    order = tuple(c.name for c in comps)
    extra = Work(tuple(redo), order, order, "site furniture of their outlet changed (new documents showed it)", False)
    return sorted([w for w in kept if w.docs] + [extra], key=lambda w: (not w.new, w.docs[0]))


def _stage_progress(progress: Progress | None, name: str) -> Callable[[int, int], None] | None:
    """A corpus stage's (done, total) progress reported under its name."""
    if progress is None:
        return None
    report = progress
    return lambda i, n: report(name, i, n)


def pending(store: SQLiteStore, names: Sequence[str] | None = None,
            packs: Sequence[str] | None = None) -> tuple[list[Component], dict[str, Signature], list[Work]]:
    """The components, their current signatures and the work ``analyze`` would do on ``store``."""
    packs = settings.packs() if packs is None else tuple(packs)
    comps = pipeline.build(tuple(pipeline.DEFAULT_PIPELINE if names is None else names))
    current = signatures(comps, packs)
    stored = store.layer_signatures()
    known = store.signatures({d for layers in stored.values() for d in layers.values()})
    return comps, current, plan(comps, current, stored, known)


def analyze_store(
    store: SQLiteStore,
    *,
    workers: int = 1,
    names: Sequence[str] | None = None,
    packs: Sequence[str] | None = None,
    progress: Progress | None = None,
    batch: int = 50,
    mapper: Mapper | None = None,
    stages: Mapping[str, Stage] | None = None,
) -> AnalyzeSummary:
    """Analyse what is new or changed (by signature), then run the corpus stages.

    ``packs`` (bundled names or folder paths) default to the ``pack`` setting. ``mapper`` and
    ``stages`` say where the work runs: by default in ``workers`` local processes.
    """
    packs = settings.packs() if packs is None else tuple(packs)
    # each outlet's site furniture is learned first and masked in what every component reads;
    # documents whose furniture changed (a new document of their outlet showed it, or the learning
    # method changed with an upgrade) are redone
    _, refurnished = update_furniture(store)
    comps, current, work = pending(store, names, packs)
    work = _with_refurnished(work, comps, refurnished)
    store.record_signatures(current.values())
    run_name = "+".join(c.name for c in comps)
    total = len(store.layer_signatures())
    todo = sum(len(w.docs) for w in work)
    summary = AnalyzeSummary(up_to_date=total - todo, pipeline=run_name)
    for w in work:
        if not w.new:
            summary.reasons.append(f"re-analysing {len(w.docs)} documents: {w.reason}")
        for n in w.write:
            summary.components[n] = summary.components.get(n, 0) + len(w.docs)

    def tasks() -> Iterator[Task]:
        """Chunks of each group's documents, read from the store in this thread."""
        for k, w in enumerate(work):
            for part in _chunks(masked_documents(store, list(w.docs)), 16):
                yield k, w.run, part

    by_name = {c.name: c for c in comps}
    names_all = tuple(c.name for c in comps)
    done: list[DocumentAnalysis] = []
    group = 0

    def flush() -> None:
        """Write the collected analyses of the current group."""
        if done:
            w = work[group]
            layers = {p for n in w.write for p in by_name[n].provides}
            store.write_analyses(done, run_name, layers, [current[n] for n in w.write])
            done.clear()

    i = 0
    run = mapper or local_mapper(workers)
    results = run(tasks(), names_all, tuple(packs)) if todo else iter(())
    for k, part in results:
        if k != group:
            flush()
            group = k
        for ana in part:
            done.append(ana)
            summary.failed_components += len(ana.errors)
            i += 1
            if work[k].new:
                summary.analysed += 1
            else:
                summary.reanalysed += 1
            if progress:
                progress("documents", i, todo)
        if len(done) >= batch:
            flush()
    flush()
    for name, stage in (local_stages(workers) if stages is None else stages).items():
        summary.corpus[name] = stage(store, _stage_progress(progress, name))
    return summary
