-- K9: a chunk's vector, from the embedding model its file records (knowledge_files.embedding_model).
-- The column has no fixed length so that the model can change; each allowed length has its own
-- partial HNSW index (cosine distance) on the vector cast to that length. A vector search names
-- the same cast and the same predicate (hub_db::knowledge::retrieve), so the planner uses it.
-- pgvector's HNSW indexes vectors of up to 2,000 dimensions, hence the sizes of
-- embedding_models.dimension.
ALTER TABLE knowledge_chunks ADD COLUMN embedding vector;

CREATE INDEX knowledge_chunks_embedding_256_idx ON knowledge_chunks
    USING hnsw ((embedding::vector(256)) vector_cosine_ops) WHERE vector_dims(embedding) = 256;
CREATE INDEX knowledge_chunks_embedding_384_idx ON knowledge_chunks
    USING hnsw ((embedding::vector(384)) vector_cosine_ops) WHERE vector_dims(embedding) = 384;
CREATE INDEX knowledge_chunks_embedding_512_idx ON knowledge_chunks
    USING hnsw ((embedding::vector(512)) vector_cosine_ops) WHERE vector_dims(embedding) = 512;
CREATE INDEX knowledge_chunks_embedding_768_idx ON knowledge_chunks
    USING hnsw ((embedding::vector(768)) vector_cosine_ops) WHERE vector_dims(embedding) = 768;
CREATE INDEX knowledge_chunks_embedding_1024_idx ON knowledge_chunks
    USING hnsw ((embedding::vector(1024)) vector_cosine_ops) WHERE vector_dims(embedding) = 1024;
CREATE INDEX knowledge_chunks_embedding_1536_idx ON knowledge_chunks
    USING hnsw ((embedding::vector(1536)) vector_cosine_ops) WHERE vector_dims(embedding) = 1536;

-- A vector search filtered by access and scope reads the HNSW index further until it has found
-- enough chunks that pass the filter (pgvector 0.8's iterative scans), instead of returning fewer
-- than asked for; and it keeps 100 candidates in its search list (the default 40 is fewer than
-- the 50 a search asks for, and its recall@10 measured below 0.95). Set for the database, so every
-- connection has it; a role that does not own the database keeps the defaults (searches still
-- answer, some filtered ones with fewer chunks).
SELECT '[1]'::vector; -- loads pgvector, which defines the setting
DO $$
BEGIN
    EXECUTE format('ALTER DATABASE %I SET hnsw.iterative_scan = relaxed_order', current_database());
    EXECUTE format('ALTER DATABASE %I SET hnsw.ef_search = 100', current_database());
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'hnsw.iterative_scan not set: the role does not own the database';
END
$$;
