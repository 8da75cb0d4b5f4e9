//! `/api/admin/users...`: accounts as admins manage them (`hub_admin_domain::accounts`).

use hub_admin_domain::accounts::{self, ListParams, NewAccount, Update, WithPassword};
use hub_api::{
    AdminCreateUser, AdminPasswordReset, AdminUpdateUser, AdminUserPassword, Page, UserView,
};
use hub_component::audit::{self, AuditAction};
use hub_component::auth::found;
use hub_component::{errors, json, no_content, parse_body, query_param, user_view};
use hub_db::users::{self, User};
use hub_http::ApiError;
use serde_json::{Value, json};
use spin_sdk::http::{Request, Response};
use uuid::Uuid;

use crate::routes::admin;

/// What the audit log keeps of an account (never its password or hash).
fn audited(u: &User) -> Value {
    json!({
        "email": u.email,
        "display_name": u.display_name,
        "is_admin": u.is_admin,
        "is_active": u.is_active,
    })
}

fn with_password(result: WithPassword) -> AdminUserPassword {
    AdminUserPassword {
        user: user_view(result.user),
        generated_password: result.generated.map(|p| p.expose().to_owned()),
    }
}

/// `GET /api/admin/users`: a page of accounts.
pub fn list(req: &Request) -> Result<Response, ApiError> {
    let (db, _) = admin(req)?;
    let query = req.query();
    let param = |name: &str| query_param(query, name);
    let (q, active, admin_flag, sort, order, limit, cursor) = (
        param("q"),
        param("active"),
        param("admin"),
        param("sort"),
        param("order"),
        param("limit"),
        param("cursor"),
    );
    let query = accounts::parse_list(&ListParams {
        q: q.as_deref(),
        active: active.as_deref(),
        admin: admin_flag.as_deref(),
        sort: sort.as_deref(),
        order: order.as_deref(),
        limit: limit.as_deref(),
        cursor: cursor.as_deref(),
    })
    .map_err(errors::admin)?;
    let (items, next_cursor) = accounts::list(&db, &query).map_err(errors::admin)?;
    Ok(json(
        200,
        &Page::<UserView> {
            items: items.into_iter().map(user_view).collect(),
            next_cursor,
        },
    ))
}

/// `POST /api/admin/users`: a new account (201), whatever the registration policy.
pub fn create(req: &Request) -> Result<Response, ApiError> {
    let (db, actor) = admin(req)?;
    let body: AdminCreateUser = parse_body(req)?;
    let created = accounts::create(
        &db,
        &NewAccount {
            email: &body.email,
            display_name: body.display_name.as_deref(),
            password: body.password.as_deref(),
            is_admin: body.is_admin.unwrap_or(false),
        },
    )
    .map_err(errors::admin)?;
    let mut details = audited(&created.user);
    details["password"] = json!(if created.generated.is_some() {
        "generated"
    } else {
        "given"
    });
    audit::record(
        &db,
        &audit::client(req),
        Some(actor.user_id),
        AuditAction::AdminUserCreated,
        Some(created.user.id.to_string()),
        details,
    );
    Ok(json(201, &with_password(created)))
}

/// `GET /api/admin/users/{id}`.
pub fn get(req: &Request, id: Uuid) -> Result<Response, ApiError> {
    let (db, _) = admin(req)?;
    let user = found(users::find_by_id(&db, id).map_err(errors::db)?, "user")?;
    Ok(json(200, &user_view(user)))
}

/// `PATCH /api/admin/users/{id}`: display name, active, admin.
pub fn update(req: &Request, id: Uuid) -> Result<Response, ApiError> {
    let (db, actor) = admin(req)?;
    let body: AdminUpdateUser = parse_body(req)?;
    let (before, after) = accounts::update(
        &db,
        actor.user_id,
        id,
        &Update {
            display_name: body.display_name.as_deref(),
            is_active: body.is_active,
            is_admin: body.is_admin,
        },
    )
    .map_err(errors::admin)?;
    audit::record(
        &db,
        &audit::client(req),
        Some(actor.user_id),
        AuditAction::AdminUserUpdated,
        Some(id.to_string()),
        json!({ "before": audited(&before), "after": audited(&after) }),
    );
    Ok(json(200, &user_view(after)))
}

/// `DELETE /api/admin/users/{id}` (204).
pub fn delete(req: &Request, id: Uuid) -> Result<Response, ApiError> {
    let (db, actor) = admin(req)?;
    let before = accounts::delete(&db, actor.user_id, id).map_err(errors::admin)?;
    audit::record(
        &db,
        &audit::client(req),
        Some(actor.user_id),
        AuditAction::AdminUserDeleted,
        Some(id.to_string()),
        json!({ "before": audited(&before) }),
    );
    Ok(no_content())
}

/// `POST /api/admin/users/{id}/password-reset`: a new password, to be changed at next login;
/// the account's sessions end.
pub fn reset_password(req: &Request, id: Uuid) -> Result<Response, ApiError> {
    let (db, actor) = admin(req)?;
    let body: AdminPasswordReset = parse_body(req)?;
    let reset = accounts::reset_password(&db, actor.user_id, id, body.password.as_deref())
        .map_err(errors::admin)?;
    audit::record(
        &db,
        &audit::client(req),
        Some(actor.user_id),
        AuditAction::AdminPasswordReset,
        Some(id.to_string()),
        json!({ "email": reset.user.email, "generated": reset.generated.is_some() }),
    );
    Ok(json(200, &with_password(reset)))
}
