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
        let r = gate.check(&c.email, &c.recipient, &c.context);
        println!("{} (expect {:?}): {:?}", c.id, c.expect, r.verdict);
        for f in &r.findings {
            println!("  {} [{}] {:?}: {}", f.kind, f.rule, f.text, f.reason);
        }
        println!("  used: {:?}", r.used_facts);
    }
}
