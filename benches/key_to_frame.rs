//! Key to frame: how long a person waits between pressing a key and the terminal receiving the
//! frame that answers it, which is the speed a user feels.
//!
//! Each sample is one key press through the real `app::update`, then one `Terminal::draw` with
//! `ui::draw`: drawing, ratatui's diff against the previous frame, and crossterm writing the
//! changed cells to a pipe (a `LineWriter`, as `std::io::stdout` buffers) that a thread drains.
//! The app holds 100,000 sessions with the longest demo conversation open, in a 120×36
//! terminal. What it leaves out: reading the key from the terminal (crossterm's poll) and the
//! terminal emulator's own painting, which no code of ours can change.
//!
//! Two scenarios, each a run of `SAMPLES` keys after `WARM_UP` untimed ones:
//! * `read`: the detail pane focused, `j` down the conversation and `k` back up (the reader
//!   scrolls by one drawn row, so every frame differs from the last);
//! * `list`: the list focused, `j`/`k` moving the selection over the 100,000 sessions (every
//!   move changes the selected row, the detail pane and the header's position).
//!
//! `cargo bench --bench key_to_frame` prints the median and the 99th percentile of each
//! scenario. Run without `--bench` (as `cargo test --benches` does) it takes a few samples only,
//! to check that it still runs.

use std::io::{LineWriter, Read};
use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};
use ratatui::layout::Rect;
use ratatui::prelude::CrosstermBackend;
use ratatui::{Terminal, TerminalOptions, Viewport};
use sctui_app::input::{KeyCode, KeyEvent, KeyModifiers};

use sctui::tui::app::{self, Msg, State};
use sctui_graph::models::{GraphTime, Session};

#[path = "../tests/it/common/demo.rs"]
mod demo;

const WIDTH: u16 = 120;
const HEIGHT: u16 = 36;
const SESSIONS: usize = 100_000;
const WARM_UP: usize = 200;
const SAMPLES: usize = 5_000;

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// The "now" of `demo::reading`, so relative times do not drift between runs.
fn now() -> Timestamp {
    "2026-02-01T12:00:00Z".parse().unwrap()
}

/// Synthetic session `i`: one minute apart, older than the demo session the bench opens.
fn session(i: usize) -> Session {
    let modified = now()
        .checked_sub(SignedDuration::from_secs(60 * i as i64 + 3600))
        .unwrap();
    Session {
        id: format!("{:08x}-5c70-4000-8000-{:012x}", i, i * 7919),
        display_name: Some(format!("Suspicious sign-in review #{i}")),
        created_date_time: Some(GraphTime::from_timestamp(modified)),
        last_modified_date_time: Some(GraphTime::from_timestamp(modified)),
    }
}

/// 100,000 sessions loaded, the longest demo conversation selected and loaded, the detail pane
/// focused: built through `app::update` as the worker feeds it.
fn reading() -> State {
    let conversation = demo::longest(demo::conversations());
    let others = (0..SESSIONS - 1).map(session).collect();
    let state = demo::reading_among(&conversation, others, WIDTH, HEIGHT);
    assert_eq!(state.list().len(), SESSIONS);
    state
}

/// A terminal whose frames go to a pipe that a thread reads and throws away.
type PipeTerminal = Terminal<CrosstermBackend<LineWriter<std::io::PipeWriter>>>;

fn pipe_terminal() -> (PipeTerminal, std::thread::JoinHandle<u64>) {
    let (mut reader, writer) = std::io::pipe().expect("a pipe");
    let drain = std::thread::spawn(move || {
        let mut buf = vec![0u8; 64 * 1024];
        let mut total = 0u64;
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            total += n as u64;
        }
        total
    });
    // a fixed viewport: the pipe is no terminal to ask for its size
    let terminal = Terminal::with_options(
        CrosstermBackend::new(LineWriter::new(writer)),
        TerminalOptions {
            viewport: Viewport::Fixed(Rect::new(0, 0, WIDTH, HEIGHT)),
        },
    )
    .expect("terminal");
    (terminal, drain)
}

/// Times `samples` keys (after `warm_up` untimed ones): update, then draw to the pipe.
fn run(
    state: &mut State,
    terminal: &mut PipeTerminal,
    mut next_key: impl FnMut(&State) -> KeyCode,
    warm_up: usize,
    samples: usize,
) -> Vec<Duration> {
    let mut times = Vec::with_capacity(samples);
    for i in 0..warm_up + samples {
        let code = next_key(state);
        let start = Instant::now();
        let _ = app::update(state, key(code));
        terminal
            .draw(|frame| sctui::tui::ui::draw(state, frame))
            .expect("draw");
        let took = start.elapsed();
        if i >= warm_up {
            times.push(took);
        }
    }
    times
}

/// `j` until the end, then `k` until the top, and again: the next key of a walk up and down.
fn walker(
    at_end: impl Fn(&State) -> bool,
    at_top: impl Fn(&State) -> bool,
) -> impl FnMut(&State) -> KeyCode {
    let mut down = true;
    move |state| {
        if down && at_end(state) {
            down = false;
        } else if !down && at_top(state) {
            down = true;
        }
        if down {
            KeyCode::Char('j')
        } else {
            KeyCode::Char('k')
        }
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[at.min(sorted.len() - 1)]
}

fn report(name: &str, mut times: Vec<Duration>) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "key_to_frame/{name}: median {:.3} ms, p99 {:.3} ms, max {:.3} ms over {} keys",
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.99)),
        ms(*times.last().expect("samples")),
        times.len(),
    );
}

fn main() {
    let benching = std::env::args().any(|a| a == "--bench");
    let (warm_up, samples) = if benching {
        (WARM_UP, SAMPLES)
    } else {
        (2, 20)
    };
    let mut state = reading();
    let (mut terminal, drain) = pipe_terminal();
    // the first frame draws every cell; the keys after it draw what changed
    terminal
        .draw(|frame| sctui::tui::ui::draw(&state, frame))
        .expect("draw");

    let max = app::reader::max_scroll(&state);
    assert!(
        max > 20,
        "the longest demo conversation scrolls ({max} rows)"
    );
    let read = run(
        &mut state,
        &mut terminal,
        walker(
            move |s| s.reader().scroll >= max,
            |s| s.reader().scroll == 0,
        ),
        warm_up,
        samples,
    );

    // back to the list: the same keys now move the selection
    let _ = app::update(&mut state, key(KeyCode::Esc));
    assert_eq!(state.focus(), app::state::Focus::List);
    let list = run(
        &mut state,
        &mut terminal,
        walker(
            |s| s.list().selected() + 1 >= SESSIONS,
            |s| s.list().selected() == 0,
        ),
        warm_up,
        samples,
    );
    drop(terminal);
    let bytes = drain.join().expect("drain");
    let frames = 1 + 2 * (warm_up + samples);
    report("read", read);
    report("list", list);
    println!(
        "key_to_frame: {:.1} KiB written to the pipe a frame on average",
        bytes as f64 / 1024.0 / frames as f64
    );
}
