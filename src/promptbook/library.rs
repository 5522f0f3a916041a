//! The promptbook library: the `.json` files in the config folder's `promptbooks/`, any files
//! or folders named on the command line, and with `--demo` the books written for the demo's data
//! (built into the binary). A book is picked by its path, its name or its file name.

use std::path::{Path, PathBuf};

use super::{Book, FormatError};

/// The demo's books, built in: (file name, contents).
const DEMO_BOOKS: &[(&str, &str)] = &[
    (
        "oauth-consent-investigation.json",
        include_str!("../../assets/promptbooks/oauth-consent-investigation.json"),
    ),
    (
        "sign-in-triage.json",
        include_str!("../../assets/promptbooks/sign-in-triage.json"),
    ),
    (
        "capacity-drill.json",
        include_str!("../../assets/promptbooks/capacity-drill.json"),
    ),
];

/// Where a book came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    File(PathBuf),
    /// One of the demo's books, by file name.
    Demo(&'static str),
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::File(path) => write!(f, "{}", path.display()),
            Self::Demo(name) => write!(f, "(demo) {name}"),
        }
    }
}

/// A book and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub book: Book,
    pub origin: Origin,
}

/// Why a book could not be had.
#[derive(Debug, thiserror::Error)]
pub enum BookError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {source}", path.display())]
    Format { path: PathBuf, source: FormatError },
    #[error("no promptbook {name:?}: not a file, and no book in the library has that name or file name{}", .dir.as_ref().map(|d| format!(" (the library is {})", d.display())).unwrap_or_default())]
    NotFound { name: String, dir: Option<PathBuf> },
    #[error("{count} promptbooks are named {name:?}: give the file's path instead ({files})")]
    Ambiguous {
        name: String,
        count: usize,
        files: String,
    },
}

/// The books found, and the files that could not be read (shown as warnings, never fatal).
#[derive(Debug, Default)]
pub struct Library {
    /// The config folder's `promptbooks/`.
    pub dir: Option<PathBuf>,
    pub entries: Vec<Entry>,
    pub unreadable: Vec<BookError>,
}

/// The library folder for a config file at `config_file` (or the default config location).
pub fn dir_for(config_file: Option<&Path>) -> Option<PathBuf> {
    let config = match config_file {
        Some(path) => Some(path.to_path_buf()),
        None => crate::config::default_config_path(),
    }?;
    Some(config.parent()?.join("promptbooks"))
}

