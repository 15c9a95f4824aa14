//! Property tests: the gate never panics and every span quotes its text, whatever the input.

#![allow(
    clippy::unwrap_used,
    reason = "test setup helpers: a failed setup should fail the test loudly"
)]

use candor_domain::{Limits, Recipient};
use candor_gate::{genericness, Context, Email, Gate, Part, Verdict};
use proptest::prelude::*;

fn recipient() -> Recipient {
    Recipient::from_json(
        r#"{"id":"1","email":"zoe@example.com","first_name":"Zoë",
        "attributes":{"city":"Denver","loyalty_tier":"Gold","signup_date":"2023-06-15","orders":4},
        "events":[{"type":"purchase","at":"2026-10-18","product":"Trailblazer 2 Hiking Boot","amount":149.0}]}"#,
        &Limits::default(),
    )
    .unwrap()
}

fn context() -> Context {
    Context::from_json(serde_json::json!({"now":"2026-11-20","brand":"Northpeak",
        "offer":{"discount":"20%","code":"TRAIL20","ends":"2026-11-30"}}))
    .unwrap()
}

/// Text built from the words the rules care about, so the checks actually fire.
fn marketing_text() -> impl Strategy<Value = String> {
    let words = prop::sample::select(vec![
        "Hi",
        "Zoë",
        "Zoe",
        "you",
        "your",
        "bought",
        "last",
        "week",
        "yesterday",
        "month",
        "ago",
        "3",
        "days",
        "$149",
        "$",
        "20%",
        "%",
        "off",
        "code",
        "TRAIL20",
        "SAVE",
        "{{",
        "}}",
        "[",
        "]",
        "Name",
        "Trailblazer",
        "Denver",
        "Boulder",
        "Gold",
        "member",
        "since",
        "2019",
        "years",
        "with",
        "us",
        "in",
        "your cart",
        "we noticed",
        "Happy birthday",
        "March",
        "30",
        "November",
        "ends",
        "tomorrow",
        ",",
        ".",
        "!",
        "\n",
        "\n\n",
        "美咲",
        "Łukasz",
        "'s",
        "-",
        "orders",
        "4",
        "the",
        "a",
        "If",
        "Sure! Here's",
        "HUGE",
        "!!!",
        "é",
        "\u{301}",
        "’",
    ]);
    prop::collection::vec(words, 0..60).prop_map(|w| w.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn never_panics_and_spans_quote_text(subject in "\\PC{0,40}", body in "\\PC{0,300}") {
        check_invariants(&subject, &body);
    }

    #[test]
    fn never_panics_on_rule_words(subject in marketing_text(), body in marketing_text()) {
        check_invariants(&subject, &body);
    }

    #[test]
    fn genericness_is_a_rate(texts in prop::collection::vec("\\PC{0,80}", 0..12)) {
        let openers: Vec<(String, String)> =
            texts.into_iter().enumerate().map(|(i, t)| (i.to_string(), t)).collect();
        let r = genericness(&openers);
        prop_assert!((0.0..=1.0).contains(&r.rate));
        prop_assert_eq!(r.per_email.len(), openers.len());
    }
}

fn check_invariants(subject: &str, body: &str) {
    let gate = Gate::new();
    let email = Email::new(subject, body);
    let rep = gate.check(&email, &recipient(), &context());
    assert_eq!(rep.verdict == Verdict::Pass, rep.findings.is_empty());
    for f in &rep.findings {
        let part = match f.part {
            Part::Subject => subject,
            Part::Body => body,
        };
        assert_eq!(part.get(f.span.clone()), Some(f.text.as_str()), "{f:?}");
    }
    let _ = gate.check_opener(body, &recipient(), &context());
}
