-- Reuse index (internal to tracewire.corpus.reuse): which document versions are indexed and
-- their winnowed word-shingle anchors, so that `analyze` compares only new or changed
-- documents with the rest. Hashes are 64-bit, stored as signed integers.
CREATE TABLE reuse_index_docs (
    id         TEXT PRIMARY KEY,
    sha256     TEXT NOT NULL,
    words      INTEGER NOT NULL,
    indexed_at TEXT NOT NULL
);

CREATE TABLE reuse_anchors (
    hash INTEGER NOT NULL,
    doc  TEXT NOT NULL,
    PRIMARY KEY (hash, doc)
) WITHOUT ROWID;

CREATE INDEX reuse_anchors_doc ON reuse_anchors(doc);
CREATE INDEX IF NOT EXISTS reuse_source ON reuse(source)
