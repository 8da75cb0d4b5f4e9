//! The stable codes of the API's errors, in one list per family.
//!
//! [`ErrorCode`] is what an error answer carries (`{"error":{"code":...}}`), each with the one
//! HTTP status it is sent with; [`StreamErrorCode`] is what an answer stream's `error` event
//! carries; [`ChatEventName`] names the events of that stream. `docs/openapi.yaml` lists exactly
//! these (the hub-tests test `error_codes` compares), and the frontend gets them as string
//! unions, so a map from code to message that misses one does not compile.

use serde::{Deserialize, Serialize};

/// Defines a `snake_case` string enum with `ALL`, `as_str()` and `parse()`.
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[doc = $doc:literal])* $variant:ident = $text:literal $(=> $status:literal)? ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $( $(#[doc = $doc])* $variant, )*
        }

        impl $name {
            /// Every value, in the order of the list.
            pub const ALL: &'static [Self] = &[$(Self::$variant),*];

            /// The code as sent.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text,)*
                }
            }

            /// The value sent as `text`, if it is one of the list.
            pub fn parse(text: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|c| c.as_str() == text)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

string_enum! {
    /// The code of an error answer. Clients branch on it; the message is for people.
    pub enum ErrorCode {
        /// 400: the request is malformed (the message says how).
        BadRequest = "bad_request",
        /// 400: the body is not JSON (or empty).
        InvalidJson = "invalid_json",
        /// 400: a field is missing, of the wrong type or invalid; `details.field` names it.
        InvalidInput = "invalid_input",
        /// 400: a path the static files cannot be served from (`..`, encoded slashes, NUL).
        InvalidPath = "invalid_path",
        /// 400: the model does not exist or is disabled; or no model is the default.
        UnknownModel = "unknown_model",
        /// 400: the assistant does not exist or is not one the caller sees;
        /// `details.field` names it.
        UnknownAssistant = "unknown_assistant",
        /// 400: the knowledge collection does not exist or is not one the caller sees;
        /// `details.field` names it.
        UnknownCollection = "unknown_collection",
        /// 400: a template body is malformed; `details` has `field`, `reason`, `line` and
        /// `column` (1-based) of the problem.
        InvalidTemplate = "invalid_template",
        /// 400: the values do not fit the template's variables; `details` lists `missing`,
        /// `unknown` and `duplicated` names.
        TemplateValuesMismatch = "template_values_mismatch",
        /// 401: no valid access token; `details.reason` says why.
        Unauthenticated = "unauthenticated",
        /// 401: the email or the password is wrong.
        InvalidCredentials = "invalid_credentials",
        /// 401: the refresh token is unknown, spent, revoked or expired.
        InvalidRefreshToken = "invalid_refresh_token",
        /// 403: authenticated, but not allowed.
        Forbidden = "forbidden",
        /// 403: registration is closed to the public.
        RegistrationClosed = "registration_closed",
        /// 403: the current password given to change it is wrong.
        InvalidCurrentPassword = "invalid_current_password",
        /// 403: the password was set by an administrator and must be changed first
        /// (`PATCH /api/auth/me`).
        PasswordChangeRequired = "password_change_required",
        /// 403: an administrator cannot deactivate, demote or delete their own account.
        SelfProtected = "self_protected",
        /// 404: no such resource, or not the caller's.
        NotFound = "not_found",
        /// 405: the route does not take this method; `Allow` lists those it takes.
        MethodNotAllowed = "method_not_allowed",
        /// 409: the request conflicts with the current state.
        Conflict = "conflict",
        /// 409: an account with this email exists.
        EmailTaken = "email_taken",
        /// 409: the last active administrator cannot be deactivated, demoted or deleted.
        LastAdmin = "last_admin",
        /// 409: the default model cannot be disabled or stop being the default: make another
        /// model the default first.
        DefaultModelRequired = "default_model_required",
        /// 409: a model with this id exists.
        ModelExists = "model_exists",
        /// 413: the body is larger than the route's limit.
        PayloadTooLarge = "payload_too_large",
        /// 415: the body is not `application/json`.
        UnsupportedMediaType = "unsupported_media_type",
        /// 429: too many attempts; `Retry-After` says when to try again.
        RateLimited = "rate_limited",
        /// 500: a failure on the hub's side; `details.error_id` finds the log line.
        InternalError = "internal_error",
        /// 503: the database is unavailable.
        ServiceUnavailable = "service_unavailable",
        /// 503: the model's provider has no key or endpoint configured.
        ProviderNotConfigured = "provider_not_configured",
        /// 503: provider keys cannot be stored: the Spin variable `provider_keys_master_key`
        /// is not set or malformed (the message says which).
        MasterKeyUnavailable = "master_key_unavailable",
    }
}

