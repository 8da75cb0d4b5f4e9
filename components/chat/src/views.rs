//! Database rows as the API shows them (`hub-api`'s types).

use hub_api::{
    AssistantIcon, ChatAssistant, ChatSummary, MessageFile, MessageRole, MessageSource,
    MessageStatus, MessageView, ModelInfo, Money,
};
use hub_db::chats::Chat;
use hub_db::messages::{Message, Role, Source, Status};
use hub_db::models::Model;
use hub_providers::ProviderKind;

pub use hub_component::timestamp as time;

/// A conversation.
pub fn chat(c: &Chat) -> ChatSummary {
    ChatSummary {
        id: c.id,
        title: c.title.clone(),
        model: c.model.clone(),
        temperature: c.temperature,
        created_at: time(c.created_at),
        updated_at: time(c.updated_at),
        assistant: c.assistant.as_ref().map(|a| ChatAssistant {
            id: a.id,
            name: a.name.clone(),
            icon: AssistantIcon::parse(&a.icon).unwrap_or(AssistantIcon::Sparkles),
        }),
        collection_ids: c.collection_ids.clone(),
    }
}

/// A message.
pub fn message(m: &Message) -> MessageView {
    MessageView {
        id: m.id,
        chat_id: m.chat_id,
        role: match m.role {
            Role::System => MessageRole::System,
            Role::User => MessageRole::User,
            Role::Assistant => MessageRole::Assistant,
        },
        content: m.content.clone(),
        model: m.model.clone(),
        status: match m.status {
            Status::Complete => MessageStatus::Complete,
            Status::Partial => MessageStatus::Partial,
            Status::Error => MessageStatus::Error,
        },
        error: m.error.clone(),
        created_at: time(m.created_at),
        sources: m.sources.iter().map(source).collect(),
        files: m
            .files
            .iter()
            .map(|f| MessageFile {
                id: f.id,
                name: f.name.clone(),
            })
            .collect(),
    }
}

/// A passage an answer was given.
pub fn source(s: &Source) -> MessageSource {
    MessageSource {
        index: s.index,
        file_id: s.file_id,
        file_name: s.file_name.clone(),
        collection_id: s.collection_id,
        page: s.page,
        heading_path: s.heading_path.clone(),
        ordinal: s.ordinal,
        snippet: s.snippet.clone(),
        score: s.score,
    }
}

/// An enabled model.
pub fn model(m: &Model) -> ModelInfo {
    let provider_name = m
        .provider
        .parse::<ProviderKind>()
        .map_or_else(|_| m.provider.clone(), |k| k.display_name().to_owned());
    ModelInfo {
        id: m.model_id.clone(),
        provider: m.provider.clone(),
        provider_name,
        display_name: m.display_name.clone(),
        is_default: m.is_default,
        context_window: m.context_window,
        supports_temperature: m.supports_temperature,
        input_price_per_million: Money::usd(m.input_price_per_million.0.clone()),
        output_price_per_million: Money::usd(m.output_price_per_million.0.clone()),
    }
}
