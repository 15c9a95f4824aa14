//! Every template-tier email passes the authenticity gate: the floor of the ladder must hold.

// Helpers unwrap freely: a test module, so the workspace lints allow it.
#[cfg(test)]
mod tests {
    use candor_domain::{Date, Limits, Recipient};
    use candor_engine::template::{CampaignFacts, TemplateSet};
    use candor_gate::{Context, Email, Gate};

    fn now() -> Date {
        Date::from_ymd(2026, 12, 1).unwrap()
    }

    fn records() -> Vec<serde_json::Value> {
        let mut out = vec![];
        let names = [Some("Ana"), Some("Jörg"), None];
        let mut n = 0;
        for mask in 0u32..64 {
            let mut attrs = serde_json::Map::new();
            if mask & 1 != 0 {
                attrs.insert("city".into(), "Porto".into());
            }
            if mask & 2 != 0 {
                attrs.insert("loyalty_tier".into(), "Gold".into());
            }
            if mask & 32 != 0 {
                attrs.insert("signup_date".into(), "2022-04-09".into());
            }
            let mut events = vec![];
            if mask & 4 != 0 {
                events.push(serde_json::json!({"type":"purchase","at":"2026-11-03","product":"Trailblazer 2 Hiking Boot","amount":149}));
                events.push(
                    serde_json::json!({"type":"purchase","at":"2025-02-03","product":"Rain Shell"}),
                );
            }
            if mask & 8 != 0 {
                events.push(serde_json::json!({"type":"signup","at":"2019-03-03"}));
            }
            for name in names {
                n += 1;
                let mut v = serde_json::json!({"id": format!("r{n}"), "email":"a@b.co",
                    "attributes": attrs, "events": events});
                if let Some(name) = name {
                    v["first_name"] = name.into();
                }
                if mask & 16 != 0 {
                    v["consent"] = serde_json::json!({"profiling": false});
                }
                out.push(v);
            }
        }
        out
    }

    #[test]
    fn template_tier_emails_pass_the_gate() {
        let t = TemplateSet::embedded().unwrap();
        let gate = Gate::new();
        let campaign = CampaignFacts {
            brand: "Northwind Outfitters".into(),
            offer_headline: Some("20% off hiking boots".into()),
        };
        let mut facts = serde_json::Map::new();
        facts.insert("brand".into(), "Northwind Outfitters".into());
        facts.insert("offer".into(), "20% off hiking boots".into());
        // The run puts the sender's postal address in the gate's context: the footer states it.
        facts.insert("postal_address".into(), "12 Harbour Rd".into());
        let ctx = Context::new(now(), facts);
        let mut failures = vec![];
        for v in records() {
            let r = Recipient::from_value(v, &Limits::default()).unwrap();
            let e = t.render_for(&r, now(), &campaign).unwrap();
            let body = format!(
                "{}\n\nOur winter range is here.\n\n-- \nNorthwind Outfitters · 12 Harbour Rd\nUnsubscribe: https://northwind.example/u/x",
                e.opener.text
            );
            let report = gate.check(&Email::new(e.subject.text.clone(), body), &r, &ctx);
            if !report.passed() {
                failures.push(format!(
                    "{} [{}]: {} / {}: {:?}",
                    r.id, e.opener.variant, e.subject.text, e.opener.text, report.findings
                ));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
}
