"""Decide what an input file is and decode text bytes, or reject them with a code."""

from __future__ import annotations

from pathlib import Path

from ..errors import Code, Rejected

TEXT_EXT = {".txt", ".text", ".md", ""}
HTML_EXT = {".html", ".htm", ".xhtml"}
PDF_EXT = {".pdf"}
JSONL_EXT = {".jsonl", ".ndjson"}
CSV_EXT = {".csv", ".tsv"}
SUPPORTED = TEXT_EXT | HTML_EXT | PDF_EXT | JSONL_EXT | CSV_EXT

# control characters other than tab, newline, carriage return, form feed
_CONTROL = set(range(0, 32)) - {9, 10, 12, 13}


def sniff(path: Path, data: bytes) -> str:
    """Return the reader name for ``data`` (txt, html, pdf, jsonl, csv) or raise Rejected."""
    if not data:
        raise Rejected(Code.TW101, "empty file (0 bytes): nothing to ingest")
    ext = path.suffix.lower()
    head = data[:2048].lstrip().lower()
    if data.startswith(b"%PDF") or ext in PDF_EXT:
        return "pdf"
    if ext in HTML_EXT or head.startswith((b"<!doctype html", b"<html")):
        return "html"
    if ext in JSONL_EXT:
        return "jsonl"
    if ext in CSV_EXT:
        return "csv"
    if ext in TEXT_EXT:
        return "txt"
    kind = _magic(data)
    raise Rejected(
        Code.TW102,
        f"unsupported file type {ext or '(no extension)'}{f' ({kind})' if kind else ''}; "
        "tracewire reads .txt .html .htm .pdf .jsonl .csv",
    )


def _magic(data: bytes) -> str:
    """Name a few common binary formats from their first bytes."""
    for sig, name in (
        (b"PK\x03\x04", "zip archive or office document"),
        (b"\x89PNG", "PNG image"),
        (b"\xff\xd8\xff", "JPEG image"),
        (b"GIF8", "GIF image"),
        (b"\x1f\x8b", "gzip archive"),
        (b"\x7fELF", "executable"),
        (b"WARC/", "WARC archive (not yet supported)"),
    ):
        if data.startswith(sig):
            return name
    return ""


def _utf16_without_bom(data: bytes) -> bool:
    """True when NUL bytes sit at every other position, the mark of UTF-16 text without a BOM."""
    sample = data[:4096]
    if len(sample) < 8:
        return False
    even = sample[0::2].count(0) / max(1, len(sample[0::2]))
    odd = sample[1::2].count(0) / max(1, len(sample[1::2]))
    return max(even, odd) > 0.6 and min(even, odd) < 0.1


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode text bytes: BOM, then UTF-8, then a detected charset; returns (text, encoding)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as e:
            raise Rejected(Code.TW103, f"UTF-16 byte-order mark but undecodable bytes: {e.reason}") from e
    if b"\x00" in data[:4096]:
        if _utf16_without_bom(data):
            raise Rejected(
                Code.TW103,
                "looks like UTF-16 text without a byte-order mark, which cannot be decoded reliably; "
                "re-save the file as UTF-8 (or UTF-16 with a BOM)",
            )
        raise Rejected(Code.TW102, "binary content (NUL bytes) in a file named as text")
    try:
        text, enc = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is None:
            raise Rejected(
                Code.TW103, "not UTF-8 and no other character set fits; re-save the file as UTF-8"
            ) from None
        text, enc = str(best), str(best.encoding)
    controls = sum(1 for ch in text[:20000] if ord(ch) in _CONTROL)
    if controls > max(3, len(text[:20000]) // 100):
        raise Rejected(Code.TW102, f"binary content: {controls} control characters in the first 20,000")
    return text, enc
