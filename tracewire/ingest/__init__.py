"""Ingest files, folders and globs into the store: every input ends as documents or a rejection."""

from __future__ import annotations

import glob
import logging
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .. import settings
from ..errors import Code, Rejected
from ..records import Rejection
from ..store.base import IngestBatch, IngestCounts, Store
from .boilerplate import BoilerplateRules, load_rules
from .build import sha256
from .context import FieldMap, FileInput, ReadResult
from .detect import sniff
from .html import read_html
from .pdf import read_pdf
from .tabular import read_tabular
from .text import read_text

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]


@dataclass(slots=True)
class IngestSummary:
    """What one ingest run did, for the end-of-run summary."""

    counts: IngestCounts = field(default_factory=IngestCounts)
    inputs: int = 0
    unchanged_inputs: int = 0
    hidden_skipped: int = 0
    rejections: list[Rejection] = field(default_factory=list)

    def by_code(self) -> dict[str, int]:
        """Number of this run's rejections per code."""
        return dict(sorted(Counter(r.code for r in self.rejections).items()))


@dataclass(frozen=True, slots=True)
class _Target:
    """A file to read, or a rejection already known (bad path, empty folder)."""

    path: Path
    rejection: Rejection | None = None


def expand(paths: Iterable[str | Path]) -> tuple[list[_Target], int]:
    """Files from paths, folders (recursive, hidden entries skipped) and globs, in stable order."""
    targets: list[_Target] = []
    hidden = 0
    for arg in paths:
        p = Path(arg)
        if not p.exists() and not p.is_symlink() and glob.has_magic(str(arg)):
            matches = sorted(glob.glob(str(arg), recursive=True))
            if not matches:
                targets.append(_Target(p, Rejection(str(arg), Code.TW107.value, "no file matches this pattern")))
            for m in matches:
                t, h = expand([m])
                targets.extend(t)
                hidden += h
            continue
        if p.is_dir():
            found: list[_Target] = []
            for root, dirs, files in os.walk(p):
                hidden += sum(1 for d in dirs if d.startswith(".")) + sum(1 for f in files if f.startswith("."))
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                found.extend(_Target(Path(root) / f) for f in sorted(files) if not f.startswith("."))
            readable = [t for t in found if t.path.is_file()]
            if not readable:
                targets.append(_Target(p, Rejection(
                    str(p), Code.TW110.value,
                    f"folder with nothing readable ({len(found)} entries, none a readable file)",
                )))
            targets.extend(found)
            continue
        targets.append(_Target(p))
    return targets, hidden


def _read(inp: FileInput) -> ReadResult:
    """Dispatch to the reader for the sniffed format."""
    kind = sniff(inp.path, inp.data)
    if kind == "pdf":
        return read_pdf(inp)
    if kind == "html":
        return read_html(inp)
    if kind in ("jsonl", "csv"):
        return read_tabular(inp, kind)
    return read_text(inp)


def _load(path: Path, limit: int) -> bytes:
    """Read a file's bytes, or raise Rejected for missing, unreadable or oversized files."""
    try:
        size = path.stat().st_size
    except OSError as e:
        raise Rejected(Code.TW107, f"cannot read path: {e.strerror or e}") from e
    if not path.is_file():
        raise Rejected(Code.TW107, "not a regular file")
    if size > limit:
        raise Rejected(
            Code.TW106,
            f"file of {size / 1e6:.1f} MB is over the {limit / 1e6:.0f} MB limit "
            "(raise it with TRACEWIRE_MAX_FILE_MB); its bytes were not stored",
        )
    try:
        return path.read_bytes()
    except OSError as e:
        raise Rejected(Code.TW107, f"cannot read file: {e.strerror or e}") from e


def ingest(
    paths: Sequence[str | Path],
    store: Store,
    *,
    fields: FieldMap | None = None,
    packs: Sequence[str] | None = None,
    batch_size: int | None = None,
    max_bytes: int | None = None,
    progress: Progress | None = None,
) -> IngestSummary:
    """Ingest every input; write documents, rejections and raw bytes in batched transactions."""
    rules = load_rules(tuple(packs) if packs is not None else settings.packs())
    limit = settings.max_file_bytes() if max_bytes is None else max_bytes
    size = int(settings.get("batch_size")) if batch_size is None else batch_size
    fm = fields or FieldMap()
    targets, hidden = expand(paths)
    summary = IngestSummary(hidden_skipped=hidden)
    batch = IngestBatch()
    pending = 0
    for i, target in enumerate(targets, start=1):
        if progress:
            progress(i, len(targets), str(target.path))
        summary.inputs += 1
        for rej, blob in _one(target, store, rules, limit, fm, batch, summary):
            batch.rejections.append((rej, blob))
            summary.rejections.append(rej)
        pending = len(batch.documents) + len(batch.rejections)
        if pending >= size:
            summary.counts.add(store.write_ingest_batch(batch))
            batch = IngestBatch()
    if batch.documents or batch.rejections or batch.inputs:
        summary.counts.add(store.write_ingest_batch(batch))
    summary.counts.rejected = len(summary.rejections)
    return summary


def _one(
    target: _Target, store: Store, rules: BoilerplateRules, limit: int, fm: FieldMap, batch: IngestBatch,
    summary: IngestSummary,
) -> Iterator[tuple[Rejection, str | None]]:
    """Read one target into ``batch``; yield its rejections with the sha of its stored bytes."""
    if target.rejection is not None:
        yield target.rejection, None
        return
    path = target.path
    try:
        data = _load(path, limit)
    except Rejected as e:
        yield Rejection(str(path), e.code.value, e.reason), None
        return
    digest = sha256(data)
    key = str(path.resolve())
    if store.known_input(key, digest):
        summary.unchanged_inputs += 1
        return
    batch.blobs[digest] = data
    inp = FileInput(path=path, data=data, sha256=digest, rules=rules, fields=fm)
    try:
        result = _read(inp)
        fmt = result.documents[0].fmt if result.documents else "unknown"
    except Rejected as e:
        batch.inputs.append((key, digest, "rejected", 0, 1))
        yield Rejection(str(path), e.code.value, e.reason, digest, len(data)), digest
        return
    except Exception as e:  # a reader bug must not stop the batch: record it and go on
        log.exception("reader failed on %s", path)
        batch.inputs.append((key, digest, "rejected", 0, 1))
        yield Rejection(str(path), Code.TW108.value, f"reader failed: {type(e).__name__}: {e}", digest,
                        len(data)), digest
        return
    for doc, row in zip(result.documents, result.rows, strict=True):
        batch.documents.append((doc, digest, row))
    batch.inputs.append((key, digest, fmt, len(result.documents), len(result.rejections)))
    for rej in result.rejections:
        yield rej, digest


__all__ = ["FieldMap", "IngestSummary", "expand", "ingest"]
