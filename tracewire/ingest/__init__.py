"""Ingest files, folders and globs into the store: every input ends as documents or a rejection."""

from __future__ import annotations

import errno
import glob
import json
import logging
import os
import stat
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .. import settings
from ..errors import Code, Rejected
from ..records import Rejection
from ..store.base import Collision, IngestBatch, IngestCounts, Store
from .boilerplate import BoilerplateRules, load_rules
from .build import sha256
from .context import FieldMap, FileInput, ReadResult
from .detect import sniff
from .html import read_html
from .names import escape_name
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

    @property
    def collisions(self) -> list[Collision]:
        """Documents stored under a qualified id because another source held the plain one."""
        return self.counts.collisions


@dataclass(frozen=True, slots=True)
class _Target:
    """A file to read, or a rejection already known (bad path, empty folder, link not followed)."""

    path: Path
    rejection: Rejection | None = None
    # the user named this path (or a link inside the given folders may be followed): open through links
    follow: bool = False


def _reject(path: str | Path, code: Code, message: str) -> _Target:
    """A target that is already a rejection."""
    return _Target(Path(path), Rejection(escape_name(path), code.value, message))


def _inside(path: str, roots: Sequence[str]) -> bool:
    """True when ``path`` (resolved) lies in one of ``roots`` (resolved)."""
    return any(path == r or path.startswith(r.rstrip(os.sep) + os.sep) for r in roots)


def _walk(root: Path, roots: Sequence[str], follow: bool) -> tuple[list[_Target], int]:
    """Files under ``root`` in stable order; links, unreadable folders and loops become rejections."""
    found: list[_Target] = []
    hidden = 0
    seen: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            st = folder.stat()
            if (st.st_dev, st.st_ino) in seen:
                found.append(_reject(folder, Code.TW111, "folder already read through another link (a loop)"))
                continue
            seen.add((st.st_dev, st.st_ino))
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: os.fsencode(e.name))
        except OSError as e:
            found.append(_reject(folder, Code.TW107, f"cannot list folder: {e.strerror or e}"))
            continue
        subdirs: list[Path] = []
        for entry in entries:
            if entry.name.startswith("."):
                hidden += 1
                continue
            path = Path(entry.path)
            try:
                if entry.is_symlink():
                    target = _link_target(path, roots, follow)
                    if isinstance(target, _Target):
                        found.append(target)
                    elif target.is_dir():
                        subdirs.append(path)
                    else:
                        found.append(_Target(path, follow=True))
                elif entry.is_dir(follow_symlinks=False):
                    subdirs.append(path)
                elif entry.is_file(follow_symlinks=False):
                    found.append(_Target(path))
                else:
                    found.append(_reject(path, Code.TW107, "not a regular file (a FIFO, socket or device)"))
            except OSError as e:
                found.append(_reject(path, Code.TW107, f"cannot read path: {e.strerror or e}"))
        stack.extend(reversed(subdirs))
    return found, hidden


def _link_target(path: Path, roots: Sequence[str], follow: bool) -> Path | _Target:
    """Where a link inside a folder leads, or the rejection that stands in for it."""
    try:
        resolved = path.resolve(strict=True)
    except (OSError, RuntimeError) as e:
        reason = e.strerror if isinstance(e, OSError) and e.strerror else "a loop of links"
        return _reject(path, Code.TW107, f"broken symbolic link ({reason})")
    if not follow:
        return _reject(path, Code.TW111, "symbolic link not followed (it could point at any file on this "
                       "machine); pass --follow-symlinks to read links that stay inside the given folders")
    if not _inside(str(resolved), roots):
        return _reject(path, Code.TW111, "symbolic link points outside the given folders; not followed")
    return resolved


def expand(paths: Iterable[str | Path], *, follow_symlinks: bool = False) -> tuple[list[_Target], int]:
    """Files from paths, folders (recursive, hidden entries skipped) and globs, in stable order.

    Paths named on the command line are read even when they are links (the user chose them);
    links met inside folders or glob matches are rejected (TW111) unless ``follow_symlinks``,
    and even then only when they lead inside one of the named folders.
    """
    targets: list[_Target] = []
    hidden = 0
    args = list(paths)
    roots: list[str] = []
    for arg in args:
        try:
            roots.append(str(Path(arg).resolve()))
        except (OSError, RuntimeError):
            continue
    for arg in args:
        try:
            t, h = _expand_one(arg, roots, follow_symlinks)
        except OSError as e:  # e.g. a path under a folder we may not enter
            t, h = [_reject(arg, Code.TW107, f"cannot read path: {e.strerror or e}")], 0
        targets.extend(t)
        hidden += h
    return targets, hidden


def _expand_one(arg: str | Path, roots: Sequence[str], follow: bool) -> tuple[list[_Target], int]:
    """Targets of one command-line path, folder or glob."""
    p = Path(arg)
    if not os.path.lexists(p) and glob.has_magic(str(arg)):
        matches = sorted(glob.glob(str(arg), recursive=True), key=os.fsencode)
        if not matches:
            return [_reject(arg, Code.TW107, "no file matches this pattern")], 0
        out: list[_Target] = []
        hidden = 0
        for m in matches:
            mp = Path(m)
            if mp.is_symlink():
                target = _link_target(mp, roots, follow)
                if isinstance(target, _Target):
                    out.append(target)
                    continue
            t, h = _expand_one(m, roots, follow)
            out.extend(t)
            hidden += h
        return out, hidden
    if p.is_dir():
        found, hidden = _walk(p, roots, follow)
        if not any(t.rejection is None for t in found):
            found.insert(0, _reject(p, Code.TW110, f"folder with nothing readable ({len(found)} entries, "
                                    "none a readable file)"))
        return found, hidden
    return [_Target(p, follow=True)], 0


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


