//! The admin routes of users, models, costs and statistics. Every one is admin-only through the
//! one auth mechanism ([`admin`]): 401 without a valid token, 403 for a non-admin (and 403
//! `password_change_required` while the admin must change their password).
//!
//! | route | |
//! |---|---|
//! | `GET`, `POST /api/admin/users` | list (search, filters, sort, keyset paging); create |
//! | `GET`, `PATCH`, `DELETE /api/admin/users/{id}` | one account; change; delete |
//! | `POST /api/admin/users/{id}/password-reset` | new password, to be changed at next login |
//! | `GET /api/admin/costs`, `GET /api/admin/costs.csv` | totals and breakdowns of a period |
//! | `GET /api/admin/stats` | counts and messages per day |
//! | `GET`, `POST /api/admin/models` | every model; add one |
//! | `PATCH /api/admin/models/{id}` | change, enable/disable, make default (id percent-encoded) |

use hub_component::PgDb;
use hub_component::auth::UserContext;
use hub_http::ApiError;
use spin_sdk::http::{Method, Request, Response};
use uuid::Uuid;

use crate::{models, reports, users};

/// A route of this module.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Route {
    Users,
    User(Uuid),
    PasswordReset(Uuid),
    Costs,
    CostsCsv,
    Stats,
    Models,
    Model(String),
    NotFound,
}

fn parse(rest: &str) -> Route {
    match rest {
        "users" => Route::Users,
        "costs" => Route::Costs,
        "costs.csv" => Route::CostsCsv,
        "stats" => Route::Stats,
        "models" => Route::Models,
        _ => {
            if let Some(id) = rest.strip_prefix("models/").filter(|id| !id.is_empty()) {
                return Route::Model(hub_http::percent_decode(id));
            }
            match hub_http::resource_id(rest, "users/") {
                Some((id, None)) => Route::User(id),
                Some((id, Some("password-reset"))) => Route::PasswordReset(id),
                _ => Route::NotFound,
            }
        }
    }
}

fn allowed(route: &Route) -> &'static [&'static str] {
    match route {
        Route::Users | Route::Models => &["GET", "POST"],
        Route::User(_) => &["GET", "PATCH", "DELETE"],
        Route::PasswordReset(_) => &["POST"],
        Route::Costs | Route::CostsCsv | Route::Stats => &["GET"],
        Route::Model(_) => &["PATCH"],
        Route::NotFound => &[],
    }
}

/// The answer of this module's routes; `None` for paths it does not serve (the health check,
/// the audit log).
pub fn dispatch(req: &Request) -> Option<Response> {
    let rest = req.path().strip_prefix("/api/admin/")?;
    if rest == "audit" || rest == "audit.csv" || rest.starts_with("audit/") {
        return None;
    }
    let route = parse(rest);
    let result = match (&route, req.method()) {
        (Route::Users, Method::Get) => users::list(req),
        (Route::Users, Method::Post) => users::create(req),
        (Route::User(id), Method::Get) => users::get(req, *id),
        (Route::User(id), Method::Patch) => users::update(req, *id),
        (Route::User(id), Method::Delete) => users::delete(req, *id),
        (Route::PasswordReset(id), Method::Post) => users::reset_password(req, *id),
        (Route::Costs, Method::Get) => reports::costs(req),
        (Route::CostsCsv, Method::Get) => reports::costs_csv(req),
        (Route::Stats, Method::Get) => reports::stats(req),
        (Route::Models, Method::Get) => models::list(req),
        (Route::Models, Method::Post) => models::create(req),
        (Route::Model(id), Method::Patch) => models::update(req, id),
        (route, _) => Err(hub_component::unrouted(req, allowed(route))),
    };
    Some(result.unwrap_or_else(|err| hub_component::error(&err)))
}

/// The database and the calling admin: 401 unless authenticated, 403 unless an admin.
pub fn admin(req: &Request) -> Result<(PgDb, UserContext), ApiError> {
    hub_component::auth::admin(req)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_name_their_routes() {
        let id = Uuid::new_v4();
        assert_eq!(parse("users"), Route::Users);
        assert_eq!(parse(&format!("users/{id}")), Route::User(id));
        assert_eq!(
            parse(&format!("users/{id}/password-reset")),
            Route::PasswordReset(id)
        );
        assert_eq!(parse("users/42"), Route::NotFound);
        assert_eq!(parse(&format!("users/{id}/x")), Route::NotFound);
        assert_eq!(
            parse("models/meta-llama%2FLlama-3"),
            Route::Model("meta-llama/Llama-3".into())
        );
        assert_eq!(parse("models/"), Route::NotFound);
        assert_eq!(parse("costs.csv"), Route::CostsCsv);
        assert_eq!(parse("nope"), Route::NotFound);
    }
}
