//! Profiling aid: the gate's per-recipient check on the template floor, alone.
//!
//! Renders the example campaign's template subject and opener for synthetic recipients (the
//! bench's list) and checks each the way `candor run` does on the floor: the subject and
//! opener against the recipient's record, with the segment copy judged once. Prints the
//! wall time per check and a digest of the findings, so two builds can be compared for speed
//! and for sameness.
//!
//! `cargo run --release -p candor-engine --example gate_floor -- 20000 3`
//! (recipients, rounds). Under callgrind, the difference between two list sizes divided by
//! the difference in recipients is the instructions of one check.

#![expect(clippy::print_stdout, reason = "a profiling aid reports on stdout")]

use std::error::Error;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::time::Instant;

use candor_domain::recipient::{Limits, Recipient};
use candor_domain::Campaign;
use candor_engine::assets::EXAMPLE_CAMPAIGN;
use candor_engine::compose;
use candor_engine::demo_data::{self, OutFormat};
use candor_engine::template::{CampaignFacts, TemplateSet};
use candor_gate::{Context, Gate};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let n: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(20_000);
    let rounds: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1);
    let campaign = Campaign::from_toml(EXAMPLE_CAMPAIGN)?;
    let mut list = Vec::new();
    demo_data::write(&mut list, n, 1, campaign.send_date, OutFormat::Jsonl)?;
    let recipients: Vec<Recipient> = String::from_utf8(list)?
        .lines()
        .map(|l| Recipient::from_json(l, &Limits::default()))
        .collect::<Result<_, _>>()?;
    let templates = TemplateSet::embedded()?;
    let facts = CampaignFacts {
        brand: campaign.brand.name.clone(),
        offer_headline: compose::campaign_subject(&campaign),
    };
    let emails: Vec<(String, String)> = recipients
        .iter()
        .map(|r| {
            templates
                .render_for(r, campaign.send_date, &facts)
                .map(|t| (t.subject.text, t.opener.text))
        })
        .collect::<Result<_, _>>()?;
    // GATE_FLOOR_SHOW=N prints the first N emails' checked parts, to see what is measured.
    let show: usize = std::env::var("GATE_FLOOR_SHOW")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    for (subject, opener) in emails.iter().take(show) {
        println!("Subject: {subject}\n{opener}\n");
    }
    let gate = Gate::new();
    let mut ctx_json = campaign.gate_context_json();
    if let serde_json::Value::Object(m) = &mut ctx_json {
        m.entry("postal_address")
            .or_insert_with(|| campaign.brand.postal_address.clone().into());
    }
    let prepared = gate.prepare(Context::from_json(ctx_json)?);
    let probe = Recipient::from_json(
        r#"{"id":"candor-copy-probe","email":"probe@candor.invalid"}"#,
        &Limits::default(),
    )?;
    let body = format!(
        "{}\n\n{}",
        compose::fallback_body(&campaign),
        compose::offer_block(&campaign)
    );
    let shared = gate.prepare_shared(&body, &probe, &prepared);
    for round in 0..rounds {
        let t = Instant::now();
        let mut digest = DefaultHasher::new();
        let mut failed = 0;
        for (r, (subject, opener)) in recipients.iter().zip(&emails) {
            let report = gate.check_with_shared(subject, opener.trim(), &shared, r, &prepared);
            failed += usize::from(!report.passed());
            for f in &report.findings {
                (f.kind.as_str(), &f.text).hash(&mut digest);
            }
            report.used_facts.hash(&mut digest);
        }
        let per = t.elapsed().as_secs_f64() * 1e6 / n.max(1) as f64;
        println!(
            "round {round}: {n} checks, {per:.2} µs per check, {failed} failed, digest {:016x}",
            digest.finish()
        );
    }
    Ok(())
}
