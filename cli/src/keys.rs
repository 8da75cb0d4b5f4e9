//! `hub keys`: the master key of the provider keys stored in the database (`hub_keys`).
//!
//! - `hub keys generate-master-key` prints a new Fernet key for the Spin variable
//!   `provider_keys_master_key` (the format of Python's `Fernet.generate_key()`).
//! - `hub keys rotate` re-encrypts every stored provider key under the first key of that
//!   variable, read from `SPIN_VARIABLE_PROVIDER_KEYS_MASTER_KEY` (never from the command line).
//!   Rotation: put the new key first and keep the old one after it, run this, then drop the old
//!   key. Every token is decrypted before anything is written: when one cannot be (its key is
//!   no longer listed), nothing changes and the command fails naming the provider. The writes and
//!   their audit row (`admin.provider_keys_rotated`, counts only) are one transaction.

use anyhow::{Context, Result};
use hub_db::audit::{self, AuditAction, AuditEvent};
use hub_db::{Db, DbError, providers};
use hub_keys::{MASTER_KEY_ENV, MASTER_KEY_VARIABLE, MasterKeys};
use serde_json::json;

use crate::{DbArgs, InvalidInput};

/// `hub keys`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// What to do.
    #[command(subcommand)]
    pub command: KeysCommand,
}

/// The key commands.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum KeysCommand {
    /// Print a new master key (a Fernet key) for `provider_keys_master_key`.
    GenerateMasterKey,
    /// Re-encrypt every stored provider key under the first key of
    /// `SPIN_VARIABLE_PROVIDER_KEYS_MASTER_KEY`.
    Rotate(RotateArgs),
}

/// `hub keys rotate`.
#[derive(Debug, Clone, clap::Args)]
pub struct RotateArgs {
    /// The database.
    #[command(flatten)]
    pub db: DbArgs,
}

/// Stored keys that no master key decrypts: nothing was changed (exit code 1).
#[derive(Debug, thiserror::Error)]
#[error(
    "the stored key(s) of {} cannot be decrypted with any key of `{MASTER_KEY_VARIABLE}` \
     ({MASTER_KEY_ENV}): add the key they were encrypted under (after the new first key), or \
     set those provider keys again; nothing was changed",
    .0.join(", ")
)]
pub struct Undecryptable(pub Vec<String>);

/// What a rotation did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rotation {
    /// Keys re-encrypted under the first master key.
    pub rotated: usize,
    /// Keys changed or deleted by an admin while the rotation ran (already under the first key).
    pub skipped: usize,
}

/// Runs a key command.
pub fn run(args: &Args) -> Result<()> {
    match &args.command {
        KeysCommand::GenerateMasterKey => {
            println!(
                "{}",
                hub_keys::generate_master_key().context("generating a master key")?
            );
            Ok(())
        }
        KeysCommand::Rotate(rotate_args) => run_rotate(rotate_args),
    }
}

fn run_rotate(args: &RotateArgs) -> Result<()> {
    let keys = MasterKeys::parse(&std::env::var(MASTER_KEY_ENV).unwrap_or_default())
        .map_err(InvalidInput::from_error)?;
    let db = crate::pg::PgDb::connect(&args.db.db_url)
        .context("cannot connect to the database (check db_url)")?;
    let outcome = rotate(&db, &keys)?;
    drop(db);
    println!(
        "provider keys re-encrypted under the first master key: {} rotated, {} changed meanwhile \
         (left as they are); {} master key(s) configured",
        outcome.rotated,
        outcome.skipped,
        keys.key_count()
    );
    Ok(())
}

/// Re-encrypts every stored key under the first of `keys`, in one transaction with its audit
/// row; refuses with [`Undecryptable`] before writing when a token does not decrypt.
pub fn rotate(db: &dyn Db, keys: &MasterKeys) -> Result<Rotation> {
    let result = hub_db::transaction(db, |tx| {
        let stored = providers::encrypted_keys(tx)?;
        let mut rotated = Vec::with_capacity(stored.len());
        let mut unreadable = Vec::new();
        for (provider, token) in stored {
            match keys.rotate(&token) {
                Ok(new) => rotated.push((provider, token, new)),
                Err(_) => unreadable.push(provider),
            }
        }
        if !unreadable.is_empty() {
            return Ok(Err(Undecryptable(unreadable)));
        }
        let mut outcome = Rotation {
            rotated: 0,
            skipped: 0,
        };
        for (provider, old, new) in &rotated {
            if providers::replace_token(tx, provider, old, new)? {
                outcome.rotated += 1;
            } else {
                outcome.skipped += 1;
            }
        }
        audit::append(
            tx,
            &AuditEvent {
                actor_id: None,
                action: AuditAction::ProviderKeysRotated,
                target: None,
                client_addr: None,
                user_agent: Some("hub keys rotate".to_owned()),
                details: json!({
                    "rotated": outcome.rotated,
                    "skipped": outcome.skipped,
                    "providers": rotated.iter().map(|(p, _, _)| p).collect::<Vec<_>>(),
                    "master_keys": keys.key_count(),
                }),
            },
        )?;
        Ok::<_, DbError>(Ok(outcome))
    });
    match result {
        Ok(Ok(outcome)) => Ok(outcome),
        Ok(Err(undecryptable)) => Err(undecryptable.into()),
        Err(e) => {
            let hint = if e.code() == Some("42P01") {
                " (are the migrations applied? `hub-runner migrate`)"
            } else {
                ""
            };
            Err(anyhow::Error::new(e).context(format!("re-encrypting the provider keys{hint}")))
        }
    }
}
