//! `hub-bench knowledge`: what `scripts/bench-knowledge.sh` needs besides the load: the fake
//! embedding provider as a process of its own, and a synthetic corpus whose vectors are the ones
//! that provider gives.
//!
//! The corpus is text made of made-up words (syllables, so PostgreSQL's full-text search
//! tokenises them as words), drawn by topic: each topic has its own vocabulary, every chunk
//! mixes the words of its file's topic, of a second topic and of a shared set of common words,
//! each with a Zipf distribution. A chunk's vector is [`hub_tests::fake_embedding`] of its text,
//! exactly what the fake provider answers for that text, so a question made of a topic's words
//! (embedded by the hub through the fake provider) falls among that topic's chunks: the vector
//! search is a clustered nearest-neighbour problem, not one among identical or random vectors.
//! Everything is drawn from a seeded generator: the same options give the same bytes.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// `hub-bench knowledge` commands.
#[derive(Debug, clap::Subcommand)]
pub enum KnowledgeCommand {
    /// Runs the tests' fake providers (`tests/src/fake_providers.rs`) on 127.0.0.1 until killed;
    /// prints `{"url": …, "key": …}` on its first line once it listens.
    FakeProviders,
    /// Writes chunks in `COPY … FROM STDIN` text format: `file_id`, `ordinal`, `text`,
    /// `token_estimate`, `embedding` (the fake provider's vector of the text).
    Chunks {
        #[command(flatten)]
        corpus: CorpusArgs,
        /// Chunks in all.
        #[arg(long)]
        count: usize,
        /// Chunks per file (the last file may have fewer); file `n` (from 1) has the id
        /// [`file_id`] of `n`.
        #[arg(long, default_value_t = 20)]
        per_file: usize,
    },
    /// Writes questions, one a line: a number (from 1), a tab, the question (words separated by
    /// spaces), a tab and the recall's query vector: the fake provider's vector of a held-out
    /// passage of the question's topic.
    Queries {
        #[command(flatten)]
        corpus: CorpusArgs,
        /// Questions.
        #[arg(long)]
        count: usize,
    },
    /// Writes Markdown files (`bench-0001.md`, …) of about `chars` characters each into `dir`:
    /// headings and paragraphs of a topic's words.
    Files {
        #[command(flatten)]
        corpus: CorpusArgs,
        /// Files.
        #[arg(long)]
        count: usize,
        /// Characters per file (at least; a paragraph is not cut).
        #[arg(long)]
        chars: usize,
        /// The folder (created when missing).
        #[arg(long)]
        dir: PathBuf,
    },
}

/// The corpus' shape (the same for chunks and queries, so that questions match chunks).
#[derive(Debug, Clone, clap::Args)]
pub struct CorpusArgs {
    /// Topics (clusters).
    #[arg(long, default_value_t = 400)]
    topics: usize,
    /// The generator's seed.
    #[arg(long, default_value_t = 14)]
    seed: u64,
}

/// The dimension of the vectors (the bench's model, OpenAI's text-embedding-3-small).
const DIMENSION: usize = 1536;
/// Words in a topic's vocabulary.
const TOPIC_WORDS: usize = 200;
/// Common words (shared by all topics).
const COMMON_WORDS: usize = 500;
/// Words of a chunk: between these (about 1,600 characters, the hub's 400-token chunks).
const CHUNK_WORDS: (usize, usize) = (170, 240);
/// A chunk's words: the share from its file's topic, then from its second topic; the rest are
/// common words.
const MAIN_SHARE: f64 = 0.55;
const SECOND_SHARE: f64 = 0.15;
/// Consonants and vowels of the syllables words are made of.
const CONSONANTS: &[u8] = b"bdfgklmnprstvz";
const VOWELS: &[u8] = b"aeiou";

/// The id of bench file `n` (from 1): `00000000-0000-4000-8000-` and `n` in 12 hex digits, as
/// the script's SQL writes it (`lpad(to_hex(n), 12, '0')`).
pub fn file_id(n: usize) -> String {
    format!("00000000-0000-4000-8000-{n:012x}")
}

/// Runs a `hub-bench knowledge` command.
pub fn run(command: &KnowledgeCommand) -> Result<()> {
    match command {
        KnowledgeCommand::FakeProviders => fake_providers(),
        KnowledgeCommand::Chunks {
            corpus,
            count,
            per_file,
        } => chunks(&Corpus::new(corpus)?, *count, *per_file),
        KnowledgeCommand::Queries { corpus, count } => queries(&Corpus::new(corpus)?, *count),
        KnowledgeCommand::Files {
            corpus,
            count,
            chars,
            dir,
        } => files(&Corpus::new(corpus)?, *count, *chars, dir),
    }
}

