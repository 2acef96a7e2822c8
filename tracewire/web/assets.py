"""Assets shared by the server and the static report: the base map as a script."""

from __future__ import annotations

from importlib import resources


def world_geojson() -> str:
    """The shipped base map (Natural Earth country outlines) as GeoJSON text."""
    return resources.files("tracewire.web").joinpath("static", "world.geo.json").read_text(encoding="utf-8")


def world_script(geojson: str) -> str:
    """Wrap the base map GeoJSON in a script that assigns it to ``window.TW_WORLD``."""
    return "window.TW_WORLD = " + geojson.strip() + ";\n"
