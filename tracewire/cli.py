"""Command line: a thin layer that parses arguments, calls library functions and prints."""

from __future__ import annotations

import argparse
import logging
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from . import __version__, settings
from .errors import REJECTION_TITLES, Code, TracewireError, UsageError

EPILOG = """examples:
  tracewire ingest ../shared/seeds articles/*.html corpus.jsonl
  tracewire ingest FA-KES-Dataset.csv --field text=article_content --field outlet=source
  tracewire analyze --workers 2
  tracewire export claims --format csv --out claims.csv
  tracewire export reuse | jq .
  tracewire analyze --engine spark --master local[2]
  tracewire ingest corpus.jsonl --to parquet corpus-parquet/ && tracewire load corpus-parquet/ --db corpus.db
  tracewire report --out report/
  tracewire serve --port 8765
  tracewire demo
  tracewire factchecks import ../shared/data/euvsdisinfo/full_dataset_formatted.csv reviews.jsonld
  tracewire review 004_5f7f21560a4aea28:120-245 --rating False --note "..." --reviewer "A. Checker"
  tracewire export claimreview --out claimreview.jsonl

--db defaults to $TRACEWIRE_DB, else ./tracewire.db.
exit codes: 0 success (also when some inputs were rejected), 1 nothing could be processed, 2 usage error.
"""


