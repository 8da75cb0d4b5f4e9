//! Assistants and prompt templates (`/api/assistants...`, `/api/templates...`): the prompts
//! users keep, personal or global.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{double_option, non_null};

string_enum! {
    /// The icons an assistant may have: the web app draws each of them. Left out when creating,
    /// `sparkles`.
    pub enum AssistantIcon {
        /// The default.
        Sparkles = "sparkles",
        /// A robot.
        Bot = "bot",
        /// A brain.
        Brain = "brain",
        /// Code brackets.
        Code = "code",
        /// A terminal prompt.
        Terminal = "terminal",
        /// A pen.
        Pen = "pen",
        /// A book.
        Book = "book",
        /// A chart.
        Chart = "chart",
        /// A globe.
        Globe = "globe",
        /// A briefcase.
        Briefcase = "briefcase",
        /// Scales (law).
        Scale = "scale",
        /// A shield.
        Shield = "shield",
        /// A light bulb.
        Lightbulb = "lightbulb",
        /// A speech bubble.
        Chat = "chat",
        /// An envelope.
        Mail = "mail",
        /// A calculator.
        Calculator = "calculator",
        /// A magnifying glass.
        Search = "search",
        /// A graduation cap.
        GraduationCap = "graduation_cap",
        /// A heart.
        Heart = "heart",
        /// A wrench.
        Wrench = "wrench",
        /// A megaphone.
        Megaphone = "megaphone",
        /// A palette.
        Palette = "palette",
        /// A flask.
        Flask = "flask",
        /// People.
        Users = "users",
    }
}

string_enum! {
    /// Who an assistant or a template is for: its creator only, or everyone (managed by
    /// administrators). Fixed when it is created.
    pub enum Scope {
        /// The creator's own.
        Personal = "personal",
        /// Everyone's; only administrators create, change and delete these.
        Global = "global",
    }
}

/// An assistant as the caller sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AssistantView {
    /// Its id.
    pub id: Uuid,
    /// Personal or global.
    pub scope: Scope,
    /// Its name (1-100 characters).
    pub name: String,
    /// What it is for (at most 500 characters; may be empty).
    pub description: String,
    /// Its icon.
    pub icon: AssistantIcon,
    /// The instruction put in front of every conversation with it (1-20000 characters).
    pub system_prompt: String,
    /// The model it answers with unless the user picks another; `null`: the chat's or default.
    pub model: Option<String>,
    /// The temperature it answers with unless the user picks another; `null`: the model's.
    pub temperature: Option<f64>,
    /// Up to four example prompts shown on an empty chat.
    pub starters: Vec<String>,
    /// The knowledge collections its chats retrieve from (global ones only for a global
    /// assistant).
    pub collection_ids: Vec<Uuid>,
    /// Whether the caller may change and delete it (their own; global ones for admins).
    pub editable: bool,
    /// When it was created (RFC 3339, UTC).
    pub created_at: String,
    /// Its last change (RFC 3339, UTC).
    pub updated_at: String,
}

/// `POST /api/assistants`: a new assistant.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct CreateAssistant {
    /// 1-100 characters.
    pub name: String,
    /// At most 500 characters; left out, empty.
    #[serde(default, deserialize_with = "non_null")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub description: Option<String>,
    /// Left out, `sparkles`.
    #[serde(default, deserialize_with = "non_null")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub icon: Option<AssistantIcon>,
    /// 1-20000 characters.
    pub system_prompt: String,
    /// An enabled model's id; left out or `null`, none (the chat's or the default model).
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub model: Option<String>,
    /// 0-2; left out or `null`, none.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub temperature: Option<f64>,
    /// At most four, each 1-300 characters; left out, none.
    #[serde(default, deserialize_with = "non_null")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub starters: Option<Vec<String>>,
    /// Left out, `personal`; `global` only for administrators.
    #[serde(default, deserialize_with = "non_null")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub scope: Option<Scope>,
    /// Knowledge collections its chats retrieve from (at most 10): a global assistant's must be
    /// global, a personal one's global or the caller's own. Left out, none.
    #[serde(default, deserialize_with = "non_null")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub collection_ids: Option<Vec<Uuid>>,
}

