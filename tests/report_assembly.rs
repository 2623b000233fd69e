//! End-to-end tests of assembling and reviewing the report with the `scancase` command:
//! section texts, revisions after approval, conflicts, the findings covered, response
//! events and attachments.
//!
//! The cases are built from corpus captures (`fixtures/README.md` names their source).
//! The screenshots are `fixtures/report/screenshot-app-start.png` and `screenshot-report-cover.jpg` (see the
//! same README).

use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::cargo::cargo_bin_cmd;
use sha2::{Digest, Sha256};

fn fixture(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(relative)
}

fn scancase() -> assert_cmd::Command {
    let mut command = cargo_bin_cmd!("scancase");
    command.env("NO_COLOR", "1");
    command
}

/// Creates a case with the examiner "A. Examiner", imports the captures and analyzes them.
fn analyzed_case(dir: &Path, captures: &[&str]) -> PathBuf {
    let case = dir.join("c.scancase");
    scancase().arg("new").arg(&case).args(["--examiner", "A. Examiner"]).assert().success();
    for capture in captures {
        scancase().arg("import").arg(&case).arg(fixture(capture)).assert().success();
    }
    scancase().arg("analyze").arg(&case).assert().success();
    case
}

/// Runs scancase and returns (success, stdout, stderr).
fn run(args: &[&str], case: &Path) -> (bool, String, String) {
    let (first, rest) = args.split_first().expect("a command");
    let mut command = scancase();
    command.arg(first);
    // `report SUBCOMMAND CASE`: the subcommand comes before the case.
    let rest: Vec<&str> = if *first == "report" && !rest.is_empty() && !rest[0].starts_with('-') {
        command.arg(rest[0]);
        rest[1..].to_vec()
    } else {
        rest.to_vec()
    };
    command.arg(case).args(&rest);
    let output = command.output().expect("run scancase");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn ok(args: &[&str], case: &Path) -> String {
    let (success, stdout, stderr) = run(args, case);
    assert!(success, "scancase {args:?} failed: {stderr}");
    stdout
}

fn fail(args: &[&str], case: &Path) -> String {
    let (success, _, stderr) = run(args, case);
    assert!(!success, "scancase {args:?} succeeded but should fail");
    stderr
}

/// Fills every examiner entry the report lists with a short text.
fn fill_entries(case: &Path) {
    let listing = ok(&["edit"], case);
    for line in listing.lines() {
        let key = line.split('\t').next().expect("key");
        ok(&["edit", key, "--text", "Not applicable."], case);
    }
}

fn audit_actions(case: &Path, action: &str) -> usize {
    ok(&["audit"], case).matches(action).count()
}

fn markdown(case: &Path) -> String {
    ok(&["report", "--format", "md"], case)
}

fn pdf(case: &Path, dir: &Path) -> PathBuf {
    let path = dir.join("report.pdf");
    scancase().arg("report").arg(case).args(["--format", "pdf", "-o"]).arg(&path).assert().success();
    path
}

fn poppler(tool: &str, args: &[&str], pdf: &Path) -> String {
    let output = Command::new(tool)
        .args(args)
        .arg(pdf)
        .args(if tool == "pdftotext" { &["-"][..] } else { &[][..] })
        .output()
        .unwrap_or_else(|error| panic!("{tool} must be installed (Debian package poppler-utils): {error}"));
    assert!(output.status.success(), "{tool} failed on {}", pdf.display());
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn show_prints_one_section() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let case = analyzed_case(dir.path(), &["capture/scan_nmap_sS_8ports_vic1.pcap"]);
    let section = ok(&["report", "show", "--section", "executive_summary"], &case);
    assert!(section.starts_with("## 1. Executive summary\n"), "{section}");
    assert!(!section.contains("## 2."), "only one section: {section}");
    assert!(section.contains("10.200.0.10"), "{section}");
    let by_number = ok(&["report", "show", "--section", "7"], &case);
    assert!(by_number.starts_with("## 7. Lessons learned"), "{by_number}");
    let whole = ok(&["report", "show"], &case);
    assert!(whole.contains("## 8. Appendices"));
    assert!(whole.contains("- **Revision:** 1"), "the header names the revision");
    let unknown = fail(&["report", "show", "--section", "summary"], &case);
    assert!(unknown.contains("unknown section 'summary'"), "{unknown}");
}

#[test]
fn section_edit_is_escaped_and_kept_as_revisions() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let case = analyzed_case(dir.path(), &["capture/scan_nmap_sS_8ports_vic1.pcap"]);
    let text = dir.path().join("summary.md");
    std::fs::write(
        &text,
        "# Summary\n\nA *scan* from 10.200.0.10 <script>alert(1)</script> was [blocked](http://evil.test).\n\n- first step\n",
    )
    .expect("write the text");
    ok(&["report", "edit", "--section", "executive_summary", "--file", text.to_str().expect("UTF-8")], &case);
    let section = ok(&["report", "show", "--section", "executive_summary"], &case);
    assert!(section.contains("Text written by A. Examiner (examiner)"), "{section}");
    assert!(section.contains(r"\<script\>alert(1)\</script\>"), "raw HTML is shown as text: {section}");
    assert!(!section.contains("<script>"), "{section}");
    assert!(section.contains(r"blocked (http\://evil.test)"), "a link keeps its address as text: {section}");
    assert!(section.contains("- first step"), "{section}");
    assert!(!section.contains("scancase found"), "the drafted text is replaced: {section}");
    let drafted = ok(&["report", "show", "--section", "1", "--drafted"], &case);
    assert!(drafted.contains("scancase found 1 network scan"), "{drafted}");

    ok(&["report", "edit", "--section", "executive_summary", "--text", "Second text."], &case);
    assert_eq!(audit_actions(&case, "report_section_text_set"), 2, "both revisions are recorded");

    let rejected = fail(&["report", "edit", "--section", "timeline", "--text", "x"], &case);
    assert!(rejected.contains("its text comes from the evidence"), "{rejected}");
    assert_eq!(audit_actions(&case, "report_section_text_set"), 2, "nothing stored for a rejected edit");
}

