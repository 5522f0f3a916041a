//! Real public documents served as answers: Microsoft Learn KQL and Sentinel pages, Microsoft's
//! Security Copilot workshop on prompting with Markdown, READMEs with HTML, CJK, Persian and
//! Hebrew text, task lists, footnotes and callouts. Asking the demo `document: NAME` answers
//! with one, so the reader can be tried (and is tested) on what people really read. Sources and
//! licences: `assets/documents/SOURCES.md`.

/// One document and the name a question asks for it by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Document {
    /// Asked for as `document: NAME`.
    pub name: &'static str,
    pub markdown: &'static str,
}

macro_rules! document {
    ($name:literal, $file:literal) => {
        Document {
            name: $name,
            markdown: include_str!(concat!("../assets/documents/", $file)),
        }
    };
}

/// Every document, in the order `SOURCES.md` lists them.
pub const DOCUMENTS: &[Document] = &[
    document!("summarize operator", "learn-kql-summarize-operator.md"),
    document!("sentinel common tasks", "learn-sentinel-common-tasks.md"),
    document!(
        "prompting with markdown",
        "security-copilot-markdown-prompting.md"
    ),
    document!("bat readme", "bat-readme.md"),
    document!("release checklist", "bat-release-checklist.md"),
    document!("mdbook markdown", "mdbook-markdown.md"),
    document!("dijkstra chinese", "dijkstra-zh-CN.md"),
    document!("dijkstra japanese", "dijkstra-ja-JP.md"),
    document!("dijkstra hebrew", "dijkstra-he-IL.md"),
    document!("algorithms persian", "javascript-algorithms-fa-IR.md"),
];

/// The keyword a question names a document by.
pub fn keyword(document: &Document) -> String {
    format!("document: {}", document.name)
}
