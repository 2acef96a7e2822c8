-- Document identity includes its source: the input path, or the file plus the row. A document
-- whose id another source already holds is stored under a qualified id (wanted_id keeps the plain
-- one) instead of becoming a "new version" of someone else's document. Rows written before this
-- migration have source NULL: the first source that asks for their id adopts them.
ALTER TABLE documents ADD COLUMN source TEXT;
ALTER TABLE documents ADD COLUMN wanted_id TEXT;
CREATE INDEX documents_source ON documents(source);
