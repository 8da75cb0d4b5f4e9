-- K10: knowledge collections attached to a chat; every answer of the chat retrieves from them.
-- Only collections the chat's owner sees are attached (hub-db checks it on write, and every
-- read filters by it again). Gone with the chat or with the collection. The second index serves
-- the cascade when a collection is deleted.
CREATE TABLE chat_collections (
    chat_id uuid NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
    collection_id uuid NOT NULL REFERENCES knowledge_collections (id) ON DELETE CASCADE,
    PRIMARY KEY (chat_id, collection_id)
);
CREATE INDEX chat_collections_collection_id_idx ON chat_collections (collection_id);
