//! Copying with OSC 52: the terminal itself sets the clipboard, so it works over SSH and inside
//! tmux (with `set -g set-clipboard on`, tmux's default for outer terminals that allow it).

use base64::Engine;

/// The escape sequence that asks the terminal to put `text` on the clipboard. Inside tmux the
/// sequence is wrapped in a DCS passthrough so it reaches the outer terminal too.
pub fn osc52(text: &str, in_tmux: bool) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(text);
    let sequence = format!("\x1b]52;c;{encoded}\x07");
    if in_tmux {
        format!("\x1bPtmux;\x1b{sequence}\x1b\\")
    } else {
        sequence
    }
}

/// Writes the OSC 52 sequence for `text` to the terminal.
pub fn copy(out: &mut impl std::io::Write, text: &str) -> std::io::Result<()> {
    let in_tmux = std::env::var_os("TMUX").is_some();
    out.write_all(osc52(text, in_tmux).as_bytes())?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_bytes() {
        assert_eq!(osc52("abc", false), "\x1b]52;c;YWJj\x07");
        assert_eq!(osc52("abc", true), "\x1bPtmux;\x1b\x1b]52;c;YWJj\x07\x1b\\");
    }
}
