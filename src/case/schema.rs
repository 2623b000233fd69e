//! Case file schema: the embedded, ordered migrations and the markers that identify a case.
//!
//! A migration is applied in its own transaction and is never edited once released; a
//! change to the schema is a new entry at the end of [`MIGRATIONS`]. `PRAGMA user_version`
//! holds the number of migrations applied, and `PRAGMA application_id` marks the file as a
//! scancase case so that other SQLite files are rejected by name.

/// Value of `PRAGMA application_id` in every case file: the ASCII bytes `SCNC`.
pub const APPLICATION_ID: i32 = 0x5343_4E43;

/// Migrations in the order they are applied; entry `i` moves `user_version` from `i` to `i + 1`.
pub const MIGRATIONS: &[&str] =
    &[MIGRATION_1, MIGRATION_2, MIGRATION_3, MIGRATION_4, MIGRATION_5, MIGRATION_6, MIGRATION_7];

/// Schema version a case has after every migration of this build.
pub fn current_version() -> i32 {
    MIGRATIONS.len() as i32
}

const MIGRATION_1: &str = r#"
CREATE TABLE case_info (
    id                  INTEGER PRIMARY KEY CHECK (id = 1),
    name                TEXT NOT NULL,
    examiner            TEXT,
    created_at_ns       INTEGER NOT NULL,
    created_by_version  TEXT NOT NULL
);

CREATE TABLE evidence (
    id               INTEGER PRIMARY KEY,
    path             TEXT NOT NULL,
    size_bytes       INTEGER NOT NULL,
    sha256           TEXT NOT NULL UNIQUE,
    kind             TEXT NOT NULL,
    format           TEXT NOT NULL,
    imported_at_ns   INTEGER NOT NULL,
    imported_by      TEXT,
    first_ts_ns      INTEGER,
    last_ts_ns       INTEGER,
    records          INTEGER NOT NULL DEFAULT 0,
    observations     INTEGER NOT NULL DEFAULT 0,
    skipped_json     TEXT NOT NULL DEFAULT '{}',
    anomalies_total  INTEGER NOT NULL DEFAULT 0,
    time_assumption  TEXT,
    modified_ns      INTEGER
);

CREATE TABLE verification (
    id              INTEGER PRIMARY KEY,
    evidence_id     INTEGER NOT NULL REFERENCES evidence(id),
    verified_at_ns  INTEGER NOT NULL,
    path_checked    TEXT NOT NULL,
    status          TEXT NOT NULL,
    sha256_found    TEXT
);

CREATE TABLE custody (
    id              INTEGER PRIMARY KEY,
    evidence_id     INTEGER NOT NULL REFERENCES evidence(id),
    acquired_by     TEXT,
    acquired_at     TEXT,
    source_system   TEXT,
    method          TEXT,
    storage         TEXT,
    notes           TEXT,
    recorded_by     TEXT,
    recorded_at_ns  INTEGER NOT NULL
);

CREATE TABLE anomaly (
    id           INTEGER PRIMARY KEY,
    evidence_id  INTEGER NOT NULL REFERENCES evidence(id),
    record       INTEGER NOT NULL,
    byte_offset  INTEGER NOT NULL,
    message      TEXT NOT NULL
);

CREATE TABLE contact (
    id                   INTEGER PRIMARY KEY,
    evidence_id          INTEGER NOT NULL REFERENCES evidence(id),
    src                  TEXT NOT NULL,
    dst                  TEXT NOT NULL,
    protocol             INTEGER NOT NULL,
    dst_port             INTEGER,
    first_ts_ns          INTEGER NOT NULL,
    last_ts_ns           INTEGER NOT NULL,
    probes               INTEGER NOT NULL,
    flags_seen           INTEGER NOT NULL,
    outcome              TEXT NOT NULL,
    handshake_completed  INTEGER NOT NULL,
    payload_exchanged    INTEGER NOT NULL,
    techniques_json      TEXT NOT NULL,
    reply_ts_ns          INTEGER,
    reply_record         INTEGER,
    reply_byte_offset    INTEGER
);
CREATE INDEX contact_by_evidence ON contact(evidence_id);
CREATE INDEX contact_by_source ON contact(src, dst);

