//! Signing in with a device code: the popup, its keys, and what the worker says of the sign-in.

use super::list::start_load;
use super::{copy, info, problem_status, warning};
use crate::advice::Problem;
use crate::input::KeyEvent;
use crate::keys::{Action, KeyMode};
use crate::output::{Effect, Output};
use crate::protocol::{Command, SignInError};
use crate::requests::Pending;
use crate::sanitize::CleanLine;
use crate::state::{Mode, SignInPopup, State};

/// Opens the sign-in popup and asks the worker for a device code (a sign-in already on its way
/// is dropped).
pub(super) fn start_sign_in(state: &mut State) -> Output {
    state.mode = Mode::SigningIn(SignInPopup::default());
    state
        .requests
        .finish_where(|p| matches!(p, Pending::SignIn));
    let req = state.requests.start(Pending::SignIn);
    Command::StartSignIn { req }.into()
}

pub(super) fn on_sign_in_key(state: &mut State, key: KeyEvent) -> Output {
    let Mode::SigningIn(popup) = &state.mode else {
        return Output::none();
    };
    match state.settings.keymap.action_in(KeyMode::SignIn, &key) {
        Some(Action::CopyCode) => match &popup.user_code {
            Some(_) if popup.code_tampered => Output::from(warning(
                "Not copied: the sign-in code holds control or invisible characters",
            )),
            Some(code) => copy(code.to_string(), "the sign-in code"),
            None => Output::none(),
        },
        Some(Action::SignInRetry) if popup.error.is_some() => start_sign_in(state),
        Some(Action::SignInCancel) => {
            let waiting = popup.error.is_none();
            state.mode = Mode::Browsing;
            let keys = &state.settings.keymap;
            let sign_in = keys.press(Action::Refresh, "sign in");
            let quit = keys
                .hint_key(Action::Quit)
                .map(|key| format!(", {key} to quit"))
                .unwrap_or_default();
            let not_signed_in = warning(format!("Not signed in{sign_in}{quit}"));
            if !waiting {
                return not_signed_in.into();
            }
            state
                .requests
                .finish_where(|p| matches!(p, Pending::SignIn));
            Output::from(Command::CancelSignIn).saying(not_signed_in)
        }
        Some(Action::SignInQuit) => {
            let mut out = Output::from(Command::CancelSignIn);
            out.effect(Effect::Quit);
            out
        }
        _ => Output::none(),
    }
}

/// The service gave the code to enter, and where.
pub(super) fn on_sign_in_prompt(
    state: &mut State,
    verification_uri: String,
    user_code: String,
    message: String,
) -> Output {
    if let Mode::SigningIn(popup) = &mut state.mode {
        popup.code_tampered = user_code.chars().any(crate::sanitize::is_hazard);
        popup.verification_uri = Some(CleanLine::new(verification_uri));
        popup.user_code = Some(CleanLine::new(user_code));
        popup.message = Some(CleanLine::new(message));
    }
    Output::none()
}

/// Signed in: the popup closes and the list loads.
pub(super) fn on_signed_in(state: &mut State, who: Option<String>) -> Output {
    state.who = CleanLine::new(who.unwrap_or_else(|| "signed in".to_string()));
    state.signed_in = true;
    if matches!(state.mode, Mode::SigningIn(_)) {
        state.mode = Mode::Browsing;
    }
    let mut out = Output::from(info(format!("Signed in as {}", state.who)));
    out.merge(start_load(state));
    out
}

/// The sign-in failed: the popup says why (the status line does when the popup is closed).
pub(super) fn on_sign_in_failed(state: &mut State, error: &SignInError) -> Output {
    let problem = match error {
        SignInError::Unavailable => Problem::other(&error.to_string()),
        SignInError::Auth(e) => Problem::sign_in(e.clone()),
    };
    if let Mode::SigningIn(popup) = &mut state.mode {
        popup.error = Some(problem);
        return Output::none();
    }
    problem_status(&problem).into()
}
