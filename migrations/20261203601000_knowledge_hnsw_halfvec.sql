-- K9: the HNSW indexes of 20261203600400 rebuilt for recall at a bounded cost, as measured by
-- scripts/bench-knowledge.sh (docs/benchmarks.md, "Knowledge search") over 100,000 chunks of
-- 1,536 dimensions:
-- * half-precision vectors in the index (halfvec): half the size (400 MB instead of 800 MB for
--   that corpus), so twice the vectors fit in PostgreSQL's cache, and less memory read per
--   distance; the table keeps the full vectors, and exact search (small scopes) uses them;
-- * a denser, better built graph (m = 32, ef_construction = 400 instead of pgvector's 16 and
--   64): with the defaults, recall@10 stayed at 0.76 with 100 candidates and needed 400 to pass
--   0.95; with m = 32 and ef_construction = 200 it was 0.94-0.97 at 300 depending on the build;
--   with these 0.98 at 300;
-- * hnsw.ef_search = 300 for the database (was 100).
-- A vector search names the same cast and predicate (hub_db::knowledge::fused). Inserting into
-- the better graph costs more per chunk (the background embedding step: 29 instead of 85 pages
-- a second with the benchmark's fake provider), searching less.
DROP INDEX knowledge_chunks_embedding_256_idx;
DROP INDEX knowledge_chunks_embedding_384_idx;
DROP INDEX knowledge_chunks_embedding_512_idx;
DROP INDEX knowledge_chunks_embedding_768_idx;
DROP INDEX knowledge_chunks_embedding_1024_idx;
DROP INDEX knowledge_chunks_embedding_1536_idx;

CREATE INDEX knowledge_chunks_embedding_256_idx ON knowledge_chunks
    USING hnsw ((embedding::halfvec(256)) halfvec_cosine_ops) WITH (m = 32, ef_construction = 400)
    WHERE vector_dims(embedding) = 256;
CREATE INDEX knowledge_chunks_embedding_384_idx ON knowledge_chunks
    USING hnsw ((embedding::halfvec(384)) halfvec_cosine_ops) WITH (m = 32, ef_construction = 400)
    WHERE vector_dims(embedding) = 384;
CREATE INDEX knowledge_chunks_embedding_512_idx ON knowledge_chunks
    USING hnsw ((embedding::halfvec(512)) halfvec_cosine_ops) WITH (m = 32, ef_construction = 400)
    WHERE vector_dims(embedding) = 512;
CREATE INDEX knowledge_chunks_embedding_768_idx ON knowledge_chunks
    USING hnsw ((embedding::halfvec(768)) halfvec_cosine_ops) WITH (m = 32, ef_construction = 400)
    WHERE vector_dims(embedding) = 768;
CREATE INDEX knowledge_chunks_embedding_1024_idx ON knowledge_chunks
    USING hnsw ((embedding::halfvec(1024)) halfvec_cosine_ops) WITH (m = 32, ef_construction = 400)
    WHERE vector_dims(embedding) = 1024;
CREATE INDEX knowledge_chunks_embedding_1536_idx ON knowledge_chunks
    USING hnsw ((embedding::halfvec(1536)) halfvec_cosine_ops) WITH (m = 32, ef_construction = 400)
    WHERE vector_dims(embedding) = 1536;

SELECT '[1]'::vector; -- loads pgvector, which defines the setting
DO $$
BEGIN
    EXECUTE format('ALTER DATABASE %I SET hnsw.ef_search = 300', current_database());
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'hnsw.ef_search not set: the role does not own the database';
END
$$;
