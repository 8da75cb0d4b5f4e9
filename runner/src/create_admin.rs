//! `hub-runner create-admin`: makes an account an active admin with the given password, creating
//! it when the email is new. The way to the first admin besides the `bootstrap_admin_*`
//! variables; also the way back in when every admin has lost their password.
//!
//! The email, password and display name are checked by the same rules as the API's (`hub-auth`),
//! and the password hashed the same way (Argon2id). An existing account keeps its id and data;
//! its sessions end, since its password changed. The password comes from `HUB_ADMIN_PASSWORD` or
//! the first line of standard input, never from the command line (where `ps` would show it).

use std::io::{BufRead, IsTerminal, Write};

use anyhow::{Context, Result, bail};
use hub_auth::{DisplayName, Email, Password, hash_password};

/// What happened.
#[derive(Debug, PartialEq, Eq)]
pub struct Outcome {
    /// The account's id.
    pub id: uuid::Uuid,
    /// Whether it was created (else an existing account was updated).
    pub created: bool,
}

/// The password: `HUB_ADMIN_PASSWORD`, else one line of standard input (without its line end;
/// nothing else trimmed: a password is checked as typed).
pub fn read_password() -> Result<String> {
    if let Ok(password) = std::env::var("HUB_ADMIN_PASSWORD") {
        return Ok(password);
    }
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("password for the admin (8 to 128 characters; input is shown): ");
        let _ = std::io::stderr().flush();
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    if line.is_empty() {
        bail!("no password: set HUB_ADMIN_PASSWORD or write it to standard input");
    }
    let line = line.strip_suffix('\n').unwrap_or(&line);
    Ok(line.strip_suffix('\r').unwrap_or(line).to_owned())
}

/// Creates or updates the admin in the database at `db_url`.
pub async fn run(
    db_url: &str,
    email: &str,
    display_name: Option<&str>,
    password: &str,
) -> Result<Outcome> {
    let email = Email::parse(email)?;
    let password = Password::parse(password)?;
    let display_name = display_name.map(DisplayName::parse).transpose()?;
    let hash = hash_password(&password)?;

    let config: tokio_postgres::Config = db_url
        .parse()
        .context("cannot connect to the database (check db_url)")?;
    let (mut client, connection) = crate::tls::connect(&config)
        .await
        .context("cannot connect to the database (check db_url)")?;
    let result = upsert(&mut client, &email, display_name.as_ref(), hash.as_str()).await;
    drop(client);
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), connection).await;
    result
}

async fn upsert(
    client: &mut tokio_postgres::Client,
    email: &Email,
    display_name: Option<&DisplayName>,
    hash: &str,
) -> Result<Outcome> {
    const UPSERT: &str = r#"
INSERT INTO app_users (id, email, display_name, password_hash, is_admin, is_active)
VALUES ($1, $2, $3, $4, true, true)
ON CONFLICT ((lower(email))) DO UPDATE SET
    password_hash = EXCLUDED.password_hash,
    display_name = COALESCE($5, app_users.display_name),
    is_admin = true,
    is_active = true,
    password_changed_at = now(),
    updated_at = now()
RETURNING id, (xmax = 0) AS created"#;
    const END_SESSIONS: &str = r#"
UPDATE auth_sessions SET revoked_at = now(), revoked_reason = 'admin'
WHERE user_id = $1 AND revoked_at IS NULL"#;
    const AUDIT: &str = r#"
INSERT INTO audit_logs (id, actor_id, action, target, details)
VALUES ($1, NULL, 'auth.admin_set_by_cli', $2, $3)"#;

    let tx = client
        .transaction()
        .await
        .context("starting a transaction (are the migrations applied?)")?;
    let fallback_name = DisplayName::from_email(email);
    let explicit_name = display_name.map(DisplayName::as_str);
    let row = tx
        .query_one(
            UPSERT,
            &[
                &uuid::Uuid::new_v4(),
                &email.as_str(),
                &display_name.unwrap_or(&fallback_name).as_str(),
                &hash,
                &explicit_name,
            ],
        )
        .await
        .context("writing the admin account (are the migrations applied?)")?;
    let outcome = Outcome {
        id: row.get("id"),
        created: row.get("created"),
    };
    if !outcome.created {
        tx.execute(END_SESSIONS, &[&outcome.id])
            .await
            .context("ending the account's sessions")?;
    }
    let details = serde_json::json!({ "email": email.as_str(), "created": outcome.created });
    tx.execute(
        AUDIT,
        &[&uuid::Uuid::now_v7(), &outcome.id.to_string(), &details],
    )
    .await
    .context("writing the audit log")?;
    tx.commit().await.context("committing")?;
    Ok(outcome)
}
