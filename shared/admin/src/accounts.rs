//! Accounts as admins manage them: the user list, creation, changes, password resets and
//! deletion, under two rules: an admin cannot deactivate, demote or delete themself, and the
//! last active admin always stays.
//!
//! The last-admin rule is race-safe: every change that could remove an active admin runs in a
//! transaction that first locks the active admins' rows (`hub_db::users::lock_active_admins`),
//! so two admins demoting each other at the same moment run one after the other, and the second
//! sees that it would remove the last one.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hub_auth::{DisplayName, Email, Password, generate_password, hash_password};
use hub_db::sessions::{self, RevokeReason};
use hub_db::users::{self, AccountChange, NewUser, User, UserKey, UserQuery, UserSort};
use hub_db::{Db, transaction};
use uuid::Uuid;

use crate::AdminError;

/// Rows per page when `?limit=` is left out.
pub const DEFAULT_PAGE_SIZE: i64 = 50;
/// The largest `?limit=`.
pub const MAX_PAGE_SIZE: i64 = 200;
/// The longest search text (`?q=`), in characters.
pub const MAX_SEARCH_CHARS: usize = 100;

/// The query parameters of the user list, as sent.
#[derive(Debug, Clone, Copy, Default)]
pub struct ListParams<'a> {
    /// `?q=`: a substring of the email or display name.
    pub q: Option<&'a str>,
    /// `?active=true|false`.
    pub active: Option<&'a str>,
    /// `?admin=true|false`.
    pub admin: Option<&'a str>,
    /// `?sort=created_at|email|last_login_at` (default `created_at`).
    pub sort: Option<&'a str>,
    /// `?order=asc|desc` (default: `desc` for times, `asc` for email).
    pub order: Option<&'a str>,
    /// `?limit=` (1-200, default 50).
    pub limit: Option<&'a str>,
    /// `?cursor=` from the previous page.
    pub cursor: Option<&'a str>,
}

fn flag(field: &'static str, text: Option<&str>) -> Result<Option<bool>, AdminError> {
    match text {
        None => Ok(None),
        Some("true") => Ok(Some(true)),
        Some("false") => Ok(Some(false)),
        Some(_) => Err(AdminError::invalid(field, "must be true or false")),
    }
}

fn sort_name(sort: UserSort) -> &'static str {
    match sort {
        UserSort::CreatedAt => "created_at",
        UserSort::Email => "email",
        UserSort::LastLoginAt => "last_login_at",
    }
}

