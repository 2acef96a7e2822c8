-- Honest re-analysis: each document records, per component, the signature of the analysis that
-- wrote its layer (versioned name, code, pack files and model files, hashed). When a component's
-- current signature differs, `analyze` redoes that layer and the layers that read it.
-- Documents analysed before this migration have no rows here and are analysed again in full.
CREATE TABLE analysis_signatures (
    digest      TEXT PRIMARY KEY,           -- sha256 over name and parts
    component   TEXT NOT NULL,              -- versioned name, e.g. tracewire.places.v1
    parts       TEXT NOT NULL,              -- JSON object: "pack syria/gazetteer.tsv" -> sha256, ...
    recorded_at TEXT NOT NULL
);

CREATE TABLE analysis_layers (
    doc_key     INTEGER NOT NULL REFERENCES documents(doc_key) ON DELETE CASCADE,
    component   TEXT NOT NULL,              -- the component without its version, e.g. tracewire.places
    digest      TEXT NOT NULL REFERENCES analysis_signatures(digest),
    errors      TEXT NOT NULL DEFAULT '[]',
    analyzed_at TEXT NOT NULL,
    PRIMARY KEY (doc_key, component)
);

CREATE INDEX analysis_layers_digest ON analysis_layers(digest)