/// `PATCH /api/assistants/{id}`: changes the fields it names (at least one); `model` and
/// `temperature` may be `null` to remove the override. The scope stays.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct UpdateAssistant {
    /// 1-100 characters.
    #[serde(default, deserialize_with = "non_null")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub name: Option<String>,
    /// At most 500 characters.
    #[serde(default, deserialize_with = "non_null")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub description: Option<String>,
    /// The new icon.
    #[serde(default, deserialize_with = "non_null")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub icon: Option<AssistantIcon>,
    /// 1-20000 characters.
    #[serde(default, deserialize_with = "non_null")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub system_prompt: Option<String>,
    /// An enabled model's id, or `null` for none.
    #[serde(default, deserialize_with = "double_option")]
    #[cfg_attr(feature = "ts", ts(optional, type = "string | null"))]
    pub model: Option<Option<String>>,
    /// 0-2, or `null` for none.
    #[serde(default, deserialize_with = "double_option")]
    #[cfg_attr(feature = "ts", ts(optional, type = "number | null"))]
    pub temperature: Option<Option<f64>>,
    /// At most four, each 1-300 characters (replaces the list).
    #[serde(default, deserialize_with = "non_null")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub starters: Option<Vec<String>>,
    /// Knowledge collections (replaces the list; at most 10, as when creating).
    #[serde(default, deserialize_with = "non_null")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub collection_ids: Option<Vec<Uuid>>,
}

/// The assistant of a conversation, as lists and headers show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ChatAssistant {
    /// Its id.
    pub id: Uuid,
    /// Its name.
    pub name: String,
    /// Its icon.
    pub icon: AssistantIcon,
}

/// A variable of a template, in the order of its first appearance in the body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TemplateVariable {
    /// Its name (`[A-Za-z_][A-Za-z0-9_]*`).
    pub name: String,
    /// What to fill in, if the template says.
    pub description: Option<String>,
}

/// A prompt template as the caller sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TemplateView {
    /// Its id.
    pub id: Uuid,
    /// Personal or global.
    pub scope: Scope,
    /// Its title (1-200 characters).
    pub title: String,
    /// Its body with `{{variable}}` placeholders (1-20000 characters).
    pub body: String,
    /// Its variables, each once, in the order of their first appearance.
    pub variables: Vec<TemplateVariable>,
    /// Whether the caller may change and delete it (their own; global ones for admins).
    pub editable: bool,
    /// When it was created (RFC 3339, UTC).
    pub created_at: String,
    /// Its last change (RFC 3339, UTC).
    pub updated_at: String,
}

/// `POST /api/templates`: a new template.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct CreateTemplate {
    /// 1-200 characters.
    pub title: String,
    /// The body (1-20000 characters, at most 30 variables).
    pub body: String,
    /// Descriptions of variables of the body, by name (each at most 500 characters).
    #[serde(default, deserialize_with = "non_null")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub descriptions: Option<BTreeMap<String, String>>,
    /// Left out, `personal`; `global` only for administrators.
    #[serde(default, deserialize_with = "non_null")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub scope: Option<Scope>,
}

/// `PATCH /api/templates/{id}`: changes the fields it names (at least one). A new body without
/// new descriptions keeps those of the variables it still has.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct UpdateTemplate {
    /// 1-200 characters.
    #[serde(default, deserialize_with = "non_null")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub title: Option<String>,
    /// The new body.
    #[serde(default, deserialize_with = "non_null")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub body: Option<String>,
    /// The descriptions (replace the stored ones).
    #[serde(default, deserialize_with = "non_null")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub descriptions: Option<BTreeMap<String, String>>,
}

/// `POST /api/templates/{id}/render`: the value of every variable.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct RenderTemplate {
    /// One value per variable (each at most 100000 characters), by name.
    pub values: BTreeMap<String, String>,
}

/// The answer of `POST /api/templates/{id}/render`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RenderedTemplate {
    /// The body with every placeholder filled.
    pub text: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_refuse_unknown_fields_icons_and_null_where_not_documented() {
        let create: CreateAssistant = serde_json::from_str(
            r#"{"name":"A","system_prompt":"p","icon":"graduation_cap","model":null}"#,
        )
        .unwrap();
        assert_eq!(create.icon, Some(AssistantIcon::GraduationCap));
        for body in [
            r#"{"name":"A","system_prompt":"p","icon":"rocket"}"#,
            r#"{"name":"A","system_prompt":"p","colour":"red"}"#,
            r#"{"name":"A","system_prompt":"p","scope":null}"#,
            r#"{"name":"A"}"#,
        ] {
            assert!(
                serde_json::from_str::<CreateAssistant>(body).is_err(),
                "{body}"
            );
        }
        let patch: UpdateAssistant = serde_json::from_str(r#"{"model":null}"#).unwrap();
        assert_eq!(patch.model, Some(None));
        assert!(serde_json::from_str::<UpdateAssistant>(r#"{"name":null}"#).is_err());
        assert_eq!(AssistantIcon::parse("users"), Some(AssistantIcon::Users));
        assert_eq!(Scope::Global.as_str(), "global");
        assert!(serde_json::from_str::<RenderTemplate>(r#"{"values":{"a":1}}"#).is_err());
    }
}
