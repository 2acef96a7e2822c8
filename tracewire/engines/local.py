"""Local engine: per-document components in worker processes, then the corpus stages."""

from __future__ import annotations

import dataclasses
import importlib
import multiprocessing as mp
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.pool import AsyncResult
from typing import Any

from .. import pipeline
from ..corpus.furniture import masked_documents, update_furniture
from ..pipeline import Analysis, Component, Resources
from ..records import Document
from ..store.sqlite import SQLiteStore

Progress = Callable[[str, int, int], None]

# corpus-level stages run after the per-document components: (name, "module:function")
CORPUS_STAGES: tuple[tuple[str, str], ...] = (("reuse", "tracewire.corpus.reuse:update_reuse"),)


@dataclass(slots=True)
class AnalyzeSummary:
    """What one analyze run did."""

    analysed: int = 0
    up_to_date: int = 0
    failed_components: int = 0
    pipeline: str = ""
    corpus: dict[str, Any] = field(default_factory=dict)


def describe(result: Any) -> str:
    """A corpus stage's summary dataclass as 'name value, ...' for people."""
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        return ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in dataclasses.asdict(result).items())
    return str(result)


_worker: dict[str, Any] = {}


def _init_worker(names: Sequence[str], packs: Sequence[str]) -> None:
    """Load components and resources once in each worker process."""
    _worker["comps"] = pipeline.build(names)
    _worker["res"] = Resources(packs)


def _work(docs: list[Document]) -> list[Analysis]:
    """Analyse a chunk of documents inside a worker."""
    return pipeline.analyze_documents(docs, _worker["comps"], _worker["res"])


def _chunks(docs: Iterator[Document], size: int) -> Iterator[list[Document]]:
    """Consecutive lists of at most ``size`` documents."""
    chunk: list[Document] = []
    for d in docs:
        chunk.append(d)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def analyses(docs: Iterator[Document], names: Sequence[str], packs: Sequence[str],
             workers: int, chunk: int = 16) -> Iterator[Analysis]:
    """Analyses of ``docs`` in input order, in this process or in a pool of workers."""
    if workers <= 1:
        comps: list[Component] = pipeline.build(names)
        res = Resources(packs)
        for part in _chunks(docs, chunk):
            yield from pipeline.analyze_documents(part, comps, res)
        return
    # The documents come from a store cursor that belongs to this thread: read them here and hand
    # the pool plain lists (pool.imap would pull the generator from its own task thread).
    ahead = 2 * workers
    with mp.get_context("fork").Pool(workers, initializer=_init_worker, initargs=(names, packs)) as pool:
        pending: deque[AsyncResult[list[Analysis]]] = deque()
        for part in _chunks(docs, chunk):
            pending.append(pool.apply_async(_work, (part,)))
            if len(pending) >= ahead:
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()


def analyze_store(
    store: SQLiteStore,
    *,
    workers: int = 1,
    names: Sequence[str] | None = None,
    packs: Sequence[str] = ("syria",),
    progress: Progress | None = None,
    batch: int = 50,
) -> AnalyzeSummary:
    """Analyse every current document not yet analysed by this pipeline, then the corpus stages."""
    comp_names = tuple(pipeline.DEFAULT_PIPELINE if names is None else names)
    pipeline.build(comp_names)  # fail early, before any worker starts
    signature = "+".join(comp_names)
    # each outlet's site furniture is learned first and masked in what every component reads;
    # documents whose furniture changed (a new document of their outlet showed it) are redone
    _, refurnished = update_furniture(store)
    pending = sorted(set(store.pending_analysis(signature)) | set(refurnished))
    total = store.query("SELECT COUNT(*) AS n FROM current_documents")[0]["n"]
    summary = AnalyzeSummary(up_to_date=total - len(pending), pipeline=signature)
    done: list[Analysis] = []
    for i, ana in enumerate(analyses(masked_documents(store, pending), comp_names, packs, workers), start=1):
        done.append(ana)
        summary.failed_components += len(ana.errors)
        if progress:
            progress("documents", i, len(pending))
        if len(done) >= batch:
            store.write_analyses([a.record() for a in done], signature)
            done = []
        summary.analysed += 1
    if done:
        store.write_analyses([a.record() for a in done], signature)
    for name, target in CORPUS_STAGES:
        module, _, func = target.partition(":")
        stage = getattr(importlib.import_module(module), func)
        summary.corpus[name] = stage(store, progress=(lambda i, n, _s=name: progress(_s, i, n))
                                     if progress else None, workers=workers)
    return summary