fn fake_providers() -> Result<()> {
    let providers = hub_tests::FakeProviders::start();
    let line = serde_json::json!({
        "url": format!("http://{}", providers.addr()),
        "key": providers.key(),
    });
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")?;
    out.flush()?;
    drop(out);
    // Serves on its own thread until the process is killed.
    loop {
        std::thread::park();
    }
}

/// Cumulative Zipf weights of `n` ranks with exponent `s`.
fn zipf(n: usize, s: f64) -> Vec<f64> {
    let mut total = 0.0;
    (1..=n)
        .map(|rank| {
            total += 1.0 / (rank as f64).powf(s);
            total
        })
        .collect()
}

/// A rank drawn from cumulative weights.
fn draw(rng: &mut StdRng, cumulative: &[f64]) -> usize {
    let total = cumulative.last().copied().unwrap_or(0.0);
    let u = rng.random::<f64>() * total;
    cumulative
        .partition_point(|&c| c <= u)
        .min(cumulative.len().saturating_sub(1))
}

/// The syllable `n` (of 70).
fn syllable(n: usize, word: &mut String) {
    let consonant = CONSONANTS
        .get(n % CONSONANTS.len())
        .copied()
        .unwrap_or(b'b');
    let vowel = VOWELS
        .get(n / CONSONANTS.len() % VOWELS.len())
        .copied()
        .unwrap_or(b'a');
    word.push(char::from(consonant));
    word.push(char::from(vowel));
}

/// The vocabularies and distributions.
struct Corpus {
    seed: u64,
    /// Each topic's words, most frequent first.
    topics: Vec<Vec<String>>,
    common: Vec<String>,
    topic_weights: Vec<f64>,
    common_weights: Vec<f64>,
}

impl Corpus {
    fn new(args: &CorpusArgs) -> Result<Self> {
        if args.topics == 0 {
            bail!("--topics must be at least 1");
        }
        let syllables = CONSONANTS.len() * VOWELS.len();
        // Common words have two syllables, topic words three: the two sets never meet.
        let common = (0..COMMON_WORDS)
            .map(|i| {
                let n = (i * 37 + 11) % (syllables * syllables);
                let mut word = String::new();
                syllable(n % syllables, &mut word);
                syllable(n / syllables, &mut word);
                word
            })
            .collect();
        let space = syllables * syllables * syllables;
        let topics = (0..args.topics)
            .map(|t| {
                let mut rng = StdRng::seed_from_u64(args.seed ^ 0x7090_0000 ^ t as u64);
                (0..TOPIC_WORDS)
                    .map(|_| {
                        let n = rng.random_range(0..space);
                        let mut word = String::new();
                        syllable(n % syllables, &mut word);
                        syllable(n / syllables % syllables, &mut word);
                        syllable(n / (syllables * syllables), &mut word);
                        word
                    })
                    .collect()
            })
            .collect();
        Ok(Self {
            seed: args.seed,
            topics,
            common,
            topic_weights: zipf(TOPIC_WORDS, 1.0),
            common_weights: zipf(COMMON_WORDS, 1.07),
        })
    }

    /// A generator for item `n` of stream `stream` (independent of the other items).
    fn rng(&self, stream: u64, n: u64) -> StdRng {
        StdRng::seed_from_u64(
            self.seed
                .wrapping_mul(0x9e37_79b9_7f4a_7c15)
                .wrapping_add(stream << 48)
                .wrapping_add(n),
        )
    }

    fn topic_word(&self, rng: &mut StdRng, topic: usize) -> &str {
        let rank = draw(rng, &self.topic_weights);
        self.topics
            .get(topic)
            .and_then(|words| words.get(rank))
            .map_or("", String::as_str)
    }

    /// `words` words of the two topics and common words, in sentences.
    fn text(&self, rng: &mut StdRng, topics: (usize, usize), words: usize) -> String {
        let mut text = String::with_capacity(words * 8);
        let mut sentence_left = 0;
        for _ in 0..words {
            if sentence_left == 0 {
                if !text.is_empty() {
                    text.push_str(". ");
                }
                sentence_left = rng.random_range(8..20);
            } else {
                text.push(' ');
            }
            sentence_left -= 1;
            let u = rng.random::<f64>();
            let word = if u < MAIN_SHARE {
                self.topic_word(rng, topics.0)
            } else if u < MAIN_SHARE + SECOND_SHARE {
                self.topic_word(rng, topics.1)
            } else {
                let rank = draw(rng, &self.common_weights);
                self.common.get(rank).map_or("", String::as_str)
            };
            text.push_str(word);
        }
        text.push('.');
        text
    }