#[test]
fn approval_lists_missing_items() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let case = analyzed_case(dir.path(), &["capture/scan_nmap_sS_8ports_vic1.pcap"]);
    let entries = ok(&["edit"], &case).lines().count();
    ok(&["edit", "detection.root_cause", "--text", "Guest VLAN reached the servers."], &case);
    ok(&["review", "submit"], &case);
    let refused = fail(&["review", "approve"], &case);
    let expected = format!("{} items are missing or in conflict", entries - 1);
    assert!(refused.contains(&expected), "{refused}");
    assert!(refused.contains("examiner entry impact.damages is empty"), "{refused}");
    assert!(!refused.contains("detection.root_cause is empty"), "{refused}");
    assert_eq!(audit_actions(&case, "\"action\":\"approved\""), 0);
}

#[test]
fn approved_revision_is_locked_and_change_starts_next() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let case = analyzed_case(dir.path(), &["capture/scan_nmap_sS_8ports_vic1.pcap"]);
    fill_entries(&case);
    ok(&["review", "submit"], &case);
    let frozen = fail(
        &[
            "report",
            "event",
            "--phase",
            "containment",
            "--at",
            "2026-12-04T20:00:00Z",
            "--actor",
            "NOC",
            "--description",
            "x",
        ],
        &case,
    );
    assert!(frozen.contains("cannot change a report that is submitted"), "{frozen}");
    ok(&["review", "approve", "--by", "B. Reviewer"], &case);

    let approved = markdown(&case);
    assert!(approved.contains("**Review state:** Approved by B. Reviewer"), "{approved}");
    assert!(approved.contains("- **Revision:** 1"), "{approved}");
    assert_eq!(markdown(&case).lines().nth(6), approved.lines().nth(6), "the approved report is not redrafted");
    let drafted_line = |text: &str| text.lines().find(|line| line.starts_with("- **Drafted:**")).map(str::to_string);
    assert_eq!(drafted_line(&markdown(&case)), drafted_line(&approved), "the approved report keeps its drafting time");

    ok(&["edit", "impact.damages", "--text", "None known."], &case);
    let revised = markdown(&case);
    assert!(revised.contains("- **Revision:** 2"), "{revised}");
    assert!(revised.contains("**Review state:** Draft"), "{revised}");
    assert!(revised.contains("None known."));

    let history = ok(&["review", "history"], &case);
    let lines: Vec<&str> = history.lines().filter(|line| line.starts_with("revision ")).collect();
    assert_eq!(lines.len(), 2, "{history}");
    assert!(lines[0].starts_with("revision 1\tapproved"), "{history}");
    assert!(lines[1].starts_with("revision 2\tdraft"), "{history}");
    assert!(lines[1].contains("examiner entry impact.damages changed after approval"), "{history}");
    assert!(history.contains("report sha256 "), "the approved report's hash is listed: {history}");
    assert_eq!(audit_actions(&case, "report_revision_started"), 1);

    let pdf_text = poppler("pdftotext", &["-layout", "-l", "1"], &pdf(&case, dir.path()));
    assert!(pdf_text.contains("Revision"), "{pdf_text}");
    assert!(pdf_text.lines().any(|line| line.contains("Revision") && line.trim_end().ends_with('2')), "{pdf_text}");
}