impl ErrorCode {
    /// The HTTP status the code is always sent with.
    pub const fn status(self) -> u16 {
        match self {
            Self::BadRequest
            | Self::InvalidJson
            | Self::InvalidInput
            | Self::InvalidPath
            | Self::UnknownModel
            | Self::UnknownAssistant
            | Self::UnknownCollection
            | Self::InvalidTemplate
            | Self::TemplateValuesMismatch => 400,
            Self::Unauthenticated | Self::InvalidCredentials | Self::InvalidRefreshToken => 401,
            Self::Forbidden
            | Self::RegistrationClosed
            | Self::InvalidCurrentPassword
            | Self::PasswordChangeRequired
            | Self::SelfProtected => 403,
            Self::NotFound => 404,
            Self::MethodNotAllowed => 405,
            Self::Conflict
            | Self::EmailTaken
            | Self::LastAdmin
            | Self::DefaultModelRequired
            | Self::ModelExists => 409,
            Self::PayloadTooLarge => 413,
            Self::UnsupportedMediaType => 415,
            Self::RateLimited => 429,
            Self::InternalError => 500,
            Self::ServiceUnavailable | Self::ProviderNotConfigured | Self::MasterKeyUnavailable => {
                503
            }
        }
    }
}

string_enum! {
    /// The code of an answer stream's `error` event: why the answer failed.
    pub enum StreamErrorCode {
        /// The model's provider has no key or endpoint configured.
        ProviderNotConfigured = "provider_not_configured",
        /// The provider refused the request as invalid (too long, bad parameter).
        ProviderRejected = "provider_rejected",
        /// The provider refused the hub's key.
        ProviderAuth = "provider_auth",
        /// The provider does not know the model (or the Azure deployment).
        ProviderModelNotFound = "provider_model_not_found",
        /// The provider throttled the request; `retry_after` says when to try again.
        ProviderRateLimited = "provider_rate_limited",
        /// The provider failed, was overloaded or could not be reached.
        ProviderUnavailable = "provider_unavailable",
        /// The provider answered something that is not its documented format.
        ProviderInvalidResponse = "provider_invalid_response",
        /// The provider's stream ended before the answer did.
        ProviderIncomplete = "provider_incomplete",
        /// The hub could not store the answer.
        Internal = "internal",
    }
}

string_enum! {
    /// The events of an answer stream (`event: <name>`), in the order they come.
    pub enum ChatEventName {
        /// The question is stored and the answer begins.
        MessageStart = "message_start",
        /// The knowledge passages the answer is given (only when something was retrieved).
        Sources = "sources",
        /// The next piece of the answer's text.
        Delta = "delta",
        /// The tokens and cost of the answer.
        Usage = "usage",
        /// The conversation got its automatic title.
        Title = "title",
        /// The answer is complete and stored: the last event.
        Done = "done",
        /// The answer failed: the last event.
        Error = "error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_travel_as_their_names() {
        for all in [
            ErrorCode::ALL
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>(),
            StreamErrorCode::ALL.iter().map(|c| c.as_str()).collect(),
            ChatEventName::ALL.iter().map(|c| c.as_str()).collect(),
        ] {
            let unique: std::collections::HashSet<_> = all.iter().collect();
            assert_eq!(unique.len(), all.len());
        }
        for code in ErrorCode::ALL {
            let json = serde_json::to_string(code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            assert_eq!(ErrorCode::parse(code.as_str()), Some(*code));
            assert!((400..600).contains(&code.status()), "{code}");
        }
        for code in StreamErrorCode::ALL {
            let json = serde_json::to_string(code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
        assert_eq!(
            ChatEventName::parse("message_start"),
            Some(ChatEventName::MessageStart)
        );
        assert_eq!(ErrorCode::parse("teapot"), None);
        assert_eq!(ErrorCode::EmailTaken.status(), 409);
    }
}
