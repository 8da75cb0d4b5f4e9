//! The conversation sent to a model: what the hub knows of the chat, in the provider's terms,
//! fitted to the model's context window.
//!
//! [`Prompt`] is the one builder every feature feeds: the stored history today; a system prompt
//! (an assistant's), retrieved context with its sources (knowledge) and template output are
//! further inputs of the same builder, so that the fitting and the estimates stay in one place.

use hub_db::messages::{Message, Role, Status};
use hub_providers::ChatRequest;

use crate::Target;
use crate::knowledge::{self, Passage};

/// About four bytes of text per token: the estimate when a provider reports no usage, and the
/// measure of what fits a context window.
pub fn estimate_tokens(bytes: usize) -> u64 {
    u64::try_from(bytes.div_ceil(4)).unwrap_or(u64::MAX)
}

/// A conversation on its way to a model.
#[derive(Debug, Clone, Default)]
pub struct Prompt {
    system: Option<String>,
    /// The retrieved passages' section of the system instruction.
    sources: Option<String>,
    messages: Vec<hub_providers::Message>,
}

impl Prompt {
    /// The stored conversation, oldest first: failed and empty answers are left out (they are
    /// not part of what the model said).
    pub fn from_history(history: &[Message]) -> Self {
        let messages = history
            .iter()
            .filter(|m| m.status != Status::Error && !m.content.is_empty())
            .map(|m| hub_providers::Message::new(role(m.role), m.content.clone()))
            .collect();
        Self {
            system: None,
            sources: None,
            messages,
        }
    }

    /// Puts an instruction in front of the conversation (each provider sends it its own way).
    #[must_use]
    pub fn with_system(mut self, text: impl Into<String>) -> Self {
        self.system = Some(text.into());
        self
    }

    /// Adds retrieved passages to the system instruction, after the system prompt: the model is
    /// told to answer from them and to cite them as `[n]` ([`knowledge::section`]). No
    /// passages, no section. The caller chose them within their budget ([`knowledge::choose`]).
    #[must_use]
    pub fn with_sources(mut self, passages: &[Passage]) -> Self {
        self.sources = (!passages.is_empty()).then(|| knowledge::section(passages));
        self
    }

    /// The messages as they stand.
    pub fn messages(&self) -> &[hub_providers::Message] {
        &self.messages
    }

    /// The request for `target`, at `temperature`: the system instruction first, then the
    /// newest messages that fit the model's context window ([`fit_context`]).
    pub fn request(self, target: &Target, temperature: Option<f64>) -> ChatRequest {
        let window = target.model.context_window;
        let system = match (self.system, self.sources) {
            (Some(prompt), Some(sources)) => Some(format!("{prompt}\n\n{sources}")),
            (prompt, sources) => prompt.or(sources),
        };
        let system_tokens = system.as_ref().map_or(0, |s| estimate_tokens(s.len()));
        let mut messages = fit_context(self.messages, window, system_tokens);
        if let Some(system) = system {
            messages.insert(0, hub_providers::Message::system(system));
        }
        let mut request =
            ChatRequest::new(target.model.model_id.clone(), messages).with_traits(target.traits);
        request.deployment = target.model.azure_deployment.clone();
        request.temperature = temperature;
        request
    }
}

/// The newest messages whose estimated size, with `reserved` tokens already spoken for, stays
/// within three quarters of `context_window` tokens (the rest is room for the answer). The
/// newest message is always kept, so that a question too long for the model gets the
/// provider's own explanation.
pub fn fit_context(
    messages: Vec<hub_providers::Message>,
    context_window: Option<i32>,
    reserved: u64,
) -> Vec<hub_providers::Message> {
    let Some(window) = context_window.and_then(|w| u64::try_from(w).ok()) else {
        return messages;
    };
    let budget = (window / 4 * 3).saturating_sub(reserved);
    let mut used = 0;
    let keep = messages
        .iter()
        .rev()
        .take_while(|m| {
            used += estimate_tokens(m.content.len());
            used <= budget
        })
        .count()
        .max(1);
    let skip = messages.len().saturating_sub(keep);
    messages.into_iter().skip(skip).collect()
}

