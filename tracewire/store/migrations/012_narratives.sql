-- Narratives, corroboration and contradictions (corpus stage tracewire.corpus.narratives).
-- claim_vectors is generic: one sentence vector per (text hash, model hash), shared by every stage
-- that embeds claim texts, so re-analysis embeds only texts it has not seen.
CREATE TABLE IF NOT EXISTS claim_vectors (
    text_sha TEXT NOT NULL,
    model    TEXT NOT NULL,
    vector   BLOB NOT NULL,
    PRIMARY KEY (text_sha, model)
) WITHOUT ROWID;

-- one row per narrative; record is the export record (JSON), members are indexed for the article page
CREATE TABLE narratives (
    narrative TEXT PRIMARY KEY,
    label     TEXT NOT NULL,
    size      INTEGER NOT NULL,
    record    TEXT NOT NULL
);

CREATE TABLE narrative_members (
    narrative TEXT NOT NULL REFERENCES narratives(narrative) ON DELETE CASCADE,
    doc       TEXT NOT NULL,
    start     INTEGER NOT NULL,
    end       INTEGER NOT NULL,
    PRIMARY KEY (narrative, doc, start, end)
);
CREATE INDEX narrative_members_doc ON narrative_members(doc);

CREATE TABLE corroboration (
    narrative TEXT PRIMARY KEY REFERENCES narratives(narrative) ON DELETE CASCADE,
    record    TEXT NOT NULL
);

CREATE TABLE contradictions (
    contradiction TEXT PRIMARY KEY,
    a_doc         TEXT NOT NULL,
    b_doc         TEXT NOT NULL,
    rank          INTEGER NOT NULL,
    record        TEXT NOT NULL
);
CREATE INDEX contradictions_a ON contradictions(a_doc);
CREATE INDEX contradictions_b ON contradictions(b_doc);
