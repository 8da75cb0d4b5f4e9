//! `hub-runner`: hosts the hub's Spin components on one machine without the Spin CLI (the
//! library's documentation, `src/lib.rs`, says how).

fn main() -> std::process::ExitCode {
    hub_runner::cli::main()
}
