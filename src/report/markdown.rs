//! Markdown rendering of a [`Report`] for a team wiki: GitHub-flavoured Markdown with `#`
//! for the title, `##` for the numbered sections, `###` and `####` for their parts, and
//! GitHub tables.
//!
//! All report text is escaped, so an address, path, log line or name can never turn into
//! markup, HTML, a link or a list. Every character GitHub-flavoured Markdown reads as
//! syntax gets a backslash, and code-like values become code spans whose fence outgrows the
//! backticks inside. Control, bidirectional and zero-width characters are written as
//! `\u{XXXX}` ([`crate::text_escape`]), so they can neither reorder nor hide text.
//! Examiner entries are block quotes, so a reader sees at a glance what is still to be
//! completed. Charts, which Markdown cannot draw, become a sentence and a table of the
//! most-probed ports.

use std::fmt::Write as _;

use super::text::{format_ts, group_thousands, port_with_service};
use super::{Block, ExaminerEntry, Field, ProbeChart, Report, Section, SectionKind, Table, EXAMINER_PENDING};
use crate::text_escape::{is_invisible, push_escaped};

/// Renders the whole report.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", escape_inline(&report.title));
    let _ = writeln!(out, "- **Case:** {}", escape_inline(&report.case_name));
    if let Some(organisation) = &report.organisation {
        let _ = writeln!(out, "- **Organisation:** {}", escape_inline(organisation));
    }
    if let Some(label) = &report.classification {
        let _ = writeln!(out, "- **Classification:** {}", escape_inline(label));
    }
    if let Some(examiner) = &report.examiner {
        let _ = writeln!(out, "- **Examiner:** {}", escape_inline(examiner));
    }
    let _ = writeln!(out, "- **Review state:** {}", escape_inline(&report.review.label()));
    let _ = writeln!(out, "- **Revision:** {}", report.review.revision);
    let _ = writeln!(
        out,
        "- **Drafted:** {} by scancase {}\n",
        format_ts(report.generated_at_ns),
        escape_inline(&report.tool_version)
    );
    for (index, section) in report.sections.iter().enumerate() {
        render_numbered_section(&mut out, index, section);
    }
    out
}

/// Renders one section with its numbered heading.
pub fn render_section(report: &Report, kind: SectionKind) -> String {
    let mut out = String::new();
    if let Some((index, section)) = report.sections.iter().enumerate().find(|(_, section)| section.kind == kind) {
        render_numbered_section(&mut out, index, section);
    }
    out
}

/// Renders blocks without a heading.
pub fn render_blocks(blocks: &[Block]) -> String {
    let mut out = String::new();
    for block in blocks {
        render_block(&mut out, block);
    }
    out
}

fn render_numbered_section(out: &mut String, index: usize, section: &Section) {
    let _ = writeln!(out, "## {}. {}\n", index + 1, escape_inline(&section.title));
    if let Some(edit) = &section.edit {
        let by = edit.by.as_deref().map(|name| format!(" by {name}")).unwrap_or_default();
        let _ = writeln!(
            out,
            "*{}*\n",
            escape_inline(&format!("Text written{by} (examiner) on {}.", format_ts(edit.at_ns)))
        );
        if edit.conflict {
            let _ = writeln!(out, "> **{}**\n", escape_inline(&conflict_notice(section.kind)));
        }
    }
    for block in &section.blocks {
        render_block(out, block);
    }
}

/// Returns the warning printed on a section whose drafted text changed under the
/// examiner's edit.
pub fn conflict_notice(kind: SectionKind) -> String {
    format!(
        "Conflict: the drafted text of this section changed after the examiner wrote it (new evidence or a new \
         analysis). Compare with `scancase report show CASE --section {} --drafted`, then confirm the text with \
         `scancase report confirm CASE --section {}` or edit it again. The report cannot be approved until then.",
        kind.id(),
        kind.id()
    )
}

fn render_block(out: &mut String, block: &Block) {
    match block {
        Block::Subheading { level, text } => {
            let marks = if *level >= 2 { "####" } else { "###" };
            let _ = writeln!(out, "{marks} {}\n", escape_inline(text));
        }
        Block::Paragraph { text } => {
            for line in text.lines().filter(|line| !line.trim().is_empty()) {
                let _ = writeln!(out, "{}\n", escape_line_start(line.trim()));
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
                let _ = writeln!(out, "- {}", escape_line_start(&single_line(item)));
            }
            out.push('\n');
        }
        Block::ExaminerEntry(entry) => render_examiner_entry(out, entry),
        Block::Chart(chart) => render_chart(out, chart),
    }
}

fn render_chart(out: &mut String, chart: &ProbeChart) {
    let id = escape_inline(&chart.finding_id);
    let (Some(first), Some(last)) = (chart.timeline.first(), chart.timeline.last()) else {
        let _ = writeln!(out, "No probe data for {id} in this report, so no probe chart is drawn.\n");
        return;
    };
    let _ = writeln!(
        out,
        "Probe data of {id}: {} probes from {} to {}. The PDF draws them on a timeline \
         against the port; these are the most-probed ports:\n",
        group_thousands(chart.probes_total),
        format_ts(first.ts_ns),
        format_ts(last.ts_ns)
    );
    let _ = writeln!(out, "| Port | Probes |\n| --- | --- |");
    for entry in &chart.top_ports {
        let port = escape_inline(&port_with_service(&chart.protocol, entry.port));
        let _ = writeln!(out, "| {port} | {} |", group_thousands(entry.probes));
    }
    out.push('\n');
}