def _parser() -> argparse.ArgumentParser:
    """Build the argument parser with every command."""
    p = argparse.ArgumentParser(
        prog="tracewire",
        description="Make a corpus of news articles legible: reuse, claims and sources, actors, places, "
        "techniques.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--version", action="version", version=f"tracewire {__version__}")
    p.add_argument("-v", "--verbose", action="store_true", help="log progress details to stderr")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    def db_arg(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--db", type=Path, default=None, help="database file (default: $TRACEWIRE_DB or "
                        "./tracewire.db)")

    sp = sub.add_parser("ingest", help="read files, folders, globs into the store",
                        description="Ingest .txt .html .htm .pdf .jsonl .csv files, folders (recursive) and "
                        "globs. Each input becomes documents or a coded rejection.",
                        epilog="example: tracewire ingest ../shared/seeds notes/*.pdf corpus.jsonl")
    sp.add_argument("paths", nargs="+", metavar="PATH")
    db_arg(sp)
    sp.add_argument("--field", action="append", default=[], metavar="FIELD=COLUMN",
                    help="map a JSONL/CSV column to a document field, e.g. --field text=article_content")
    sp.add_argument("--max-mb", type=float, default=None, help="reject files larger than this "
                    f"(default {settings.get('max_file_mb')} MB)")
    sp.add_argument("--follow-symlinks", action="store_true", help="read symbolic links found in folders "
                    "and globs when they lead inside the given folders (default: reject them, TW111)")
    sp.add_argument("--to", nargs=2, default=None, metavar=("FORMAT", "DIR"),
                    help="write the Parquet exchange format to DIR instead of a database: --to parquet DIR "
                    "(documents, rejections, raw bytes, inputs; `tracewire load DIR` reads it back)")

    sp = sub.add_parser("analyze", help="run the analysis pipeline over stored documents",
                        epilog="example: tracewire analyze --workers 2")
    db_arg(sp)
    sp.add_argument("--engine", choices=("local", "spark"), default="local")
    sp.add_argument("--workers", type=int, default=None, help="worker processes (default: $TRACEWIRE_WORKERS, "
                    "else 1)")
    sp.add_argument("--master", default=None, metavar="URL", help="with --engine spark: the Spark master "
                    "(default local[2], or what spark-submit was given), e.g. yarn, k8s://https://HOST:443")

    sp = sub.add_parser("export", help="write records as JSON Lines or CSV",
                        epilog="example: tracewire export claims --format csv --out claims.csv")
    from .export import EXPORTS

    sp.add_argument("kind", metavar="KIND", help=f"{', '.join(EXPORTS)}; store (with --format "
                    "parquet --out DIR: documents and every analysis result, for `tracewire load`)")
    db_arg(sp)
    sp.add_argument("--format", default="jsonl", choices=("jsonl", "csv", "parquet"))
    sp.add_argument("--out", type=Path, default=None, help="output file (default: stdout)")

    sp = sub.add_parser("report", help="write the static HTML report", epilog="example: tracewire report "
                        "--out report/")
    db_arg(sp)
    sp.add_argument("--out", type=Path, required=True)

    sp = sub.add_parser("serve", help="serve the web UI", epilog="example: tracewire serve --port 8765")
    db_arg(sp)
    sp.add_argument("--host", default="127.0.0.1")
    sp.add_argument("--port", type=int, default=8765)
    sp.add_argument("--token-file", type=Path, default=None, metavar="PATH",
                    help="file holding the access token (16+ characters; or set $TRACEWIRE_TOKEN); required when "
                    "--host is not a loopback address")
    sp.add_argument("--token", default=None, help="the token itself: visible to every user in the process list, "
                    "prefer --token-file or $TRACEWIRE_TOKEN")
    sp.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                    help="also answer requests for this Host name (repeatable; loopback names and --host always)")
    sp.add_argument("--workers", type=int, default=None, help="server processes (default: one per core, at most 4)")
    sp.add_argument("--read-only", action="store_true", help="show reviews but accept none from the web form")

    sp = sub.add_parser("factchecks", help="import fact-check databases (ClaimReview JSON-LD / JSONL, EUvsDisinfo CSV)",
                        epilog="example: tracewire factchecks import ../shared/data/euvsdisinfo/full_dataset_formatted.csv")
    fsub = sp.add_subparsers(dest="factchecks_command", metavar="ACTION", required=True)
    fi = fsub.add_parser("import", help="read ClaimReview .jsonld/.json, .jsonl feeds and the EUvsDisinfo .csv")
    fi.add_argument("paths", nargs="+", metavar="FILE")
    db_arg(fi)

    sp = sub.add_parser("review", help="record a reviewer's verdict on a claim (exported as ClaimReview)",
                        epilog="example: tracewire review 004_5f7f21560a4aea28:120-245 --rating False "
                        "--note 'No source for the claim' --reviewer 'A. Checker'")
    sp.add_argument("claim", metavar="CLAIM_ID", help="DOC:START-END, as `tracewire export claims` gives doc, start, end")
    sp.add_argument("--rating", required=True, help="the verdict: False, Misleading, Unproven, True ... or 1-5")
    sp.add_argument("--note", default="", help="a short note: why")
    sp.add_argument("--reviewer", required=True, help="the reviewer's name (the ClaimReview author)")
    db_arg(sp)

    sp = sub.add_parser("load", help="load a Parquet exchange folder into the database",
                        description="Load a folder written by `ingest ... --to parquet DIR` (documents, rejections, "
                        "raw bytes, inputs) or by `export store --format parquet --out DIR` (the same plus every "
                        "analysis result) into a SQLite store, for analyze, the report and the web UI.",
                        epilog="example: tracewire load corpus-parquet/ --db corpus.db")
    sp.add_argument("src", type=Path, metavar="PARQUET_DIR")
    db_arg(sp)

    sp = sub.add_parser("demo", help="bundled corpus -> analysis -> report; prints where it is")
    sp.add_argument("--out", type=Path, default=Path("tracewire-demo"), help="folder for the demo database "
                    "and report (default ./tracewire-demo)")
    return p


# C0 and C1 controls, DEL, and the bidirectional overrides that can reorder what a terminal shows
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
                          "\ud800-\udfff]")


def printable(text: str) -> str:
    """Text safe for a terminal: control, bidi and surrogate characters shown as escapes."""
    return _UNPRINTABLE.sub(lambda m: m.group(0).encode("unicode_escape", "backslashreplace").decode("ascii")
                            if not "\ud800" <= m.group(0) <= "\udfff" else f"\\u{ord(m.group(0)):04x}",
                            text)


def _db(args: argparse.Namespace) -> Path:
    """The database path from --db or the settings."""
    return Path(args.db) if getattr(args, "db", None) else settings.default_db()


