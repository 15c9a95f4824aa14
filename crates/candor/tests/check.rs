//! `candor check` end to end: the built binary, real files, exit codes, JSON output.

#![allow(
    clippy::unwrap_used,
    reason = "test setup helpers: a failed setup should fail the test loudly"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Report {
    verdict: String,
    findings: Vec<Finding>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Finding {
    kind: String,
    text: String,
    reason: String,
    rule: String,
}

const RECIPIENT: &str = r#"{"id": "c-1", "email": "zoe@example.com", "first_name": "Zoë",
  "attributes": {"city": "Denver", "loyalty_tier": "Gold"},
  "events": [{"type": "purchase", "at": "2026-10-18", "product": "Trailblazer 2 Hiking Boot", "amount": 149}]}"#;
const CONTEXT: &str = r#"{"now": "2026-11-20", "brand": "Northpeak",
  "offer": {"discount": "20%", "code": "TRAIL20", "ends": "2026-11-30"}}"#;
const GOOD: &str = "Subject: Zoë, 20% off for winter\n\nHi Zoë,\n\nHow are the Trailblazers holding up since last month? Everything is 20% off with code TRAIL20 until November 30.\n";
const BAD: &str = "Subject: Zoë, 20% off for winter\n\nHi Zoë,\n\nHow are the Trailblazers you bought yesterday? Everything is 20% off with code TRAIL20 until November 30.\n";

struct Dir(PathBuf);

