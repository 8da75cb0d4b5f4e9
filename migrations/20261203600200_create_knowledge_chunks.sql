-- K8, K9: the chunks of a ready file (hub_knowledge::chunk), gone with their file. A chunk is
-- named by its file and ordinal (a citation names both). page: the 1-based page of a PDF;
-- heading_path: the headings above the chunk, outermost first (a JSON array of strings).
--
-- Full-text search in three configurations, each a generated column with a GIN index: 'simple'
-- (exact words, any language, names and codes), 'german' and 'english' (stemmed: "Häuser" finds
-- "Haus"). A query is matched against all three and the ranks added (hub_db::knowledge::search).
-- The embedding column comes with the embedding work (K9).
CREATE TABLE knowledge_chunks (
    file_id uuid NOT NULL REFERENCES knowledge_files (id) ON DELETE CASCADE,
    ordinal integer NOT NULL CHECK (ordinal >= 0),
    text text NOT NULL CHECK (length(text) >= 1),
    page integer CHECK (page >= 1),
    heading_path jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(heading_path) = 'array'),
    token_estimate integer NOT NULL CHECK (token_estimate >= 0),
    tsv_simple tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, text)) STORED,
    tsv_german tsvector GENERATED ALWAYS AS (to_tsvector('german'::regconfig, text)) STORED,
    tsv_english tsvector GENERATED ALWAYS AS (to_tsvector('english'::regconfig, text)) STORED,
    PRIMARY KEY (file_id, ordinal)
);

CREATE INDEX knowledge_chunks_tsv_simple_idx ON knowledge_chunks USING gin (tsv_simple);
CREATE INDEX knowledge_chunks_tsv_german_idx ON knowledge_chunks USING gin (tsv_german);
CREATE INDEX knowledge_chunks_tsv_english_idx ON knowledge_chunks USING gin (tsv_english);
