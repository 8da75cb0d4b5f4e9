//! Values for the unit tests.

use hub_db::Numeric;
use hub_db::messages::{Message, Role, Status};
use hub_db::models::Model;

use crate::Target;

/// A stored message.
pub fn message(role: Role, content: &str, status: Status) -> Message {
    Message {
        id: uuid::Uuid::now_v7(),
        chat_id: uuid::Uuid::nil(),
        role,
        content: content.to_owned(),
        model: None,
        status,
        error: None,
        created_at: chrono::DateTime::UNIX_EPOCH,
        updated_at: chrono::DateTime::UNIX_EPOCH,
        sources: Vec::new(),
        files: Vec::new(),
    }
}

/// gpt-4o-mini at $0.15 / $0.60 per million tokens, with a key.
pub fn target(context_window: Option<i32>) -> Target {
    let model = Model {
        model_id: "gpt-4o-mini".to_owned(),
        provider: "openai".to_owned(),
        display_name: "GPT-4o mini".to_owned(),
        enabled: true,
        is_default: true,
        input_price_per_million: Numeric("0.15".to_owned()),
        output_price_per_million: Numeric("0.60".to_owned()),
        cached_input_price_per_million: None,
        context_window,
        azure_deployment: None,
        supports_temperature: true,
    };
    let settings = |name: &str| (name == "openai_api_key").then(|| "sk-test".to_owned());
    match Target::of(
        model,
        &hub_db::providers::ProviderOverrides::default(),
        &settings,
    ) {
        Ok(target) => target,
        Err(e) => panic!("test target: {e}"),
    }
}
