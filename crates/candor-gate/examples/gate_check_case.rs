//! Debug aid: print the full report for fixture cases (the main set and the second-author
//! sets, ids `set_x/...`) whose id contains the argument.
//!
//! `cargo run -p candor-gate --example gate_check_case -- outdoor-pass-1`

#![allow(clippy::print_stdout)]

#[path = "../fixtures/load.rs"]
mod load;

use candor_gate::Gate;

fn main() {
    let pat = std::env::args().nth(1).unwrap_or_default();
    let gate = Gate::new();
    let all = load::load()
        .unwrap_or_default()
        .into_iter()
        .chain(load::load_second_author().unwrap_or_default());
    for c in all {
        if !c.id.contains(&pat) {
            continue;
        }
        // `GATE_CASE_EMAIL=file`: check that email instead, with the case's record and
        // campaign (to try a variation of a case).
        let email = match std::env::var("GATE_CASE_EMAIL") {
            Ok(path) => {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                match candor_gate::Email::parse_text(&text) {
                    Ok(e) => e,
                    Err(e) => {
                        println!("{path}: {e}");
                        return;
                    }
                }
            }
            Err(_) => c.email.clone(),
        };
        let r = gate.check(&email, &c.recipient, &c.context);
        println!("{} (expect {:?}): {:?}", c.id, c.expect, r.verdict);
        for f in &r.findings {
            println!("  {} [{}] {:?}: {}", f.kind, f.rule, f.text, f.reason);
        }
        println!("  used: {:?}", r.used_facts);
    }
}