/// Checks the list's parameters: the query to run (asking one row more than the page, to know
/// whether another page follows).
pub fn parse_list(params: &ListParams<'_>) -> Result<UserQuery, AdminError> {
    let pattern = hub_db::search_pattern(params.q, MAX_SEARCH_CHARS)
        .map_err(|reason| AdminError::invalid("q", reason))?;
    let sort = match params.sort {
        None | Some("created_at") => UserSort::CreatedAt,
        Some("email") => UserSort::Email,
        Some("last_login_at") => UserSort::LastLoginAt,
        Some(_) => {
            return Err(AdminError::invalid(
                "sort",
                "must be created_at, email or last_login_at",
            ));
        }
    };
    let descending = match params.order {
        None => sort.is_timestamp(),
        Some("asc") => false,
        Some("desc") => true,
        Some(_) => return Err(AdminError::invalid("order", "must be asc or desc")),
    };
    let limit = hub_db::page_limit(params.limit, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
        .map_err(|reason| AdminError::invalid("limit", reason))?;
    let after = match params.cursor.filter(|c| !c.is_empty()) {
        None => None,
        Some(text) => Some(decode_cursor(text, sort, descending).ok_or_else(|| {
            AdminError::invalid("cursor", "is not a cursor of this list and order")
        })?),
    };
    Ok(UserQuery {
        pattern,
        active: flag("active", params.active)?,
        admin: flag("admin", params.admin)?,
        sort,
        descending,
        after,
        limit: limit + 1,
    })
}

/// The opaque cursor after `key`: base64url of `sort|order|id|key`, so that a cursor of another
/// order is refused rather than misread.
pub fn encode_cursor(query: &UserQuery, key: &UserKey) -> String {
    let order = if query.descending { "desc" } else { "asc" };
    let text = format!("{}|{order}|{}|{}", sort_name(query.sort), key.id, key.key);
    URL_SAFE_NO_PAD.encode(text)
}

fn decode_cursor(text: &str, sort: UserSort, descending: bool) -> Option<UserKey> {
    if text.len() > 512 {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(text).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let mut parts = text.splitn(4, '|');
    let (s, order, id, key) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let order_ok = order == if descending { "desc" } else { "asc" };
    let key_ok = if sort.is_timestamp() {
        key.parse::<i64>().is_ok()
    } else {
        !key.is_empty() && key.chars().count() <= 254 && !key.chars().any(char::is_control)
    };
    (s == sort_name(sort) && order_ok && key_ok).then_some(())?;
    Some(UserKey {
        key: key.to_owned(),
        id: Uuid::try_parse(id).ok()?,
    })
}

/// One page of the user list and the cursor of the next page.
pub fn list(db: &dyn Db, query: &UserQuery) -> Result<(Vec<User>, Option<String>), AdminError> {
    let mut rows = users::list(db, query)?;
    let page = usize::try_from(query.limit - 1).unwrap_or(0);
    let next = if rows.len() > page {
        rows.truncate(page);
        rows.last().map(|(_, key)| encode_cursor(query, key))
    } else {
        None
    };
    Ok((rows.into_iter().map(|(user, _)| user).collect(), next))
}

/// What an admin does to an account, as far as the two rules care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountAction {
    /// Set the active and admin flags (`None`: unchanged).
    Change {
        /// The new active flag.
        is_active: Option<bool>,
        /// The new admin flag.
        is_admin: Option<bool>,
    },
    /// Delete the account.
    Delete,
}

/// The two rules, given the active admins locked by the transaction: the actor must still be
/// one of them, must not deactivate, demote or delete themself, and must leave one.
pub fn check(
    actor: Uuid,
    target: &User,
    action: AccountAction,
    active_admins: &[Uuid],
) -> Result<(), AdminError> {
    if !active_admins.contains(&actor) {
        return Err(AdminError::NotAdmin);
    }
    let (deactivates, demotes, deletes) = match action {
        AccountAction::Change {
            is_active,
            is_admin,
        } => (is_active == Some(false), is_admin == Some(false), false),
        AccountAction::Delete => (false, false, true),
    };
    if actor == target.id {
        if deletes {
            return Err(AdminError::SelfProtected("delete"));
        }
        if deactivates {
            return Err(AdminError::SelfProtected("deactivate"));
        }
        if demotes {
            return Err(AdminError::SelfProtected("demote"));
        }
    }
    let removes_an_admin =
        target.is_admin && target.is_active && (deactivates || demotes || deletes);
    if removes_an_admin && !active_admins.iter().any(|id| *id != target.id) {
        return Err(AdminError::LastAdmin);
    }
    Ok(())
}

/// A password given by an admin, or a generated one (then also returned, to show once).
fn new_password(given: Option<&str>) -> Result<(Password, bool), AdminError> {
    match given {
        Some(text) => Ok((Password::parse(text)?, false)),
        None => Ok((generate_password()?, true)),
    }
}

/// An account with a password set by an admin; the generated password, if one was.
#[derive(Debug)]
pub struct WithPassword {
    /// The account.
    pub user: User,
    /// The generated password, to show once; `None` when the admin gave one.
    pub generated: Option<Password>,
}

/// What an admin sends to create an account.
#[derive(Debug, Clone, Copy)]
pub struct NewAccount<'a> {
    /// The email.
    pub email: &'a str,
    /// The display name (left out: the email's local part).
    pub display_name: Option<&'a str>,
    /// The password (left out: generated).
    pub password: Option<&'a str>,
    /// Admin flag.
    pub is_admin: bool,
}

/// Creates an account whatever the registration policy; its password must be changed at the
/// first login.
pub fn create(db: &dyn Db, new: &NewAccount<'_>) -> Result<WithPassword, AdminError> {
    let email = Email::parse(new.email)?;
    let display_name = match new.display_name {
        Some(name) => DisplayName::parse(name)?,
        None => DisplayName::from_email(&email),
    };
    let (password, generated) = new_password(new.password)?;
    let hash = hash_password(&password)?;
    let user = users::insert_with_password_change(
        db,
        &NewUser {
            id: Uuid::new_v4(),
            email: email.as_str(),
            display_name: display_name.as_str(),
            password_hash: hash.as_str(),
            is_admin: new.is_admin,
        },
    )?
    .ok_or(AdminError::EmailTaken)?;
    Ok(WithPassword {
        user,
        generated: generated.then_some(password),
    })
}

/// What an admin sends to change an account.
#[derive(Debug, Clone, Copy, Default)]
pub struct Update<'a> {
    /// New display name.
    pub display_name: Option<&'a str>,
    /// New active flag.
    pub is_active: Option<bool>,
    /// New admin flag.
    pub is_admin: Option<bool>,
}