#[test]
fn new_analysis_after_approval_starts_revision() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let case = analyzed_case(dir.path(), &["capture/scan_nmap_sS_8ports_vic1.pcap"]);
    fill_entries(&case);
    ok(&["review", "submit"], &case);
    ok(&["review", "approve"], &case);
    ok(&["analyze"], &case);
    let report = markdown(&case);
    assert!(report.contains("- **Revision:** 2"), "{report}");
    let history = ok(&["review", "history"], &case);
    assert!(history.contains("new analysis after approval"), "{history}");
}

#[test]
fn conflict_blocks_approval_until_confirmed() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let case = analyzed_case(dir.path(), &["capture/scan_nmap_sS_8ports_vic1.pcap"]);
    fill_entries(&case);
    ok(&["report", "edit", "--section", "executive_summary", "--text", "One scan, handled."], &case);
    let before = ok(&["report", "show", "--section", "executive_summary"], &case);
    assert!(!before.contains("Conflict"), "{before}");

    scancase().arg("import").arg(&case).arg(fixture("capture/scan_nmap_sF_vic1.pcap")).assert().success();
    ok(&["analyze"], &case);
    let after = ok(&["report", "show", "--section", "executive_summary"], &case);
    assert!(after.contains("Conflict: the drafted text of this section changed"), "{after}");
    assert!(after.contains("One scan, handled."), "the examiner's text is kept: {after}");
    assert!(markdown(&case).contains("Conflict: the drafted text"), "the draft export shows the conflict");

    fill_entries(&case);
    ok(&["review", "submit"], &case);
    let refused = fail(&["review", "approve"], &case);
    assert!(refused.contains("section executive_summary is in conflict"), "{refused}");
    ok(&["review", "reopen"], &case);
    ok(&["report", "confirm", "--section", "executive_summary"], &case);
    let confirmed = ok(&["report", "show", "--section", "executive_summary"], &case);
    assert!(!confirmed.contains("Conflict"), "{confirmed}");
    ok(&["review", "submit"], &case);
    ok(&["review", "approve"], &case);
}

