//! Every mapping of a domain error into the API's error, in one place: each family's variants
//! to an [`ErrorCode`] (which fixes the status), the message a client may see, and what is
//! logged instead of being sent. (A provider failure inside an answer stream has its code from
//! `ProviderError::code`, next to the variants.)

use hub_admin_domain::AdminError;
use hub_admin_domain::providers::SettingsError;
use hub_api::ErrorCode;
use hub_assistants::AssistantError;
use hub_auth::AuthError;
use hub_conversation::{ChatError, InputError};
use hub_db::DbError;
use hub_http::ApiError;
use hub_keys::CipherError;
use hub_knowledge_base::KnowledgeError;
use serde_json::json;

use crate::log;

/// A database failure: 503 when the database is unreachable, else 500 (logged under an id).
pub fn db(err: DbError) -> ApiError {
    match err {
        DbError::Unavailable(cause) => {
            log::error("database", format!("unavailable: {cause}"));
            ApiError::service_unavailable("the database is unavailable; try again shortly")
        }
        other => ApiError::internal(other),
    }
}

/// An invalid field: 400 `invalid_input` naming it.
pub fn input(err: InputError) -> ApiError {
    ApiError::invalid_field(err.field, &err.reason)
}

/// An authentication failure: 400 for invalid input, 401 for credentials (the cause goes to
/// the log only), 429 for a throttled account or address, 503/500 for the database, else 500.
pub fn auth(err: AuthError) -> ApiError {
    match err {
        AuthError::Invalid { field, reason } => ApiError::invalid_field(field, &reason),
        AuthError::Throttled { retry_after_secs } => ApiError::too_many_requests(retry_after_secs),
        AuthError::Db(e) => db(e),
        other if other.is_unauthenticated() => unauthenticated(&other),
        other => ApiError::internal(other),
    }
}

/// The 401 for a credentials problem, with `details.reason` (`missing`, `expired`, `invalid`).
pub fn unauthenticated(err: &AuthError) -> ApiError {
    let (reason, message) = match err {
        AuthError::MissingCredentials => (
            "missing",
            "this request needs an access token (Authorization: Bearer <token>)",
        ),
        AuthError::Expired { .. } => ("expired", "the access token has expired; refresh it"),
        _ => ("invalid", "the access token is not valid"),
    };
    if reason != "missing" {
        log::warn("auth", format!("refused a bearer token: {err}"));
    }
    ApiError::unauthenticated(message).with_details(json!({ "reason": reason }))
}

/// The 401 for a session that ended or an account that was disabled since the token was issued.
pub fn session_ended() -> ApiError {
    ApiError::unauthenticated("the session has ended or the account is disabled; log in again")
        .with_details(json!({ "reason": "session_ended" }))
}

/// An admin's request that cannot be served.
pub fn admin(err: AdminError) -> ApiError {
    match err {
        AdminError::Invalid { field, reason } => ApiError::invalid_field(field, &reason),
        AdminError::NotFound(what) => ApiError::not_found(format!("{what} not found")),
        AdminError::NotAdmin => ApiError::forbidden(err.to_string()),
        AdminError::SelfProtected(_) => ApiError::new(ErrorCode::SelfProtected, err.to_string()),
        AdminError::LastAdmin => ApiError::new(ErrorCode::LastAdmin, err.to_string()),
        AdminError::EmailTaken => ApiError::new(ErrorCode::EmailTaken, err.to_string())
            .with_details(json!({ "field": "email" })),
        AdminError::ModelExists => ApiError::new(ErrorCode::ModelExists, err.to_string())
            .with_details(json!({ "field": "id" })),
        AdminError::DefaultModelRequired(_) => {
            ApiError::new(ErrorCode::DefaultModelRequired, err.to_string())
        }
        AdminError::InUse(_) => ApiError::new(ErrorCode::Conflict, err.to_string()),
        AdminError::Auth(e) => auth(e),
        AdminError::Db(e) => db(e),
    }
}

/// A provider settings change that cannot be stored: 400 `invalid_input` naming the field; for a
/// base URL the outbound policy refuses, `details.rule` is the policy's reason code
/// (`loopback`, `not_allowed_outbound`, ...) and the message says what to change.
pub fn provider_settings(err: SettingsError) -> ApiError {
    match err {
        SettingsError::Invalid(e) => admin(e),
        SettingsError::UnsafeUrl(e) => {
            let reason = e.to_string();
            ApiError::new(
                ErrorCode::InvalidInput,
                format!("invalid value for `base_url`: {reason}"),
            )
            .with_details(json!({ "field": "base_url", "reason": reason, "rule": e.reason() }))
        }
    }
}

/// The master key of the provider keys is missing or malformed: 503 `master_key_unavailable`,
/// the message naming the variable (`provider_keys_master_key`) and what is wrong with it.
pub fn master_key(err: &CipherError) -> ApiError {
    log::error("keys", format!("master key unavailable: {err}"));
    ApiError::new(ErrorCode::MasterKeyUnavailable, err.to_string())
}

