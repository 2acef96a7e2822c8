-- Known fact-checks: imported ClaimReview / EUvsDisinfo records, their full-text index, sentence
-- embeddings kept once per text and model, matches of corpus claims, reviewers' verdicts, and
-- the state of corpus stages that are redone only when their inputs change.
CREATE TABLE factchecks (
    id             TEXT PRIMARY KEY,               -- "<source>:<16 hex of sha256(url or claim)>"
    source         TEXT NOT NULL,                  -- database or file it came from ("euvsdisinfo", "reviews.jsonld")
    source_path    TEXT NOT NULL,
    row            INTEGER,
    claim_reviewed TEXT NOT NULL,
    title          TEXT,
    rating         TEXT,
    url            TEXT,
    date           TEXT,
    author         TEXT,
    claimant       TEXT,
    appearance     TEXT,                           -- where the reviewed claim appeared (a URL)
    language       TEXT,
    review_body    TEXT,
    keywords       TEXT NOT NULL DEFAULT '[]',
    sha256         TEXT NOT NULL,                  -- of the fields above: a changed record is rewritten
    imported_at    TEXT NOT NULL
);

CREATE VIRTUAL TABLE factchecks_fts USING fts5(id UNINDEXED, text, tokenize = 'porter unicode61');

CREATE TABLE embeddings (
    text_sha TEXT NOT NULL,                        -- sha256 of the exact text
    model    TEXT NOT NULL,                        -- tracewire.embeddings.model_hash()
    vector   BLOB NOT NULL,                        -- little-endian float32, unit length
    PRIMARY KEY (text_sha, model)
) WITHOUT ROWID;

CREATE TABLE factcheck_matches (
    doc       TEXT NOT NULL,
    start     INTEGER NOT NULL,
    end       INTEGER NOT NULL,
    factcheck TEXT NOT NULL REFERENCES factchecks(id) ON DELETE CASCADE,
    rank      INTEGER NOT NULL,
    score     REAL NOT NULL,
    evidence  TEXT NOT NULL DEFAULT '[]',
    via       TEXT,                                -- JSON {source, target, kind} of the reuse link, or NULL
    PRIMARY KEY (doc, start, end, factcheck)
);
CREATE INDEX factcheck_matches_fc ON factcheck_matches(factcheck);

CREATE TABLE reviews (
    doc         TEXT NOT NULL,
    start       INTEGER NOT NULL,
    end         INTEGER NOT NULL,
    claim_text  TEXT NOT NULL,
    rating      TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    reviewer    TEXT NOT NULL,
    reviewed_at TEXT NOT NULL,
    PRIMARY KEY (doc, start, end)
);

CREATE TABLE corpus_stage_state (
    stage       TEXT PRIMARY KEY,
    digest      TEXT NOT NULL,                     -- the stage's analysis signature
    fingerprint TEXT NOT NULL,                     -- of its inputs when it last ran
    updated_at  TEXT NOT NULL
);
