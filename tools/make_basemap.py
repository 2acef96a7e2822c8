"""Rebuild ``static/world.geo.json`` from a Natural Earth 1:110m countries shapefile (dev tool, no deps).

Usage: ``python tools/make_basemap.py path/to/naturalearth_lowres.shp [out.geojson]`` (the default
out is ``tracewire/web/static/world.geo.json``).
The shapefile ships inside the PyPI wheel ``geopandas==0.14.4`` (``geopandas/datasets/
naturalearth_lowres/``); Natural Earth data is in the public domain.
"""

from __future__ import annotations

import json
import struct
import sys
from pathlib import Path
from typing import Any

from tracewire.errors import Code, UsageError

POLYGON = 5
WEB_STATIC = Path(__file__).resolve().parents[1] / "tracewire" / "web" / "static"


def read_polygons(shp: Path) -> list[list[list[tuple[float, float]]]]:
    """Rings of every polygon record in an ESRI shapefile (shape type 5)."""
    data = shp.read_bytes()
    if len(data) < 100 or struct.unpack(">i", data[:4])[0] != 9994:
        raise UsageError(f"{shp} is not an ESRI shapefile (bad file code). Pass the .shp file.", Code.TW002)
    pos = 100
    shapes: list[list[list[tuple[float, float]]]] = []
    while pos + 8 <= len(data):
        length = struct.unpack(">i", data[pos + 4:pos + 8])[0] * 2
        rec = data[pos + 8:pos + 8 + length]
        pos += 8 + length
        shape_type = struct.unpack("<i", rec[:4])[0]
        if shape_type != POLYGON:
            shapes.append([])
            continue
        nparts, npoints = struct.unpack("<ii", rec[36:44])
        parts = list(struct.unpack(f"<{nparts}i", rec[44:44 + 4 * nparts]))
        pts_at = 44 + 4 * nparts
        coords = struct.unpack(f"<{2 * npoints}d", rec[pts_at:pts_at + 16 * npoints])
        points = [(coords[2 * i], coords[2 * i + 1]) for i in range(npoints)]
        bounds = parts + [npoints]
        shapes.append([points[bounds[i]:bounds[i + 1]] for i in range(nparts)])
    return shapes


def read_dbf(dbf: Path) -> list[dict[str, str]]:
    """Records of a dBASE III table as string dicts."""
    data = dbf.read_bytes()
    nrec, header_len, rec_len = struct.unpack("<IHH", data[4:12])
    fields, pos = [], 32
    while data[pos] != 0x0D:
        name = data[pos:pos + 11].split(b"\0")[0].decode("ascii")
        fields.append((name, data[pos + 16]))
        pos += 32
    rows = []
    for i in range(nrec):
        rec = data[header_len + i * rec_len:header_len + (i + 1) * rec_len]
        at, row = 1, {}
        for name, size in fields:
            row[name] = rec[at:at + size].decode("utf-8", "replace").strip()
            at += size
        rows.append(row)
    return rows


def simplify(ring: list[tuple[float, float]], digits: int = 2) -> list[list[float]]:
    """Round a ring's coordinates and drop consecutive duplicates (keeps it closed)."""
    out: list[list[float]] = []
    for x, y in ring:
        p = [round(x, digits), round(y, digits)]
        if not out or out[-1] != p:
            out.append(p)
    if out and out[0] != out[-1]:
        out.append(out[0])
    return out


def build(shp: Path) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of country outlines with name and ISO A3 code."""
    shapes = read_polygons(shp)
    attrs = read_dbf(shp.with_suffix(".dbf"))
    features = []
    for rings, attr in zip(shapes, attrs, strict=True):
        polys = [simplify(r) for r in rings]
        polys = [r for r in polys if len(r) >= 4]
        features.append({
            "type": "Feature",
            "properties": {"name": attr.get("name", ""), "iso_a3": attr.get("iso_a3", "")},
            "geometry": {"type": "MultiPolygon", "coordinates": [[r] for r in polys]},
        })
    return {"type": "FeatureCollection", "features": features}


def main(argv: list[str]) -> int:
    """Command-line entry: convert the shapefile and write the GeoJSON."""
    if not argv:
        raise UsageError("Pass the path of naturalearth_lowres.shp.", Code.TW002)
    out = Path(argv[1]) if len(argv) > 1 else WEB_STATIC / "world.geo.json"
    out.write_text(json.dumps(build(Path(argv[0])), separators=(",", ":")), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