CREATE TABLE probe (
    id           INTEGER PRIMARY KEY,
    contact_id   INTEGER NOT NULL REFERENCES contact(id) DEFERRABLE INITIALLY DEFERRED,
    ts_ns        INTEGER NOT NULL,
    record       INTEGER NOT NULL,
    byte_offset  INTEGER NOT NULL,
    technique    TEXT NOT NULL,
    src_port     INTEGER,
    tcp_flags    INTEGER,
    ttl          INTEGER,
    ip_id        INTEGER,
    tcp_window   INTEGER,
    tcp_options  BLOB,
    payload_len  INTEGER,
    action       TEXT,
    rule         TEXT,
    source_text  TEXT
);
CREATE INDEX probe_by_contact ON probe(contact_id, ts_ns);

CREATE TABLE analysis_run (
    id               INTEGER PRIMARY KEY,
    ran_at_ns        INTEGER NOT NULL,
    version          TEXT NOT NULL,
    parameters_json  TEXT NOT NULL
);

CREATE TABLE finding (
    id              INTEGER PRIMARY KEY,
    run_id          INTEGER NOT NULL REFERENCES analysis_run(id),
    label           TEXT NOT NULL,
    kind            TEXT NOT NULL,
    technique       TEXT NOT NULL,
    first_ts_ns     INTEGER NOT NULL,
    last_ts_ns      INTEGER NOT NULL,
    severity_score  INTEGER NOT NULL,
    severity_level  TEXT NOT NULL,
    confidence      INTEGER NOT NULL,
    finding_json    TEXT NOT NULL
);

CREATE TABLE finding_citation (
    finding_id      INTEGER NOT NULL REFERENCES finding(id),
    probe_id        INTEGER NOT NULL REFERENCES probe(id),
    PRIMARY KEY (finding_id, probe_id)
) WITHOUT ROWID;

CREATE TABLE report (
    id              INTEGER PRIMARY KEY,
    run_id          INTEGER REFERENCES analysis_run(id),
    drafted_at_ns   INTEGER NOT NULL,
    state           TEXT NOT NULL DEFAULT 'draft',
    content_json    TEXT NOT NULL
);