#[test]
fn report_covers_chosen_findings_only() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let case =
        analyzed_case(dir.path(), &["capture/scan_nmap_sS_8ports_vic1.pcap", "capture/sweep_nmap_sn_routed.pcap"]);
    let listing = ok(&["report", "findings"], &case);
    let ids: Vec<&str> = listing.lines().map(|line| line.split('\t').next().expect("id")).collect();
    assert!(ids.len() >= 2, "two captures give two findings: {listing}");
    assert!(listing.lines().all(|line| line.ends_with("\tcovered")), "by default all are covered: {listing}");

    let chosen = ids[1];
    let left_out = ids[0];
    ok(&["report", "findings", chosen], &case);
    let report = markdown(&case);
    assert!(report.contains(&format!("### Finding {chosen}:")), "{report}");
    assert!(!report.contains(&format!("### Finding {left_out}:")), "{report}");
    assert!(report.contains("### Findings not covered by this report"), "{report}");
    assert!(report.contains(&format!("| {left_out} | not chosen by the examiner |")), "{report}");

    let unknown = fail(&["report", "findings", "F-99"], &case);
    assert!(unknown.contains("no finding \"F-99\""), "{unknown}");
    ok(&["report", "findings", "--default"], &case);
    assert!(markdown(&case).contains(&format!("### Finding {left_out}:")));
    assert_eq!(audit_actions(&case, "report_findings_chosen"), 2);
}

#[test]
fn events_merge_with_evidence_in_time_order() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let case = analyzed_case(dir.path(), &["capture/scan_nmap_sS_8ports_vic1.pcap"]);
    // The scan's probes run from 2026-12-04T19:35:42Z; one event before, two after.
    let events = [
        ("notification", "2026-12-04T21:30:00+01:00", "CISO", "Management informed"),
        ("containment", "2026-12-04T19:40:00Z", "NOC on-call", "Source blocked at the perimeter"),
        ("recovery", "2026-12-04T19:00:00Z", "Ops", "Earlier maintenance window closed"),
    ];
    for (phase, at, actor, description) in events {
        ok(&["report", "event", "--phase", phase, "--at", at, "--actor", actor, "--description", description], &case);
    }
    let timeline = ok(&["report", "show", "--section", "timeline"], &case);
    let position = |text: &str| timeline.find(text).unwrap_or_else(|| panic!("{text} missing: {timeline}"));
    assert!(position("Earlier maintenance window") < position("first probe"), "{timeline}");
    assert!(position("first probe") < position("Source blocked"), "{timeline}");
    assert!(position("Source blocked") < position("Management informed"), "{timeline}");
    let row = timeline.lines().find(|line| line.contains("Source blocked")).expect("event row");
    assert!(row.contains("| examiner |"), "the origin is marked: {row}");
    assert!(row.contains("time as stated by the examiner: 2026-12-04T19:40:00Z"), "{row}");
    let notification = timeline.lines().find(|line| line.contains("Management informed")).expect("row");
    assert!(notification.starts_with("| 2026-12-04T20:30:00"), "converted to UTC: {notification}");
    let probe_row = timeline.lines().find(|line| line.contains("first probe")).expect("row");
    assert!(probe_row.contains("| evidence |"), "{probe_row}");

    let response = ok(&["report", "show", "--section", "response_actions"], &case);
    assert!(response.contains("### Recorded response events"), "{response}");
    assert!(response.contains("| Containment | 2026-12-04T19:40:00"), "{response}");

    let bad = fail(
        &[
            "report",
            "event",
            "--phase",
            "containment",
            "--at",
            "2026-12-04 19:40",
            "--actor",
            "NOC",
            "--description",
            "x",
        ],
        &case,
    );
    assert!(bad.contains("RFC 3339 with an offset"), "{bad}");
    assert!(bad.contains("nothing was stored"), "{bad}");
    assert_eq!(audit_actions(&case, "report_event_added"), 3);
}

