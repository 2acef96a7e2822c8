-- Per-document analysis layers and corpus-level results. Every row points at a document
-- version through doc_key; offsets are character offsets into documents.text.
CREATE TABLE analysis_runs (
    doc_key     INTEGER PRIMARY KEY REFERENCES documents(doc_key) ON DELETE CASCADE,
    pipeline    TEXT NOT NULL,
    errors      TEXT NOT NULL DEFAULT '[]',
    analyzed_at TEXT NOT NULL
);

CREATE TABLE sentences (
    doc_key INTEGER NOT NULL REFERENCES documents(doc_key) ON DELETE CASCADE,
    idx     INTEGER NOT NULL,
    start   INTEGER NOT NULL,
    end     INTEGER NOT NULL,
    PRIMARY KEY (doc_key, idx)
);

CREATE TABLE claims (
    claim_key         INTEGER PRIMARY KEY,
    doc_key           INTEGER NOT NULL REFERENCES documents(doc_key) ON DELETE CASCADE,
    start             INTEGER NOT NULL,
    end               INTEGER NOT NULL,
    text              TEXT NOT NULL,
    checkworthy       REAL NOT NULL,
    features          TEXT NOT NULL DEFAULT '[]',
    source            TEXT,
    source_kind       TEXT CHECK (source_kind IN ('named_person', 'named_org', 'media_outlet',
                          'government_body', 'anonymous', 'unattributed')),
    source_canonical  TEXT,
    source_start      INTEGER,
    source_end        INTEGER,
    cue               TEXT,
    cue_start         INTEGER,
    cue_end           INTEGER,
    channel           TEXT,
    hedged            INTEGER NOT NULL DEFAULT 0,
    boosted           INTEGER NOT NULL DEFAULT 0,
    UNIQUE (doc_key, start, end)
);

CREATE TABLE hedges (
    claim_key INTEGER NOT NULL REFERENCES claims(claim_key) ON DELETE CASCADE,
    doc_key   INTEGER NOT NULL REFERENCES documents(doc_key) ON DELETE CASCADE,
    start     INTEGER NOT NULL,
    end       INTEGER NOT NULL,
    text      TEXT NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('hedge', 'booster')),
    UNIQUE (claim_key, start, end)
);

CREATE TABLE quantities (
    doc_key   INTEGER NOT NULL REFERENCES documents(doc_key) ON DELETE CASCADE,
    start     INTEGER NOT NULL,
    end       INTEGER NOT NULL,
    text      TEXT NOT NULL,
    value     REAL NOT NULL,
    category  TEXT NOT NULL,
    qualifier TEXT,
    unit      TEXT,
    UNIQUE (doc_key, start, end)
);

CREATE TABLE actors (
    doc_key INTEGER NOT NULL REFERENCES documents(doc_key) ON DELETE CASCADE,
    start   INTEGER NOT NULL,
    end     INTEGER NOT NULL,
    mention TEXT NOT NULL,
    actor   TEXT NOT NULL,
    UNIQUE (doc_key, start, end, actor)
);

CREATE TABLE places (
    doc_key      INTEGER NOT NULL REFERENCES documents(doc_key) ON DELETE CASCADE,
    start        INTEGER NOT NULL,
    end          INTEGER NOT NULL,
    mention      TEXT NOT NULL,
    name         TEXT NOT NULL,
    lat          REAL,
    lon          REAL,
    country_code TEXT,
    feature      TEXT,
    confidence   REAL NOT NULL,
    UNIQUE (doc_key, start, end)
);

CREATE TABLE techniques (
    doc_key   INTEGER NOT NULL REFERENCES documents(doc_key) ON DELETE CASCADE,
    start     INTEGER NOT NULL,
    end       INTEGER NOT NULL,
    technique TEXT NOT NULL,
    score     REAL NOT NULL,
    evidence  TEXT NOT NULL DEFAULT '[]',
    UNIQUE (doc_key, start, end, technique)
);

-- Corpus level: reuse between current documents (by id, recomputed incrementally).
CREATE TABLE reuse (
    reuse_key        INTEGER PRIMARY KEY,
    source           TEXT NOT NULL,
    target           TEXT NOT NULL,
    direction_known  INTEGER NOT NULL,
    confidence       REAL NOT NULL,
    shared_words     INTEGER NOT NULL,
    source_coverage  REAL NOT NULL,
    target_coverage  REAL NOT NULL,
    passages         TEXT NOT NULL,
    target_additions TEXT NOT NULL DEFAULT '[]',
    source_cuts      TEXT NOT NULL DEFAULT '[]',
    evidence         TEXT NOT NULL DEFAULT '[]',
    UNIQUE (source, target)
);

CREATE TABLE stories (
    story_id TEXT PRIMARY KEY,
    root     TEXT NOT NULL,
    size     INTEGER NOT NULL,
    tree     TEXT NOT NULL
);

CREATE TABLE story_members (
    story_id TEXT NOT NULL REFERENCES stories(story_id) ON DELETE CASCADE,
    doc      TEXT NOT NULL,
    parent   TEXT,
    depth    INTEGER NOT NULL,
    PRIMARY KEY (story_id, doc)
);

CREATE INDEX claims_doc ON claims(doc_key);
CREATE INDEX quantities_doc ON quantities(doc_key);
CREATE INDEX actors_doc ON actors(doc_key);
CREATE INDEX actors_actor ON actors(actor);
CREATE INDEX places_doc ON places(doc_key);
CREATE INDEX places_name ON places(name);
CREATE INDEX techniques_doc ON techniques(doc_key);
CREATE INDEX reuse_target ON reuse(target)