CREATE TABLE audit_log (
    id            INTEGER PRIMARY KEY,
    at_ns         INTEGER NOT NULL,
    actor         TEXT,
    action        TEXT NOT NULL,
    details_json  TEXT NOT NULL,
    prev_hash     TEXT NOT NULL,
    hash          TEXT NOT NULL
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"#;

/// Records whether a probe's source replied to the target's SYN/ACK with a RST, which
/// separates a live scanner from the decoy addresses beside it, and adds the case settings the analysis
/// reads (the allowlist of sources whose findings are suppressed, and the internal networks)
/// and the examiner's report entries, kept as revisions, with the review steps.
const MIGRATION_2: &str = r#"
ALTER TABLE contact ADD COLUMN source_reset INTEGER NOT NULL DEFAULT 0;

CREATE TABLE allowlist (
    id           INTEGER PRIMARY KEY,
    network      TEXT NOT NULL UNIQUE,
    reason       TEXT NOT NULL,
    added_by     TEXT,
    added_at_ns  INTEGER NOT NULL
);

CREATE TABLE internal_network (
    id           INTEGER PRIMARY KEY,
    network      TEXT NOT NULL UNIQUE
);

CREATE TABLE report_entry (
    id             INTEGER PRIMARY KEY,
    key            TEXT NOT NULL,
    value          TEXT NOT NULL,
    entered_by     TEXT,
    entered_at_ns  INTEGER NOT NULL
);
CREATE INDEX report_entry_by_key ON report_entry(key, id);
CREATE TRIGGER report_entry_no_update BEFORE UPDATE ON report_entry
BEGIN SELECT RAISE(ABORT, 'report entries are kept as revisions and never changed'); END;
CREATE TRIGGER report_entry_no_delete BEFORE DELETE ON report_entry
BEGIN SELECT RAISE(ABORT, 'report entries are kept as revisions and never deleted'); END;

CREATE TABLE report_review (
    id      INTEGER PRIMARY KEY,
    action  TEXT NOT NULL CHECK (action IN ('submitted', 'approved', 'reopened')),
    actor   TEXT,
    at_ns   INTEGER NOT NULL,
    note    TEXT
);
"#;

/// Indexes for the reads a large case serves without a full scan. Citations are stored in
/// time order, because the report shows each finding's earliest ones. Each finding keeps its
/// citation count, and a run's findings are found in label order. Anomalies, verifications and custody entries are found by evidence. The
/// index of contacts by address is dropped: no query reads contacts by address, and it cost
/// every import an out-of-order insert into a text index per contact.
const MIGRATION_3: &str = r#"
CREATE TABLE finding_citation_in_time (
    finding_id  INTEGER NOT NULL REFERENCES finding(id),
    ts_ns       INTEGER NOT NULL,
    probe_id    INTEGER NOT NULL REFERENCES probe(id),
    PRIMARY KEY (finding_id, ts_ns, probe_id)
) WITHOUT ROWID;
INSERT INTO finding_citation_in_time (finding_id, ts_ns, probe_id)
    SELECT finding_citation.finding_id, probe.ts_ns, finding_citation.probe_id
    FROM finding_citation JOIN probe ON probe.id = finding_citation.probe_id;
DROP TABLE finding_citation;
ALTER TABLE finding_citation_in_time RENAME TO finding_citation;

ALTER TABLE finding ADD COLUMN citations_total INTEGER NOT NULL DEFAULT 0;
UPDATE finding SET citations_total = (SELECT COUNT(*) FROM finding_citation WHERE finding_id = finding.id);

CREATE INDEX finding_by_run ON finding(run_id, label);
CREATE INDEX anomaly_by_evidence ON anomaly(evidence_id, id);
CREATE INDEX verification_by_evidence ON verification(evidence_id, id);
CREATE INDEX custody_by_evidence ON custody(evidence_id, id);
DROP INDEX contact_by_source;
"#;

/// Adds what the examiner assembles into the report and its revisions: the findings the
/// report covers, timeline events, attachments, the examiner's Markdown for narrative
/// sections, the revisions with the approved content of each, and the revision of each
/// review step. Every added table is append-only: a change is a new row.
const MIGRATION_4: &str = r#"
ALTER TABLE report_review ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;

CREATE TABLE report_revision (
    number         INTEGER PRIMARY KEY CHECK (number >= 2),
    started_at_ns  INTEGER NOT NULL,
    started_by     TEXT,
    reason         TEXT NOT NULL
);

CREATE TABLE report_approval (
    revision        INTEGER PRIMARY KEY,
    approved_at_ns  INTEGER NOT NULL,
    approved_by     TEXT,
    content_json    TEXT NOT NULL,
    content_sha256  TEXT NOT NULL,
    basis_json      TEXT NOT NULL
);

CREATE TABLE report_scope (
    id             INTEGER PRIMARY KEY,
    findings_json  TEXT,
    chosen_by      TEXT,
    chosen_at_ns   INTEGER NOT NULL,
    revision       INTEGER NOT NULL
);

CREATE TABLE report_event (
    id             INTEGER PRIMARY KEY,
    phase          TEXT NOT NULL CHECK (phase IN ('containment', 'eradication', 'recovery', 'notification')),
    at_ns          INTEGER NOT NULL,
    at_text        TEXT NOT NULL,
    actor          TEXT NOT NULL,
    description    TEXT NOT NULL,
    entered_by     TEXT,
    entered_at_ns  INTEGER NOT NULL,
    revision       INTEGER NOT NULL
);

CREATE TABLE report_attachment (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('screenshot', 'statement')),
    name         TEXT NOT NULL,
    media_type   TEXT NOT NULL,
    sha256       TEXT NOT NULL UNIQUE,
    size_bytes   INTEGER NOT NULL,
    content      BLOB NOT NULL,
    description  TEXT,
    added_by     TEXT,
    added_at_ns  INTEGER NOT NULL,
    revision     INTEGER NOT NULL
);

CREATE TABLE report_section_text (
    id                INTEGER PRIMARY KEY,
    section           TEXT NOT NULL,
    action            TEXT NOT NULL CHECK (action IN ('edited', 'confirmed')),
    markdown          TEXT NOT NULL,
    drafted_markdown  TEXT NOT NULL,
    entered_by        TEXT,
    entered_at_ns     INTEGER NOT NULL,
    revision          INTEGER NOT NULL
);
CREATE INDEX report_section_text_by_section ON report_section_text(section, id);

