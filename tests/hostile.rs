//! Hostile text in evidence and case fields: HTML and script tags, Markdown syntax, terminal
//! escape sequences, bidirectional overrides, zero-width characters and a 10 000-character
//! token, placed in firewall log prefixes, file names and case fields.
//!
//! Each must be shown literally and harmlessly wherever it reaches output: the terminal
//! (import summary, errors, `inspect`, `findings`), the Markdown and PDF reports and the JSON
//! outputs. Control, bidirectional and zero-width characters must appear as `\u{XXXX}` codes
//! in terminal and report text, and unchanged in JSON.

use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::cargo::cargo_bin_cmd;
use serde_json::Value;

fn scancase() -> assert_cmd::Command {
    let mut command = cargo_bin_cmd!("scancase");
    command.env("NO_COLOR", "1");
    command
}

fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout_of(output: &std::process::Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

/// Returns a token of 10 000 characters without a space.
fn long_token() -> String {
    "X".repeat(10_000)
}

/// Hostile texts placed in log prefixes, each with the escaped form a terminal or report
/// must show (`None` when the text needs no escape there).
fn hostile_texts() -> Vec<(String, Option<&'static str>)> {
    vec![
        ("<script>alert(1)</script>".to_string(), None),
        ("<img src=x onerror=alert(2)>".to_string(), None),
        ("[link](http://example.com/x)".to_string(), None),
        ("`code` ``double``".to_string(), None),
        ("|table|pipes|".to_string(), None),
        ("# heading".to_string(), None),
        ("\u{1b}[31mRED\u{1b}[0m".to_string(), Some("\\u{1B}[31mRED\\u{1B}[0m")),
        (
            "\u{1b}]8;;http://example.com/\u{7}click\u{1b}]8;;\u{7}".to_string(),
            Some("\\u{1B}]8;;http://example.com/\\u{7}click\\u{1B}]8;;\\u{7}"),
        ),
        ("bell\u{7}".to_string(), Some("bell\\u{7}")),
        ("\u{202E}fdp.exe".to_string(), Some("\\u{202E}fdp.exe")),
        ("\u{2066}iso\u{2069}\u{2067}\u{2068}".to_string(), Some("\\u{2066}iso\\u{2069}\\u{2067}\\u{2068}")),
        ("ad\u{200B}min\u{FEFF}".to_string(), Some("ad\\u{200B}min\\u{FEFF}")),
        (long_token(), None),
    ]
}

/// Characters that must never reach a terminal or a report unescaped.
const FORBIDDEN: [char; 16] = [
    '\u{1b}', '\u{7}', '\u{9b}', '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}',
    '\u{2068}', '\u{2069}', '\u{200B}', '\u{200E}', '\u{200F}', '\u{FEFF}',
];

fn assert_no_forbidden(what: &str, text: &str) {
    let found: Vec<String> =
        text.chars().filter(|ch| FORBIDDEN.contains(ch)).map(|ch| format!("U+{:04X}", u32::from(ch))).collect();
    assert!(found.is_empty(), "{what} contains unescaped {found:?}");
}

/// Returns a netfilter LOG line from 203.0.113.66 to 192.0.2.20 at `port`, whose prefix is
/// `[UFW BLOCK] ` and `text`.
fn netfilter_line(second: u32, text: &str, port: u16) -> String {
    format!(
        "2024-03-01T10:00:{second:02}.000000+00:00 fw kernel: [  761.925317] [UFW BLOCK] {text} IN=eth0 OUT= \
         MAC=02:00:00:00:00:02:02:00:00:00:00:01:08:00 SRC=203.0.113.66 DST=192.0.2.20 LEN=44 TOS=0x00 \
         PREC=0x00 TTL=40 ID=54321 PROTO=TCP SPT=61337 DPT={port} WINDOW=1024 RES=0x00 SYN URGP=0"
    )
}

/// Case name and examiner with hostile text: Markdown heading and HTML, and a bidi override.
const CASE_NAME: &str = "# heading <script>alert(3)</script> [x](http://example.com/y)";
const EXAMINER: &str = "Eve \u{202E}reganaM\u{202C} \u{1b}[31mred";

/// A case with one imported log whose every line carries a hostile prefix, and the log's
/// hostile file name.
struct HostileCase {
    dir: tempfile::TempDir,
    case: PathBuf,
    log: PathBuf,
    import_stderr: String,
}

impl HostileCase {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("temporary folder");
        let log = dir.path().join("scan \u{1b}[31m\u{202E}gol.log");
        let mut text = String::new();
        let texts = hostile_texts();
        for port in 1..=20u16 {
            let hostile = &texts[usize::from(port - 1) % texts.len()].0;
            text.push_str(&netfilter_line(u32::from(port), hostile, port));
            text.push('\n');
        }
        std::fs::write(&log, text).expect("write log");

        let case = dir.path().join("hostile.scancase");
        scancase().arg("new").arg(&case).args(["--name", CASE_NAME, "--examiner", EXAMINER]).assert().success();
        let output = scancase().arg("import").arg(&case).arg(&log).output().expect("run scancase");
        assert!(output.status.success(), "import failed: {}", stderr_of(&output));
        let import_stderr = stderr_of(&output);
        scancase().arg("analyze").arg(&case).assert().success();
        HostileCase { dir, case, log, import_stderr }
    }

    fn report(&self, format: &str) -> PathBuf {
        let path = self.dir.path().join(format!("report.{format}"));
        let output = scancase()
            .arg("report")
            .arg(&self.case)
            .args(["--format", format])
            .arg("-o")
            .arg(&path)
            .output()
            .expect("run scancase");
        assert!(output.status.success(), "report {format} failed: {}", stderr_of(&output));
        path
    }
}

