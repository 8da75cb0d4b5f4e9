-- U1: the hub's own accounts. The app stores emails normalised (trimmed, lower-cased); the unique
-- index on lower(email) keeps them unique case-insensitively whatever writes them.
-- password_hash is an Argon2id PHC string. Ids are random (v4) uuids.
CREATE TABLE app_users (
    id uuid PRIMARY KEY,
    email text NOT NULL CHECK (email <> '' AND email = btrim(email) AND length(email) <= 254),
    display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
    password_hash text NOT NULL,
    is_admin boolean NOT NULL DEFAULT false,
    is_active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    last_login_at timestamptz,
    password_changed_at timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX app_users_email_key ON app_users (lower(email));
