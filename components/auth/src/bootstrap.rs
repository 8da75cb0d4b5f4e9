//! The first admin from configuration: `bootstrap_admin_email` / `bootstrap_admin_password`.
//!
//! Components have no start hook, so this runs at the start of login and registration: when
//! both variables are set and no admin exists yet, it creates one (atomically: concurrent
//! requests create at most one, and an existing account with that email is left alone). Once an
//! admin exists it costs one indexed query. The first admin never comes from a race to register.

use hub_auth::{DisplayName, Email, Password, hash_password};
use hub_component::audit::{self, AuditAction, ClientInfo};
use hub_component::log;
use hub_db::{Db, users};
use serde_json::json;
use uuid::Uuid;

fn variable(name: &str) -> Option<String> {
    spin_sdk::variables::get(name)
        .ok()
        .filter(|v| !v.trim().is_empty())
}

/// Creates the configured first admin if there is no admin yet. Problems are logged: they never
/// fail the request that happened to run this.
pub fn ensure_first_admin(db: &dyn Db, client: &ClientInfo) {
    let (Some(email), Some(password)) = (
        variable("bootstrap_admin_email"),
        variable("bootstrap_admin_password"),
    ) else {
        return;
    };
    match users::admin_exists(db) {
        Ok(true) => return,
        Ok(false) => {}
        Err(e) => {
            log::warn("bootstrap_admin", e);
            return;
        }
    }
    let (email, password) = match (Email::parse(&email), Password::parse(&password)) {
        (Ok(e), Ok(p)) => (e, p),
        (Err(e), _) | (_, Err(e)) => {
            log::warn("bootstrap_admin", format_args!("not created: {e}"));
            return;
        }
    };
    let hash = match hash_password(&password) {
        Ok(h) => h,
        Err(e) => {
            log::warn("bootstrap_admin", e);
            return;
        }
    };
    let id = Uuid::new_v4();
    let display_name = DisplayName::from_email(&email);
    let new = users::NewUser {
        id,
        email: email.as_str(),
        display_name: display_name.as_str(),
        password_hash: hash.as_str(),
        is_admin: true,
    };
    match users::insert_first_admin(db, &new) {
        Ok(true) => audit::record(
            db,
            client,
            None,
            AuditAction::BootstrapAdmin,
            Some(id.to_string()),
            json!({ "email": email.as_str() }),
        ),
        Ok(false) => {}
        Err(e) => log::warn("bootstrap_admin", e),
    }
}
