//! `candor check`: run the authenticity gate over one email.
//!
//! Exit codes: 0 pass, 1 fail (findings printed), 2 bad input (a file that cannot be read or
//! parsed; the message names the file and the problem). stdout carries only the report.

use std::fs;
use std::io::{Read, Write};
use std::path::Path;

use anyhow::Context as _;
use candor_domain::{Date, Limits, Recipient};
use candor_gate::{Context, Email, Gate, Part, Report, RuleTable, Verdict, MAX_EMAIL_BYTES};

use crate::cli::CheckArgs;
use crate::exit::{Failed, UserError};

/// Key of CONTEXT.json that carries a rule-table extension instead of campaign facts.
const RULES_KEY: &str = "gate";
/// Largest recipient or context file read (the domain caps one record at 256 KiB).
const MAX_JSON_BYTES: u64 = 4 * 1024 * 1024;

pub fn run(args: CheckArgs) -> anyhow::Result<()> {
    let recipient = read_recipient(&args.recipient)?;
    let (ctx, extension) = match &args.context {
        Some(p) => read_context(p)?,
        None => (Context::at(today()?), None),
    };
    let email = read_email(&args.email)?;
    let gate = match extension {
        Some(ext) => Gate::with_extension(ext).map_err(|e| {
            UserError::new(format!(
                "context file `{}`: key `{RULES_KEY}` is not a valid rule table: {e}",
                args.context.as_deref().unwrap_or(Path::new("")).display()
            ))
        })?,
        None => Gate::new(),
    };
    let report = gate.check(&email, &recipient, &ctx);

    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer(&mut out, &report).context("writing the report")?;
        writeln!(out)?;
    } else {
        write_human(&mut out, &args.email, &email, &report)?;
    }
    out.flush()?;
    match report.verdict {
        Verdict::Pass => Ok(()),
        Verdict::Fail => Err(Failed.into()),
    }
}

fn read_limited(path: &Path, what: &str, limit: u64) -> anyhow::Result<Vec<u8>> {
    let file = fs::File::open(path).map_err(|e| {
        UserError::new(format!("cannot read {what} file `{}`: {e}", path.display()))
    })?;
    let mut bytes = Vec::new();
    // Read one byte past the limit so an oversized file is refused without reading all of it.
    file.take(limit + 1).read_to_end(&mut bytes).map_err(|e| {
        UserError::new(format!("cannot read {what} file `{}`: {e}", path.display()))
    })?;
    if bytes.len() as u64 > limit {
        return Err(UserError::new(format!(
            "{what} file `{}` is over the {limit}-byte limit",
            path.display()
        ))
        .into());
    }
    Ok(bytes)
}

fn read_recipient(path: &Path) -> anyhow::Result<Recipient> {
    let bytes = read_limited(path, "recipient", MAX_JSON_BYTES)?;
    let text = std::str::from_utf8(&bytes).map_err(|_| {
        UserError::new(format!(
            "recipient file `{}` is not valid UTF-8",
            path.display()
        ))
    })?;
    Recipient::from_json(text, &Limits::default()).map_err(|e| {
        UserError::new(format!("recipient file `{}`: {e}", path.display()))
            .hint("expected one canonical record: {\"id\", \"email\", \"first_name\"?, \"attributes\"?, \"events\"?, \"consent\"?}")
            .into()
    })
}

fn read_context(path: &Path) -> anyhow::Result<(Context, Option<RuleTable>)> {
    let bytes = read_limited(path, "context", MAX_JSON_BYTES)?;
    let mut value: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| UserError::new(format!("context file `{}`: bad JSON: {e}", path.display())))?;
    let extension = match value.as_object_mut().and_then(|m| m.remove(RULES_KEY)) {
        Some(v) => Some(RuleTable::from_json(v).map_err(|e| {
            UserError::new(format!(
                "context file `{}`: key `{RULES_KEY}` is not a valid rule table: {e}",
                path.display()
            ))
        })?),
        None => None,
    };
    let ctx = Context::from_json(value).map_err(|e| {
        UserError::new(format!("context file `{}`: {e}", path.display()))
            .hint("CONTEXT.json is an object like {\"now\": \"2026-11-20\", \"brand\": \"...\"}")
    })?;
    Ok((ctx, extension))
}

fn read_email(path: &Path) -> anyhow::Result<Email> {
    let bytes = read_limited(path, "email", MAX_EMAIL_BYTES as u64)?;
    let is_eml = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("eml"));
    let parsed = if is_eml {
        Email::parse_eml(&bytes)
    } else {
        Email::parse_auto(&bytes)
    };
    parsed.map_err(|e| {
        UserError::new(format!("email file `{}`: {e}", path.display()))
            .hint("an email is `Subject: ...`, a blank line, then the plain-text body; or an .eml message")
            .into()
    })
}

/// Today's UTC date, for a check without CONTEXT.json.
fn today() -> anyhow::Result<Date> {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    // Julian day 2440588 is 1970-01-01.
    let jd = 2_440_588 + (secs / 86_400) as i32;
    Date::from_julian_day(jd).ok_or_else(|| {
        UserError::new("cannot tell today's date from the system clock")
            .hint("pass --context with a `now` date")
            .into()
    })
}

/// The readable report: each finding with its span shown in its line, carets under it.
fn write_human(
    out: &mut impl Write,
    path: &Path,
    email: &Email,
    report: &Report,
) -> anyhow::Result<()> {
    let n = report.findings.len();
    match report.verdict {
        Verdict::Pass => writeln!(out, "PASS  {}: no findings", path.display())?,
        Verdict::Fail => writeln!(
            out,
            "FAIL  {}: {n} finding{}",
            path.display(),
            if n == 1 { "" } else { "s" }
        )?,
    }
    for f in &report.findings {
        let (part_name, text) = match f.part {
            Part::Subject => ("subject", email.subject.as_str()),
            Part::Body => ("body", email.body.as_str()),
        };
        let start = f.span.start.min(text.len());
        let line_start = text[..start].rfind('\n').map(|i| i + 1).unwrap_or(0);
        let line_end = text[start..]
            .find('\n')
            .map(|i| start + i)
            .unwrap_or(text.len());
        let line_no = text[..line_start].matches('\n').count() + 1;
        let line = &text[line_start..line_end];
        let pad = text[line_start..start].chars().count();
        let width = f.text.chars().count().max(1);
        writeln!(out)?;
        writeln!(
            out,
            "  {}  [{}]  {part_name} line {line_no}",
            f.kind, f.rule
        )?;
        writeln!(out, "    | {line}")?;
        writeln!(out, "    | {}{}", " ".repeat(pad), "^".repeat(width))?;
        writeln!(out, "    {}", f.reason)?;
    }
    if !report.used_facts.is_empty() {
        writeln!(out)?;
        writeln!(out, "facts used: {}", report.used_facts.join(", "))?;
    }
    Ok(())
}
