"""Malformed inputs by class, each with the outcome ingest must give it (stored, or a rejection code).

``build(root, scale)`` writes the corpus under ``root`` and returns one ``Case`` per input or row.
The classes follow issue 16: bad records and names, links, id collisions, rows over the limits,
CSV quoting, mojibake and NUL bytes, costly inputs, plus one hostile archive unpacked the way a
user would (links out of the folder, a link loop, colliding and odd names). Good files are mixed
in. Every text is written here (no shared data), so the run is the same on every machine.
"""

from __future__ import annotations

import io
import json
import os
import random
import tarfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tracewire.ingest.names import escape_name

ARTICLE = (
    "DAMASCUS - Local sources told the Levant Wire that three rockets struck the Conoco gas field on "
    "Saturday morning, causing a series of explosions inside the base, a spokesman said. "
)
WORDS = ("convoy", "Palmyra", "council", "bridge", "shelling", "ceasefire", "ministry", "hospital",
         "checkpoint", "pipeline", "refinery", "governor", "statement", "witnesses", "district")
# text in the legacy character sets news arrives in, with a word to find after decoding
LEGACY = {
    "latin_1": ("Le café de la place a été touché par une roquette, selon des témoins. ", "café"),
    "cp1252": ("Les propriétaires ont déclaré que les dégâts étaient très importants. ", "dégâts"),
    "cp1256": ("قالت مصادر محلية إن ثلاثة صواريخ أصابت حقل الغاز صباح السبت. ", "صواريخ"),
    "koi8_r": ("Местные источники сообщили, что три ракеты попали в месторождение. ", "ракеты"),
    "cp1251": ("Представитель министерства заявил, что колонна достигла Пальмиры. ", "колонна"),
    "iso8859_7": ("Τοπικές πηγές ανέφεραν ότι τρεις ρουκέτες χτύπησαν το πεδίο. ", "ρουκέτες"),
}


@dataclass(frozen=True, slots=True)
class Case:
    """One input (or row) and the outcome expected: ``stored`` or a rejection code."""

    cls: str
    where: str  # the path (or ``path:row``) a rejection of it is recorded under
    key: str  # the source key a document from it is stored under
    expect: str
    contains: str | None = None  # a stored document's text must contain this (decoding was right)


def article(rng: random.Random, tag: str = "") -> str:
    """A unique article of a few sentences (unique so no two inputs are the same bytes)."""
    words = " ".join(rng.choice(WORDS) for _ in range(12))
    return f"{ARTICLE}The {words} were mentioned in report {tag} {rng.random():.12f}. " * 2


def _file(path: Path) -> str:
    """Source key of a one-document file."""
    return escape_name(os.path.abspath(path))


