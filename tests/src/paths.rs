//! Where the built artefacts are.

use std::path::PathBuf;

/// The Cargo workspace root.
pub fn workspace_root() -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    here.parent().map(PathBuf::from).unwrap_or(here)
}

pub(crate) fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                workspace_root().join(dir)
            }
        }
        None => workspace_root().join("target"),
    }
}

/// The `hub-runner` binary (`HUB_RUNNER_BIN`, else `target/release/hub-runner`); panics with the
/// build command when it is missing.
pub fn runner_binary() -> PathBuf {
    let path = std::env::var_os("HUB_RUNNER_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| target_dir().join("release").join("hub-runner"));
    assert!(
        path.is_file(),
        "{} is missing: run `cargo build --release -p hub-runner` first",
        path.display()
    );
    path
}

/// The hub's command-line tool `hub` (`HUB_CLI_BIN`, else `target/release/hub`); panics with the
/// build command when it is missing.
pub fn cli_binary() -> PathBuf {
    let path = std::env::var_os("HUB_CLI_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| target_dir().join("release").join("hub"));
    assert!(
        path.is_file(),
        "{} is missing: run `cargo build --release -p hub-cli` first",
        path.display()
    );
    path
}

/// The built component `<name>.wasm` (crate name with underscores, e.g. `hub_conformance`);
/// panics with the build command when it is missing.
pub fn wasm(name: &str) -> PathBuf {
    let path = target_dir()
        .join("wasm32-wasip2")
        .join("release")
        .join(format!("{name}.wasm"));
    assert!(
        path.is_file(),
        "{} is missing: run `cargo build --target wasm32-wasip2 --release -p {}` first",
        path.display(),
        name.replace('_', "-")
    );
    path
}
