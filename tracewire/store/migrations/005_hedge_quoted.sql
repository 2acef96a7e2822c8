-- A hedge or booster inside a quotation belongs to the quoted speaker, not to the outlet.
ALTER TABLE hedges ADD COLUMN quoted INTEGER NOT NULL DEFAULT 0
