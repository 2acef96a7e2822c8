"""The shipped base map and the tool that rebuilds it."""

from __future__ import annotations

import json
import struct
from importlib import resources
from pathlib import Path

import pytest

from tools.make_basemap import build, read_polygons, simplify
from tracewire.errors import UsageError


def test_shipped_base_map_is_small_valid_geojson() -> None:
    static = resources.files("tracewire.web").joinpath("static")
    raw = static.joinpath("world.geo.json").read_bytes()
    assert len(raw) < 1_000_000
    world = json.loads(raw)
    assert world["type"] == "FeatureCollection" and len(world["features"]) > 150
    syria = next(f for f in world["features"] if f["properties"]["iso_a3"] == "SYR")
    ring = syria["geometry"]["coordinates"][0][0]
    assert ring[0] == ring[-1] and all(35 < x < 43 and 32 < y < 38 for x, y in ring)
    assert "public domain" in static.joinpath("world.NOTICE.txt").read_text(encoding="utf-8")


def _write_shapefile(path: Path) -> None:
    """One square polygon with a dBASE record naming it."""
    pts = [(0.0, 0.0), (0.0, 1.004), (1.0, 1.0), (1.0, 1.0), (1.0, 0.0), (0.0, 0.0)]
    rec = struct.pack("<i4dii", 5, 0, 0, 1, 1, 1, len(pts)) + struct.pack("<i", 0)
    rec += b"".join(struct.pack("<2d", *p) for p in pts)
    body = struct.pack(">ii", 1, len(rec) // 2) + rec
    header = struct.pack(">i20xi", 9994, (100 + len(body)) // 2) + struct.pack("<ii4d32x", 1000, 5, 0, 0, 1, 1)
    path.write_bytes(header + body)
    fields = [(b"name", 10), (b"iso_a3", 3)]
    rec_len = 1 + sum(n for _, n in fields)
    dbf = struct.pack("<4xIHH20x", 1, 32 + 32 * len(fields) + 1, rec_len)
    for name, size in fields:
        dbf += name.ljust(11, b"\0") + b"C" + b"\0" * 4 + bytes([size]) + b"\0" * 15
    dbf += b"\x0d" + b" " + b"Squareland" + b"SQL"
    path.with_suffix(".dbf").write_bytes(dbf)


def test_build_reads_polygons_and_names(tmp_path: Path) -> None:
    shp = tmp_path / "tiny.shp"
    _write_shapefile(shp)
    world = build(shp)
    (feature,) = world["features"]
    assert feature["properties"] == {"name": "Squareland", "iso_a3": "SQL"}
    assert feature["geometry"]["coordinates"] == [[[[0.0, 0.0], [0.0, 1.0], [1.0, 1.0], [1.0, 0.0], [0.0, 0.0]]]]


def test_simplify_rounds_and_keeps_rings_closed() -> None:
    assert simplify([(0.001, 0.0), (0.5, 0.504), (0.5, 0.5), (1.0, 0.0)]) == [[0.0, 0.0], [0.5, 0.5], [1.0, 0.0],
                                                                                [0.0, 0.0]]


def test_read_polygons_rejects_other_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.shp"
    bad.write_bytes(b"not a shapefile" * 10)
    with pytest.raises(UsageError, match="not an ESRI shapefile"):
        read_polygons(bad)
