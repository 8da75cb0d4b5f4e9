//! Automatic titles (C6): with the first message of a chat, the model that answers it is also
//! asked for a short title of the conversation that message starts (beside the answer, so that
//! the answer's end never waits for it); when it cannot give one, the title comes from the
//! message itself.

use std::time::Duration;

use hub_providers::{ChatRequest, ChatResponse, Message, Usage};

/// Longest automatic title, in characters.
pub const MAX_TITLE_CHARS: usize = 80;

/// How much of the message the title request quotes.
const QUOTED_CHARS: usize = 2000;

/// The instruction of the title request.
const INSTRUCTION: &str = "Write a title of at most six words for a conversation that starts \
with the user's message below, in the language of that message. Do not answer the message. \
Answer with the title only: no quotes, no final period, no prefix.";

/// What the title request gave: the model's title (if usable), and the request's usage with its
/// duration. The default is a request that failed: the title then comes from the question.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct TitleDraft {
    /// The model's title, cleaned.
    pub text: Option<String>,
    /// What the request used, and how long it took.
    pub usage: Option<(Usage, Duration)>,
}

impl TitleDraft {
    /// The draft in the model's answer to [`request`].
    pub fn from_response(response: &ChatResponse, elapsed: Duration) -> Self {
        Self {
            text: from_answer(response),
            usage: response.usage.map(|u| (u, elapsed)),
        }
    }
}

/// The non-streamed request that asks `model` for a title of the conversation `question`
/// starts.
pub fn request(model: &ChatRequest, question: &str) -> ChatRequest {
    let quoted: String = question.chars().take(QUOTED_CHARS).collect();
    let mut request = ChatRequest::new(
        model.model.clone(),
        vec![Message::system(INSTRUCTION), Message::user(quoted)],
    )
    .with_stream(false)
    .with_traits(model.traits)
    // Reasoning models spend tokens on thinking before the title.
    .with_max_output_tokens(if model.traits.reasoning { 1024 } else { 32 });
    request.deployment = model.deployment.clone();
    if model.traits.accepts_temperature() {
        request.temperature = Some(0.2);
    }
    request
}

/// The title in a model's answer, cleaned: first line, no quotes, no `Title:` prefix, no final
/// period, at most [`MAX_TITLE_CHARS`]. `None` when nothing usable is left.
pub fn from_answer(response: &ChatResponse) -> Option<String> {
    let line = response
        .text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())?;
    let line = line.replace("**", "").replace("__", "").replace('`', "");
    let mut text = line.as_str();
    for prefix in ["Title:", "title:", "Titel:", "**Title:**", "#"] {
        text = text.strip_prefix(prefix).unwrap_or(text).trim();
    }
    let text = text
        .trim_matches(|c: char| matches!(c, '"' | '\'' | '*' | '`' | '“' | '”' | '„' | '«' | '»'))
        .trim_end_matches('.')
        .trim();
    clean(text)
}

/// The fallback title: the start of the user's message, cut at a word boundary.
pub fn from_message(text: &str) -> Option<String> {
    let plain: String = text
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| matches!(c, '#' | '*' | '`' | '>' | '_' | '~')))
        .filter(|w| !(w.is_empty() || w.starts_with("[[") && w.ends_with("]]")))
        .collect::<Vec<_>>()
        .join(" ");
    clean(&plain)
}

/// Cuts `text` to [`MAX_TITLE_CHARS`] at a word boundary (with `…`), without control characters.
fn clean(text: &str) -> Option<String> {
    let text: String = text.chars().filter(|c| !c.is_control()).collect();
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if text.chars().count() <= MAX_TITLE_CHARS {
        return Some(text.to_owned());
    }
    let cut: String = text.chars().take(MAX_TITLE_CHARS - 1).collect();
    let cut = match cut.rfind(' ') {
        Some(space) if space > MAX_TITLE_CHARS / 2 => &cut[..space],
        _ => &cut,
    };
    Some(format!("{}…", cut.trim_end()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use hub_providers::FinishReason;

    fn answer(text: &str) -> ChatResponse {
        ChatResponse {
            text: text.to_owned(),
            finish: FinishReason::Stop,
            usage: None,
            model: None,
        }
    }

    #[test]
    fn model_titles_are_cleaned() {
        assert_eq!(
            from_answer(&answer("\n  \"Rust lifetimes explained.\"\nMore")).as_deref(),
            Some("Rust lifetimes explained")
        );
        assert_eq!(
            from_answer(&answer("Title: Urlaubsplanung")).as_deref(),
            Some("Urlaubsplanung")
        );
        assert_eq!(from_answer(&answer(" \n \"\" ")), None);
        assert_eq!(
            from_answer(&answer("Olá! \"hi\" é **Olá**.")).as_deref(),
            Some("Olá! \"hi\" é Olá")
        );
        let long = from_answer(&answer(&"wort ".repeat(40))).unwrap();
        assert!(
            long.chars().count() <= MAX_TITLE_CHARS && long.ends_with('…'),
            "{long}"
        );
    }

    #[test]
    fn fallback_titles_come_from_the_message() {
        assert_eq!(
            from_message("## How do I *deploy*\n\nthe hub? [[scenario:slow]]").as_deref(),
            Some("How do I deploy the hub?")
        );
        assert_eq!(from_message("  \n [[scenario:xss]] "), None);
    }

    #[test]
    fn title_requests_suit_the_model() {
        let chat = ChatRequest::new("gpt-5", vec![Message::user("hi")]);
        let r = request(&chat, &"a".repeat(5000));
        assert!(!r.stream && r.temperature.is_none());
        assert_eq!(r.max_output_tokens, Some(1024));
        assert_eq!(r.messages[1].content.len(), QUOTED_CHARS);
        let chat = ChatRequest::new("gpt-4o-mini", vec![Message::user("hi")]);
        let r = request(&chat, "Wie plane ich eine Reise nach Rom?");
        assert_eq!((r.temperature, r.max_output_tokens), (Some(0.2), Some(32)));
        // The question alone: the title is asked beside the answer, before there is one.
        assert_eq!(r.messages.len(), 2);
        assert_eq!(r.messages[1].content, "Wie plane ich eine Reise nach Rom?");
    }
}
