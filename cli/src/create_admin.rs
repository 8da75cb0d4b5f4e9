//! `hub create-admin`: makes an account an active admin with the given password, creating it
//! when the email is new. The way to the first admin besides the `bootstrap_admin_*` variables;
//! also the way back in when every admin has lost their password.
//!
//! The email, password and display name are checked by the same rules as the API's (`hub-auth`),
//! and the password hashed the same way (Argon2id), before the database is opened. An existing
//! account keeps its id and data (its display name too, unless `--display-name` is given); its
//! sessions end, since its password changed. The change and its audit record
//! (`auth.admin_set_by_cli`) are one transaction. The password comes from `HUB_ADMIN_PASSWORD` or
//! the first line of standard input, never from the command line (where `ps` would show it), and
//! is never printed.

use std::io::{BufRead, IsTerminal, Write};

use anyhow::{Context, Result};
use hub_auth::{DisplayName, Email, Password, PasswordHash, hash_password};
use hub_db::audit::{self, AuditAction, AuditEvent};
use hub_db::sessions::{self, RevokeReason};
use hub_db::users::{self, AdminAccount, UpsertedAdmin};
use hub_db::{Db, DbError};

use crate::{DbArgs, InvalidInput};

/// The environment variable the password may come from.
pub const PASSWORD_VARIABLE: &str = "HUB_ADMIN_PASSWORD";

/// `hub create-admin`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The admin's email.
    #[arg(long)]
    pub email: String,
    /// Display name (default: the part of the email before the @; kept for an existing account).
    #[arg(long)]
    pub display_name: Option<String>,
    /// The admin must change the password at the next login (for a generated password, e.g.
    /// the first run's).
    #[arg(long)]
    pub must_change_password: bool,
    /// Do nothing (and print `admin exists`) when any admin account exists already: the first
    /// run's way to create the first admin exactly once.
    #[arg(long)]
    pub if_no_admin: bool,
    /// The database.
    #[command(flatten)]
    pub db: DbArgs,
}

/// Checks the input, reads the password, writes the admin and prints `admin created: <id>` or
/// `admin updated: <id>`.
pub fn run(args: &Args) -> Result<()> {
    let email = Email::parse(&args.email).map_err(InvalidInput::from_error)?;
    let display_name = args
        .display_name
        .as_deref()
        .map(DisplayName::parse)
        .transpose()
        .map_err(InvalidInput::from_error)?;
    let password = read_password(
        std::env::var(PASSWORD_VARIABLE).ok(),
        &mut std::io::stdin().lock(),
        std::io::stdin().is_terminal(),
    )?;
    let password = Password::parse(&password).map_err(InvalidInput::from_error)?;
    let hash = hash_password(&password).context("hashing the password")?;

    let db = crate::pg::PgDb::connect(&args.db.db_url)
        .context("cannot connect to the database (check db_url)")?;
    if args.if_no_admin && users::admin_exists(&db).context("looking for an admin")? {
        println!("admin exists");
        return Ok(());
    }
    let outcome = make_admin(
        &db,
        &email,
        display_name.as_ref(),
        &hash,
        args.must_change_password,
    )
    .map_err(|e| {
        let hint = if e.code() == Some("42P01") {
            " (are the migrations applied? `hub-runner migrate`)"
        } else {
            ""
        };
        anyhow::Error::new(e).context(format!("writing the admin account{hint}"))
    })?;
    drop(db);
    let verb = if outcome.created {
        "created"
    } else {
        "updated"
    };
    println!("admin {verb}: {}", outcome.id);
    Ok(())
}

/// The password: `from_env` (`HUB_ADMIN_PASSWORD`) if set, else one line of `input` without its
/// line end (nothing else trimmed: a password is checked as typed). On a terminal a prompt goes
/// to standard error first.
pub fn read_password(
    from_env: Option<String>,
    input: &mut dyn BufRead,
    prompt: bool,
) -> Result<String> {
    if let Some(password) = from_env {
        return Ok(password);
    }
    if prompt {
        eprint!("password for the admin (8 to 128 characters; input is shown): ");
        let _ = std::io::stderr().flush();
    }
    let mut line = String::new();
    input
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    if line.is_empty() {
        return Err(InvalidInput(format!(
            "no password: set {PASSWORD_VARIABLE} or write it to standard input"
        ))
        .into());
    }
    let line = line.strip_suffix('\n').unwrap_or(&line);
    Ok(line.strip_suffix('\r').unwrap_or(line).to_owned())
}

