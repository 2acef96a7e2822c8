-- Core tables: raw input bytes, ingested inputs, documents (versioned), rejections.
CREATE TABLE blobs (
    sha256      TEXT PRIMARY KEY,
    size        INTEGER NOT NULL,
    compression TEXT NOT NULL CHECK (compression IN ('zlib', 'none')),
    data        BLOB NOT NULL
);

CREATE TABLE inputs (
    path        TEXT NOT NULL,
    sha256      TEXT NOT NULL REFERENCES blobs(sha256),
    fmt         TEXT NOT NULL,
    documents   INTEGER NOT NULL,
    rejected    INTEGER NOT NULL,
    ingested_at TEXT NOT NULL,
    PRIMARY KEY (path, sha256)
);

CREATE TABLE documents (
    doc_key     INTEGER PRIMARY KEY,
    id          TEXT NOT NULL,
    version     INTEGER NOT NULL,
    sha256      TEXT NOT NULL,
    title       TEXT,
    outlet      TEXT,
    date        TEXT,
    url         TEXT,
    author      TEXT,
    dateline    TEXT,
    fmt         TEXT NOT NULL,
    source_path TEXT NOT NULL,
    blob_sha256 TEXT REFERENCES blobs(sha256),
    row         INTEGER,
    text        TEXT NOT NULL,
    raw_text    TEXT,
    offset_map  TEXT NOT NULL DEFAULT '[]',
    meta        TEXT NOT NULL DEFAULT '{}',
    ingested_at TEXT NOT NULL,
    UNIQUE (id, version),
    UNIQUE (id, sha256)
);

CREATE VIEW current_documents AS
    SELECT d.* FROM documents d
    WHERE d.version = (SELECT MAX(v.version) FROM documents v WHERE v.id = d.id);

CREATE TABLE rejections (
    rejection_key INTEGER PRIMARY KEY,
    path          TEXT NOT NULL,
    code          TEXT NOT NULL,
    message       TEXT NOT NULL,
    sha256        TEXT NOT NULL DEFAULT '',
    size          INTEGER,
    blob_sha256   TEXT REFERENCES blobs(sha256),
    rejected_at   TEXT NOT NULL,
    UNIQUE (path, sha256, code)
);
