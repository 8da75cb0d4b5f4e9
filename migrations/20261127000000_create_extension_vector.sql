-- pgvector: embeddings for knowledge retrieval (K9). Available on Supabase and most managed Postgres.
CREATE EXTENSION IF NOT EXISTS vector;
