//! Search snippets: the passages of a chunk around the words of a query, matches marked as
//! `**word**`.
//!
//! PostgreSQL's `ts_headline` did this in the search statement, and cost more than a tenth of a
//! search (it parses and stems the whole chunk once per hit, 1.6 ms for ten hits of 1,600
//! characters); here it is microseconds. A word matches a query word when both, lower-cased
//! with umlauts folded (`ä` → `a`, `ß` → `ss`), are equal or share a prefix of at least four
//! letters that leaves at most two letters over of the shorter one: "Haus" marks "Häuser",
//! "cherry" marks "Cherries", as the German and English stemmers of the keyword search would
//! find them. Function words of both languages in the query mark nothing.

/// Words in one fragment.
const FRAGMENT_WORDS: usize = 35;
/// Fragments in a snippet, in text order.
const MAX_FRAGMENTS: usize = 2;
/// Between two fragments.
const DELIMITER: &str = " … ";
/// German and English function words: in a query, they are no reason to show a passage.
const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "by", "can", "do", "does", "for", "from", "how",
    "i", "in", "is", "it", "of", "on", "or", "that", "the", "this", "to", "was", "we", "what",
    "when", "where", "which", "who", "why", "with", "you", "das", "dem", "den", "der", "des",
    "die", "ein", "eine", "einen", "einer", "es", "fur", "im", "ist", "mit", "und", "von", "wer",
    "wie", "wird", "wo", "zu", "zum", "zur", "auf", "aus", "bei", "nach", "oder", "sich", "sind",
    "uber", "welche", "welcher", "wann", "warum",
];

/// A word of the text: where it is and whether it matches.
struct Word {
    start: usize,
    end: usize,
    matched: bool,
}

/// The snippet of `text` for `query`: up to two fragments of up to 35 words with the most
/// matches, in text order, joined by ` … `; the text's first 35 words when nothing matches.
pub fn headline(text: &str, query: &str) -> String {
    let terms: Vec<String> = words(query)
        .map(|(s, e)| fold(&query[s..e]))
        .filter(|t| !STOP_WORDS.contains(&t.as_str()))
        .collect();
    let words: Vec<Word> = words(text)
        .map(|(start, end)| Word {
            start,
            end,
            matched: {
                let word = fold(&text[start..end]);
                terms.iter().any(|t| matches(&word, t))
            },
        })
        .collect();
    if words.is_empty() {
        return String::new();
    }
    let mut fragments = best_fragments(&words);
    fragments.sort_unstable();
    let parts: Vec<String> = fragments
        .into_iter()
        .map(|first| {
            render(
                text,
                &words[first..(first + FRAGMENT_WORDS).min(words.len())],
            )
        })
        .collect();
    parts.join(DELIMITER)
}

/// The first words of up to [`MAX_FRAGMENTS`] windows that do not overlap, each with the most
/// matches left (ties: the earliest); window 0 alone when nothing matches.
fn best_fragments(words: &[Word]) -> Vec<usize> {
    let window = FRAGMENT_WORDS.min(words.len());
    let mut counts = Vec::with_capacity(words.len() - window + 1);
    let mut count = words[..window].iter().filter(|w| w.matched).count();
    counts.push(count);
    for first in 1..=words.len() - window {
        count -= usize::from(words[first - 1].matched);
        count += usize::from(words[first + window - 1].matched);
        counts.push(count);
    }
    let mut chosen: Vec<usize> = Vec::new();
    while chosen.len() < MAX_FRAGMENTS {
        let best = counts
            .iter()
            .enumerate()
            .filter(|(first, _)| chosen.iter().all(|c| first.abs_diff(*c) >= window))
            .max_by_key(|(first, n)| (**n, std::cmp::Reverse(*first)));
        match best {
            Some((first, &n)) if n > 0 || chosen.is_empty() => chosen.push(first),
            _ => break,
        }
        if counts[chosen[0]] == 0 {
            break;
        }
    }
    chosen
}