/// Creates or updates the admin, ends an existing account's sessions and records the audit
/// event, in one transaction.
pub fn make_admin(
    db: &dyn Db,
    email: &Email,
    display_name: Option<&DisplayName>,
    hash: &PasswordHash,
    must_change_password: bool,
) -> Result<UpsertedAdmin, DbError> {
    let default_name = DisplayName::from_email(email);
    let account = AdminAccount {
        id: uuid::Uuid::new_v4(),
        email: email.as_str(),
        display_name: display_name.map(DisplayName::as_str),
        default_display_name: default_name.as_str(),
        password_hash: hash.as_str(),
        must_change_password,
    };
    hub_db::transaction(db, |db| {
        let outcome = users::upsert_admin(db, &account)?;
        if !outcome.created {
            sessions::revoke_all(db, outcome.id, RevokeReason::Admin)?;
        }
        audit::append(
            db,
            &AuditEvent {
                actor_id: None,
                action: AuditAction::AdminSetByCli,
                target: Some(outcome.id.to_string()),
                client_addr: None,
                user_agent: None,
                details: serde_json::json!({
                    "email": email.as_str(),
                    "created": outcome.created,
                    "must_change_password": must_change_password,
                }),
            },
        )?;
        Ok(outcome)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use hub_db::testing::FakeDb;
    use hub_db::{Param, Rows, Value};

    fn upserted(id: uuid::Uuid, created: bool) -> Rows {
        Rows::new(
            vec!["id".into(), "created".into()],
            vec![vec![Value::Uuid(id.to_string()), Value::Bool(created)]],
        )
    }

    /// The chain head the audit append moves.
    fn head() -> Rows {
        Rows::new(
            vec!["seq".into(), "hash".into(), "now".into()],
            vec![vec![
                Value::Int(1),
                Value::Bytes(vec![0; 32]),
                Value::DateTime(chrono::DateTime::UNIX_EPOCH.naive_utc()),
            ]],
        )
    }

    fn hash() -> PasswordHash {
        hash_password(&Password::parse("admin password 1").unwrap()).unwrap()
    }

    #[test]
    fn a_new_admin_is_created_and_audited_in_one_transaction() {
        let db = FakeDb::new();
        let id = uuid::Uuid::new_v4();
        db.push_rows(upserted(id, true));
        db.push_rows(head());
        let email = Email::parse(" Boss@Example.com ").unwrap();
        let outcome = make_admin(&db, &email, None, &hash(), false).unwrap();
        assert_eq!(outcome, UpsertedAdmin { id, created: true });

        let calls = db.calls();
        assert_eq!(calls.len(), 5, "{calls:?}");
        assert_eq!(calls[0].0, "BEGIN");
        assert!(
            calls[1].0.contains("INSERT INTO app_users"),
            "{}",
            calls[1].0
        );
        // Email normalised, no explicit name, the local part for a new account, the hash.
        assert_eq!(calls[1].1[1], Param::Text("boss@example.com".into()));
        assert_eq!(calls[1].1[2], Param::Null);
        assert_eq!(calls[1].1[3], Param::Text("boss".into()));
        assert!(matches!(&calls[1].1[4], Param::Text(h) if h.starts_with("$argon2id$")));
        // No sessions to end for a new account; the audit row extends the chain.
        assert!(
            calls[2].0.contains("FROM audit_chain_head"),
            "{}",
            calls[2].0
        );
        assert!(
            calls[3].0.contains("INSERT INTO audit_logs"),
            "{}",
            calls[3].0
        );
        assert_eq!(calls[3].1[2], Param::Null);
        assert_eq!(calls[3].1[3], Param::Text("auth.admin_set_by_cli".into()));
        assert_eq!(calls[3].1[4], Param::Text(id.to_string()));
        assert_eq!(
            calls[3].1[7],
            Param::Json(
                serde_json::json!({"email": "boss@example.com", "created": true, "must_change_password": false})
            )
        );
        assert_eq!(calls[4].0, "COMMIT");
    }

    #[test]
    fn an_existing_account_gets_its_sessions_ended_and_the_name_only_if_given() {
        let db = FakeDb::new();
        let id = uuid::Uuid::new_v4();
        db.push_rows(upserted(id, false));
        db.push_rows(head());
        let email = Email::parse("boss@example.com").unwrap();
        let name = DisplayName::parse(" The Boss ").unwrap();
        let outcome = make_admin(&db, &email, Some(&name), &hash(), true).unwrap();
        assert!(!outcome.created);

        let calls = db.calls();
        assert_eq!(calls[1].1[2], Param::Text("The Boss".into()));
        assert_eq!(calls[1].1[5], Param::Bool(true));
        assert!(
            calls[2].0.contains("UPDATE auth_sessions SET revoked_at"),
            "{}",
            calls[2].0
        );
        assert_eq!(
            calls[2].1[..],
            [Param::Uuid(id), Param::Text("admin".into())]
        );
        assert!(calls[4].0.contains("INSERT INTO audit_logs"));
        assert_eq!(calls[5].0, "COMMIT");
        // The password is in no statement, only its hash.
        assert!(!format!("{calls:?}").contains("admin password 1"));
    }

    #[test]
    fn a_failure_rolls_everything_back() {
        let db = FakeDb::new();
        db.push_rows(upserted(uuid::Uuid::new_v4(), false));
        db.push_rows(head());
        db.fail_on("COMMIT", DbError::Unavailable("gone".into()));
        let email = Email::parse("boss@example.com").unwrap();
        assert!(make_admin(&db, &email, None, &hash(), false).is_err());
        assert_eq!(db.statements().last().map(String::as_str), Some("ROLLBACK"));
    }

    #[test]
    fn the_password_comes_from_the_environment_or_one_line_of_input() {
        let mut input: &[u8] = b"from stdin\r\nsecond line\n";
        assert_eq!(
            read_password(Some("from env".into()), &mut input, false).unwrap(),
            "from env"
        );
        assert_eq!(
            read_password(None, &mut input, false).unwrap(),
            "from stdin"
        );
        // Spaces are part of a password; only the line end goes.
        let mut input: &[u8] = b"  spaced out  \n";
        assert_eq!(
            read_password(None, &mut input, false).unwrap(),
            "  spaced out  "
        );
        let mut input: &[u8] = b"no line end";
        assert_eq!(
            read_password(None, &mut input, false).unwrap(),
            "no line end"
        );
        let mut empty: &[u8] = b"";
        let err = read_password(None, &mut empty, false).unwrap_err();
        assert!(err.is::<InvalidInput>());
        assert!(err.to_string().contains("HUB_ADMIN_PASSWORD"), "{err}");
    }
}
