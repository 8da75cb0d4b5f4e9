-- K8: knowledge collections. owner_id NULL is a global collection (created, changed and deleted by
-- admins, read by everyone); otherwise a personal one, seen and changed by its owner only, gone
-- with them. Ids are uuid v7 (from the app): the list is paged newest first by id. The CHECKs
-- mirror the limits of hub-knowledge-base (characters, not bytes). A collection will also be
-- attachable to assistants and chats (later migrations reference it).
CREATE TABLE knowledge_collections (
    id uuid PRIMARY KEY,
    owner_id uuid REFERENCES app_users (id) ON DELETE CASCADE,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    description text NOT NULL DEFAULT '' CHECK (length(description) <= 500),
    created_by uuid REFERENCES app_users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- The list (global + own, newest first): one range of each index.
CREATE INDEX knowledge_collections_global_id_idx ON knowledge_collections (id DESC)
    WHERE owner_id IS NULL;
CREATE INDEX knowledge_collections_owner_id_id_idx ON knowledge_collections (owner_id, id DESC)
    WHERE owner_id IS NOT NULL;
