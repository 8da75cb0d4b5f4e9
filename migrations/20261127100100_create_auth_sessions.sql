-- U2: a login session, which is one refresh token family (RFC 9700, section 4.14): every refresh
-- rotates the token within the family, and presenting a rotated token revokes the whole family.
-- Access tokens name their session (claim `sid`), so revoking it ends them too.
CREATE TABLE auth_sessions (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES app_users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_refreshed_at timestamptz,
    revoked_at timestamptz,
    revoked_reason text CHECK (
        revoked_reason IN ('logout', 'reuse_detected', 'password_changed', 'revoked_by_user', 'admin')
    ),
    client_addr text,
    user_agent text,
    CHECK ((revoked_at IS NULL) = (revoked_reason IS NULL))
);

CREATE INDEX auth_sessions_user_id_idx ON auth_sessions (user_id);