#[test]
fn import_summary_escapes_file_name() {
    let case = HostileCase::new();
    assert_no_forbidden("import summary", &case.import_stderr);
    assert!(
        case.import_stderr.contains("scan \\u{1B}[31m\\u{202E}gol.log"),
        "file name not shown escaped: {}",
        case.import_stderr
    );
    assert!(case.import_stderr.contains("20 observations"), "{}", case.import_stderr);
}

#[test]
fn error_message_escapes_file_name() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let case = dir.path().join("c.scancase");
    scancase().arg("new").arg(&case).assert().success();
    // A file name cannot contain `/`, so the OSC 8 link names no URL.
    let evidence = dir.path().join("empty \u{1b}]8;;x\u{7}\u{2067}x.log");
    std::fs::write(&evidence, b"").expect("write");

    let output = scancase().arg("import").arg(&case).arg(&evidence).output().expect("run scancase");
    assert!(!output.status.success());
    let stderr = stderr_of(&output);
    assert_no_forbidden("import error", &stderr);
    assert!(stderr.contains("empty \\u{1B}]8;;x\\u{7}\\u{2067}x.log"), "{stderr}");
    assert!(stderr.contains("the file is empty"), "{stderr}");
}

#[test]
fn inspect_text_escapes_rules() {
    let case = HostileCase::new();
    let output = scancase().arg("inspect").arg(&case.log).output().expect("run scancase");
    assert!(output.status.success(), "inspect failed: {}", stderr_of(&output));
    let stdout = stdout_of(&output);
    assert_no_forbidden("inspect output", &stdout);
    assert_no_forbidden("inspect log", &stderr_of(&output));
    for (text, escaped) in hostile_texts() {
        let shown = escaped.map_or(text.clone(), str::to_string);
        let expected = format!(" rule [UFW BLOCK] {shown}  (line ");
        assert!(stdout.contains(&expected), "rule not shown as `{}`", expected.chars().take(80).collect::<String>());
    }
}

#[test]
fn inspect_json_keeps_text() {
    let case = HostileCase::new();
    let output = scancase().arg("inspect").arg("--json").arg(&case.log).output().expect("run scancase");
    assert!(output.status.success(), "inspect failed: {}", stderr_of(&output));
    let rules: Vec<String> = stdout_of(&output)
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap_or_else(|error| panic!("{error}: {line}")))
        .filter_map(|line| line.get("rule").and_then(Value::as_str).map(str::to_string))
        .collect();
    assert_eq!(rules.len(), 20);
    for (text, _) in hostile_texts() {
        let expected = format!("[UFW BLOCK] {text}");
        assert!(
            rules.contains(&expected),
            "rule {:?} not kept as written",
            expected.chars().take(40).collect::<String>()
        );
    }
}

#[test]
fn findings_output_safe() {
    let case = HostileCase::new();
    let output = scancase().arg("findings").arg(&case.case).output().expect("run scancase");
    assert!(output.status.success(), "findings failed: {}", stderr_of(&output));
    let text = stdout_of(&output);
    assert_no_forbidden("findings", &text);
    assert!(text.contains("203.0.113.66"), "{text}");

    let output = scancase().arg("findings").arg(&case.case).arg("--json").output().expect("run scancase");
    assert!(output.status.success(), "findings --json failed: {}", stderr_of(&output));
    let document: Value = serde_json::from_slice(&output.stdout).expect("findings output is JSON");
    let findings = document["findings"].as_array().expect("findings array");
    assert_eq!(findings.len(), 1, "{document}");
    assert_eq!(findings[0]["sources"][0], "203.0.113.66");
}

#[test]
fn report_json_keeps_text() {
    let case = HostileCase::new();
    let path = case.report("json");
    let bytes = std::fs::read(&path).expect("read report");
    let report: Value = serde_json::from_slice(&bytes).expect("report JSON is valid");
    let text = report.to_string();
    assert!(text.contains("<script>alert(3)</script>"), "case name not kept as written");
    assert!(text.contains("\\u001b[31mRED"), "the ESC of an excerpt is not kept as a JSON escape");
}

