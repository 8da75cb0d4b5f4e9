//! The models a user may choose (`GET /api/models`).

use serde::{Deserialize, Serialize};

use crate::Money;

/// An enabled model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ModelInfo {
    /// The hub's id of the model (what chats and messages name).
    pub id: String,
    /// Its provider's id (`openai`, `anthropic`, `gemini`, `mistral`, `xai`, `azure_openai`,
    /// `openai_compatible`).
    pub provider: String,
    /// Its provider's name, for people.
    pub provider_name: String,
    /// Its name, for people.
    pub display_name: String,
    /// Whether it is the default model.
    pub is_default: bool,
    /// Its context window in tokens, when known.
    pub context_window: Option<i32>,
    /// Whether it takes a temperature (reasoning models do not).
    pub supports_temperature: bool,
    /// Price per million prompt tokens.
    pub input_price_per_million: Money,
    /// Price per million generated tokens.
    pub output_price_per_million: Money,
}

/// `GET /api/models`: the enabled models, grouped by provider, and the default one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ModelList {
    /// The enabled models.
    pub items: Vec<ModelInfo>,
    /// The default model's id; `null` when none is enabled.
    pub default_model: Option<String>,
}
