//! Any bytes as a Graph answer: decoding into every model the client reads, and turning any body
//! into an error message, must return a value or an error, never panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use sctui_graph::ApiError;
use sctui_graph::models::{Evaluation, Page, Prompt, Session, Workspace};

fuzz_target!(|data: &[u8]| {
    if let Ok(page) = serde_json::from_slice::<Page<Session>>(data) {
        for session in &page.value {
            if let Some(name) = &session.display_name {
                let clean = sctui::sanitize::sanitize_line(name);
                let _ = sctui::sanitize::truncate(&clean, 24);
            }
            let _ = session
                .last_modified_date_time
                .as_ref()
                .map(|t| t.instant());
        }
    }
    let _ = serde_json::from_slice::<Session>(data);
    let _ = serde_json::from_slice::<Page<Prompt>>(data);
    let _ = serde_json::from_slice::<Evaluation>(data);
    let _ = serde_json::from_slice::<Page<Evaluation>>(data);
    let _ = serde_json::from_slice::<Page<Workspace>>(data);
    for status in [401, 403, 429, 503] {
        let _ = ApiError::from_response(status, data, None).to_string();
    }
});
