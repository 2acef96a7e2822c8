"""Coded errors, warnings and rejection reasons.

Codes are stable: scripts branch on them, never on message text.

- TW0xx: usage and configuration errors (raised, exit code 2)
- TW1xx: input rejections (recorded in the ``rejections`` table; the batch goes on)
- TW2xx: store errors
- TW3xx: analysis errors
"""

from __future__ import annotations

from enum import StrEnum


class Code(StrEnum):
    """Every coded condition tracewire reports, with a short title."""

    # usage
    TW001 = "TW001"  # no input paths matched
    TW002 = "TW002"  # bad option value
    TW003 = "TW003"  # command not available yet / unknown export kind
    TW004 = "TW004"  # optional dependency missing
    TW005 = "TW005"  # a model built at first use (the ONNX sentence encoder) cannot be written or loaded
    # input rejections
    TW101 = "TW101"  # empty file
    TW102 = "TW102"  # binary or unknown file type
    TW103 = "TW103"  # undecodable text
    TW104 = "TW104"  # corrupt or unreadable PDF
    TW105 = "TW105"  # PDF without a text layer (image-only)
    TW106 = "TW106"  # file larger than the size limit
    TW107 = "TW107"  # unreadable path (permissions, broken link, vanished)
    TW108 = "TW108"  # no article text after extraction
    TW109 = "TW109"  # malformed record in a JSONL/CSV corpus
    TW110 = "TW110"  # folder with nothing readable
    TW111 = "TW111"  # symbolic link not followed (or pointing outside the given folders)
    TW112 = "TW112"  # fact-check record without the claim it reviews (or not a ClaimReview)
    TW113 = "TW113"  # fact-check record with a bad value (URL not http/https, unreadable date)
    # store
    TW201 = "TW201"  # database schema newer than this tracewire
    TW202 = "TW202"  # not a tracewire database
    TW203 = "TW203"  # the store could not be written (locked too long, read-only file, disk full)
    # analysis
    TW301 = "TW301"  # pipeline components out of order
    TW302 = "TW302"  # component failed on a document


REJECTION_TITLES: dict[str, str] = {
    "TW101": "empty file",
    "TW102": "binary or unknown file type",
    "TW103": "undecodable text",
    "TW104": "corrupt or unreadable PDF",
    "TW105": "PDF without a text layer",
    "TW106": "file over the size limit",
    "TW107": "unreadable path",
    "TW108": "no article text",
    "TW109": "malformed corpus record",
    "TW110": "folder with nothing readable",
    "TW111": "symbolic link not followed",
    "TW112": "fact-check without a reviewed claim",
    "TW113": "fact-check with a bad value",
    "TW302": "analysis failed",
}


class TracewireError(Exception):
    """Base class: every tracewire error carries a code and says how to fix it."""

    code: Code = Code.TW002

    def __init__(self, message: str, code: Code | None = None) -> None:
        if code is not None:
            self.code = code
        super().__init__(f"[{self.code.value}] {message}")


class UsageError(TracewireError, ValueError):
    """A command or function was called with a bad value."""


class MissingDependencyError(TracewireError, ImportError):
    """An optional dependency is not installed; the message names the extra."""

    code = Code.TW004


class StoreError(TracewireError, RuntimeError):
    """The database cannot be used as it is."""

    code = Code.TW202


class PipelineError(TracewireError, ValueError):
    """Pipeline components are configured in an order that cannot run."""

    code = Code.TW301


class Rejected(TracewireError, ValueError):
    """An input cannot become a document; caught by ingest and stored as a rejection."""

    def __init__(self, code: Code, message: str) -> None:
        super().__init__(message, code)
        self.reason = message