@contextmanager
def _progress(label: str) -> Iterator[Callable[..., None] | None]:
    """A rich progress bar on a terminal; nothing when stderr is not a terminal."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), transient=True) as bar:
        tasks: dict[str, Any] = {}

        def update(*args: Any) -> None:
            if isinstance(args[0], str) and len(args) == 3 and isinstance(args[1], int):
                name, i, n = args
            else:
                i, n, _ = args
                name = label
            if name not in tasks:
                tasks[name] = bar.add_task(f"{label} {name}" if name != label else label, total=n)
            bar.update(tasks[name], completed=i, total=n)

        yield update


def cmd_ingest(args: argparse.Namespace) -> int:
    """Ingest inputs and print the summary."""
    from .ingest import FieldMap, ingest
    from .store import open_store

    fields = FieldMap().with_overrides(args.field)
    limit = int(args.max_mb * 1024 * 1024) if args.max_mb is not None else None
    if args.to is not None:
        return _ingest_to_parquet(args, fields, limit)
    store = open_store(_db(args))
    try:
        with _progress("ingest") as bar:
            s = ingest(args.paths, store, fields=fields, max_bytes=limit, progress=bar,
                       follow_symlinks=args.follow_symlinks)
    finally:
        store.close()
    c = s.counts
    print(f"ingested {c.ingested} new documents, {c.new_versions} new versions, "
          f"{c.unchanged + s.unchanged_inputs} unchanged; rejected {len(s.rejections)} inputs "
          f"(from {s.inputs} inputs) into {printable(str(_db(args)))}")
    if s.collisions:
        print(f"  {len(s.collisions)} id collisions: another source already held the id, so these were "
              "stored under a qualified id (nothing was replaced)")
        for col in s.collisions[:10]:
            print(f"    {printable(col.wanted)} -> {printable(col.stored_as)}")
        if len(s.collisions) > 10:
            print(f"    ... {len(s.collisions) - 10} more: documents.wanted_id in the store")
    for code, n in s.by_code().items():
        print(f"  {code} {REJECTION_TITLES.get(code, '')}: {n}")
    for r in s.rejections[:20]:
        print(f"    {r.code} {printable(r.path)}: {printable(r.message)}")
    if len(s.rejections) > 20:
        print(f"    ... {len(s.rejections) - 20} more: tracewire export rejections")
    if s.hidden_skipped:
        print(f"  skipped {s.hidden_skipped} hidden files or folders (names starting with '.')")
    processed = c.ingested + c.new_versions + c.unchanged + s.unchanged_inputs
    return 0 if processed or not s.inputs else 1


def _ingest_to_parquet(args: argparse.Namespace, fields: Any, limit: int | None) -> int:
    """``ingest ... --to parquet DIR``: ingest into a scratch store, then write the exchange folder."""
    import tempfile

    from .ingest import ingest
    from .store import SQLiteStore
    from .store.exchange import write_exchange

    fmt, out = args.to
    if fmt != "parquet":
        raise UsageError(f"--to {fmt} is not a format; use --to parquet DIR", Code.TW002)
    if args.db is not None:
        raise UsageError("--to parquet DIR writes a folder, not a database: drop --db (or drop --to)", Code.TW002)
    with tempfile.TemporaryDirectory(prefix="tracewire-ingest-") as tmp:
        store = SQLiteStore(Path(tmp) / "scratch.db")
        try:
            s = ingest(args.paths, store, fields=fields, max_bytes=limit, follow_symlinks=args.follow_symlinks)
            counts = write_exchange(store, Path(out))
        finally:
            store.close()
    print(f"wrote {counts['documents']} documents, {counts['rejections']} rejections, {counts['blobs']} raw inputs "
          f"to {printable(str(out))} (Parquet; from {s.inputs} inputs)")
    for code, n in s.by_code().items():
        print(f"  {code} {REJECTION_TITLES.get(code, '')}: {n}")
    return 0 if counts["documents"] or not s.inputs else 1


def _export_store(args: argparse.Namespace) -> int:
    """``export store --format parquet --out DIR``: documents and every analysis result, for ``load``."""
    from .store import SQLiteStore
    from .store.exchange import write_exchange, write_results

    if args.format != "parquet" or not args.out:
        raise UsageError("export store writes a Parquet folder: tracewire export store --format parquet --out DIR",
                         Code.TW002)
    store = SQLiteStore(_db(args))
    try:
        counts = write_exchange(store, args.out)
        results = write_results(store, args.out)
    finally:
        store.close()
    print(f"wrote {counts['documents']} documents, {counts['rejections']} rejections, {counts['blobs']} raw inputs "
          f"and {sum(results.values())} analysis rows ({sum(1 for n in results.values() if n)} tables) to "
          f"{printable(str(args.out))} (Parquet; `tracewire load {printable(str(args.out))} --db FILE` reads it)")
    return 0


def cmd_load(args: argparse.Namespace) -> int:
    """Load a Parquet exchange folder into the store and print what it added."""
    from .store import open_store
    from .store.exchange import load_exchange, load_results

    store = open_store(_db(args))
    results: dict[str, int] = {}
    try:
        c = load_exchange(args.src, store)
        if (args.src / "results").is_dir():
            results = load_results(args.src, store)
    finally:
        store.close()
    print(f"loaded {c.ingested} new documents, {c.new_versions} new versions, {c.unchanged} unchanged, "
          f"{c.rejected} rejections from {printable(str(args.src))} into {printable(str(_db(args)))}")
    if results:
        print("  analysis results: " + ", ".join(f"{t} {n}" for t, n in results.items() if n))
    return 0


def cmd_analyze(args: argparse.Namespace) -> int:
    """Analyse stored documents (what is new, or changed by signature) and print what was done."""
    from .engines.local import analyze_store, describe
    from .store import SQLiteStore

    cfg = settings.load()
    workers = cfg["workers"] if args.workers is None else args.workers
    if args.master is not None and args.engine != "spark":
        raise UsageError(f"--master {args.master} needs --engine spark", Code.TW002)
    if workers < 1:
        raise UsageError(f"--workers must be at least 1, got {workers}", Code.TW002)
    store = SQLiteStore(_db(args))
    try:
        n = store.query("SELECT COUNT(*) AS n FROM current_documents")[0]["n"]
        if n == 0:
            print(f"no documents in {_db(args)}: run `tracewire ingest PATH...` first", file=sys.stderr)
            return 1
        spark, owned = None, False
        try:
            with _progress("analyze") as bar:
                if args.engine == "spark":
                    from .engines.spark import session, spark_mapper, spark_stages

                    spark, owned = session(args.master)
                    s = analyze_store(store, packs=cfg.packs(), progress=bar, mapper=spark_mapper(spark),
                                      stages=spark_stages(spark))
                else:
                    s = analyze_store(store, workers=workers, packs=cfg.packs(), progress=bar)
        finally:
            if spark is not None and owned:
                spark.stop()
    finally:
        store.close()
    print(f"analysed {s.analysed} new documents, re-analysed {s.reanalysed}, {s.up_to_date} already up to date "
          f"(packs: {', '.join(cfg.packs()) or 'core only'})")
    for line in s.reasons:
        print(f"  {line}")
    if s.components:
        print("  layers written: " + ", ".join(f"{name} {k}" for name, k in s.components.items()))
    if s.failed_components:
        print(f"  {s.failed_components} component failures recorded (analysis_runs.errors)")
    for name, result in s.corpus.items():
        print(f"  {name}: {describe(result)}")
    return 0


def _stale_note(db: Path, packs: Sequence[str]) -> str | None:
    """A note when the stored analysis is not what `analyze` would make with these packs."""
    from .engines.local import pending
    from .store import SQLiteStore

    if not db.exists():
        return None
    store = SQLiteStore(db)
    try:
        _, _, work = pending(store, packs=packs)
    finally:
        store.close()
    todo = sum(len(w.docs) for w in work)
    if not todo:
        return None
    why = "; ".join(f"{len(w.docs)} {'new' if w.new else w.reason}" for w in work)
    return (f"note: the analysis of {todo} documents is not up to date with packs {', '.join(packs)} ({why}); "
            "run `tracewire analyze` to bring it up to date")


def cmd_export(args: argparse.Namespace) -> int:
    """Export records to a file or stdout."""
    from .export import export, export_parquet
    from .store import SQLiteStore

    if args.format == "parquet" and not args.out:
        raise UsageError("--format parquet writes a file: add --out FILE.parquet")
    if args.kind == "store":
        return _export_store(args)
    store = SQLiteStore(_db(args))
    try:
        if args.format == "parquet":
            n = export_parquet(store, args.kind, str(args.out))
            print(f"wrote {n} {args.kind} records to {args.out}", file=sys.stderr)
        elif args.out:
            with open(args.out, "w", encoding="utf-8", newline="") as f:
                n = export(store, args.kind, f, args.format)
            print(f"wrote {n} {args.kind} records to {args.out}", file=sys.stderr)
        else:
            export(store, args.kind, sys.stdout, args.format)
    finally:
        store.close()
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """Write the static report."""
    from .report import build_report

    note = _stale_note(_db(args), settings.load().packs())
    index = build_report(_db(args), args.out)
    print(f"report written: {index}")
    if note:
        print(f"  {note}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the web UI until interrupted."""
    from .web.security import read_token
    from .web.server import prepare, run

    if args.token is not None:
        print("tracewire serve: warning: --token is visible to every user of this machine in the process list; "
              "put the token in $TRACEWIRE_TOKEN or in a file passed as --token-file PATH.", file=sys.stderr)
    config = prepare(_db(args), host=args.host, port=args.port, token=read_token(args.token, args.token_file),
                     workers=args.workers, allow_hosts=args.allow_host, read_only=args.read_only)
    print(f"tracewire serve: {config.db_path} at {config.url}")
    note = _stale_note(config.db_path, settings.load().packs())
    if note:
        print(f"  {note}")
    if config.token:
        print(f"  needs its token: open {config.url}?token=TOKEN once per browser, or send "
              "'Authorization: Bearer TOKEN'")
    if config.every_interface:
        print(f"  listening on every interface ({config.host}); other machines reach it by a name given with "
              "--allow-host NAME")
    print("Press Ctrl+C to stop.", flush=True)
    run(config)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Ingest and analyse the bundled demo corpus, write the report, print where everything is."""
    from .demo import run_demo

    result = run_demo(args.out, progress_factory=_progress)
    for line in result.lines:
        print(line)
    return 0


def cmd_factchecks(args: argparse.Namespace) -> int:
    """Import fact-check files and print what was added and rejected."""
    from .ingest.factchecks import import_factchecks
    from .store import open_store

    store = open_store(_db(args))
    try:
        s = import_factchecks(args.paths, store)
    finally:
        store.close()
    print(f"imported {s.new} new fact-checks, {s.changed} changed, {s.unchanged} unchanged; rejected "
          f"{len(s.rejections)} records (from {s.files} files) into {printable(str(_db(args)))}")
    for code, n in s.by_code().items():
        print(f"  {code} {REJECTION_TITLES.get(code, '')}: {n}")
    for r in s.rejections[:20]:
        print(f"    {r.code} {printable(r.path)}: {printable(r.message)}")
    if len(s.rejections) > 20:
        print(f"    ... {len(s.rejections) - 20} more: tracewire export rejections")
    if s.new or s.changed:
        print("  run `tracewire analyze` to match the corpus's claims against them")
    return 0 if (s.new + s.changed + s.unchanged) or not s.files else 1


def cmd_review(args: argparse.Namespace) -> int:
    """Record a review of one claim."""
    from .claimreview import claim_id, review_claim
    from .store import open_store

    store = open_store(_db(args))
    try:
        r = review_claim(store, args.claim, args.rating, args.note, args.reviewer)
    finally:
        store.close()
    print(f"reviewed {printable(claim_id(r.doc, r.start, r.end))}: {printable(r.rating)} by {printable(r.reviewer)} "
          "(`tracewire export claimreview` writes it as ClaimReview JSON-LD)")
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "ingest": cmd_ingest,
    "analyze": cmd_analyze,
    "export": cmd_export,
    "report": cmd_report,
    "serve": cmd_serve,
    "demo": cmd_demo,
    "load": cmd_load,
    "factchecks": cmd_factchecks,
    "review": cmd_review,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``tracewire`` command."""
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    if not args.command:
        parser.print_help()
        return 2
    try:
        return COMMANDS[args.command](args)
    except UsageError as e:
        print(f"tracewire {args.command}: {e}", file=sys.stderr)
        return 2
    except TracewireError as e:
        print(f"tracewire {args.command}: {e}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `tracewire export ... | head` closed the pipe: not an error
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