CREATE TRIGGER report_revision_no_update BEFORE UPDATE ON report_revision
BEGIN SELECT RAISE(ABORT, 'report revisions are kept and never changed'); END;
CREATE TRIGGER report_revision_no_delete BEFORE DELETE ON report_revision
BEGIN SELECT RAISE(ABORT, 'report revisions are kept and never deleted'); END;
CREATE TRIGGER report_approval_no_update BEFORE UPDATE ON report_approval
BEGIN SELECT RAISE(ABORT, 'an approved report is kept and never changed'); END;
CREATE TRIGGER report_approval_no_delete BEFORE DELETE ON report_approval
BEGIN SELECT RAISE(ABORT, 'an approved report is kept and never deleted'); END;
CREATE TRIGGER report_scope_no_update BEFORE UPDATE ON report_scope
BEGIN SELECT RAISE(ABORT, 'report scopes are kept as revisions and never changed'); END;
CREATE TRIGGER report_scope_no_delete BEFORE DELETE ON report_scope
BEGIN SELECT RAISE(ABORT, 'report scopes are kept as revisions and never deleted'); END;
CREATE TRIGGER report_event_no_update BEFORE UPDATE ON report_event
BEGIN SELECT RAISE(ABORT, 'report events are never changed'); END;
CREATE TRIGGER report_event_no_delete BEFORE DELETE ON report_event
BEGIN SELECT RAISE(ABORT, 'report events are never deleted'); END;
CREATE TRIGGER report_attachment_no_update BEFORE UPDATE ON report_attachment
BEGIN SELECT RAISE(ABORT, 'attachments are never changed'); END;
CREATE TRIGGER report_attachment_no_delete BEFORE DELETE ON report_attachment
BEGIN SELECT RAISE(ABORT, 'attachments are never deleted'); END;
CREATE TRIGGER report_section_text_no_update BEFORE UPDATE ON report_section_text
BEGIN SELECT RAISE(ABORT, 'section texts are kept as revisions and never changed'); END;
CREATE TRIGGER report_section_text_no_delete BEFORE DELETE ON report_section_text
BEGIN SELECT RAISE(ABORT, 'section texts are kept as revisions and never deleted'); END;
"#;

/// Adds the case settings beside the internal networks and the allowlist: the organisation,
/// the classification label shown on the report, the default time zone of imports, and the
/// analysis parameters set for this case. A parameter without a row keeps the analysis
/// default, so a case made before this migration analyzes as it did.
const MIGRATION_5: &str = r#"
ALTER TABLE case_info ADD COLUMN organisation TEXT;
ALTER TABLE case_info ADD COLUMN classification TEXT;
ALTER TABLE case_info ADD COLUMN default_zone TEXT;

CREATE TABLE analysis_parameter (
    name   TEXT PRIMARY KEY,
    value  INTEGER NOT NULL CHECK (value > 0)
) WITHOUT ROWID;
"#;

/// Adds withdrawals of timeline events and attachments. A withdrawn item stays in its own
/// table, and the withdrawal row with its reason, examiner and revision hides it from the
/// report. An item is withdrawn at most once, and withdrawals are never changed or deleted.
const MIGRATION_6: &str = r#"
CREATE TABLE report_withdrawal (
    id               INTEGER PRIMARY KEY,
    item_kind        TEXT NOT NULL CHECK (item_kind IN ('event', 'attachment')),
    item_id          INTEGER NOT NULL,
    reason           TEXT NOT NULL,
    withdrawn_by     TEXT,
    withdrawn_at_ns  INTEGER NOT NULL,
    revision         INTEGER NOT NULL,
    UNIQUE (item_kind, item_id)
);
CREATE TRIGGER report_withdrawal_no_update BEFORE UPDATE ON report_withdrawal
BEGIN SELECT RAISE(ABORT, 'withdrawals are never changed'); END;
CREATE TRIGGER report_withdrawal_no_delete BEFORE DELETE ON report_withdrawal
BEGIN SELECT RAISE(ABORT, 'withdrawals are never deleted'); END;
"#;

/// Probes that a finding does not cite one by one, packed per contact (`probe_blocks.rs`),
/// and each contact's count of them. Case files imported before this migration have every
/// probe as a row, no blocks and a count of 0.
const MIGRATION_7: &str = r#"
ALTER TABLE contact ADD COLUMN packed_probes INTEGER NOT NULL DEFAULT 0;
CREATE TABLE probe_block (
    id           INTEGER PRIMARY KEY,
    contact_id   INTEGER NOT NULL REFERENCES contact(id) DEFERRABLE INITIALLY DEFERRED,
    probes       INTEGER NOT NULL,
    first_ts_ns  INTEGER NOT NULL,
    data         BLOB NOT NULL
);
CREATE INDEX probe_block_by_contact ON probe_block(contact_id);
"#;
