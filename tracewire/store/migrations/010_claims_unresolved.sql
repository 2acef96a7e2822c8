-- Claims accept the source kind 'unresolved': a pronoun source with no antecedent in the document
-- ("he said" with nobody named before it). The CHECK of 002 refused it, so such claims were lost.
-- SQLite cannot change a CHECK in place: claims and hedges (which references claims) are rebuilt
-- with the same columns and keys, so claim_key values, the claims_fts index and hedge rows survive.
CREATE TABLE claims_010 (
    claim_key         INTEGER PRIMARY KEY,
    doc_key           INTEGER NOT NULL REFERENCES documents(doc_key) ON DELETE CASCADE,
    start             INTEGER NOT NULL,
    end               INTEGER NOT NULL,
    text              TEXT NOT NULL,
    checkworthy       REAL NOT NULL,
    features          TEXT NOT NULL DEFAULT '[]',
    source            TEXT,
    source_kind       TEXT CHECK (source_kind IN ('named_person', 'named_org', 'media_outlet',
                          'government_body', 'anonymous', 'unresolved', 'unattributed')),
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
INSERT INTO claims_010 (claim_key, doc_key, start, end, text, checkworthy, features, source, source_kind,
                        source_canonical, source_start, source_end, cue, cue_start, cue_end, channel,
                        hedged, boosted)
    SELECT claim_key, doc_key, start, end, text, checkworthy, features, source, source_kind,
           source_canonical, source_start, source_end, cue, cue_start, cue_end, channel, hedged, boosted
    FROM claims;
CREATE TABLE hedges_010 (
    claim_key INTEGER NOT NULL REFERENCES claims_010(claim_key) ON DELETE CASCADE,
    doc_key   INTEGER NOT NULL REFERENCES documents(doc_key) ON DELETE CASCADE,
    start     INTEGER NOT NULL,
    end       INTEGER NOT NULL,
    text      TEXT NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('hedge', 'booster')),
    quoted    INTEGER NOT NULL DEFAULT 0,
    UNIQUE (claim_key, start, end)
);
INSERT INTO hedges_010 (claim_key, doc_key, start, end, text, kind, quoted)
    SELECT claim_key, doc_key, start, end, text, kind, quoted FROM hedges;
DROP TABLE hedges;
DROP TABLE claims;
ALTER TABLE claims_010 RENAME TO claims;
ALTER TABLE hedges_010 RENAME TO hedges;
CREATE INDEX claims_doc ON claims(doc_key);
CREATE INDEX claims_checkworthy ON claims(checkworthy DESC, claim_key);
CREATE INDEX claims_kind ON claims(source_kind, checkworthy DESC);
CREATE INDEX hedges_doc ON hedges(doc_key);
