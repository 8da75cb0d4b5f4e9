//! The bodies of the hub's HTTP API: what the components send and accept, in one place.
//!
//! Plain serde types, no logic. The components build them from their database rows; the
//! frontend gets the same shapes as TypeScript declarations generated from these types (with
//! the `ts` feature: the `typescript` module, written to `static/src/api/types.gen.ts` and
//! checked by the hub-tests test `api_types`), so that the two cannot drift apart unnoticed.
//! Conventions (`docs/api-conventions.md`): `snake_case` keys, timestamps as RFC 3339 UTC strings,
//! money as a decimal string with its currency, request bodies reject unknown fields.
#![deny(missing_docs)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod admin;
mod audit;
mod auth;
mod chats;
#[macro_use]
mod errors;
mod events;
mod knowledge;
mod models;
mod prompts;
mod providers;
#[cfg(feature = "ts")]
pub mod typescript;
mod usage;

pub use admin::{
    AdminCreateModel, AdminCreateUser, AdminModelList, AdminModelView, AdminPasswordReset,
    AdminStats, AdminUpdateModel, AdminUpdateUser, AdminUserPassword, CostGroup, CostPeriod,
    CostReport, DayCount, UserStats,
};
pub use audit::{AuditBrokenLink, AuditEntryView, AuditVerification};
pub use auth::{
    AuthTokens, CreatedUser, Login, RefreshTokenBody, RegisterUser, SessionView, UpdateMe, UserView,
};
pub use chats::{
    ChatDetail, ChatSummary, CreateChat, MessageFile, MessageRole, MessageSource, MessageStatus,
    MessageView, SendMessage, UpdateChat, double_option, non_null,
};
pub use errors::{ChatEventName, ErrorCode, StreamErrorCode};
pub use events::{
    ChatEvent, DeltaEvent, DoneEvent, ErrorEvent, MessageStartEvent, SourcesEvent, TitleEvent,
    UsageEvent,
};
pub use knowledge::{
    ActiveEmbeddingModel, CreateKnowledgeCollection, EmbeddingModelView, EmbeddingState,
    FileEmbedding, FileFailure, FileKind, FileStatus, KnowledgeCollectionView, KnowledgeFileView,
    KnowledgeHit, KnowledgeSearchResults, KnowledgeStatus, KnowledgeTick, PutEmbeddingModel,
    SearchMode, UpdateKnowledgeCollection,
};
pub use models::{ModelInfo, ModelList};
pub use prompts::{
    AssistantIcon, AssistantView, ChatAssistant, CreateAssistant, CreateTemplate, RenderTemplate,
    RenderedTemplate, Scope, TemplateVariable, TemplateView, UpdateAssistant, UpdateTemplate,
};
pub use providers::{
    KeySource, ProviderList, ProviderTestStatus, ProviderTestView, ProviderView, SetProviderKey,
    SettingSource, UpdateProvider,
};
pub use usage::{UsageAmounts, UsagePeriod, UsageTotals};

use serde::{Deserialize, Serialize};

/// An amount of money: an exact decimal string (never a float) and its currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Money {
    /// The amount, e.g. `"0.004215"`.
    pub amount: String,
    /// ISO 4217 code; the hub prices everything in `USD`.
    pub currency: String,
}

impl Money {
    /// An amount in US dollars.
    pub fn usd(amount: impl Into<String>) -> Self {
        Self {
            amount: amount.into(),
            currency: "USD".to_owned(),
        }
    }
}

/// A page of a list (`?limit=`, `?cursor=`): the items and the cursor of the next page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Page<T> {
    /// The items, newest first unless the route says otherwise.
    pub items: Vec<T>,
    /// The opaque cursor of the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}