/// The stored role as the providers' role: the one place the two meet.
fn role(role: Role) -> hub_providers::Role {
    match role {
        Role::System => hub_providers::Role::System,
        Role::User => hub_providers::Role::User,
        Role::Assistant => hub_providers::Role::Assistant,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{message, target};

    #[test]
    fn old_messages_make_room_in_the_context_window() {
        let msg = |n: usize| hub_providers::Message::user("x".repeat(n));
        let history = vec![msg(400), msg(400), msg(400)];
        // 1000 tokens: 750 for the conversation, each message about 100.
        assert_eq!(fit_context(history.clone(), Some(1000), 0).len(), 3);
        // 300 tokens: 225 for the conversation, two messages fit.
        let kept = fit_context(history.clone(), Some(300), 0);
        assert_eq!(kept.len(), 2);
        assert_eq!(kept[1], history[2]);
        // What is reserved (a system prompt) leaves less room.
        assert_eq!(fit_context(history.clone(), Some(300), 100).len(), 1);
        // The newest message stays even when it alone is too long.
        assert_eq!(fit_context(vec![msg(40_000)], Some(100), 0).len(), 1);
        assert_eq!(fit_context(history.clone(), None, 0).len(), 3);
        assert!(fit_context(Vec::new(), Some(10), 0).is_empty());
    }

    #[test]
    fn failed_answers_stay_out_and_the_system_prompt_goes_first() {
        let history = vec![
            message(Role::User, "Hallo", Status::Complete),
            message(Role::Assistant, "", Status::Error),
            message(Role::User, "Noch einmal", Status::Complete),
            message(Role::Assistant, "Hi", Status::Partial),
        ];
        let prompt = Prompt::from_history(&history);
        assert_eq!(prompt.messages().len(), 3);
        let request = prompt
            .with_system("Antworte kurz.")
            .request(&target(Some(1000)), Some(0.3));
        assert_eq!(request.messages.len(), 4);
        assert_eq!(request.messages[0].role, hub_providers::Role::System);
        assert_eq!(request.messages[0].content, "Antworte kurz.");
        assert_eq!(request.messages[1].content, "Hallo");
        assert_eq!(request.temperature, Some(0.3));
        assert_eq!(request.model, "gpt-4o-mini");
        assert_eq!(estimate_tokens(0), 0);
        assert_eq!(estimate_tokens(9), 3);
    }

    #[test]
    fn sources_follow_the_system_prompt_and_take_room_from_the_history() {
        let passages = knowledge::choose(
            vec![hub_db::knowledge::Retrieved {
                file_id: uuid::Uuid::nil(),
                file_name: "Handbuch.md".into(),
                collection_id: None,
                ordinal: 0,
                page: None,
                heading_path: vec![],
                text: "Urlaub: 30 Tage. ".repeat(20),
                score: 1.0,
            }],
            10_000,
        );
        let history = vec![
            message(Role::User, &"alt ".repeat(100), Status::Complete),
            message(Role::Assistant, &"alt ".repeat(100), Status::Complete),
            message(Role::User, "Wie viele Urlaubstage?", Status::Complete),
        ];
        let request = Prompt::from_history(&history)
            .with_system("Antworte kurz.")
            .with_sources(&passages)
            .request(&target(Some(800)), None);
        let system = &request.messages[0];
        assert_eq!(system.role, hub_providers::Role::System);
        assert!(
            system.content.starts_with("Antworte kurz.\n\n"),
            "{}",
            system.content
        );
        assert!(system.content.contains(knowledge::INSTRUCTION));
        assert!(system.content.contains("[1] Handbuch.md\nUrlaub: 30 Tage."));
        // 600 tokens for the conversation, under 200 of them the system text: the old
        // exchange (about 200) still fits, but not without room for the passages.
        assert_eq!(request.messages.len(), 4);
        let system_tokens = estimate_tokens(system.content.len());
        assert!((150..200).contains(&system_tokens), "{system_tokens}");
        let request = Prompt::from_history(&history)
            .with_sources(&passages)
            .request(&target(Some(300)), None);
        assert_eq!(request.messages.len(), 2);
        assert!(
            request.messages[0]
                .content
                .starts_with(knowledge::INSTRUCTION)
        );
        // No passages: no section.
        let plain = Prompt::from_history(&history)
            .with_sources(&[])
            .request(&target(None), None);
        assert_eq!(plain.messages[0].role, hub_providers::Role::User);
    }
}
