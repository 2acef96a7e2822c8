"""Rights notices: the copyright and reproduction lines a wire or a publisher prints under its stories.

Neither reuse nor a claim: the reuse stage lets such a passage ride along with a link but never make one,
and the claims component never takes such a sentence for a claim.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"\w+")
# a wire agency's or a publisher's rights notice: what a site prints under every story it takes from a
# wire ("Copyright 2018 The Associated Press. All rights reserved. This material may not be published,
# broadcast, rewritten or redistributed."), the same on every site that takes it
_NOTICE = re.compile(
    r"\bcopyright\s+(?:\(c\)\s*|\u00a9\s*)?(?:19|20)\d\d\b|\bcopyright\s+(?:\u00a9|\(c\)|by\b)|\u00a9\s*(?:19|20)\d\d\b|"
    r"\ball rights reserved\b|\bmay not be (?:re)?(?:published|reproduced|copied|distributed)\b|"
    r"\b(?:published|broadcast|rewritten|reproduced|copied),? (?:or|nor) (?:re)?distributed\b|"
    r"\bwithout (?:the )?(?:prior |express )?written (?:consent|permission)\b", re.IGNORECASE)
_KEYS = ("copyright", "\u00a9", "rights reserved", "may not be", "distributed", "written")  # one of them in every match
_PIECE = re.compile(r"[^\n]+?(?:[.!?](?=\s|$)|\n|$)")
NOTICE_FRAGMENT_WORDS = 3  # a piece this short at a passage's edge ("Copyright 2018 Sc") decides nothing
NOTICE_MAX_CHARS = 800  # notices run 90-300 characters (GeoWebNews: AP's, CNN's and Scripps' one after another)


def rights_notice(text: str) -> bool:
    """True for text made of rights notices only: every sentence a copyright or reproduction line.

    Wire copy carries its agency's notice on every site that prints it, so two different stories
    of two outlets share it word for word; it is furniture of the wire, never evidence of reuse.
    Fragments of ``NOTICE_FRAGMENT_WORDS`` words or fewer (a cut sentence at the passage's edge)
    are not read; text with no full piece, or longer than ``NOTICE_MAX_CHARS``, is not a notice.
    """
    if len(text) > NOTICE_MAX_CHARS:
        return False  # far longer than notices run
    low = text.lower()
    if not any(k in low for k in _KEYS) or _NOTICE.search(text) is None:
        return False  # the common case: no notice phrase
    pieces = [m.group() for m in _PIECE.finditer(text)]
    full = [x for x in pieces if len(_WORD.findall(x)) > NOTICE_FRAGMENT_WORDS]
    return bool(full) and all(_NOTICE.search(x) for x in full)