def _write(path: Path, data: bytes | str) -> Path:
    """Write bytes (or UTF-8 text) at ``path``, creating folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        f.write(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def _one(cls: str, path: Path, expect: str, contains: str | None = None) -> Case:
    """The case of a one-document file."""
    return Case(cls, escape_name(path), _file(path), expect, contains)


def _rows(cls: str, path: Path, rows: list[tuple[str | None, str]], contains: dict[int, str] | None = None
          ) -> list[Case]:
    """Cases of the rows of a JSONL file: (row id or None, expected outcome) per line."""
    out = []
    for n, (row_id, expect) in enumerate(rows, start=1):
        key = f"{_file(path)}#id={row_id}" if row_id is not None else f"{_file(path)}#row={n}"
        out.append(Case(cls, f"{escape_name(path)}:{n}", key, expect, (contains or {}).get(n)))
    return out


# -- classes -------------------------------------------------------------------------------------

def good(root: Path, rng: random.Random, n: int) -> list[Case]:
    """Plain good articles mixed in with the bad."""
    return [_one("good file", _write(root / "good" / f"good{i:04d}.txt", article(rng, f"g{i}")), "stored")
            for i in range(n)]


def surrogate_rows(root: Path, rng: random.Random, n: int) -> list[Case]:
    """JSONL rows carrying lone surrogate escapes in the text, title or another field."""
    out = []
    for i in range(n):
        lines, rows = [], []
        for j, where in enumerate(("text", "title", "extra")):
            body = article(rng, f"s{i}.{j}")
            obj = {"id": f"sur{i}_{j}", "text": body + (" \\ud800 " if where == "text" else ""),
                   "title": "T \\udfff" if where == "title" else "T", "extra": "\\ud83d" if where == "extra" else 1}
            # json.dumps would escape the backslash: write the escapes by hand so JSON decodes them
            lines.append(json.dumps(obj).replace("\\\\u", "\\u"))
            rows.append((obj["id"], "stored"))
        path = _write(root / "surrogates" / f"rows{i:03d}.jsonl", "\n".join(lines) + "\n")
        out += _rows("lone surrogate in a row", path, rows)
    return out


def odd_names(root: Path, rng: random.Random, n: int) -> list[Case]:
    """File names that are not UTF-8, or hold terminal escapes, bidi overrides, newlines."""
    pieces: list[bytes] = [b"caf\xe9", b"\xd8\xa3\xff\xfe", b"\x1b[31mred\x1b[0m", b"bell\x07",
                           "\u202etxt.exe".encode(), b"new\nline", b"tab\there", b"back\\slash",
                           "Cafe\u0301".encode(), "Café".encode(), b"-dash", b"x" * 200]
    out = []
    for i in range(n):
        name = pieces[i % len(pieces)] + f"_{i}".encode() + b".txt"
        p = Path(os.fsdecode(os.path.join(os.fsencode(root / "names"), name)))
        out.append(_one("odd file name", _write(p, article(rng, f"n{i}")), "stored"))
    return out


def links(root: Path, rng: random.Random, n: int) -> list[Case]:
    """Links to files outside the folder (never read), and dangling links."""
    out = []
    outside = _write(root.parent / f"{root.name}-outside" / "secret.txt", article(rng, "secret"))
    for i in range(n):
        p = root / "links" / f"link{i:03d}.txt"
        p.parent.mkdir(parents=True, exist_ok=True)
        if i % 3 == 0:
            os.symlink(root.parent / "no-such-target.txt", p)
            out.append(_one("dangling link", p, "TW107"))
        else:
            os.symlink("/etc/passwd" if i % 3 == 1 else outside, p)
            out.append(_one("link to a file elsewhere", p, "TW111"))
    return out


def collisions(root: Path, rng: random.Random, n: int) -> list[Case]:
    """Same stems in many folders and formats; two datasets numbered 1..n; a row named like a file."""
    out = []
    for d in ("a", "b", "c"):
        for i in range(n):
            out.append(_one("id collision (files)", _write(root / "coll" / d / f"x{i}.txt",
                                                             article(rng, f"{d}{i}")), "stored"))
    for i in range(n):
        body = f"<html><body><article><p>{article(rng, f'h{i}')}</p></article></body></html>"
        out.append(_one("id collision (files)", _write(root / "coll" / f"x{i}.html", body), "stored"))
    for ds in ("one", "two"):
        path = root / "coll" / f"dataset_{ds}.jsonl"
        rows = [json.dumps({"id": str(i), "text": article(rng, f"{ds}{i}")}) for i in range(1, n + 1)]
        # a row that claims a file's id, and one id twice in the same file
        rows.append(json.dumps({"id": "x0", "text": article(rng, f"{ds}-claims-x0")}))
        rows.append(json.dumps({"id": "1", "text": article(rng, f"{ds}-dup")}))
        _write(path, "\n".join(rows) + "\n")
        cases = _rows("id collision (rows)", path, [(str(i), "stored") for i in range(1, n + 1)]
                      + [("x0", "stored"), (None, "stored")])
        out += cases
    return out


def bad_rows(root: Path, rng: random.Random, n: int) -> list[Case]:
    """Rows nested too deep, with 5,000-digit numbers, not JSON, not objects, without text."""
    out = []
    for i in range(n):
        path = root / "rows" / f"bad{i:03d}.jsonl"
        kind = i % 5
        bad = {
            0: "[" * 50_000 + "]" * 50_000,
            1: '{"id": "d' + str(i) + '", "n": ' + "9" * 5000 + ', "text": "x"}',
            2: '{"id": "j' + str(i) + '", "text": "unterminated',
            3: json.dumps([1, 2, 3]),
            4: '{"a":' * 100 + "1" + "}" * 100,
        }[kind]
        lines = [json.dumps({"id": f"ok{i}a", "text": article(rng, f"r{i}a")}), bad,
                 json.dumps({"id": f"ok{i}b", "text": article(rng, f"r{i}b")})]
        _write(path, "\n".join(lines) + "\n")
        cls = ("row nested too deep", "row with a 5,000-digit number", "row not JSON", "row not an object",
               "row nested too deep")[kind]
        out += _rows(cls, path, [(f"ok{i}a", "stored"), (None, "TW109"), (f"ok{i}b", "stored")])
    return out


def csv_quotes(root: Path, rng: random.Random, n: int) -> list[Case]:
    """CSV files with a stray or unbalanced quote in one row; the rows after it must survive."""
    out = []
    for i in range(n):
        path = root / "csv" / f"corpus{i:03d}.csv"
        a, b, c, d = (article(rng, f"c{i}{k}") for k in "abcd")
        if i % 2:
            bad = f'2,"{b} with a "stray quote inside'
        else:
            bad = f'2,"{b} never closed'
        text = f'id,text\n1,"{a}"\n{bad}\n3,"{c}"\n4,"{d}\nsecond paragraph of row four"\n'
        _write(path, text)
        for n_, (rid, exp) in enumerate([("1", "stored"), ("2", "TW109"), ("3", "stored"), ("4", "stored")],
                                        start=1):
            key = f"{_file(path)}#id={rid}"
            out.append(Case("CSV quote unbalanced", f"{escape_name(path)}:{n_}", key, exp))
    return out


def encodings(root: Path, rng: random.Random, n: int) -> list[Case]:
    """Legacy charsets, UTF-32/16 with a BOM, mixed UTF-8 and Latin-1: decoded right or TW103."""
    out = []
    names = list(LEGACY)
    for i in range(n):
        kind = i % (len(names) + 4)
        p = root / "enc" / f"e{i:03d}.txt"
        if kind < len(names):
            enc = names[kind]
            sentence, word = LEGACY[enc]
            _write(p, (sentence * 6).encode(enc))
            out.append(_one(f"legacy charset ({enc})", p, "stored", word))
        elif kind == len(names):
            _write(p, ("\ufeff" + ARTICLE + " Café owners said. ").encode("utf-32-le"))
            out.append(_one("UTF-32LE with BOM", p, "stored", "Café owners"))
        elif kind == len(names) + 1:
            _write(p, ("\ufeff" + ARTICLE + " Café owners said. ").encode("utf-16-be"))
            out.append(_one("UTF-16BE with BOM", p, "stored", "Café owners"))
        elif kind == len(names) + 2:
            _write(p, (ARTICLE + " Café owners said. ").encode() + " Le café a été touché. ".encode("latin-1"))
            out.append(_one("mixed UTF-8 and Latin-1", p, "stored", "café a été"))
        else:
            _write(p, bytes(rng.randrange(128, 256) for _ in range(3000)))
            out.append(_one("undecodable bytes", p, "TW103"))
    return out


def nul_bytes(root: Path, rng: random.Random, n: int) -> list[Case]:
    """A few NUL bytes after the first 4 KB (removed and recorded), or many (binary, TW102)."""
    out = []
    for i in range(n):
        p = root / "nul" / f"nul{i:03d}.txt"
        body = (article(rng, f"nul{i}") * 20).encode()
        if i % 2:
            _write(p, body[:5000] + b"\x00" + body[5000:] + b"\x00")
            out.append(_one("NUL bytes after 4 KB", p, "stored"))
        else:
            _write(p, body[:5000] + b"\x00" * 2000 + body[5000:])
            out.append(_one("binary (many NUL bytes)", p, "TW102"))
    return out


def page_bomb(n: int) -> bytes:
    """A small PDF whose page tree references one page ``n`` times."""
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [" + b" ".join([b"3 0 R"] * n) + b"] /Count %d >>" % n,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>"]
    stream = b"BT /F1 12 Tf 72 720 Td (The convoy reached Palmyra on Sunday, officials said.) Tj ET"
    objs.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    objs.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for o in offsets:
        out += b"%010d 00000 n \n" % o
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def costly(root: Path, rng: random.Random, n: int) -> list[Case]:
    """Inputs built to cost time or memory: page bombs, a huge single line, a huge CSV field."""
    out = []
    for i in range(n):
        kind = i % 3
        if kind == 0:
            p = _write(root / "cost" / f"bomb{i:03d}.pdf", page_bomb(100_000))
            out.append(_one("PDF with 100k page references", p, "TW104"))
        elif kind == 1:
            p = _write(root / "cost" / f"line{i:03d}.txt", ("word " * 1_100_000).encode())
            out.append(_one("single line of 5.5 MB", p, "TW106"))
        else:
            p = root / "cost" / f"field{i:03d}.csv"
            good_rows = [f'{k},"{article(rng, f"f{i}{k}")}"' for k in (1, 3)]
            _write(p, f'id,text\n{good_rows[0]}\n2,"{"x" * 5_200_000}"\n{good_rows[1]}\n')
            out += [Case("CSV field of 5.2 MB", f"{escape_name(p)}:{r}", f"{_file(p)}#id={r}", e)
                    for r, e in ((1, "stored"), (2, "TW109"), (3, "stored"))]
    return out


def large_good(root: Path, rng: random.Random, n: int) -> list[Case]:
    """A long good article (4.5 MB of paragraphs): stored, within the memory bound."""
    out = []
    for i in range(n):
        paragraphs = "\n\n".join(article(rng, f"L{i}.{k}") for k in range(2500))
        out.append(_one("large good article (4.5 MB)", _write(root / "large" / f"long{i}.txt", paragraphs),
                        "stored"))
    return out


def deep_folders(root: Path, rng: random.Random, n: int) -> list[Case]:
    """Files at the bottom of folders nested 300 deep (a recursive walk would overflow)."""
    out = []
    for i in range(n):
        deep = root / "deep" / str(i) / os.path.join(*(["d"] * 300))
        out.append(_one("folder nested 300 deep", _write(deep / f"bottom{i}.txt", article(rng, f"deep{i}")),
                        "stored"))
    return out


def unreadable(root: Path, rng: random.Random, n: int) -> list[Case]:
    """Folders without read permission (recorded as TW107; only testable when not root)."""
    if os.geteuid() == 0:
        return []
    out = []
    for i in range(n):
        folder = root / "locked" / f"l{i}"
        _write(folder / "inside.txt", article(rng, f"lock{i}"))
        folder.chmod(0)
        out.append(Case("unreadable folder", escape_name(folder), _file(folder), "TW107"))
    return out


def plain_bad(root: Path, rng: random.Random, n: int) -> list[Case]:
    """The ordinary bad inputs: empty, unknown type, corrupt PDF, no article text, over the size limit."""
    out = []
    for i in range(n):
        kind = i % 5
        if kind == 0:
            out.append(_one("empty file", _write(root / "plain" / f"empty{i}.txt", b""), "TW101"))
        elif kind == 1:
            out.append(_one("unknown type", _write(root / "plain" / f"a{i}.zip", b"PK\x03\x04" + bytes(64)),
                            "TW102"))
        elif kind == 2:
            out.append(_one("corrupt PDF", _write(root / "plain" / f"c{i}.pdf", b"%PDF-1.4\n1 0 obj <<>> x"),
                            "TW104"))
        elif kind == 3:
            html = "<html><body><nav>Home | News</nav><script>x()</script></body></html>"
            out.append(_one("HTML without article", _write(root / "plain" / f"nav{i}.html", html), "TW108"))
        else:
            out.append(_one("file over the size limit",
                            _write(root / "plain" / f"big{i}.txt", article(rng, "b") * 40_000), "TW106"))
    return out


def special_files(root: Path, rng: random.Random, n: int) -> list[Case]:
    """FIFOs (opening one would block forever) in the folder."""
    out = []
    for i in range(n):
        p = root / "special" / f"pipe{i}.txt"
        p.parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(p)
        out.append(_one("FIFO", p, "TW107"))
    return out


def hostile_archive(root: Path, rng: random.Random, n: int) -> list[Case]:
    """A tar archive as an attacker would build it, unpacked the way a user would (no filter)."""
    buf = io.BytesIO()
    cases: list[tuple[str, str, str | None]] = []  # (member name, expectation, kind)
    with tarfile.open(fileobj=buf, mode="w") as tar:

        def add_file(name: str, data: bytes) -> None:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))

        def add_link(name: str, target: str, kind: bytes = tarfile.SYMTYPE) -> None:
            info = tarfile.TarInfo(name)
            info.type = kind
            info.linkname = target
            tar.addfile(info)

        for i in range(n):
            add_file(f"site/{i}/index.html", (
                f"<html><body><article><p>{article(rng, f'arch{i}')}</p></article></body></html>").encode())
            cases.append((f"site/{i}/index.html", "stored", None))
            add_file(f"site/{i}/index.txt", article(rng, f"archtxt{i}").encode())
            cases.append((f"site/{i}/index.txt", "stored", None))
        add_link("site/passwd.txt", "/etc/passwd")
        cases.append(("site/passwd.txt", "TW111", None))
        add_link("site/up.txt", "../../../../../../../etc/hostname")
        cases.append(("site/up.txt", "TW111", None))
        add_link("site/loop", ".")
        cases.append(("site/loop", "TW111", None))
        add_link("site/key.txt", os.path.expanduser("~/.ssh/id_rsa"))
        cases.append(("site/key.txt", "TW111", None))
        for k, name in enumerate(("caf\udce9.txt", "\x1b]0;owned\x07.txt", "\u202egpj.txt", "index.txt")):
            add_file(f"site/odd/{name}", article(rng, f"odd{k}").encode())
            cases.append((f"site/odd/{name}", "stored", None))
    archive = _write(root / "archive.tar", buf.getvalue())
    dest = root / "unpacked"
    dest.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive) as tar:
        tar.extractall(dest, filter="fully_trusted")  # what `tar x` does: links kept as they are
    archive.unlink()
    # a link whose target is missing on this machine is a broken link (TW107), else not followed (TW111)
    return [_one("hostile archive", dest / name,
                 "TW107" if expect == "TW111" and not os.path.exists(dest / name) else expect)
            for name, expect, _ in cases]


CLASSES: list[tuple[Callable[[Path, random.Random, int], list[Case]], int]] = [
    (good, 20), (surrogate_rows, 10), (odd_names, 24), (links, 12), (collisions, 8), (bad_rows, 20),
    (csv_quotes, 8), (encodings, 20), (nul_bytes, 8), (costly, 3), (plain_bad, 10), (special_files, 2),
    (hostile_archive, 4), (large_good, 1), (deep_folders, 2), (unreadable, 2),
]
FIXED = (costly, hostile_archive, special_files, large_good, deep_folders, unreadable)


def build(root: Path, scale: int = 1, seed: int = 16) -> list[Case]:
    """Write every class ``scale`` times its base count under ``root``; return the expected outcomes."""
    rng = random.Random(seed)
    cases: list[Case] = []
    for make, base in CLASSES:
        count = base * scale if make not in FIXED else base + scale // 4
        cases += make(root, rng, count)
    return cases