fn render_field(out: &mut String, field: &Field) {
    let label = escape_inline(&field.label);
    let lines: Vec<&str> = field.value.lines().filter(|line| !line.trim().is_empty()).collect();
    // A value on its own bullet line starts that line; a single value follows the label.
    let format_value = |text: &str, starts_line: bool| match (field.monospace, starts_line) {
        (true, _) => code_span(text),
        (false, true) => escape_line_start(text),
        (false, false) => escape_inline(text),
    };
    match lines.as_slice() {
        [] => {
            let _ = writeln!(out, "- **{label}:**");
        }
        [single] => {
            let _ = writeln!(out, "- **{label}:** {}", format_value(single.trim(), false));
        }
        many => {
            let _ = writeln!(out, "- **{label}:**");
            for line in many {
                let _ = writeln!(out, "  - {}", format_value(line.trim(), true));
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
            let _ = writeln!(out, "- **{label} (examiner):** {}\n", escape_inline(&single_line(value)));
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

/// Escapes characters that Markdown would read as markup. Line breaks and tabs become
/// spaces. Other control, format and separator characters are written as `\u{XXXX}` with
/// a backslash before it, so that Markdown renders the code as written.
///
/// Every ASCII punctuation character that starts a GitHub-flavoured Markdown construct gets
/// a backslash: emphasis, code, links and images, raw HTML and entities, tables, headings,
/// strikethrough and math, and so do the `://` and `www.` that GitHub turns into links.
/// Use [`escape_line_start`] for text that begins a line.
pub fn escape_inline(text: &str) -> String {
    escape_text(text, false)
}

/// Escapes like [`escape_inline`], and also a leading `-`, `+`, `=` or `1.`, which would
/// start a list, a thematic break or a heading at the start of a line.
pub fn escape_line_start(text: &str) -> String {
    escape_text(text, true)
}

fn escape_text(text: &str, at_line_start: bool) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    let list_marker_end = if at_line_start { ordered_list_marker_end(&chars) } else { None };
    for (index, &ch) in chars.iter().enumerate() {
        match ch {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '~' | '&' | '$' => {
                out.push('\\');
                out.push(ch);
            }
            '-' | '+' | '=' if index == 0 && at_line_start => {
                out.push('\\');
                out.push(ch);
            }
            '.' | ')' if Some(index) == list_marker_end => {
                out.push('\\');
                out.push(ch);
            }
            // NOTE: that a backslash here stops GitHub's extended autolinks is read from the
            // GFM spec, not checked against github.com; emoji codes such as `:x:` stay as is.
            ':' if chars.get(index + 1..index + 3) == Some(&['/', '/'][..]) => {
                out.push('\\');
                out.push(ch);
            }
            '.' if index >= 3 && is_www_prefix(&chars[..index]) => {
                out.push('\\');
                out.push(ch);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            ch if is_invisible(ch) => {
                out.push('\\');
                push_escaped(&mut out, ch);
            }
            _ => out.push(ch),
        }
    }
    out
}

/// Returns the position of the `.` or `)` in a leading `12. ` or `3) ` (an ordered list
/// marker: digits, the delimiter, then a space, a tab or the end of the text).
fn ordered_list_marker_end(chars: &[char]) -> Option<usize> {
    let digits = chars.iter().take_while(|ch| ch.is_ascii_digit()).count();
    let delimiter = matches!(chars.get(digits), Some('.' | ')'));
    let followed_by_space = matches!(chars.get(digits + 1), None | Some(' ' | '\t'));
    (digits > 0 && delimiter && followed_by_space).then_some(digits)
}

/// Returns true when `before` ends with a `www` that starts a word.
fn is_www_prefix(before: &[char]) -> bool {
    let tail: String = before[before.len() - 3..].iter().collect();
    let starts_word = before.len() == 3 || !before[before.len() - 4].is_alphanumeric();
    tail.eq_ignore_ascii_case("www") && starts_word
}

/// Wraps text in a code span whose backtick fence is longer than any backtick run inside.
/// Line breaks and tabs become spaces. Other control, format and separator characters become
/// `\u{XXXX}`, which a code span shows as written.
fn code_span(text: &str) -> String {
    let mut visible = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '\n' | '\r' | '\t' => visible.push(' '),
            ch if is_invisible(ch) => push_escaped(&mut visible, ch),
            ch => visible.push(ch),
        }
    }
    let text = visible;
    if text.is_empty() {
        return String::new();
    }
    let mut longest_run = 0;
    let mut run = 0;
    for ch in text.chars() {
        run = if ch == '`' { run + 1 } else { 0 };
        longest_run = longest_run.max(run);
    }
    let fence = "`".repeat(longest_run + 1);
    // A space on both sides is stripped by the parser, so it is added when the content
    // starts or ends with a backtick or starts and ends with a space.
    let needs_pad = text.starts_with('`') || text.ends_with('`') || (text.starts_with(' ') && text.ends_with(' '));
    let pad = if needs_pad { " " } else { "" };
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
