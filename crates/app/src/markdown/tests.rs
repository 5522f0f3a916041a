use super::*;

/// The answer's lines as text, tables laid out at `width` (prose not wrapped).
fn text_at(answer: &Answer, width: usize) -> String {
    answer
        .lines(width, false, &Theme::dark())
        .iter()
        .map(plain)
        .collect::<Vec<_>>()
        .join("\n")
}

fn text(md: &str) -> String {
    text_at(&render(md, &Theme::dark()), 200)
}

fn lines(md: &str) -> Vec<MdLine> {
    render(md, &Theme::dark())
        .blocks
        .into_iter()
        .filter_map(|b| match b {
            Block::Line(l) => Some(l),
            Block::Table(_) => None,
        })
        .collect()
}

#[test]
fn renders_headings_lists_code_tables_and_links() {
    let md = "# Summary\n\nThe user **alice** clicked a [link](https://x.example/a).\n\n\
              1. Reset password\n2. Revoke sessions\n   - nested\n\n\
              ```kql\nSigninLogs\n| take 10\n```\n\n\
              | Device | Risk |\n|---|--:|\n| WKS-1 | High |\n| SRV-22 | Low |\n";
    let out = text(md);
    assert!(
        out.starts_with("# Summary\n\nThe user alice clicked a link[1]."),
        "{out}"
    );
    assert!(
        out.contains("1. Reset password\n2. Revoke sessions\n  • nested"),
        "{out}"
    );
    assert!(out.contains("  ┌ kql\n  SigninLogs\n  | take 10"), "{out}");
    assert!(
        out.contains("│ Device │ Risk │\n├────────┼──────┤\n│ WKS-1  │ High │\n│ SRV-22 │  Low │"),
        "{out}"
    );
    assert!(out.ends_with("Links\n[1] https://x.example/a"), "{out}");
}

#[test]
fn code_does_not_wrap_prose_does() {
    let md = "Some prose.\n\n```\ncode line\n```\n";
    let l = lines(md);
    assert!(l.iter().any(|l| plain(&l.line) == "Some prose." && l.wrap));
    assert!(
        l.iter()
            .any(|l| plain(&l.line).contains("code line") && !l.wrap)
    );
}

#[test]
fn bold_is_styled() {
    let l = lines("a **b** _c_");
    let b = l[0].line.spans.iter().find(|s| s.content == "b").unwrap();
    assert!(b.style.add_modifier.contains(Modifier::BOLD));
    let c = l[0].line.spans.iter().find(|s| s.content == "c").unwrap();
    assert!(c.style.add_modifier.contains(Modifier::ITALIC));
}

#[test]
fn six_heading_levels_are_told_apart() {
    let md = "# a\n\n## b\n\n### c\n\n#### d\n\n##### e\n\n###### f\n";
    let heads: Vec<(String, Style)> = lines(md)
        .into_iter()
        .filter(|l| !l.line.spans.is_empty())
        .map(|l| (plain(&l.line), l.line.spans.last().unwrap().style))
        .collect();
    assert_eq!(
        heads.iter().map(|h| h.0.as_str()).collect::<Vec<_>>(),
        ["# a", "## b", "### c", "#### d", "##### e", "###### f"]
    );
    for (i, a) in heads.iter().enumerate() {
        for b in &heads[i + 1..] {
            assert_ne!(a.1, b.1, "{} and {} look the same", a.0, b.0);
        }
    }
}

#[test]
fn callouts_are_labelled_without_their_marker() {
    for (marker, label) in [
        ("NOTE", "ℹ Note"),
        ("TIP", "✦ Tip"),
        ("IMPORTANT", "❢ Important"),
        ("WARNING", "⚠ Warning"),
        ("CAUTION", "⛔ Caution"),
    ] {
        let out = text(&format!("> [!{marker}]\n> Rotate the key.\n\nAfter."));
        assert_eq!(out, format!("▎ {label}\n▎ Rotate the key.\n\nAfter."));
    }
    // a plain quote keeps its bar
    assert_eq!(text("> quoted"), "│ quoted");
}

