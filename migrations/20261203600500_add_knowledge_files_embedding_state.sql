-- K9: where a ready file stands with embeddings (the background step, hub_db::knowledge's
-- embedding queue). embedding_model: the model its chunks' vectors come from (NULL: none yet);
-- a file whose model is not the active one is due (new files, and all of them after the admin
-- changes the model). embed_attempts: failed tries with the active model (the step gives up at
-- five; choosing a model again resets them). embed_error: the last failure, for people.
-- embed_after: not claimed again before this time (a claim's lease, then the back-off after a
-- failure), so a step that crashes leaves the file to the next one.
ALTER TABLE knowledge_files
    ADD COLUMN embedding_model text,
    ADD COLUMN embed_attempts integer NOT NULL DEFAULT 0 CHECK (embed_attempts >= 0),
    ADD COLUMN embed_error text CHECK (length(embed_error) BETWEEN 1 AND 500),
    ADD COLUMN embed_after timestamptz;