/// Returns a Markdown line without its code spans, so that what is left is text a renderer
/// reads for markup. A backslash escape stays with the character it escapes.
fn outside_code_spans(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::new();
    let mut index = 0;
    while index < chars.len() {
        if chars[index] == '\\' && index + 1 < chars.len() {
            out.push(chars[index]);
            out.push(chars[index + 1]);
            index += 2;
            continue;
        }
        if chars[index] == '`' {
            let run = chars[index..].iter().take_while(|&&ch| ch == '`').count();
            let mut close = index + run;
            let mut found = None;
            while close < chars.len() {
                let length = chars[close..].iter().take_while(|&&ch| ch == '`').count();
                if length == run {
                    found = Some(close);
                    break;
                }
                close += length.max(1);
            }
            match found {
                Some(close) => index = close + run,
                None => {
                    out.extend(&chars[index..index + run]);
                    index += run;
                }
            }
            continue;
        }
        out.push(chars[index]);
        index += 1;
    }
    out
}

/// Returns the positions of `pattern` in `text` that no backslash escapes.
fn unescaped(text: &str, pattern: &str) -> Vec<usize> {
    text.match_indices(pattern).map(|(at, _)| at).filter(|&at| !text[..at].ends_with('\\')).collect()
}

#[test]
fn markdown_report_escapes() {
    let case = HostileCase::new();
    let markdown = std::fs::read_to_string(case.report("md")).expect("read report");
    assert_no_forbidden("Markdown report", &markdown);

    for (number, line) in markdown.lines().enumerate() {
        let prose = outside_code_spans(line);
        for pattern in ["<script", "<img", "[link]", "[x]", "](http", "`code`"] {
            assert!(unescaped(&prose, pattern).is_empty(), "line {}: `{pattern}` is markup: {line}", number + 1);
        }
        assert!(!line.starts_with("# heading"), "line {}: the case name became a heading", number + 1);
    }
    assert!(!markdown.contains("|table|pipes|"), "pipes of a log prefix split a table row");
    assert!(markdown.contains("\\|table\\|pipes\\|"), "pipes of a log prefix not escaped");
    assert!(markdown.contains("\\# heading \\<script\\>alert(3)\\</script\\>"), "case name not escaped");
    assert!(markdown.contains("Eve \\\\u{202E}reganaM\\\\u{202C}"), "examiner's bidi override not visible");
    assert!(markdown.contains("\\u{1B}[31mRED"), "the ESC of an excerpt is not visible");
}

fn pdf_text(pdf: &Path) -> String {
    let output = Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext must be installed (Debian package poppler-utils)");
    assert!(output.status.success(), "pdftotext failed on {}", pdf.display());
    String::from_utf8(output.stdout).expect("pdftotext writes UTF-8")
}

#[test]
fn pdf_report_escapes_and_wraps() {
    let case = HostileCase::new();
    let text = pdf_text(&case.report("pdf"));
    assert_no_forbidden("PDF text", &text);
    assert!(text.contains("<script>alert(3)</script>"), "case name not shown as written");
    assert!(text.contains("Eve \\u{202E}reganaM\\u{202C}"), "examiner's bidi override not visible");
    assert!(text.contains("\\u{1B}[31mRED"), "the ESC of an excerpt is not visible");
    assert!(text.contains("\\u{202E}fdp.exe"), "the bidi override of an excerpt is not visible");

    let longest_run =
        text.lines().map(|line| line.split(|ch| ch != 'X').map(str::len).max().unwrap_or(0)).max().unwrap_or(0);
    let total = text.chars().filter(|&ch| ch == 'X').count();
    assert!(total >= 1000, "the long token is missing from the PDF ({total} characters of it)");
    assert!(longest_run <= 150, "a line of the PDF holds {longest_run} characters of the long token unwrapped");
}

#[test]
fn verify_and_audit_escape_text() {
    let case = HostileCase::new();
    let output = scancase().arg("verify").arg(&case.case).output().expect("run scancase");
    assert!(output.status.success(), "verify failed: {}", stderr_of(&output));
    let stdout = stdout_of(&output);
    assert_no_forbidden("verify output", &stdout);
    assert!(stdout.contains("scan \\u{1B}[31m\\u{202E}gol.log"), "{stdout}");

    let output = scancase().arg("audit").arg(&case.case).output().expect("run scancase");
    assert!(output.status.success(), "audit failed: {}", stderr_of(&output));
    let stdout = stdout_of(&output);
    assert_no_forbidden("audit output", &stdout);
    assert!(stdout.contains("Eve \\u{202E}reganaM\\u{202C} \\u{1B}[31mred"), "{stdout}");
}