#[test]
fn task_lists_show_boxes() {
    let out = text("- [ ] revoke tokens\n- [x] disable the account\n- plain");
    assert_eq!(out, "☐ revoke tokens\n☑ disable the account\n• plain");
}

#[test]
fn footnotes_become_numbered_notes_at_the_end() {
    let md = "Seen twice[^seen] and once[^one].\n\n[^one]: The first.\n[^seen]: From the audit log.\n\nMore text.";
    let out = text(md);
    assert_eq!(
        out,
        "Seen twice¹ and once².\n\nMore text.\n\nNotes\n¹ From the audit log.\n² The first."
    );
}

#[test]
fn links_show_their_text_and_are_listed_once() {
    let md = "See [the docs](https://learn.example/kql), [again](https://learn.example/kql), \
              [a section](#where), [a file](../other.md) and <https://bare.example/>.";
    let answer = render(md, &Theme::dark());
    let out = text_at(&answer, 200);
    assert_eq!(
        out,
        "See the docs[1], again[1], a section, a file and https://bare.example/.\n\n\
         Links\n[1] https://learn.example/kql\n[2] https://bare.example/"
    );
    assert_eq!(
        answer.links,
        ["https://learn.example/kql", "https://bare.example/"]
    );
    // the link's text carries its number, for opening and terminal hyperlinks
    let Block::Line(first) = &answer.blocks[0] else {
        panic!()
    };
    let linked: Vec<(&str, Option<u16>)> = first
        .line
        .spans
        .iter()
        .zip(&first.links)
        .map(|(s, l)| (s.content.as_ref(), *l))
        .collect();
    assert!(linked.contains(&("the docs", Some(0))), "{linked:?}");
    assert!(
        linked.contains(&("https://bare.example/", Some(1))),
        "{linked:?}"
    );
}

#[test]
fn learn_directives_are_not_prose() {
    let md = "# where operator\n\n\
              > [!INCLUDE [applies](../includes/applies.md)] [!INCLUDE [fabric](../includes/fabric.md)]\n\n\
              Filters rows.\n\n\
              [!INCLUDE [syntax-conventions-note](../includes/syntax-conventions-note.md)]\n\n\
              :::moniker range=\"azure-data-explorer\"\n\
              > [!div class=\"nextstepaction\"]\n\
              > <a href=\"https://dataexplorer.example/q?query=H4sI\" target=\"_blank\">Run the query</a>\n\
              ::: moniker-end\n\n\
              :::image type=\"content\" source=\"media/x.png\" alt-text=\"Screenshot.\":::\n\n\
              ```kusto\n:::kept inside code\n```\n";
    let out = text(md);
    assert!(
        !out.contains(":::moniker") && !out.contains("INCLUDE"),
        "{out}"
    );
    assert!(!out.contains("[!div") && !out.contains("alt-text"), "{out}");
    assert!(out.contains("│ Run the query[1]"), "{out}");
    assert!(out.contains("  :::kept inside code"), "{out}");
    assert_eq!(code_blocks(md), [":::kept inside code\n"]);
}