#[test]
fn attachments_reach_markdown_and_pdf() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let case = analyzed_case(dir.path(), &["capture/scan_nmap_sS_8ports_vic1.pcap"]);
    let png = fixture("report/screenshot-app-start.png");
    let jpeg = fixture("report/screenshot-report-cover.jpg");
    let statement = dir.path().join("statement.txt");
    std::fs::write(&statement, "I saw the alert at 20:41 <b>and</b> called the NOC.\n").expect("write");
    for (file, kind) in [(&png, "screenshot"), (&jpeg, "screenshot"), (&statement, "statement")] {
        let file = file.to_str().expect("UTF-8");
        ok(&["report", "attach", file, "--kind", kind, "--description", "From the analyst's desk"], &case);
    }

    let report = markdown(&case);
    for file in [&png, &jpeg, &statement] {
        let sha256: String =
            Sha256::digest(std::fs::read(file).expect("read")).iter().map(|b| format!("{b:02x}")).collect();
        assert!(report.contains(&sha256), "{} is listed with its SHA-256", file.display());
    }
    assert!(report.contains("A1: screenshot screenshot-app-start.png"), "{report}");
    assert!(report.contains(r"\<b\>and\</b\> called the NOC"), "the statement is escaped: {report}");
    assert!(!report.contains("To be completed by the examiner.\n> *Screenshots"), "attachments fill appendix D");

    let pdf = pdf(&case, dir.path());
    let images = poppler("pdfimages", &["-list"], &pdf);
    let image_rows: Vec<&str> = images.lines().skip(2).filter(|line| line.contains(" image ")).collect();
    assert_eq!(image_rows.len(), 2, "both screenshots are embedded: {images}");
    let sizes: Vec<(String, String)> = image_rows
        .iter()
        .map(|row| {
            let columns: Vec<&str> = row.split_whitespace().collect();
            (columns[3].to_string(), columns[4].to_string())
        })
        .collect();
    assert!(sizes.contains(&("1366".to_string(), "768".to_string())), "the PNG keeps its size: {images}");
    assert!(sizes.contains(&("249".to_string(), "351".to_string())), "the JPEG keeps its size: {images}");
    let text = poppler("pdftotext", &["-layout"], &pdf);
    assert!(text.contains("called the NOC"), "the statement is printed");
    assert!(text.contains("A2: screenshot screenshot-report-cover.jpg"));
}

#[test]
fn bad_attachments_leave_nothing() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let case = analyzed_case(dir.path(), &["capture/scan_nmap_sS_8ports_vic1.pcap"]);
    let text = dir.path().join("notes.png");
    std::fs::write(&text, "not an image").expect("write");
    let truncated = dir.path().join("truncated.png");
    let png = std::fs::read(fixture("report/screenshot-app-start.png")).expect("read");
    std::fs::write(&truncated, &png[..200]).expect("write");
    let large = dir.path().join("large.png");
    std::fs::File::create(&large).expect("create").set_len(17 * 1024 * 1024).expect("size");
    let binary = dir.path().join("statement.txt");
    std::fs::write(&binary, [0xff_u8, 0xfe, 0x00, 0x41]).expect("write");
    let missing = dir.path().join("missing.png");

    let cases = [
        (&text, "screenshot", "is not a PNG or JPEG image"),
        (&truncated, "screenshot", "does not decode"),
        (&large, "screenshot", "more than the 16777216 bytes"),
        (&binary, "statement", "is not UTF-8 text"),
        (&missing, "screenshot", "cannot be read"),
    ];
    for (file, kind, expected) in cases {
        let name = file.to_str().expect("UTF-8");
        let error = fail(&["report", "attach", name, "--kind", kind], &case);
        assert!(error.contains(expected), "{name}: {error}");
        assert!(error.contains(name), "the error names the file: {error}");
    }
    ok(
        &[
            "report",
            "attach",
            fixture("report/screenshot-app-start.png").to_str().expect("UTF-8"),
            "--kind",
            "screenshot",
        ],
        &case,
    );
    let twice = fail(
        &[
            "report",
            "attach",
            fixture("report/screenshot-app-start.png").to_str().expect("UTF-8"),
            "--kind",
            "screenshot",
        ],
        &case,
    );
    assert!(twice.contains("is attached already as A1"), "{twice}");
    assert_eq!(audit_actions(&case, "report_attachment_added"), 1, "only the good file is stored");
}