/// The fragment from its first word to its last (with the punctuation around them), matches
/// between `**`.
fn render(text: &str, words: &[Word]) -> String {
    let (Some(first), Some(last)) = (words.first(), words.last()) else {
        return String::new();
    };
    // The punctuation around the fragment too ("(Note" rather than "Note").
    let head = text[..first.start]
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_whitespace())
        .map_or(0, |(i, c)| i + c.len_utf8());
    let mut out = String::with_capacity(last.end - head + 16);
    let mut at = head;
    for word in words.iter().filter(|w| w.matched) {
        out.push_str(&text[at..word.start]);
        out.push_str("**");
        out.push_str(&text[word.start..word.end]);
        out.push_str("**");
        at = word.end;
    }
    let tail = text[last.end..]
        .find(char::is_whitespace)
        .map_or(text.len(), |i| last.end + i);
    out.push_str(&text[at..tail]);
    // One line: the passage's line breaks and runs of spaces as single spaces.
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The byte ranges of the words (runs of letters and digits) of `text`.
fn words(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut start = None;
    text.char_indices()
        .map(Some)
        .chain(std::iter::once(None))
        .filter_map(move |item| match (item, start) {
            (Some((i, c)), None) if c.is_alphanumeric() => {
                start = Some(i);
                None
            }
            (Some((i, c)), Some(s)) if !c.is_alphanumeric() => {
                start = None;
                Some((s, i))
            }
            (None, Some(s)) => {
                start = None;
                Some((s, text.len()))
            }
            _ => None,
        })
}

/// Lower case, umlauts folded.
fn fold(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars().flat_map(char::to_lowercase) {
        match c {
            'ä' => out.push('a'),
            'ö' => out.push('o'),
            'ü' => out.push('u'),
            'ß' => out.push_str("ss"),
            c => out.push(c),
        }
    }
    out
}

/// Whether the folded words `a` and `b` are one word for the reader.
fn matches(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let common = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
    let shorter = a.chars().count().min(b.chars().count());
    common >= 4 && common + 2 >= shorter
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_are_marked_across_inflections_and_umlauts() {
        assert_eq!(
            headline("Die Häuser am Fluss.", "Haus"),
            "Die **Häuser** am Fluss."
        );
        assert_eq!(
            headline("One haus, two HAUS.", "Häuser"),
            "One **haus**, two **HAUS**."
        );
        assert_eq!(
            headline("Cherries ripen in June.", "cherry"),
            "**Cherries** ripen in June."
        );
        // Function words of the query mark nothing; short words only when equal.
        assert_eq!(
            headline("The cat and the hat.", "the cat"),
            "The **cat** and the hat."
        );
        assert_eq!(headline("Runs and run.", "run"), "Runs and **run**.");
        assert_eq!(
            headline("„Zitat“ <b>hier</b>", "zitat"),
            "„**Zitat**“ <b>hier</b>"
        );
    }

    #[test]
    fn the_fragments_with_the_most_matches_are_chosen_in_text_order() {
        let filler = |n: usize| vec!["filler"; n].join(" ");
        let text = format!(
            "{} alpha {} beta alpha {} end",
            filler(50),
            filler(60),
            filler(60)
        );
        let snippet = headline(&text, "alpha beta");
        let parts: Vec<&str> = snippet.split(DELIMITER).collect();
        assert_eq!(parts.len(), 2, "{snippet}");
        assert!(parts[0].contains("**alpha**") && !parts[0].contains("beta"));
        assert!(parts[1].contains("**beta** **alpha**"), "{snippet}");
        assert!(parts.iter().all(|p| p.split(' ').count() <= FRAGMENT_WORDS));
    }

    #[test]
    fn without_a_match_the_beginning_is_shown_on_one_line() {
        let text = format!("First\n\nline   here {}", vec!["word"; 100].join(" "));
        let snippet = headline(&text, "nothing");
        assert!(snippet.starts_with("First line here word"));
        assert_eq!(snippet.split(' ').count(), FRAGMENT_WORDS);
        assert!(!snippet.contains(DELIMITER));
        assert_eq!(headline("", "x"), "");
        assert_eq!(headline("— … —", "x"), "");
    }
}
