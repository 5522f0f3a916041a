//! Huge answers, for the tests that search them (shared by the store's tests and the CLI's).

/// `bytes` of text in which every other word is `beacon`.
pub fn repetitive(bytes: usize) -> String {
    let mut text = String::with_capacity(bytes + 16);
    let mut n = 0;
    while text.len() < bytes {
        text.push_str(if n % 2 == 0 { "beacon " } else { "process\n" });
        n += 1;
    }
    text
}
