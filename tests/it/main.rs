//! All integration tests of the `sctui` crate, built as one binary so that a change links
//! one test executable instead of one per file. Each file is a module; `common` holds the
//! shared helpers. `tests/reader_alloc.rs` stays apart: it installs a counting allocator.

mod architecture;
mod auth;
mod cli;
mod cli_runs;
mod client;
mod common;
mod conversation;
mod conversation_snapshots;
mod e2e_tmux;
mod export;
mod faults;
mod hostile_cli;
mod hostile_input;
mod hostile_servers;
mod jq;
mod latency;
mod log_secrets;
mod output_chokepoint;
mod promptbook;
mod promptbook_runs;
mod reader_documents;
mod reader_screens;
mod readme;
mod resize;
mod snapshot_files;
mod soak;
mod status_line;
mod store_stress;
mod terminal_home;
mod tui_runs;
mod ui_snapshots;
mod update_props;
mod worker_loop;
mod workspace_switch;