/// A request for assistants or prompt templates that cannot be served.
pub fn assistants(err: AssistantError) -> ApiError {
    match err {
        AssistantError::Invalid { field, reason } => ApiError::invalid_field(field, &reason),
        AssistantError::Template(e) => {
            ApiError::new(ErrorCode::InvalidTemplate, format!("body: {e}")).with_details(json!({
                "field": "body",
                "reason": e.kind.to_string(),
                "line": e.position.line,
                "column": e.position.column,
            }))
        }
        AssistantError::Descriptions(e) => ApiError::invalid_field("descriptions", &e.to_string()),
        AssistantError::Values(e) => {
            ApiError::new(ErrorCode::TemplateValuesMismatch, e.to_string()).with_details(json!({
                "missing": e.missing,
                "unknown": e.unknown,
                "duplicated": e.duplicated,
            }))
        }
        AssistantError::UnknownModel(_) => ApiError::new(ErrorCode::UnknownModel, err.to_string())
            .with_details(json!({ "field": "model" })),
        AssistantError::NotFound(what) => ApiError::not_found(format!("{what} not found")),
        AssistantError::Forbidden(_) => ApiError::forbidden(err.to_string()),
        AssistantError::Db(e) => db(e),
    }
}

/// A request for knowledge collections, files or search that cannot be served.
pub fn knowledge(err: KnowledgeError) -> ApiError {
    match err {
        KnowledgeError::Invalid { field, reason } => ApiError::invalid_field(field, &reason),
        KnowledgeError::UnknownCollection(field) => {
            ApiError::new(ErrorCode::UnknownCollection, err.to_string())
                .with_details(json!({ "field": field }))
        }
        KnowledgeError::NotFound(what) => ApiError::not_found(format!("{what} not found")),
        KnowledgeError::Forbidden(_) => ApiError::forbidden(err.to_string()),
        KnowledgeError::TooLarge { limit } => ApiError::payload_too_large(limit),
        KnowledgeError::Db(e) => db(e),
    }
}

/// The 403 for a user who must change the password an administrator set before anything else.
pub fn password_change_required() -> ApiError {
    ApiError::new(
        ErrorCode::PasswordChangeRequired,
        "the password must be changed first (PATCH /api/auth/me)",
    )
}

/// A chat request that cannot be served.
pub fn chat(err: ChatError) -> ApiError {
    match err {
        ChatError::Invalid(e) => input(e),
        ChatError::ChatNotFound => ApiError::not_found("chat not found"),
        ChatError::UnknownModel(_) | ChatError::NoDefaultModel => {
            let shown: String = err.to_string().chars().take(200).collect();
            ApiError::new(ErrorCode::UnknownModel, shown).with_details(json!({ "field": "model" }))
        }
        ChatError::UnknownAssistant => ApiError::new(ErrorCode::UnknownAssistant, err.to_string())
            .with_details(json!({ "field": "assistant_id" })),
        ChatError::NothingToRegenerate => ApiError::conflict(err.to_string()),
        ChatError::ProviderNotConfigured(_) => {
            log::warn("chat", format!("provider not configured: {err}"));
            ApiError::new(ErrorCode::ProviderNotConfigured, err.to_string())
        }
        ChatError::ModelConfig(_) => ApiError::internal(err),
        ChatError::Db(e) => db(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hub_providers::{ProviderError, ProviderKind};

    #[test]
    fn each_family_maps_to_its_codes() {
        assert_eq!(db(DbError::Unavailable("x".into())).status(), 503);
        assert_eq!(db(DbError::Other("x".into())).status(), 500);
        let err = auth(AuthError::Throttled {
            retry_after_secs: 7,
        });
        assert_eq!((err.status(), err.retry_after()), (429, Some(7)));
        let err = unauthenticated(&AuthError::Expired { exp: 1, now: 2 });
        assert_eq!((err.status(), err.code()), (401, "unauthenticated"));
        assert_eq!(err.details().unwrap()["reason"], "expired");
        let err = auth(AuthError::InvalidToken("bad signature".into()));
        assert_eq!(err.details().unwrap()["reason"], "invalid");
        assert!(!err.message().contains("signature"));
        assert_eq!(
            auth(AuthError::MissingCredentials).details().unwrap()["reason"],
            "missing"
        );
        assert_eq!(chat(ChatError::ChatNotFound).status(), 404);
        assert_eq!(chat(ChatError::NothingToRegenerate).status(), 409);
        let err = chat(ChatError::UnknownModel("x".repeat(1000)));
        assert_eq!(err.code(), "unknown_model");
        assert!(err.message().len() < 300);
        let missing = ProviderError::MissingKey {
            provider: ProviderKind::Mistral,
        };
        assert_eq!(
            chat(ChatError::ProviderNotConfigured(missing)).status(),
            503
        );
    }
}