/// Changes an account under the two rules, in one transaction; the account before and after.
/// Deactivation and demotion bite on the user's next request (each re-reads the flags).
pub fn update(
    db: &dyn Db,
    actor: Uuid,
    id: Uuid,
    change: &Update<'_>,
) -> Result<(User, User), AdminError> {
    if change.display_name.is_none() && change.is_active.is_none() && change.is_admin.is_none() {
        return Err(AdminError::invalid("body", "names no field to change"));
    }
    let name = change.display_name.map(DisplayName::parse).transpose()?;
    let action = AccountAction::Change {
        is_active: change.is_active,
        is_admin: change.is_admin,
    };
    in_transaction(db, |db| {
        let admins = users::lock_active_admins(db)?;
        let before = users::lock_by_id(db, id)?.ok_or(AdminError::NotFound("user"))?;
        check(actor, &before, action, &admins)?;
        let after = users::update_account(
            db,
            id,
            &AccountChange {
                display_name: name.as_ref().map(DisplayName::as_str),
                is_active: change.is_active,
                is_admin: change.is_admin,
            },
        )?
        .ok_or(AdminError::NotFound("user"))?;
        Ok((before, after))
    })
}

/// Deletes an account under the two rules; the account as it was. Its chats and sessions go
/// with it; its usage rows stay, unlinked.
pub fn delete(db: &dyn Db, actor: Uuid, id: Uuid) -> Result<User, AdminError> {
    in_transaction(db, |db| {
        let admins = users::lock_active_admins(db)?;
        let before = users::lock_by_id(db, id)?.ok_or(AdminError::NotFound("user"))?;
        check(actor, &before, AccountAction::Delete, &admins)?;
        users::delete(db, id)?;
        Ok(before)
    })
}

/// Sets a new password (given or generated) that must be changed at the next login, and ends
/// the account's sessions. Not for the admin's own account: that would end their own session
/// and lock them into a forced change; their own password changes through `/api/auth/me`.
pub fn reset_password(
    db: &dyn Db,
    actor: Uuid,
    id: Uuid,
    password: Option<&str>,
) -> Result<WithPassword, AdminError> {
    if actor == id {
        return Err(AdminError::SelfProtected("reset the password of"));
    }
    let (password, generated) = new_password(password)?;
    let hash = hash_password(&password)?;
    let user = in_transaction(db, |db| {
        let user =
            users::reset_password(db, id, hash.as_str())?.ok_or(AdminError::NotFound("user"))?;
        sessions::revoke_all(db, id, RevokeReason::Admin)?;
        Ok(user)
    })?;
    Ok(WithPassword {
        user,
        generated: generated.then_some(password),
    })
}