#[test]
fn html_is_rendered_not_printed() {
    let md = "<p align=\"center\">\n  <img src=\"logo.svg\" alt=\"bat - a cat clone with wings\"><br>\n  \
              <a href=\"https://crates.io/crates/bat\"><img src=\"v.svg\" alt=\"Version info\"></a><br>\n  \
              A <i>cat(1)</i> clone with very\nactive <b>highlighting</b>.\n</p>\n\n\
              <!-- Links -->\n\n\
              <details>\n<summary>More options</summary>\n\n\
              Press <kbd>Ctrl</kbd>+<kbd>C</kbd> on the laptop,\nssh <code>host</code> x<sup>2</sup>.\n\n\
              </details>\n\n\
              <style>\n* { direction: rtl; }\n</style>\n\n\
              <custom-tag>kept text</custom-tag>\n";
    let out = text(md);
    for tag in [
        "<p", "</p>", "<br", "<img", "<a ", "</a>", "<!--", "<details", "<summary", "<kbd",
        "<style", "<custom",
    ] {
        assert!(!out.contains(tag), "{tag} printed:\n{out}");
    }
    assert!(!out.contains("direction: rtl"), "{out}");
    assert!(out.contains("[bat - a cat clone with wings]\n"), "{out}");
    assert!(out.contains("[Version info][1]\n"), "{out}");
    assert!(
        out.contains("A cat(1) clone with very active highlighting."),
        "{out}"
    );
    assert!(out.contains("▾ More options\n"), "{out}");
    assert!(
        out.contains("Press Ctrl+C on the laptop, ssh host x²."),
        "{out}"
    );
    assert!(out.contains("kept text"), "{out}");
    assert!(out.contains("[1] https://crates.io/crates/bat"), "{out}");
}

#[test]
fn br_in_a_cell_is_a_line_of_the_cell() {
    let md = "| Step | What |\n|---|---|\n| 1 | Revoke<br>then rotate<br/>keys |\n";
    let out = text(md);
    assert_eq!(
        out,
        "│ Step │ What        │\n├──────┼─────────────┤\n│ 1    │ Revoke      │\n│      │ then rotate │\n│      │ keys        │"
    );
}

#[test]
fn wide_tables_wrap_in_columns_then_become_records() {
    let md = "| Name | Description |\n|---|---|\n\
              | *Column* | The name for the result column. Defaults to a name derived from the expression. |\n\
              | *Aggregation* | A call to an aggregation function such as `count()` or `avg()`. |\n";
    let answer = render(md, &Theme::dark());
    let Block::Table(table) = &answer.blocks[0] else {
        panic!("a table")
    };
    assert_eq!(table.shape(200, false), Shape::Natural);
    assert_eq!(table.shape(40, false), Shape::Wrapped);
    assert_eq!(table.shape(40, true), Shape::Wide);
    assert_eq!(table.shape(24, false), Shape::Records);
    let wrapped = text_at(&answer, 40);
    for row in wrapped.lines() {
        assert!(drawn_width(row) <= 40, "{row}");
    }
    assert!(
        wrapped.contains("│ Column      │ The name for the       │"),
        "{wrapped}"
    );
    let records = text_at(&answer, 24);
    assert!(
        records.starts_with("Name: Column\nDescription:\n  The name for the\n  result column."),
        "{records}"
    );
    assert!(
        records.contains("\n────────────────────────\nName: Aggregation\n"),
        "{records}"
    );
    for text in [&wrapped, &records] {
        let words: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for word in ["derived", "expression.", "Aggregation", "`avg()`."] {
            assert!(words.contains(word), "{word} lost: {text}");
        }
    }
}

#[test]
fn a_kept_wide_table_freezes_its_first_column() {
    let md = "| Name | Description |\n|---|---|\n| *Column* | The name for the result column, long enough. |\n";
    let answer = render(md, &Theme::dark());
    let Block::Table(table) = &answer.blocks[0] else {
        panic!("a table")
    };
    let rows = table.lay_out(30, true, &Theme::dark());
    let wide = rows[0].wide.expect("wide");
    assert_eq!(usize::from(wide.frozen), drawn_width("│ Column │ "));
    assert!(wide.width > 30);
}

#[test]
fn short_columns_stay_whole_when_a_long_one_wraps() {
    let md = "| Property | Value |\n|---|---|\n| Display name | Jordan Mercer |\n\
              | Security Copilot role | Contributor, with the plugins of the default workspace and the promptbooks shared with the SOC |\n";
    let out = text_at(&render(md, &Theme::dark()), 62);
    assert!(
        out.contains("│ Display name          │ Jordan Mercer"),
        "{out}"
    );
    assert!(
        out.contains("│ Security Copilot role │ Contributor,"),
        "{out}"
    );
    for row in out.lines() {
        assert!(drawn_width(row) <= 62, "{row}");
    }
}
