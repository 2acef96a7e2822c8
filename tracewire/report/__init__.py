"""tracewire.report: the static HTML report (same pages as the web UI, opening offline)."""

from .html import build_report

__all__ = ["build_report"]