impl Dir {
    fn new() -> Dir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let p = std::env::temp_dir().join(format!(
            "candor-check-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&p).unwrap();
        Dir(p)
    }
    fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.0.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn candor(args: &[&Path], extra: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_candor"));
    cmd.arg("check");
    cmd.args(extra);
    cmd.arg("--recipient").arg(args[0]);
    if let Some(c) = args.get(2) {
        cmd.arg("--context").arg(c);
    }
    cmd.arg(args[1]);
    cmd.output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn faithful_email_passes_with_json() {
    let d = Dir::new();
    let (r, c, e) = (
        d.file("r.json", RECIPIENT.as_bytes()),
        d.file("c.json", CONTEXT.as_bytes()),
        d.file("e.txt", GOOD.as_bytes()),
    );
    let o = candor(&[&r, &e, &c], &["--json"]);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    let rep: Report = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(rep.verdict, "pass");
    assert!(rep.findings.is_empty());
}

#[test]
fn defect_fails_with_exit_1_and_names_the_span() {
    let d = Dir::new();
    let (r, c, e) = (
        d.file("r.json", RECIPIENT.as_bytes()),
        d.file("c.json", CONTEXT.as_bytes()),
        d.file("e.txt", BAD.as_bytes()),
    );
    let o = candor(&[&r, &e, &c], &["--json"]);
    assert_eq!(o.status.code(), Some(1), "stderr: {}", stderr(&o));
    let rep: Report = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(rep.verdict, "fail");
    let f = rep
        .findings
        .iter()
        .find(|f| f.kind == "wrong_time")
        .unwrap();
    assert_eq!(f.text, "yesterday");
    assert!(!f.reason.is_empty() && f.rule.starts_with("time."));
    // The JSON object has exactly the documented keys (deny_unknown_fields above).
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v.as_object().unwrap().len(), 2);
}

#[test]
fn human_report_shows_the_span_in_context() {
    let d = Dir::new();
    let (r, c, e) = (
        d.file("r.json", RECIPIENT.as_bytes()),
        d.file("c.json", CONTEXT.as_bytes()),
        d.file("e.txt", BAD.as_bytes()),
    );
    let o = candor(&[&r, &e, &c], &[]);
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(out.starts_with("FAIL"), "{out}");
    assert!(out.contains("wrong_time"), "{out}");
    assert!(
        out.contains("| How are the Trailblazers you bought yesterday?"),
        "{out}"
    );
    assert!(out.contains("^^^^^^^^^"), "{out}");
    assert!(
        o.stderr.is_empty(),
        "stdout carries the report, stderr stays quiet"
    );
}

#[test]
fn eml_with_quoted_printable_is_read() {
    let d = Dir::new();
    let eml = b"From: Northpeak <hi@northpeak.example>\r\nTo: zoe@example.com\r\nSubject: =?UTF-8?Q?Zo=C3=AB=2C_20=25_off?=\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nHi Zo=C3=AB, how are the Trailblazers you bought yesterday? 20% off with TRAIL20 =\r\nuntil November 30.\r\n--b1\r\nContent-Type: text/html\r\n\r\n<p>html</p>\r\n--b1--\r\n";
    let (r, c, e) = (
        d.file("r.json", RECIPIENT.as_bytes()),
        d.file("c.json", CONTEXT.as_bytes()),
        d.file("m.eml", eml),
    );
    let o = candor(&[&r, &e, &c], &["--json"]);
    assert_eq!(o.status.code(), Some(1), "stderr: {}", stderr(&o));
    let rep: Report = serde_json::from_slice(&o.stdout).unwrap();
    assert!(rep.findings.iter().any(|f| f.text == "yesterday"));
}

fn assert_bad_input(o: &Output, file: &str, problem: &str) {
    assert_eq!(o.status.code(), Some(2), "stderr: {}", stderr(o));
    let err = stderr(o);
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains(file), "names the file `{file}`: {err}");
    assert!(
        err.contains(problem),
        "names the problem `{problem}`: {err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    assert!(o.stdout.is_empty());
}

#[test]
fn malformed_recipient_json_exits_2() {
    let d = Dir::new();
    let (r, c, e) = (
        d.file("bad.json", b"{\"id\": 1,"),
        d.file("c.json", CONTEXT.as_bytes()),
        d.file("e.txt", GOOD.as_bytes()),
    );
    assert_bad_input(&candor(&[&r, &e, &c], &[]), "bad.json", "bad JSON");
}

#[test]
fn invalid_recipient_record_exits_2() {
    let d = Dir::new();
    let (r, e) = (
        d.file("r.json", b"{\"id\": \"1\"}"),
        d.file("e.txt", GOOD.as_bytes()),
    );
    assert_bad_input(
        &candor(&[&r, &e], &[]),
        "r.json",
        "missing required field `email`",
    );
}

#[test]
fn malformed_context_exits_2() {
    let d = Dir::new();
    let (r, e) = (
        d.file("r.json", RECIPIENT.as_bytes()),
        d.file("e.txt", GOOD.as_bytes()),
    );
    let c = d.file("ctx.json", b"[1, 2");
    assert_bad_input(&candor(&[&r, &e, &c], &[]), "ctx.json", "bad JSON");
    let c = d.file("ctx2.json", b"{\"brand\": \"x\"}");
    assert_bad_input(&candor(&[&r, &e, &c], &[]), "ctx2.json", "`now` is missing");
    let c = d.file(
        "ctx3.json",
        b"{\"now\": \"2026-11-20\", \"gate\": {\"nope\": 1}}",
    );
    assert_bad_input(
        &candor(&[&r, &e, &c], &[]),
        "ctx3.json",
        "not a valid rule table",
    );
}

#[test]
fn missing_file_exits_2() {
    let d = Dir::new();
    let r = d.file("r.json", RECIPIENT.as_bytes());
    let e = d.0.join("does-not-exist.txt");
    assert_bad_input(
        &candor(&[&r, &e], &[]),
        "does-not-exist.txt",
        "cannot read email file",
    );
}

#[test]
fn non_utf8_email_exits_2() {
    let d = Dir::new();
    let (r, e) = (
        d.file("r.json", RECIPIENT.as_bytes()),
        d.file("e.txt", b"Subject: hi\n\nHi \xff\xfe there"),
    );
    assert_bad_input(&candor(&[&r, &e], &[]), "e.txt", "not valid UTF-8");
}

#[test]
fn empty_email_exits_2() {
    let d = Dir::new();
    let (r, e) = (d.file("r.json", RECIPIENT.as_bytes()), d.file("e.txt", b""));
    assert_bad_input(&candor(&[&r, &e], &[]), "e.txt", "empty");
    let e2 = d.file("e2.txt", b"Subject: only a subject\n\n");
    assert_bad_input(&candor(&[&r, &e2], &[]), "e2.txt", "no body");
    let e3 = d.file("e3.txt", b"Hello there,\nno subject line");
    assert_bad_input(&candor(&[&r, &e3], &[]), "e3.txt", "Subject:");
}

#[test]
fn ten_megabyte_email_exits_2() {
    let d = Dir::new();
    let mut big = b"Subject: big\n\n".to_vec();
    big.resize(10 * 1024 * 1024, b'a');
    let (r, e) = (
        d.file("r.json", RECIPIENT.as_bytes()),
        d.file("big.txt", &big),
    );
    assert_bad_input(&candor(&[&r, &e], &[]), "big.txt", "over the");
}

#[test]
fn campaign_rules_extend_the_gate() {
    let d = Dir::new();
    let ctx = r#"{"now": "2026-11-20", "brand": "Northpeak", "offer": {"discount": "20%", "code": "TRAIL20", "ends": "2026-11-30"},
      "gate": {"lint": {"banned": ["cozy"]}}}"#;
    let email = "Subject: Cozy season\n\nHi Zoë, cozy season is here: 20% off with TRAIL20 until November 30.\n";
    let (r, c, e) = (
        d.file("r.json", RECIPIENT.as_bytes()),
        d.file("c.json", ctx.as_bytes()),
        d.file("e.txt", email.as_bytes()),
    );
    let o = candor(&[&r, &e, &c], &["--json"]);
    assert_eq!(o.status.code(), Some(1), "stderr: {}", stderr(&o));
    let rep: Report = serde_json::from_slice(&o.stdout).unwrap();
    assert!(rep
        .findings
        .iter()
        .any(|f| f.kind == "banned_phrase" && f.text.eq_ignore_ascii_case("cozy")));
}
