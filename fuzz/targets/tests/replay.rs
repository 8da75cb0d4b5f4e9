//! Every fuzz target's corpus (`fuzz/corpus/<target>/`) and crash reproducers
//! (`fuzz/regressions/<target>/`) replayed through the target's function, so that what the
//! fuzzers found stays fixed; and the layout cargo-fuzz needs kept in step with [`TARGETS`].
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use hub_fuzz_targets::TARGETS;

/// Most files a target's minimised corpus may hold.
const MAX_CORPUS_FILES: usize = 600;
/// Most files the corpus of `extract` may hold: the PDF parser behind it has many more edges
/// than the other targets' parsers (a 3-minute run minimises to about 700 files, 600 KiB).
const MAX_EXTRACT_CORPUS_FILES: usize = 1_000;

fn max_corpus_files(target: &str) -> usize {
    match target {
        "extract" => MAX_EXTRACT_CORPUS_FILES,
        _ => MAX_CORPUS_FILES,
    }
}
/// Most bytes all corpora together may hold.
const MAX_CORPUS_BYTES: u64 = 4 * 1024 * 1024;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The regular files of `dir` (none when it does not exist), sorted, dotfiles left out.
fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_file())
        .filter(|path| !path.file_name().unwrap().to_string_lossy().starts_with('.'))
        .collect();
    files.sort();
    files
}

#[test]
fn every_corpus_file_and_reproducer_replays_without_a_broken_invariant() {
    let fuzz = fuzz_dir();
    let mut failures = Vec::new();
    let mut total_bytes = 0;
    for target in TARGETS {
        let corpus = files(&fuzz.join("corpus").join(target.name));
        assert!(
            !corpus.is_empty(),
            "fuzz/corpus/{0}/ has no file: seed and run it with `scripts/fuzz.sh {0}`",
            target.name
        );
        let max_files = max_corpus_files(target.name);
        assert!(
            corpus.len() <= max_files,
            "fuzz/corpus/{}/ has {} files (at most {max_files}): minimise it with scripts/fuzz.sh",
            target.name,
            corpus.len()
        );
        let regressions = files(&fuzz.join("regressions").join(target.name));
        for file in corpus.iter().chain(&regressions) {
            let data = std::fs::read(file).unwrap();
            total_bytes += data.len() as u64;
            if catch_unwind(AssertUnwindSafe(|| (target.run)(&data))).is_err() {
                failures.push(
                    file.strip_prefix(&fuzz)
                        .unwrap_or(file)
                        .display()
                        .to_string(),
                );
            }
        }
    }
    assert!(
        failures.is_empty(),
        "inputs that break an invariant (the panic of each is printed above):\n  {}",
        failures.join("\n  ")
    );
    assert!(
        total_bytes <= MAX_CORPUS_BYTES,
        "the corpora and reproducers hold {total_bytes} bytes (at most {MAX_CORPUS_BYTES})"
    );
}

#[test]
fn every_target_has_its_cargo_fuzz_binary_and_nothing_else_does() {
    let fuzz = fuzz_dir();
    let manifest = std::fs::read_to_string(fuzz.join("Cargo.toml")).unwrap();
    let mut names = BTreeSet::new();
    for target in TARGETS {
        assert!(names.insert(target.name), "{} is listed twice", target.name);
        let source = fuzz
            .join("fuzz_targets")
            .join(format!("{}.rs", target.name));
        let text = std::fs::read_to_string(&source)
            .unwrap_or_else(|e| panic!("{}: {e}", source.display()));
        assert!(
            text.contains(&format!("hub_fuzz_targets::{}(data)", target.name)),
            "{} does not call hub_fuzz_targets::{}",
            source.display(),
            target.name
        );
        assert!(
            manifest.contains(&format!(
                "name = \"{}\"\npath = \"fuzz_targets/{0}.rs\"",
                target.name
            )),
            "fuzz/Cargo.toml has no [[bin]] for {}",
            target.name
        );
    }
    for source in files(&fuzz.join("fuzz_targets")) {
        let name = source.file_stem().unwrap().to_string_lossy().into_owned();
        assert!(
            names.contains(name.as_str()),
            "{} is not in hub_fuzz_targets::TARGETS",
            source.display()
        );
    }
    for kind in ["corpus", "regressions"] {
        let Ok(dirs) = std::fs::read_dir(fuzz.join(kind)) else {
            continue;
        };
        for dir in dirs {
            let name = dir.unwrap().file_name().to_string_lossy().into_owned();
            assert!(
                name.starts_with('.') || names.contains(name.as_str()),
                "fuzz/{kind}/{name} belongs to no target"
            );
        }
    }
}
