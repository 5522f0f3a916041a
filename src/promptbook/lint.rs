//! Checking a book before it runs. Errors make a book not runnable as written (a prompt would
//! go out with an unfilled `<input>`, an empty question, a step Graph cannot run); warnings are
//! what the service refuses on import but a run through Graph does not mind.

use std::fmt;

use super::{Book, references};

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Severity {
    /// The book does not run as written.
    Error,
    /// The book runs, but the service would refuse to import it, or something looks unintended.
    Warning,
}

/// Where in a book a problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// The book as a whole (its name, description or list of prompts).
    Book,
    /// A step, 1-based in run order.
    Step(usize),
    /// A declared input, by name.
    Input(String),
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Book => f.write_str("book"),
            Self::Step(n) => write!(f, "step {n}"),
            Self::Input(name) => write!(f, "input <{name}>"),
        }
    }
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub severity: Severity,
    pub place: Place,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{}: {severity}: {}", self.place, self.message)
    }
}

impl serde::Serialize for Problem {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = s.serialize_struct("Problem", 4)?;
        out.serialize_field("severity", &self.severity)?;
        match &self.place {
            Place::Book => out.serialize_field("place", "book")?,
            Place::Step(n) => out.serialize_field("step", n)?,
            Place::Input(name) => out.serialize_field("input", name)?,
        }
        out.serialize_field("message", &self.message)?;
        out.end()
    }
}

/// Every problem of `book`, errors first, each group in the book's order.
pub fn lint(book: &Book) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut add = |severity, place, message: String| {
        problems.push(Problem {
            severity,
            place,
            message,
        })
    };
    use Severity::{Error, Warning};
    if book.name.trim().is_empty() {
        add(Error, Place::Book, "the book has no name".into());
    }
    if book.prompts.is_empty() {
        add(Error, Place::Book, "the book has no prompts".into());
    }
    if book
        .description()
        .is_some_and(|d| !d.is_empty() && d.trim() == book.name.trim())
    {
        add(
            Warning,
            Place::Book,
            "the description equals the name (the service refuses to import that)".into(),
        );
    }
    let declared = book.inputs();
    for (n, (_, prompt)) in book.steps().into_iter().enumerate() {
        let place = || Place::Step(n + 1);
        if !prompt.is_runnable() {
            add(
                Error,
                place(),
                format!(
                    "a {} step cannot run through Graph (only Prompt steps can)",
                    prompt.kind()
                ),
            );
        }
        if prompt.text().trim().is_empty() {
            add(Error, place(), "the prompt is empty".into());
        }
        for name in references(prompt.text()) {
            if !declared.iter().any(|d| d.name == name) {
                let hint = match declared.iter().find(|d| d.name.eq_ignore_ascii_case(name)) {
                    Some(d) => format!(" (names are case-sensitive: <{}> is declared)", d.name),
                    None => String::new(),
                };
                add(
                    Error,
                    place(),
                    format!("input <{name}> is used but not declared{hint}"),
                );
            }
        }
    }
    for (i, input) in declared.iter().enumerate() {
        let place = || Place::Input(input.name.clone());
        if input.name.trim().is_empty() {
            add(Error, place(), "an input has no name".into());
            continue;
        }
        if input.name.chars().any(char::is_whitespace) {
            add(
                Error,
                place(),
                "the name has spaces (a prompt cannot refer to it: use <name_without_spaces>)"
                    .into(),
            );
        }
        if declared[..i].iter().any(|d| d.name == input.name) {
            add(Warning, place(), "declared twice".into());
        } else if !book
            .prompts
            .iter()
            .any(|p| references(p.text()).contains(&input.name.as_str()))
        {
            add(
                Warning,
                place(),
                "declared but not used by any prompt".into(),
            );
        }
        let description = input.description.as_ref().and_then(|d| d.as_deref());
        if description.is_some_and(|d| d.trim() == input.name.trim()) {
            add(
                Warning,
                place(),
                "the description equals the name (the service refuses to import that)".into(),
            );
        }
    }
    let numbers: Vec<i64> = book.prompts.iter().filter_map(|p| p.sequence()).collect();
    if !numbers.is_empty() && numbers.len() < book.prompts.len() {
        add(
            Warning,
            Place::Book,
            "some prompts have a sequenceNumber and some do not: they run in the file's order"
                .into(),
        );
    }
    let mut sorted = numbers.clone();
    sorted.sort_unstable();
    sorted.dedup();
    if sorted.len() < numbers.len() {
        add(
            Warning,
            Place::Book,
            "two prompts have the same sequenceNumber: they run in the file's order between them"
                .into(),
        );
    }
    problems.sort_by_key(|p| p.severity);
    problems
}

/// Whether a book with these problems runs.
pub fn is_runnable(problems: &[Problem]) -> bool {
    problems.iter().all(|p| p.severity != Severity::Error)
}