#[test]
fn withdrawn_items_leave_report_not_case() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let case = analyzed_case(dir.path(), &["capture/scan_nmap_sS_8ports_vic1.pcap"]);
    for (at, description) in
        [("2026-12-04T19:40:00Z", "Source blocked"), ("2026-12-04T19:50:00Z", "Wrong host blocked")]
    {
        ok(
            &["report", "event", "--phase", "containment", "--at", at, "--actor", "NOC", "--description", description],
            &case,
        );
    }
    let png = fixture("report/screenshot-app-start.png");
    ok(&["report", "attach", png.to_str().expect("UTF-8"), "--kind", "screenshot"], &case);
    let items = ok(&["report", "items"], &case);
    let event_id = items
        .lines()
        .find(|line| line.contains("Wrong host blocked"))
        .and_then(|line| line.split('\t').next())
        .expect("the event is listed")
        .to_string();
    assert!(event_id.starts_with('E'), "{items}");
    assert!(items.contains("A1\tattachment\tin report\tscreenshot screenshot-app-start.png"), "{items}");

    let no_reason = fail(&["report", "withdraw", "--event", &event_id, "--reason", "  "], &case);
    assert!(no_reason.contains("the reason is empty"), "{no_reason}");
    let no_item = fail(&["report", "withdraw", "--attachment", "A9", "--reason", "x"], &case);
    assert!(no_item.contains("attachment A9: the case has no such attachment"), "{no_item}");
    let neither = fail(&["report", "withdraw", "--reason", "x"], &case);
    assert!(neither.contains("--event"), "{neither}");

    ok(
        &["report", "withdraw", "--event", &event_id, "--reason", "Entered for the wrong host", "--by", "C. Lead"],
        &case,
    );
    ok(&["report", "withdraw", "--attachment", "A1", "--reason", "Shows another case"], &case);
    let report = markdown(&case);
    assert!(!report.contains("Wrong host blocked"), "the withdrawn event is gone: {report}");
    assert!(report.contains("Source blocked"), "the other event stays: {report}");
    assert!(!report.contains("screenshot-app-start.png"), "the withdrawn attachment is gone");

    let again = fail(&["report", "withdraw", "--event", &event_id, "--reason", "again"], &case);
    assert!(again.contains("it was withdrawn already"), "{again}");
    let reattach = fail(&["report", "attach", png.to_str().expect("UTF-8"), "--kind", "screenshot"], &case);
    assert!(reattach.contains("was attached and withdrawn as A1"), "{reattach}");

    let listed = ok(&["report", "items"], &case);
    let withdrawn: Vec<&str> = listed.lines().filter(|line| line.contains("\twithdrawn\t")).collect();
    assert_eq!(withdrawn.len(), 2, "{listed}");
    assert!(withdrawn[0].contains("by C. Lead: Entered for the wrong host"), "{listed}");
    assert!(withdrawn[1].starts_with("A1\tattachment\twithdrawn\tscreenshot screenshot-app-start.png"), "{listed}");
    assert_eq!(audit_actions(&case, "report_item_withdrawn"), 2);
    assert!(ok(&["audit", "--verify"], &case).contains("Entered for the wrong host"), "the audit log keeps the reason");
}

#[test]
fn withdrawal_after_approval_starts_revision() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let case = analyzed_case(dir.path(), &["capture/scan_nmap_sS_8ports_vic1.pcap"]);
    let event = ["report", "event", "--phase", "recovery", "--at", "2026-12-04T21:00:00Z", "--actor", "Ops"];
    ok(&[&event[..], &["--description", "Firewall rule restored"]].concat(), &case);
    fill_entries(&case);
    ok(&["review", "submit"], &case);
    let frozen = fail(&["report", "withdraw", "--event", "1", "--reason", "x"], &case);
    assert!(frozen.contains("submitted"), "{frozen}");
    ok(&["review", "approve", "--by", "B. Reviewer"], &case);
    assert!(markdown(&case).contains("Firewall rule restored"));

    ok(&["report", "withdraw", "--event", "E1", "--reason", "Duplicate of the change ticket"], &case);
    let revised = markdown(&case);
    assert!(revised.contains("- **Revision:** 2"), "{revised}");
    assert!(!revised.contains("Firewall rule restored"), "{revised}");
    let history = ok(&["review", "history"], &case);
    assert!(history.contains("event E1 withdrawn after approval"), "{history}");
}
