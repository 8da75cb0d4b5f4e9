-- K4: knowledge collections of an assistant; a chat with the assistant retrieves from them. A
-- global assistant has only global collections, a personal one its owner's or global ones
-- (hub-assistants checks it on write; reads filter by it again). Gone with the assistant or
-- with the collection. The second index serves the cascade when a collection is deleted.
CREATE TABLE assistant_collections (
    assistant_id uuid NOT NULL REFERENCES assistants (id) ON DELETE CASCADE,
    collection_id uuid NOT NULL REFERENCES knowledge_collections (id) ON DELETE CASCADE,
    PRIMARY KEY (assistant_id, collection_id)
);
CREATE INDEX assistant_collections_collection_id_idx ON assistant_collections (collection_id);
