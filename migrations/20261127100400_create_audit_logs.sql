-- A6: the audit log of auth, admin and chat events. Ids are uuid v7 (time-ordered). actor_id has
-- no foreign key: the record outlives the account. Never holds secrets or tokens.
CREATE TABLE audit_logs (
    id uuid PRIMARY KEY,
    actor_id uuid,
    action text NOT NULL CHECK (action <> ''),
    target text,
    client_addr text,
    user_agent text,
    details jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX audit_logs_created_at_idx ON audit_logs (created_at DESC, id DESC);
CREATE INDEX audit_logs_action_created_at_idx ON audit_logs (action, created_at DESC, id DESC);
CREATE INDEX audit_logs_actor_id_idx ON audit_logs (actor_id, created_at DESC);