def _load(path: Path, limit: int, follow: bool) -> bytes:
    """Read a file's bytes in chunks, or raise Rejected for missing, unreadable or oversized files.

    The file is opened without following a link unless ``follow`` (a link swapped in after the
    folder was listed is refused), and the size limit holds even for a file that grows.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | (0 if follow else getattr(os, "O_NOFOLLOW", 0))
    try:
        fd = os.open(path, flags)
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise Rejected(Code.TW111, "symbolic link not followed") from e
        raise Rejected(Code.TW107, f"cannot read path: {e.strerror or e}") from e
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise Rejected(Code.TW107, "not a regular file")
        if st.st_size > limit:
            raise Rejected(Code.TW106, _too_big(st.st_size, limit))
        chunks: list[bytes] = []
        size = 0
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            size += len(chunk)
            if size > limit:
                raise Rejected(Code.TW106, _too_big(size, limit))
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as e:
        raise Rejected(Code.TW107, f"cannot read file: {e.strerror or e}") from e
    finally:
        os.close(fd)


def _too_big(size: int, limit: int) -> str:
    """The TW106 message for a file over the size limit."""
    return (f"file of {size / 1e6:.1f} MB is over the {limit / 1e6:.0f} MB limit "
            "(raise it with TRACEWIRE_MAX_FILE_MB); its bytes were not stored")


def ingest(
    paths: Sequence[str | Path],
    store: Store,
    *,
    fields: FieldMap | None = None,
    packs: Sequence[str] | None = None,
    batch_size: int | None = None,
    max_bytes: int | None = None,
    progress: Progress | None = None,
    follow_symlinks: bool = False,
) -> IngestSummary:
    """Ingest every input; write documents, rejections and raw bytes in batched transactions."""
    rules = load_rules(tuple(packs) if packs is not None else settings.packs())
    limit = settings.max_file_bytes() if max_bytes is None else max_bytes
    size = int(settings.get("batch_size")) if batch_size is None else batch_size
    fm = fields or FieldMap()
    targets, hidden = expand(paths, follow_symlinks=follow_symlinks)
    summary = IngestSummary(hidden_skipped=hidden)
    batch = IngestBatch()
    pending = 0
    for i, target in enumerate(targets, start=1):
        if progress:
            progress(i, len(targets), escape_name(target.path))
        summary.inputs += 1
        mark = (len(batch.documents), len(batch.inputs), len(batch.blobs))
        try:
            found = list(_one(target, store, rules, limit, fm, batch, summary))
        except Exception as e:  # nothing about one input may stop the batch: record it and go on
            log.exception("ingest failed on %s", escape_name(target.path))
            _rollback(batch, mark)
            found = [(Rejection(escape_name(target.path), Code.TW108.value,
                                f"could not be read: {type(e).__name__}: {e}"), None)]
        for rej, blob in found:
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


def _rollback(batch: IngestBatch, mark: tuple[int, int, int]) -> None:
    """Drop what a failed input added to the batch (documents, sources, inputs)."""
    docs, inputs, _ = mark
    del batch.documents[docs:]
    del batch.sources[docs:]
    del batch.inputs[inputs:]


def _storable(result: ReadResult) -> None:
    """Raise Rejected when a document holds text that SQLite cannot store (lone surrogates)."""
    for doc in result.documents:
        try:
            for value in (doc.id, doc.text, doc.raw_text, doc.title, doc.outlet, doc.url, doc.author,
                          doc.dateline, doc.date, doc.source_path):
                if value is not None:
                    value.encode("utf-8")
            json.dumps(doc.meta, ensure_ascii=False).encode("utf-8")
        except (UnicodeError, TypeError, ValueError) as e:
            raise Rejected(Code.TW103, f"document {escape_name(doc.id)!r} holds text that cannot be stored "
                           f"as UTF-8 ({type(e).__name__})") from e


def _one(
    target: _Target, store: Store, rules: BoilerplateRules, limit: int, fm: FieldMap, batch: IngestBatch,
    summary: IngestSummary,
) -> Iterator[tuple[Rejection, str | None]]:
    """Read one target into ``batch``; yield its rejections with the sha of its stored bytes."""
    if target.rejection is not None:
        yield target.rejection, None
        return
    path = target.path
    name = escape_name(path)
    try:
        data = _load(path, limit, target.follow)
    except Rejected as e:
        yield Rejection(name, e.code.value, e.reason), None
        return
    digest = sha256(data)
    inp = FileInput(path=path, data=data, sha256=digest, rules=rules, fields=fm)
    if store.known_input(inp.key, digest):
        summary.unchanged_inputs += 1
        return
    batch.blobs[digest] = data
    try:
        result = _read(inp)
        _storable(result)
        fmt = result.documents[0].fmt if result.documents else "unknown"
    except Rejected as e:
        batch.inputs.append((inp.key, digest, "rejected", 0, 1))
        yield Rejection(name, e.code.value, e.reason, digest, len(data)), digest
        return
    except Exception as e:  # a reader bug must not stop the batch: record it and go on
        log.exception("reader failed on %s", name)
        batch.inputs.append((inp.key, digest, "rejected", 0, 1))
        yield Rejection(name, Code.TW108.value, f"reader failed: {type(e).__name__}: {e}", digest,
                        len(data)), digest
        return
    for doc, row, source in zip(result.documents, result.rows, result.sources, strict=True):
        batch.documents.append((doc, digest, row))
        batch.sources.append(source)
    batch.inputs.append((inp.key, digest, fmt, len(result.documents), len(result.rejections)))
    for rej in result.rejections:
        yield rej, digest


__all__ = ["Collision", "FieldMap", "IngestSummary", "expand", "ingest"]
