-- U2: refresh tokens, stored only as the SHA-256 of the opaque token. A token is usable once:
-- rotating it sets rotated_at and adds its successor to the same session (family).
CREATE TABLE refresh_tokens (
    token_hash bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    session_id uuid NOT NULL REFERENCES auth_sessions (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    rotated_at timestamptz
);

CREATE INDEX refresh_tokens_session_id_idx ON refresh_tokens (session_id);