/// [`hub_db::transaction`] for work that fails with an [`AdminError`]: a refusal rolls back too.
pub(crate) fn in_transaction<T>(
    db: &dyn Db,
    work: impl FnOnce(&dyn Db) -> Result<T, AdminError>,
) -> Result<T, AdminError> {
    let mut refusal = None;
    let result = transaction(db, |db| {
        work(db).map_err(|e| match e {
            AdminError::Db(e) => e,
            other => {
                refusal = Some(other);
                hub_db::DbError::Other("refused".to_owned())
            }
        })
    });
    match (result, refusal) {
        (Ok(value), _) => Ok(value),
        (Err(_), Some(refusal)) => Err(refusal),
        (Err(e), None) => Err(AdminError::Db(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hub_db::testing::FakeDb;

    fn user(is_admin: bool, is_active: bool) -> User {
        User {
            id: Uuid::new_v4(),
            email: "u@example.com".into(),
            display_name: "U".into(),
            is_admin,
            is_active,
            created_at: chrono::DateTime::UNIX_EPOCH,
            last_login_at: None,
            must_change_password: false,
        }
    }

    fn change(is_active: Option<bool>, is_admin: Option<bool>) -> AccountAction {
        AccountAction::Change {
            is_active,
            is_admin,
        }
    }

    #[test]
    fn an_admin_cannot_deactivate_demote_or_delete_themself() {
        let me = user(true, true);
        let other = Uuid::new_v4();
        let admins = [me.id, other];
        for (action, verb) in [
            (change(Some(false), None), "deactivate"),
            (change(None, Some(false)), "demote"),
            (AccountAction::Delete, "delete"),
        ] {
            match check(me.id, &me, action, &admins) {
                Err(AdminError::SelfProtected(v)) => assert_eq!(v, verb),
                other => panic!("{action:?}: {other:?}"),
            }
        }
        // Setting what is already true is harmless.
        check(me.id, &me, change(Some(true), Some(true)), &admins).unwrap();
    }

    #[test]
    fn the_last_active_admin_stays() {
        let actor = user(true, true);
        let target = user(true, true);
        // Only the target is an active admin (the actor lost it meanwhile): refused as not admin.
        assert!(matches!(
            check(actor.id, &target, change(None, Some(false)), &[target.id]),
            Err(AdminError::NotAdmin)
        ));
        // Both are admins: either may demote, deactivate or delete the other.
        for action in [
            change(None, Some(false)),
            change(Some(false), None),
            AccountAction::Delete,
        ] {
            check(actor.id, &target, action, &[actor.id, target.id]).unwrap();
        }
        // Removing a non-admin or an inactive admin never touches the rule.
        check(
            actor.id,
            &user(false, true),
            AccountAction::Delete,
            &[actor.id],
        )
        .unwrap();
        check(
            actor.id,
            &user(true, false),
            AccountAction::Delete,
            &[actor.id],
        )
        .unwrap();
    }

    #[test]
    fn the_race_of_two_admins_demoting_each_other_leaves_one() {
        // The transactions serialise on the admin lock: the first sees both admins, the second
        // sees what the first left.
        let (a, b) = (user(true, true), user(true, true));
        check(a.id, &b, change(None, Some(false)), &[a.id, b.id]).unwrap();
        assert!(matches!(
            check(b.id, &a, change(None, Some(false)), &[a.id]),
            Err(AdminError::NotAdmin)
        ));
        // The target is the only one left, the actor being an admin not locked as active is
        // impossible; with the actor as the only other admin the rule holds too.
        let lone = user(true, true);
        assert!(matches!(
            check(lone.id, &lone, AccountAction::Delete, &[lone.id]),
            Err(AdminError::SelfProtected(_))
        ));
    }

    #[test]
    fn list_parameters_are_checked() {
        let q = parse_list(&ListParams::default()).unwrap();
        assert_eq!(
            (q.sort, q.descending, q.limit),
            (UserSort::CreatedAt, true, 51)
        );
        let q = parse_list(&ListParams {
            q: Some(" 50%_off\\ "),
            sort: Some("email"),
            active: Some("false"),
            limit: Some("10"),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(q.pattern.as_deref(), Some("%50\\%\\_off\\\\%"));
        assert_eq!(
            (q.sort, q.descending, q.active, q.limit),
            (UserSort::Email, false, Some(false), 11)
        );
        for (params, field) in [
            (
                ListParams {
                    sort: Some("password"),
                    ..Default::default()
                },
                "sort",
            ),
            (
                ListParams {
                    order: Some("up"),
                    ..Default::default()
                },
                "order",
            ),
            (
                ListParams {
                    limit: Some("0"),
                    ..Default::default()
                },
                "limit",
            ),
            (
                ListParams {
                    limit: Some("201"),
                    ..Default::default()
                },
                "limit",
            ),
            (
                ListParams {
                    admin: Some("yes"),
                    ..Default::default()
                },
                "admin",
            ),
            (
                ListParams {
                    cursor: Some("garbage!"),
                    ..Default::default()
                },
                "cursor",
            ),
            (
                ListParams {
                    q: Some(&"x".repeat(101)),
                    ..Default::default()
                },
                "q",
            ),
            (
                ListParams {
                    q: Some("a\u{0}b"),
                    ..Default::default()
                },
                "q",
            ),
        ] {
            match parse_list(&params) {
                Err(AdminError::Invalid { field: f, .. }) => assert_eq!(f, field),
                other => panic!("{params:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn cursors_round_trip_and_belong_to_their_order() {
        let query = parse_list(&ListParams::default()).unwrap();
        let key = UserKey {
            key: "1764760000123456".into(),
            id: Uuid::new_v4(),
        };
        let cursor = encode_cursor(&query, &key);
        assert_eq!(
            decode_cursor(&cursor, UserSort::CreatedAt, true),
            Some(key.clone())
        );
        // Another order or sort, or a key that is not a timestamp, is refused.
        assert_eq!(decode_cursor(&cursor, UserSort::CreatedAt, false), None);
        assert_eq!(decode_cursor(&cursor, UserSort::Email, false), None);
        let forged = URL_SAFE_NO_PAD.encode(format!("created_at|desc|{}|now()", key.id));
        assert_eq!(decode_cursor(&forged, UserSort::CreatedAt, true), None);
        let email = URL_SAFE_NO_PAD.encode(format!("email|asc|{}|a|b@example.com", key.id));
        assert_eq!(
            decode_cursor(&email, UserSort::Email, false).map(|k| k.key),
            Some("a|b@example.com".to_owned())
        );
    }

    #[test]
    fn a_refusal_inside_the_transaction_rolls_it_back() {
        let db = FakeDb::new();
        let err = update(
            &db,
            Uuid::new_v4(),
            Uuid::new_v4(),
            &Update {
                is_admin: Some(false),
                ..Default::default()
            },
        )
        .unwrap_err();
        // No admin rows: the target is not found, and the transaction ends.
        assert!(matches!(err, AdminError::NotFound("user")), "{err:?}");
        let statements = db.statements();
        assert_eq!(statements.first().map(String::as_str), Some("BEGIN"));
        assert_eq!(statements.last().map(String::as_str), Some("ROLLBACK"));
        assert!(matches!(
            update(&db, Uuid::new_v4(), Uuid::new_v4(), &Update::default()),
            Err(AdminError::Invalid { field: "body", .. })
        ));
    }
}
