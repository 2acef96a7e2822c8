-- Web UI and report support: a full-text index over claims, a table of current documents and
-- a small state table for the precomputed overview. All three are derived data: the web layer
-- rebuilds them (tracewire.web.data.refresh) whenever the analysis tables change.
CREATE VIRTUAL TABLE claims_fts USING fts5(
    text, source,
    content='claims', content_rowid='claim_key',
    tokenize='unicode61 remove_diacritics 2'
);

CREATE TABLE web_docs (
    doc_key  INTEGER PRIMARY KEY,
    id       TEXT NOT NULL UNIQUE,
    title    TEXT,
    outlet   TEXT,
    date     TEXT,
    url      TEXT,
    n_claims INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE web_state (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE INDEX web_docs_outlet ON web_docs(outlet, date, id);
CREATE INDEX web_docs_date ON web_docs(date, id);
CREATE INDEX claims_checkworthy ON claims(checkworthy DESC, claim_key);
CREATE INDEX claims_kind ON claims(source_kind, checkworthy DESC);
CREATE INDEX hedges_doc ON hedges(doc_key);
CREATE INDEX IF NOT EXISTS reuse_source ON reuse(source);
CREATE INDEX reuse_words ON reuse(shared_words DESC);
CREATE INDEX story_members_doc ON story_members(doc);
CREATE INDEX stories_size ON stories(size DESC);

-- covering indexes for the claims explorer's actor and place filters
CREATE INDEX actors_actor_span ON actors(actor, doc_key, start, end);
CREATE INDEX places_name_span ON places(name, doc_key, start, end)
