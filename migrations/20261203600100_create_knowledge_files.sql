-- K8: uploaded knowledge files, their bytes kept in the database (the only state).
--
-- owner_id: who uploaded it (reads it, deletes it). collection_id: the collection it belongs to;
-- NULL for a file on its own (to attach to one message). A file in a global collection is read by
-- everyone and deleted by its owner or an admin; any other file only by its owner.
-- kind: the type sniffed from the bytes (hub_knowledge::FileKind), NULL when the bytes are none
-- of the supported types. sha256: of the bytes, 64 lower-case hex digits.
-- status: 'processing' (extraction or embedding still to do: the background step of large files
-- and of embeddings), 'ready' (chunks stored), 'failed' (reason_code: hub_knowledge's stable
-- code, reason: the sentence for the user).
-- page_count (PDFs), char_count and chunk_count describe the extracted text of a ready file.
CREATE TABLE knowledge_files (
    id uuid PRIMARY KEY,
    owner_id uuid NOT NULL REFERENCES app_users (id) ON DELETE CASCADE,
    collection_id uuid REFERENCES knowledge_collections (id) ON DELETE CASCADE,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    kind text CHECK (kind IN ('pdf', 'docx', 'markdown', 'text')),
    size_bytes bigint NOT NULL CHECK (size_bytes >= 0),
    sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    content bytea NOT NULL,
    status text NOT NULL CHECK (status IN ('processing', 'ready', 'failed')),
    reason_code text CHECK (reason_code ~ '^[a-z][a-z_]{0,39}$'),
    reason text CHECK (length(reason) BETWEEN 1 AND 500),
    page_count integer CHECK (page_count >= 0),
    char_count bigint CHECK (char_count >= 0),
    chunk_count integer CHECK (chunk_count >= 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'failed') = (reason_code IS NOT NULL)),
    CHECK ((reason_code IS NULL) = (reason IS NULL))
);

-- The same bytes twice in one place are stored once: in a collection, once per collection; on
-- their own, once per owner.
CREATE UNIQUE INDEX knowledge_files_collection_sha256_key ON knowledge_files (collection_id, sha256)
    WHERE collection_id IS NOT NULL;
CREATE UNIQUE INDEX knowledge_files_owner_sha256_key ON knowledge_files (owner_id, sha256)
    WHERE collection_id IS NULL;
-- The lists: a collection's files, a user's files, newest first.
CREATE INDEX knowledge_files_collection_id_id_idx ON knowledge_files (collection_id, id DESC);
CREATE INDEX knowledge_files_owner_id_id_idx ON knowledge_files (owner_id, id DESC);
