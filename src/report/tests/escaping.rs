//! Escaping of evidence text in the Markdown rendering: hostile case names, examiner names,
//! log excerpts, rule names, paths and parameter names must render literally in
//! GitHub-flavoured Markdown, in running text, in table cells and in code spans.

use super::*;

const HOSTILE_CASE: &str =
    "Case | *bold* _it_ `tick` <script>alert(1)</script> [link](http://evil.example) ![img](x) &amp; $x$ ~~s~~ www.evil.example";

/// Builds a report whose every evidence-derived field contains markup.
fn hostile_markdown() -> String {
    let mut finding = scan_finding();
    finding.citations[0].excerpt = "IN=eth0 `` ` | <b>x</b> |` [a](b) **s**".to_string();
    finding.explanation = "---\n- item\n1. one".to_string();
    let mut input = input_with(vec![finding]);
    input.case.name = HOSTILE_CASE.to_string();
    input.case.examiner = Some("- list\n1. item".to_string());
    input.evidence[0].path = "/tmp/a|b`c<d>.pcapng".to_string();
    input.evidence[0].summary.anomalies[0].message =
        "rule DROP|<img src=x onerror=alert(1)> # not a heading".to_string();
    if let Some(run) = input.analysis.as_mut() {
        run.parameters.insert("min_ports|x".to_string(), "`5`".to_string());
    }
    to_markdown(&draft(&input))
}

/// Counts the `|` of a table line that are not escaped with a backslash.
fn unescaped_pipes(line: &str) -> usize {
    let chars: Vec<char> = line.chars().collect();
    (0..chars.len()).filter(|&i| chars[i] == '|' && (i == 0 || chars[i - 1] != '\\')).count()
}

#[test]
fn hostile_text_has_no_raw_html() {
    let markdown = hostile_markdown();
    for tag in ["<script", "<img", "</script"] {
        let raw = markdown.match_indices(tag).filter(|(at, _)| !markdown[..*at].ends_with('\\')).count();
        assert_eq!(raw, 0, "unescaped {tag}");
    }
    assert!(markdown.contains("\\<script\\>alert(1)\\</script\\>"));
    assert!(markdown.contains("\\<img src=x onerror=alert(1)\\>"));
}

#[test]
fn hostile_links_and_emphasis_escaped() {
    let markdown = hostile_markdown();
    assert!(!markdown.contains("[link](http"), "link survived");
    assert!(markdown.contains("\\[link\\](http\\://evil.example)"));
    assert!(markdown.contains("!\\[img\\](x)"));
    assert!(markdown.contains("\\*bold\\* \\_it\\_ \\`tick\\`"));
    assert!(markdown.contains("\\&amp; \\$x\\$ \\~\\~s\\~\\~ www\\.evil.example"));
}

#[test]
fn hostile_lines_start_no_block() {
    let markdown = hostile_markdown();
    assert!(markdown.contains("- **Examiner:** - list 1. item"));
    for line in ["\n\\---\n", "\n\\- item\n", "\n1\\. one\n"] {
        assert!(markdown.contains(line), "paragraph line {line:?} not escaped");
    }
    let headings = markdown.lines().filter(|line| line.starts_with('#')).count();
    let expected = markdown.lines().filter(|line| line.starts_with("# ") || line.starts_with("##")).count();
    assert_eq!(headings, expected);
    assert_eq!(markdown.lines().filter(|line| line.starts_with("## ")).count(), 8);
    assert!(!markdown.lines().any(|line| line.starts_with("# not a heading")));
}

#[test]
fn table_rows_keep_column_count() {
    let markdown = hostile_markdown();
    let mut tables = 0;
    let mut columns = 0;
    for line in markdown.lines() {
        if !line.starts_with('|') {
            columns = 0;
            continue;
        }
        let pipes = unescaped_pipes(line);
        if columns == 0 {
            columns = pipes;
            tables += 1;
        }
        assert_eq!(pipes, columns, "row splits into extra cells: {line}");
    }
    assert!(tables >= 5, "expected the drafted tables, found {tables}");
    assert!(markdown.contains("| `min_ports\\|x` | ```5``` |") || markdown.contains("| `min_ports\\|x` | `` `5` `` |"));
}

#[test]
fn code_span_fences_outgrow_excerpt() {
    let markdown = hostile_markdown();
    let row = markdown.lines().find(|line| line.contains("IN=eth0")).expect("excerpt row");
    assert!(row.contains("```IN=eth0 `` ` \\| <b>x</b> \\|` [a](b) **s**```"), "row: {row}");
}

#[test]
fn escape_inline_table_of_cases() {
    use crate::report::markdown::{escape_inline, escape_line_start};
    let line_starts = [
        ("1. first", "1\\. first"),
        ("12) twelfth", "12\\) twelfth"),
        ("+ plus", "\\+ plus"),
        ("=== setext", "\\=== setext"),
        ("- item", "\\- item"),
        ("7.", "7\\."),
    ];
    for (input, expected) in line_starts {
        assert_eq!(escape_line_start(input), expected, "line start {input:?}");
        assert_eq!(escape_inline(input), input, "mid-line {input:?}");
    }
    let cases = [
        ("plain text 10.0.0.1", "plain text 10.0.0.1"),
        ("a-b", "a-b"),
        ("10.200.0.10 sent", "10.200.0.10 sent"),
        ("see https://x.example", "see https\\://x.example"),
        ("awww.b", "awww.b"),
        ("bell\u{7}char", "bell\\\\u{7}char"),
        ("\u{202E}fdp.exe", "\\\\u{202E}fdp.exe"),
        ("line\nbreak", "line break"),
    ];
    for (input, expected) in cases {
        assert_eq!(escape_inline(input), expected, "input {input:?}");
    }
}
