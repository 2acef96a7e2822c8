-- One table of sentence vectors for every stage that embeds text (narratives, fact-check matching):
-- claim_vectors, keyed by (SHA-256 of the exact text, model hash). The fact-check stage's own
-- `embeddings` table of migration 011 held the same kind of rows; they move here and it goes, so a
-- claim text embedded by one stage is not embedded again by the other.
INSERT OR IGNORE INTO claim_vectors(text_sha, model, vector) SELECT text_sha, model, vector FROM embeddings;
DROP TABLE embeddings;
