-- Reuse, third form (issue 10): each outlet's site furniture is learned and masked before any
-- component reads a document; links carry a kind (copy, rewrite, shared_quotation) and their
-- passages word-level edits (inside the passages JSON). `furniture` holds each current document's
-- furniture spans (JSON [[start, end], ...], offsets into documents.text) and the group (outlet,
-- URL host or folder) it was learned in, and its house text (runs of words that 3 or more of
-- the outlet's documents share outside furniture: two of them sharing it is not a copy). The reuse index remembers the furniture it was built
-- with, so a document whose furniture changes is indexed again. Reuse results built by the
-- frequency-based boilerplate discount are dropped; the next `analyze` rebuilds them.
CREATE TABLE furniture (
    id     TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL,
    grp    TEXT NOT NULL,
    spans  TEXT NOT NULL DEFAULT '[]',
    house  TEXT NOT NULL DEFAULT '[]'  -- text the outlet repeats in its articles: content, but no copy
);
CREATE INDEX furniture_grp ON furniture(grp);

ALTER TABLE reuse ADD COLUMN kind TEXT NOT NULL DEFAULT 'copy'
    CHECK (kind IN ('copy', 'rewrite', 'shared_quotation'));
ALTER TABLE reuse_index_docs ADD COLUMN furniture TEXT NOT NULL DEFAULT '[]';
DELETE FROM reuse_index_docs;
DELETE FROM reuse;
DELETE FROM story_members;
DELETE FROM stories;