/// Reads one book file.
pub fn read_file(path: &Path) -> Result<Book, BookError> {
    let bytes = std::fs::read(path).map_err(|source| BookError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    Book::from_bytes(&bytes).map_err(|source| BookError::Format {
        path: path.to_path_buf(),
        source,
    })
}

impl Library {
    /// The books in `dir` (when it exists), in `extra` (files, or folders of `.json` files), and
    /// with `demo` the demo's own; each group sorted by file name.
    pub fn load(dir: Option<PathBuf>, extra: &[PathBuf], demo: bool) -> Self {
        let mut library = Library {
            dir: dir.clone(),
            ..Library::default()
        };
        let add_folder = |library: &mut Library, folder: &Path| {
            let Ok(read) = std::fs::read_dir(folder) else {
                return;
            };
            let mut files: Vec<PathBuf> = read
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.is_file()
                        && p.extension()
                            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
                })
                .collect();
            files.sort();
            for file in files {
                library.add_file(&file);
            }
        };
        if let Some(dir) = &dir {
            add_folder(&mut library, dir);
        }
        for path in extra {
            if path.is_dir() {
                add_folder(&mut library, path);
            } else {
                library.add_file(path);
            }
        }
        if demo {
            for (name, text) in DEMO_BOOKS {
                match Book::from_bytes(text.as_bytes()) {
                    Ok(book) => library.entries.push(Entry {
                        book,
                        origin: Origin::Demo(name),
                    }),
                    Err(source) => library.unreadable.push(BookError::Format {
                        path: PathBuf::from(name),
                        source,
                    }),
                }
            }
        }
        library
    }

    fn add_file(&mut self, path: &Path) {
        match read_file(path) {
            Ok(book) => self.entries.push(Entry {
                book,
                origin: Origin::File(path.to_path_buf()),
            }),
            Err(e) => self.unreadable.push(e),
        }
    }

    /// The book `wanted` names: a file path, else a library book whose name (exactly, then
    /// ignoring case) or file name (with or without `.json`) it is.
    pub fn resolve(&self, wanted: &str) -> Result<Entry, BookError> {
        let path = Path::new(wanted);
        if path.is_file() {
            return Ok(Entry {
                book: read_file(path)?,
                origin: Origin::File(path.to_path_buf()),
            });
        }
        let file_name = |origin: &Origin| -> String {
            match origin {
                Origin::File(p) => p
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                Origin::Demo(name) => name.to_string(),
            }
        };
        let rules: [&dyn Fn(&Entry) -> bool; 3] = [
            &|e| e.book.name == wanted,
            &|e| e.book.name.eq_ignore_ascii_case(wanted),
            &|e| {
                let file = file_name(&e.origin);
                file == wanted || file.strip_suffix(".json") == Some(wanted)
            },
        ];
        for rule in rules {
            let found: Vec<&Entry> = self.entries.iter().filter(|e| rule(e)).collect();
            match found.as_slice() {
                [] => continue,
                [one] => return Ok((*one).clone()),
                many => {
                    return Err(BookError::Ambiguous {
                        name: wanted.to_string(),
                        count: many.len(),
                        files: many
                            .iter()
                            .map(|e| e.origin.to_string())
                            .collect::<Vec<_>>()
                            .join(", "),
                    });
                }
            }
        }
        Err(BookError::NotFound {
            name: wanted.to_string(),
            dir: self.dir.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_books_read_and_lint_clean() {
        let library = Library::load(None, &[], true);
        assert!(library.unreadable.is_empty(), "{:?}", library.unreadable);
        assert_eq!(library.entries.len(), DEMO_BOOKS.len());
        for entry in &library.entries {
            let problems = super::super::lint::lint(&entry.book);
            assert!(problems.is_empty(), "{}: {problems:?}", entry.origin);
        }
        let found = library.resolve("sign-in triage").unwrap();
        assert_eq!(found.book.name, "Sign-in triage");
        assert_eq!(
            library.resolve("capacity-drill").unwrap().book.name,
            "Capacity drill"
        );
        assert!(matches!(
            library.resolve("nothing like it"),
            Err(BookError::NotFound { .. })
        ));
        assert!(Library::load(None, &[], false).entries.is_empty());
    }

    #[test]
    fn folders_list_json_files_and_keep_unreadable_ones_apart() {
        let dir = tempfile::tempdir().unwrap();
        let book = r#"{"name":"A","prompts":[{"content":"hi"}]}"#;
        std::fs::write(dir.path().join("a.json"), book).unwrap();
        std::fs::write(dir.path().join("b.JSON"), book.replace("\"A\"", "\"a\"")).unwrap();
        std::fs::write(dir.path().join("broken.json"), "{").unwrap();
        std::fs::write(dir.path().join("notes.txt"), "x").unwrap();
        let library = Library::load(Some(dir.path().to_path_buf()), &[], false);
        assert_eq!(library.entries.len(), 2);
        assert_eq!(library.unreadable.len(), 1);
        assert!(library.unreadable[0].to_string().contains("broken.json"));
        // exact name first, then the case-blind match finds two
        assert_eq!(library.resolve("A").unwrap().book.name, "A");
        assert_eq!(library.resolve("a").unwrap().book.name, "a");
        assert_eq!(library.resolve("b.JSON").unwrap().book.name, "a");
        std::fs::write(dir.path().join("c.json"), book).unwrap();
        let twice = Library::load(Some(dir.path().to_path_buf()), &[], false);
        assert!(matches!(
            twice.resolve("A"),
            Err(BookError::Ambiguous { count: 2, .. })
        ));
        let path = dir.path().join("a.json");
        assert_eq!(
            library.resolve(path.to_str().unwrap()).unwrap().origin,
            Origin::File(path)
        );
        assert_eq!(
            dir_for(Some(Path::new("/x/sctui/config.toml"))),
            Some(PathBuf::from("/x/sctui/promptbooks"))
        );
    }
}