    /// File `n`'s topic and second topic.
    fn file_topics(&self, n: usize) -> (usize, usize) {
        let mut rng = self.rng(1, n as u64);
        let count = self.topics.len();
        (rng.random_range(0..count), rng.random_range(0..count))
    }
}

/// pgvector's text form of `vector` (zeros as `0`).
fn push_vector(line: &mut String, vector: &[f32]) {
    line.push('[');
    for (i, x) in vector.iter().enumerate() {
        if i > 0 {
            line.push(',');
        }
        if *x == 0.0 {
            line.push('0');
        } else {
            line.push_str(&x.to_string());
        }
    }
    line.push(']');
}

fn chunks(corpus: &Corpus, count: usize, per_file: usize) -> Result<()> {
    if per_file == 0 {
        bail!("--per-file must be at least 1");
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut line = String::new();
    for i in 0..count {
        let (file, ordinal) = (i / per_file + 1, i % per_file);
        let mut rng = corpus.rng(2, i as u64);
        let words = rng.random_range(CHUNK_WORDS.0..=CHUNK_WORDS.1);
        let text = corpus.text(&mut rng, corpus.file_topics(file), words);
        line.clear();
        line.push_str(&file_id(file));
        line.push('\t');
        line.push_str(&ordinal.to_string());
        line.push('\t');
        line.push_str(&text);
        line.push('\t');
        line.push_str(&text.len().div_ceil(4).to_string());
        line.push('\t');
        push_vector(&mut line, &hub_tests::fake_embedding(&text, DIMENSION));
        line.push('\n');
        out.write_all(line.as_bytes()).context("writing chunks")?;
    }
    out.flush().context("writing chunks")
}

fn queries(corpus: &Corpus, count: usize) -> Result<()> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut line = String::new();
    for n in 1..=count {
        let mut rng = corpus.rng(3, n as u64);
        let topic = rng.random_range(0..corpus.topics.len());
        let words = rng.random_range(3..=6);
        let mut picked: Vec<&str> = Vec::with_capacity(words);
        while picked.len() < words {
            let word = corpus.topic_word(&mut rng, topic);
            if !picked.contains(&word) {
                picked.push(word);
            }
        }
        let text = picked.join(" ");
        // The recall's query vector: a passage of the question's topic that is not in the
        // corpus (held out, as ANN benchmarks draw their queries), which is where a real
        // embedding model puts a question about the topic. The fake's vector of the few words
        // themselves lies far from every chunk, a case no real model produces.
        let words = rng.random_range(CHUNK_WORDS.0..=CHUNK_WORDS.1);
        let second = rng.random_range(0..corpus.topics.len());
        let passage = corpus.text(&mut rng, (topic, second), words);
        line.clear();
        line.push_str(&n.to_string());
        line.push('\t');
        line.push_str(&text);
        line.push('\t');
        push_vector(&mut line, &hub_tests::fake_embedding(&passage, DIMENSION));
        line.push('\n');
        out.write_all(line.as_bytes()).context("writing queries")?;
    }
    out.flush().context("writing queries")
}

fn files(corpus: &Corpus, count: usize, chars: usize, dir: &std::path::Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    for n in 1..=count {
        let mut rng = corpus.rng(4, n as u64);
        let count = corpus.topics.len();
        let topics = (rng.random_range(0..count), rng.random_range(0..count));
        let title = corpus.text(&mut rng, topics, 4);
        let mut doc = format!("# {}\n", title.trim_end_matches('.'));
        let mut section = 0;
        while doc.len() < chars {
            if section == 0 || rng.random_range(0..4) == 0 {
                let heading = corpus.text(&mut rng, topics, 3);
                doc.push_str("\n## ");
                doc.push_str(heading.trim_end_matches('.'));
                doc.push('\n');
            }
            section += 1;
            let words = rng.random_range(40..120);
            doc.push('\n');
            doc.push_str(&corpus.text(&mut rng, topics, words));
            doc.push('\n');
        }
        let path = dir.join(format!("bench-{n:04}.md"));
        std::fs::write(&path, doc).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}
