//! Markdown rendering of a [`Report`] for a team wiki: GitHub-flavoured Markdown with `#`
//! for the title, `##` for the numbered sections, `###` and `####` for their parts, and
//! GitHub tables.
//!
//! All report text is escaped, so an address, path or excerpt can never turn into markup;
//! code-like values become code spans. Examiner entries are block quotes, so a reader sees
//! at a glance what is still to be completed.

use std::fmt::Write as _;

use super::text::format_ts;
use super::{Block, ExaminerEntry, Field, Report, Table, EXAMINER_PENDING};

/// Renders the whole report.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", escape_inline(&report.title));
    let _ = writeln!(out, "- **Case:** {}", escape_inline(&report.case_name));
    if let Some(examiner) = &report.examiner {
        let _ = writeln!(out, "- **Examiner:** {}", escape_inline(examiner));
    }
    let _ = writeln!(
        out,
        "- **Drafted:** {} by scancase {}\n",
        format_ts(report.generated_at_ns),
        escape_inline(&report.tool_version)
    );
    for (index, section) in report.sections.iter().enumerate() {
        let _ = writeln!(out, "## {}. {}\n", index + 1, escape_inline(&section.title));
        for block in &section.blocks {
            render_block(&mut out, block);
        }
    }
    out
}

fn render_block(out: &mut String, block: &Block) {
    match block {
        Block::Subheading { level, text } => {
            let marks = if *level >= 2 { "####" } else { "###" };
            let _ = writeln!(out, "{marks} {}\n", escape_inline(text));
        }
        Block::Paragraph { text } => {
            for line in text.lines().filter(|line| !line.trim().is_empty()) {
                let _ = writeln!(out, "{}\n", escape_inline(line.trim()));
            }
        }
        Block::Fields { fields } => {
            for field in fields {
                render_field(out, field);
            }
            out.push('\n');
        }
        Block::Table(table) => render_table(out, table),
        Block::List { items } => {
            for item in items {
                let _ = writeln!(out, "- {}", escape_inline(&single_line(item)));
            }
            out.push('\n');
        }
        Block::ExaminerEntry(entry) => render_examiner_entry(out, entry),
    }
}

fn render_field(out: &mut String, field: &Field) {
    let label = escape_inline(&field.label);
    let lines: Vec<&str> = field.value.lines().filter(|line| !line.trim().is_empty()).collect();
    let format_value = |text: &str| {
        if field.monospace {
            code_span(text)
        } else {
            escape_inline(text)
        }
    };
    match lines.as_slice() {
        [] => {
            let _ = writeln!(out, "- **{label}:**");
        }
        [single] => {
            let _ = writeln!(out, "- **{label}:** {}", format_value(single.trim()));
        }
        many => {
            let _ = writeln!(out, "- **{label}:**");
            for line in many {
                let _ = writeln!(out, "  - {}", format_value(line.trim()));
            }
        }
    }
}

fn render_table(out: &mut String, table: &Table) {
    if table.columns.is_empty() {
        return;
    }
    let header: Vec<String> = table.columns.iter().map(|c| table_cell(&c.title, false)).collect();
    let _ = writeln!(out, "| {} |", header.join(" | "));
    let rule: Vec<&str> = table.columns.iter().map(|_| "---").collect();
    let _ = writeln!(out, "| {} |", rule.join(" | "));
    for row in &table.rows {
        let cells: Vec<String> = table
            .columns
            .iter()
            .enumerate()
            .map(|(i, column)| table_cell(row.get(i).map_or("", String::as_str), column.monospace))
            .collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    out.push('\n');
}

/// Formats one table cell: lines joined with `<br>`, `|` escaped even inside code spans
/// (GitHub splits cells before it parses code spans).
fn table_cell(text: &str, monospace: bool) -> String {
    let lines: Vec<String> = text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| if monospace { code_span(line.trim()).replace('|', "\\|") } else { escape_inline(line.trim()) })
        .collect();
    lines.join("<br>")
}

fn render_examiner_entry(out: &mut String, entry: &ExaminerEntry) {
    let label = escape_inline(&entry.label);
    match entry.value.as_deref().map(str::trim).filter(|value| !value.is_empty()) {
        Some(value) => {
            let _ = writeln!(out, "- **{label}:** {}\n", escape_inline(&single_line(value)));
        }
        None => {
            let _ = writeln!(out, "> **{label}:** {}", escape_inline(EXAMINER_PENDING));
            if !entry.guidance.trim().is_empty() {
                let _ = writeln!(out, "> *{}*", escape_inline(&single_line(&entry.guidance)));
            }
            out.push('\n');
        }
    }
}

/// Joins the lines of a text with spaces.
fn single_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Escapes characters that Markdown would read as markup. Line breaks become spaces.
fn escape_inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '~' => {
                out.push('\\');
                out.push(ch);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            _ => out.push(ch),
        }
    }
    out
}

/// Wraps text in a code span whose backtick fence is longer than any backtick run inside.
fn code_span(text: &str) -> String {
    let text = text.replace(['\n', '\r'], " ");
    let mut longest_run = 0;
    let mut run = 0;
    for ch in text.chars() {
        run = if ch == '`' { run + 1 } else { 0 };
        longest_run = longest_run.max(run);
    }
    let fence = "`".repeat(longest_run + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') { " " } else { "" };
    format!("{fence}{pad}{text}{pad}{fence}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_inline_neutralises_markup() {
        assert_eq!(escape_inline("a|b"), "a\\|b");
        assert_eq!(escape_inline("[Name]"), "\\[Name\\]");
        assert_eq!(escape_inline("tcp_syn *x*"), "tcp\\_syn \\*x\\*");
    }

    #[test]
    fn code_span_fence_outgrows_backticks() {
        assert_eq!(code_span("abc"), "`abc`");
        assert_eq!(code_span("a`b"), "``a`b``");
        assert_eq!(code_span("`x"), "`` `x ``");
    }

    #[test]
    fn table_cell_escapes_pipe_in_code() {
        assert_eq!(table_cell("a|b", true), "`a\\|b`");
        assert_eq!(table_cell("one\ntwo", false), "one<br>two");
    }
}
