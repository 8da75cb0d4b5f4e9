//! The TypeScript declarations of every API type (feature `ts`), for the frontend's
//! `static/src/api/types.gen.ts`. The hub-tests test `api_types` compares that file with
//! [`declarations`] and rewrites it with `UPDATE_API_TYPES=1`.

use ts_rs::{Config, TS};

use crate::*;

/// One `export type` per API type, in a fixed order, with a header saying where it comes from.
pub fn declarations() -> String {
    let cfg = Config::new();
    let mut out = String::from(
        "// Generated from the Rust types of the crate hub-api (shared/api); do not edit.\n\
         // Regenerate: UPDATE_API_TYPES=1 cargo test -p hub-tests --test api_types\n",
    );
    let mut add = |docs: Option<String>, decl: String| {
        out.push('\n');
        if let Some(docs) = docs {
            out.push_str(&docs);
        }
        out.push_str("export ");
        out.push_str(&decl);
        out.push('\n');
    };
    macro_rules! declare {
        ($($ty:ty),* $(,)?) => {
            $( add(<$ty as TS>::docs(), <$ty as TS>::decl(&cfg)); )*
        };
    }
    declare!(
        Money,
        Page<()>,
        // Error codes
        ErrorCode,
        StreamErrorCode,
        ChatEventName,
        // Accounts and sessions
        UserView,
        AuthTokens,
        CreatedUser,
        RegisterUser,
        Login,
        RefreshTokenBody,
        UpdateMe,
        SessionView,
        // Conversations
        ChatSummary,
        ChatDetail,
        MessageRole,
        MessageStatus,
        MessageView,
        MessageSource,
        MessageFile,
        CreateChat,
        UpdateChat,
        SendMessage,
        // The events of the answer stream
        MessageStartEvent,
        SourcesEvent,
        DeltaEvent,
        UsageEvent,
        TitleEvent,
        DoneEvent,
        ErrorEvent,
        // Assistants and prompt templates
        AssistantIcon,
        Scope,
        AssistantView,
        CreateAssistant,
        UpdateAssistant,
        ChatAssistant,
        TemplateVariable,
        TemplateView,
        CreateTemplate,
        UpdateTemplate,
        RenderTemplate,
        RenderedTemplate,
        // Knowledge
        FileStatus,
        FileKind,
        FileFailure,
        SearchMode,
        KnowledgeCollectionView,
        CreateKnowledgeCollection,
        UpdateKnowledgeCollection,
        KnowledgeFileView,
        KnowledgeHit,
        KnowledgeSearchResults,
        EmbeddingState,
        FileEmbedding,
        ActiveEmbeddingModel,
        KnowledgeStatus,
        EmbeddingModelView,
        PutEmbeddingModel,
        KnowledgeTick,
        // Models and usage
        ModelInfo,
        ModelList,
        UsagePeriod,
        UsageAmounts,
        UsageTotals,
        // Administration
        AdminCreateUser,
        AdminUserPassword,
        AdminUpdateUser,
        AdminPasswordReset,
        AdminModelView,
        AdminModelList,
        AdminCreateModel,
        AdminUpdateModel,
        CostPeriod,
        CostGroup,
        CostReport,
        UserStats,
        DayCount,
        AdminStats,
        // Providers (the keys component)
        KeySource,
        SettingSource,
        ProviderTestStatus,
        ProviderTestView,
        ProviderView,
        ProviderList,
        SetProviderKey,
        UpdateProvider,
        // The audit log
        AuditEntryView,
        AuditBrokenLink,
        AuditVerification,
    );
    out
}
