//! One small test per check: each finding kind, the rule that fires, and a paraphrase it accepts.

use candor_domain::{Limits, Recipient};
use serde_json::json;

use crate::{Context, Email, Gate, Kind, Report, RuleTable};

fn zoe() -> Recipient {
    Recipient::from_json(
        r#"{"id":"1","email":"zoe@example.com","first_name":"Zoë","last_name":"Martin",
        "attributes":{"city":"Denver","loyalty_tier":"Gold","signup_date":"2023-06-15","orders":4,"birthday":"1991-11-25"},
        "events":[{"type":"purchase","at":"2026-10-18","product":"Trailblazer 2 Hiking Boot","amount":149.0},
                  {"type":"view","at":"2026-11-17","product":"Summit Down Parka"}]}"#,
        &Limits::default(),
    )
    .unwrap()
}

fn sparse() -> Recipient {
    Recipient::from_json(r#"{"id":"2","email":"x@example.com"}"#, &Limits::default()).unwrap()
}

fn no_profiling() -> Recipient {
    Recipient::from_json(
        r#"{"id":"3","email":"m@example.com","first_name":"Marta","attributes":{"city":"Austin"},
        "events":[{"type":"purchase","at":"2026-11-10","product":"Oat Milk"}],"consent":{"profiling":false}}"#,
        &Limits::default(),
    )
    .unwrap()
}

fn ctx() -> Context {
    Context::from_json(json!({"now":"2026-11-20","brand":"Northpeak",
        "offer":{"discount":"20%","code":"TRAIL20","ends":"2026-11-30"},
        "products":["Ridgeline Trekking Poles"]}))
    .unwrap()
}

fn run(r: &Recipient, body: &str) -> Report {
    Gate::new().check(&Email::new("A note from Northpeak", body), r, &ctx())
}

fn kinds(r: &Report) -> Vec<(Kind, String, String)> {
    r.findings
        .iter()
        .map(|f| (f.kind, f.rule.clone(), f.text.clone()))
        .collect()
}

fn assert_pass(r: &Recipient, body: &str) {
    let rep = run(r, body);
    assert!(rep.passed(), "{body}\n{:?}", kinds(&rep));
}

/// `rep` (for `body`) has a finding of `kind`, with this rule and this span where given.
fn assert_report_has(rep: &Report, body: &str, kind: Kind, rule: Option<&str>, text: Option<&str>) {
    assert!(
        rep.findings.iter().any(|f| f.kind == kind
            && rule.is_none_or(|r| f.rule == r)
            && text.is_none_or(|t| f.text == t)),
        "{body}: {:?}",
        kinds(rep)
    );
}

fn assert_finds(r: &Recipient, body: &str, kind: Kind, rule: &str, text: &str) {
    let rep = run(r, body);
    assert!(
        rep.findings
            .iter()
            .any(|f| f.kind == kind && f.rule.starts_with(rule) && f.text == text),
        "{body}\nwanted {kind} {rule} {text:?}, got {:?}",
        kinds(&rep)
    );
}

#[test]
fn placeholders() {
    for (body, text) in [
        (
            "Welcome back to the club, {{first_name}}!",
            "{{first_name}}",
        ),
        ("Welcome, [First Name].", "[First Name]"),
        ("Welcome, <name>.", "<name>"),
        ("Welcome, %FNAME%.", "%FNAME%"),
        ("Welcome, *|FNAME|*.", "*|FNAME|*"),
        ("Your pick: [PRODUCT_NAME] is back.", "[PRODUCT_NAME]"),
        ("Call us on [clinic phone number].", "[clinic phone number]"),
        (
            "Quote the code when you book, before {\"ends\": \"2041-02-07\"}.",
            "{\"ends\": \"2041-02-07\"}",
        ),
    ] {
        assert_finds(
            &sparse(),
            body,
            Kind::TemplateLeak,
            "leak.placeholder",
            text,
        );
    }
    // Brackets that are not slots, and percentages, are fine.
    assert_pass(
        &sparse(),
        "Everything is 20% off, and 20% means 20% [see the sale page].",
    );
}

#[test]
fn standins_chatter_and_echo() {
    assert_finds(
        &sparse(),
        "Dear Valued Customer, the sale is on.",
        Kind::TemplateLeak,
        "leak.standin",
        "Dear Valued Customer",
    );
    assert_finds(
        &zoe(),
        "Sure! Here's a personalized email:\n\nHi Zoë.",
        Kind::TemplateLeak,
        "leak.assistant_chatter",
        "Sure! Here's",
    );
    assert_finds(
        &zoe(),
        "Hi Zoë. As an AI, I cannot know your plans.",
        Kind::TemplateLeak,
        "leak.assistant_chatter",
        "As an AI",
    );
    assert_finds(
        &zoe(),
        "Hi Zoë. Do not mention the discount.",
        Kind::TemplateLeak,
        "leak.echoed_instructions",
        "Do not mention",
    );
    assert_finds(
        &zoe(),
        "Hi Zoë, the sale is on.\n\nSubject line: Winter deals for you",
        Kind::TemplateLeak,
        "leak.echoed_instructions",
        "Subject line:",
    );
    // Stock pleasantries are addressed to the reader: dull, but neither a leak nor a claim.
    assert_pass(
        &sparse(),
        "I hope this email finds you well. I am writing to let you know the sale is on.",
    );
}

#[test]
fn wrong_language_sentence() {
    assert_finds(
        &zoe(),
        "Hi Zoë, the sale is on with TRAIL20. Gracias por tu compra y esperamos que vuelvas con nosotros.",
        Kind::TemplateLeak,
        "leak.wrong_language",
        "Gracias por tu compra y esperamos que vuelvas con nosotros.",
    );
    assert_pass(&zoe(), "Bonjour Zoë! The sale is on: 20% off with TRAIL20.");
}

#[test]
fn greeting_names() {
    assert_pass(&zoe(), "Hi Zoe, the sale is on.");
    assert_pass(&zoe(), "Dear Ms Martin, the sale is on.");
    assert_finds(
        &zoe(),
        "Hi Chloe, the sale is on.",
        Kind::WrongFact,
        "grounding.name",
        "Chloe",
    );
    assert_finds(
        &sparse(),
        "Hi Chloe, the sale is on.",
        Kind::FabricatedFact,
        "grounding.name",
        "Chloe",
    );
    assert_finds(
        &zoe(),
        "Hi there, the sale is on.",
        Kind::Generic,
        "greeting.generic",
        "Hi there",
    );
    assert_pass(&sparse(), "Hi there, the sale is on.");
}

#[test]
fn implied_context_needs_matching_fact() {
    assert_pass(
        &zoe(),
        "Hi Zoë, we noticed you were looking at the Summit Down Parka.",
    );
    assert_finds(
        &sparse(),
        "We noticed you were looking at our parkas.",
        Kind::ImpliedContext,
        "implied.observed_activity",
        "We noticed you",
    );
    assert_finds(
        &zoe(),
        "Hi Zoë, the poles are still in your cart.",
        Kind::ImpliedContext,
        "implied.cart",
        "still in your cart",
    );
    assert_finds(
        &zoe(),
        "Welcome back, Zoë!",
        Kind::ImpliedContext,
        "implied.welcome_back",
        "Welcome back",
    );
    assert_finds(
        &sparse(),
        "Hello! We picked these just for you: warm layers for winter.",
        Kind::ImpliedContext,
        "implied.based_on_you",
        "picked these just for you",
    );
    assert_pass(
        &zoe(),
        "Hi Zoë, we picked these just for you: poles for your new boots.",
    );
    assert_finds(
        &zoe(),
        "Hi Zoë, you have $20 in store credit waiting.",
        Kind::ImpliedContext,
        "implied.credit",
        "in store credit",
    );
    let with_credit = Recipient::from_json(
        r#"{"id":"9","email":"c@example.com","first_name":"Cam","attributes":{"store_credit":20}}"#,
        &Limits::default(),
    )
    .unwrap();
    assert_pass(
        &with_credit,
        "Hi Cam, you have $20 in store credit waiting.",
    );
    assert_finds(
        &zoe(),
        "Hi Zoë, thanks for reaching out to our team about sizing.",
        Kind::ImpliedContext,
        "implied.support",
        "thanks for reaching out",
    );
    // Hedges and invitations claim nothing.
    assert_pass(
        &sparse(),
        "If you've been eyeing a new parka, now is the time.",
    );
    assert_pass(&sparse(), "Start your free trial today.");
}

#[test]
fn birthday_outside_window_is_wrong_time() {
    assert_pass(&zoe(), "Happy early birthday, Zoë!");
    // Zoë's birthday is November 25, five days after the send date.
    assert_finds(
        &zoe(),
        "Hi Zoë, your birthday is tomorrow!",
        Kind::WrongTime,
        "time.birthday",
        "tomorrow",
    );
    assert_pass(
        &zoe(),
        "Happy early birthday, Zoë, and shop today to save 20%.",
    );
    let r = Recipient::from_json(
        r#"{"id":"1","email":"a@b.co","first_name":"Sam","attributes":{"birthday":"1985-07-14"}}"#,
        &Limits::default(),
    )
    .unwrap();
    assert_finds(
        &r,
        "Happy birthday, Sam!",
        Kind::WrongTime,
        "implied.birthday",
        "Happy birthday",
    );
}

#[test]
fn capitalized_specifics() {
    assert_pass(
        &zoe(),
        "Hi Zoë, how are the Trailblazers holding up in Denver?",
    );
    assert_finds(
        &zoe(),
        "Hi Zoë, they pair well with the Cascade Merino Beanie.",
        Kind::FabricatedFact,
        "grounding.capitalized",
        "Cascade Merino Beanie",
    );
    assert_finds(
        &zoe(),
        "Hi Zoë, how is your Cascade Merino Beanie?",
        Kind::WrongFact,
        "grounding.capitalized",
        "Cascade Merino Beanie",
    );
    assert_finds(
        &zoe(),
        "Hi Zoë, winters in Boulder are hard on your boots.",
        Kind::WrongFact,
        "grounding.capitalized",
        "Boulder",
    );
    // A name and a number the record gives with another number.
    assert_finds(
        &zoe(),
        "Hi Zoë, how are your Trailblazer 3 boots?",
        Kind::WrongFact,
        "grounding.numbered_name",
        "Trailblazer 3",
    );
    // Sentence-initial ordinary words and Title Case subjects are not specifics.
    assert_pass(
        &zoe(),
        "Hiking season is here. Cozy layers are 20% off with TRAIL20.",
    );
}

#[test]
fn tiers() {
    assert_pass(&zoe(), "As a Gold member, you get early access.");
    assert_finds(
        &zoe(),
        "As a Platinum member, you get early access.",
        Kind::WrongFact,
        "grounding.tier",
        "Platinum member",
    );
    assert_finds(
        &sparse(),
        "As a Gold member, you get early access.",
        Kind::FabricatedFact,
        "grounding.tier",
        "Gold member",
    );
}

#[test]
fn possession_and_claims() {
    assert_pass(&zoe(), "Hi Zoë, how are your new hiking boots?");
    assert_finds(
        &zoe(),
        "Hi Zoë, how is your new tent?",
        Kind::FabricatedFact,
        "grounding.possession",
        "your new tent",
    );
    assert_pass(&zoe(), "Hi Zoë, the parka you viewed is 20% off.");
    assert_finds(
        &zoe(),
        "Hi Zoë, the parka you bought is 20% off.",
        Kind::WrongFact,
        "grounding.claim",
        "parka you bought",
    );
}

#[test]
fn counts_and_tenure() {
    assert_pass(&zoe(), "Hi Zoë, your 4 orders tell us you know gear.");
    // An amount before the noun is not a count: "your $149 order".
    assert_pass(
        &zoe(),
        "Hi Zoë, thanks again for your $149 order in October.",
    );
    assert_finds(
        &zoe(),
        "Hi Zoë, your 6 orders tell us you know gear.",
        Kind::WrongFact,
        "grounding.count",
        "6 orders",
    );
    assert_finds(
        &sparse(),
        "Your 6 orders tell us you know gear.",
        Kind::FabricatedFact,
        "grounding.count",
        "6 orders",
    );
    assert_pass(&zoe(), "Zoë, three years with us is worth celebrating.");
    assert_finds(
        &zoe(),
        "Zoë, five years with us is worth celebrating.",
        Kind::WrongFact,
        "grounding.tenure",
        "five years",
    );
    // A warm word between the number and "years"; "with <brand>" as the cue.
    assert_pass(&zoe(), "Hi Zoë, thanks for three great years with us.");
    assert_finds(
        &zoe(),
        "Hi Zoë, thanks for five great years with us.",
        Kind::WrongFact,
        "grounding.tenure",
        "five great years",
    );
    assert_finds(
        &zoe(),
        "Hi Zoë, five years with Northpeak and counting!",
        Kind::WrongFact,
        "grounding.tenure",
        "five years",
    );
    assert_pass(
        &zoe(),
        "Hi Zoë, our boots are built for five great years on the trail.",
    );
    // "5-year": digits, a hyphen, the unit.
    assert_pass(&zoe(), "Hi Zoë, happy 3-year anniversary!");
    assert_finds(
        &zoe(),
        "Hi Zoë, happy 5-year anniversary!",
        Kind::WrongFact,
        "grounding.tenure",
        "5-year",
    );
    assert_pass(&zoe(), "Hi Zoë, our poles come with a 5-year warranty.");
    // Zoë signed up in June 2023.
    assert_pass(
        &zoe(),
        "Hi Zoë, you joined us in 2023 and we're glad you did.",
    );
    assert_finds(
        &zoe(),
        "Hi Zoë, you joined us in 2021 and we're glad you did.",
        Kind::WrongFact,
        "grounding.tenure",
        "in 2021",
    );
    assert_pass(&zoe(), "Zoë, you've been a member since 2023.");
    assert_finds(
        &zoe(),
        "Zoë, you've been a member since 2020.",
        Kind::WrongFact,
        "grounding.tenure",
        "since 2020",
    );
}

#[test]
fn offer_amounts_percents_codes_and_deadlines() {
    assert_pass(&zoe(), "Take 20% off with code TRAIL20 until November 30.");
    assert_finds(
        &zoe(),
        "Take 25% off with code TRAIL20.",
        Kind::WrongOffer,
        "offer.percent",
        "25%",
    );
    assert_finds(
        &zoe(),
        "Take 20% off with code TRAIL25.",
        Kind::WrongOffer,
        "offer.code",
        "TRAIL25",
    );
    assert_finds(
        &zoe(),
        "Take 20% off until December 3.",
        Kind::WrongOffer,
        "offer.deadline",
        "December 3",
    );
    assert_finds(
        &zoe(),
        "The sale ends tomorrow.",
        Kind::WrongOffer,
        "offer.deadline",
        "tomorrow",
    );
    assert_finds(
        &zoe(),
        "The poles are just $59 this week.",
        Kind::WrongOffer,
        "offer.amount",
        "$59",
    );
    // $149 at 20% off is $119.20: a derived amount is supported.
    assert_pass(&zoe(), "Your $149 boots would be $119.20 at 20% off.");
    assert_finds(
        &zoe(),
        "The $129 boots you bought last month still look great.",
        Kind::WrongFact,
        "grounding.amount",
        "$129",
    );
    assert_pass(&zoe(), "Hi Zoë, your October order came to $149.");
    assert_finds(
        &zoe(),
        "Hi Zoë, your October order came to $129.",
        Kind::WrongFact,
        "grounding.amount",
        "$129",
    );
}

#[test]
fn tier_perks_are_the_persons_tier() {
    assert_pass(&zoe(), "Hi Zoë, your Gold perks include early access.");
    assert_finds(
        &sparse(),
        "Your Gold perks include early access.",
        Kind::FabricatedFact,
        "grounding.tier",
        "Gold perks",
    );
}

#[test]
fn upgrading_from_a_tier_says_it_is_the_persons() {
    // Zoë is Gold.
    assert_pass(
        &zoe(),
        "Hi Zoë, ready to move from Gold to the next tier? It's one click.",
    );
    assert_finds(
        &zoe(),
        "Hi Zoë, ready to upgrade from Silver to Gold?",
        Kind::WrongFact,
        "grounding.",
        "Silver",
    );
    assert_finds(
        &sparse(),
        "Ready to upgrade from Silver to Gold? It's one click.",
        Kind::FabricatedFact,
        "grounding.",
        "Silver",
    );
    // Other people's moves claim nothing about the reader.
    let tiers = Context::from_json(json!({"now":"2026-11-20","brand":"Northpeak",
        "tiers":["Silver","Gold","Platinum"]}))
    .unwrap();
    let check =
        |body: &str| Gate::new().check(&Email::new("A note from Northpeak", body), &zoe(), &tiers);
    let others = check("Hi Zoë, many members upgrade from Silver to Gold each winter.");
    assert!(others.passed(), "{:?}", kinds(&others));
    let r = check("Hi Zoë, ready to upgrade from Silver to Platinum?");
    assert_eq!(
        kinds(&r),
        [(
            Kind::WrongFact,
            "grounding.tier".to_string(),
            "Silver".to_string()
        )]
    );
}

#[test]
fn yesterday_and_today_are_exact_days() {
    let r = Recipient::from_json(
        r#"{"id":"4","email":"c@example.com","first_name":"Cal",
        "events":[{"type":"signup","at":"2026-11-06"},
                  {"type":"view","at":"2026-11-18","product":"Ridgeline Trekking Poles"},
                  {"type":"event_attended","at":"2026-09-13","name":"Bayfront 10K"},
                  {"type":"lesson_completed","at":"2026-11-19","lesson":"Unit 7"}]}"#,
        &Limits::default(),
    )
    .unwrap();
    // Two days ago is not yesterday; one day ago is not this morning.
    assert_finds(
        &r,
        "You were eyeing the Ridgeline Trekking Poles yesterday.",
        Kind::WrongTime,
        "time.yesterday",
        "yesterday",
    );
    assert_pass(&r, "You finished Unit 7 yesterday.");
    assert_finds(
        &r,
        "You finished Unit 7 this morning.",
        Kind::WrongTime,
        "time.today",
        "this morning",
    );
    // Thanked for something the reader did: about the person, though "you" is not written.
    assert_finds(
        &r,
        "Thanks for signing up yesterday!",
        Kind::WrongTime,
        "time.yesterday",
        "yesterday",
    );
    assert_pass(&r, "Thanks for signing up two weeks ago!");
    // "Your Bayfront 10K": the person's own event, named.
    assert_finds(
        &r,
        "Your Bayfront 10K last month was a strong run.",
        Kind::WrongTime,
        "time.last_month",
        "last month",
    );
    assert_pass(&r, "Your Bayfront 10K in September was a strong run.");
}

#[test]
fn relative_times() {
    assert_pass(&zoe(), "Hi Zoë, how are the boots you bought last month?");
    // "It's been N weeks since you...": Zoë's boots were bought on October 18, 33 days
    // before the send date.
    assert_pass(
        &zoe(),
        "Hi Zoë, it's been 5 weeks since you bought the Trailblazer 2 Hiking Boot.",
    );
    assert_finds(
        &zoe(),
        "Hi Zoë, it's been 3 weeks since you bought the Trailblazer 2 Hiking Boot.",
        Kind::WrongTime,
        "time.ago",
        "3 weeks since",
    );
    // A weekday in a past clause about the person: Zoë viewed the parka on Tuesday,
    // November 17 (the send date is Friday, November 20).
    assert_pass(
        &zoe(),
        "Hi Zoë, the Summit Down Parka you looked at on Tuesday is now 20% off.",
    );
    assert_finds(
        &zoe(),
        "Hi Zoë, the Summit Down Parka you looked at on Monday is now 20% off.",
        Kind::WrongTime,
        "time.date",
        "Monday",
    );
    assert_pass(&zoe(), "Hi Zoë, see you at the store on Monday!");
    // "today" in an offer is when the reader may act.
    assert_pass(&zoe(), "Hi Zoë, as a Gold member, you can save 20% today.");
    assert_pass(&zoe(), "Zoë, you can start saving today with code TRAIL20.");
    assert_finds(
        &zoe(),
        "Hi Zoë, you bought the Trailblazer 2 Hiking Boot today, and you can save on poles.",
        Kind::WrongTime,
        "time.today",
        "today",
    );
    // Our own feelings are a state, not something the person did: a real local-model opener.
    assert_pass(
        &zoe(),
        "Hi Zoë, we're thrilled to be reaching out to you today, and we're excited to offer you 20% off.",
    );
    assert_pass(&zoe(), "Hi Zoë, we are so excited to see you today.");
    assert_finds(
        &zoe(),
        "Hi Zoë, you ordered the Trailblazer 2 Hiking Boot today, and we're thrilled.",
        Kind::WrongTime,
        "time.today",
        "today",
    );
    assert_pass(
        &zoe(),
        "Hi Zoë, the parka you viewed a few days ago is 20% off.",
    );
    assert_finds(
        &zoe(),
        "Hi Zoë, how are the boots you bought yesterday?",
        Kind::WrongTime,
        "time.yesterday",
        "yesterday",
    );
    assert_finds(
        &zoe(),
        "Hi Zoë, how are the boots you bought 3 days ago?",
        Kind::WrongTime,
        "time.ago",
        "3 days ago",
    );
    assert_pass(&zoe(), "Hi Zoë, you picked up your boots in October.");
    assert_finds(
        &zoe(),
        "Hi Zoë, you picked up your boots in March.",
        Kind::WrongTime,
        "time.month",
        "March",
    );
    assert_finds(
        &sparse(),
        "You stopped by yesterday!",
        Kind::WrongTime,
        "time.yesterday",
        "yesterday",
    );
    // Times about us, not the person, are not checked.
    assert_pass(&sparse(), "We restocked the poles yesterday.");
}

#[test]
fn consent_covers_values_said_in_any_words_and_owned_products() {
    let r = Recipient::from_json(
        r#"{"id":"5","email":"t@example.com","first_name":"Thảo",
        "attributes":{"lens_type":"progressive"},
        "events":[{"type":"purchase","at":"2024-12-03","product":"Mira Cat-Eye Frame"}],
        "consent":{"profiling":false}}"#,
        &Limits::default(),
    )
    .unwrap();
    assert_finds(
        &r,
        "Since you wear progressive lenses, a second pair helps.",
        Kind::ConsentViolation,
        "consent.profiling",
        "progressive",
    );
    assert_finds(
        &r,
        "Your Mira Cat-Eye frames are two years old now.",
        Kind::ConsentViolation,
        "consent.profiling",
        "Your Mira Cat-Eye frames",
    );
    assert_pass(&r, "Hi Thảo, our trekking poles are 20% off this week.");
}

#[test]
fn claims_grounded_by_the_records_own_names() {
    let r = Recipient::from_json(
        r#"{"id":"7","email":"f@example.com","first_name":"François","attributes":{"seats":10},
        "events":[{"type":"seat_added","at":"2026-09-08","count":2},
                  {"type":"class_attended","at":"2026-05-09","class":"Trail Maintenance 101"},
                  {"type":"event_attended","at":"2026-11-05","name":"Automation Workshop"}]}"#,
        &Limits::default(),
    )
    .unwrap();
    // An event type or attribute key names the thing; a wildcard kind covers `class_attended`;
    // a phrase that goes on to name the person's own event is grounded by it.
    assert_pass(&r, "You added two more seats in September.");
    assert_pass(
        &r,
        "Since you joined us for Trail Maintenance 101 back in May, you know the drill.",
    );
    assert_pass(
        &r,
        "Thanks for joining the Automation Workshop a couple of weeks ago.",
    );
    assert_finds(
        &sparse(),
        "You added two more seats in September.",
        Kind::ImpliedContext,
        "implied.added",
        "You added",
    );
    assert_finds(
        &sparse(),
        "Thanks for joining the Automation Workshop.",
        Kind::ImpliedContext,
        "implied.new_signup",
        "Thanks for joining",
    );
}

#[test]
fn second_author_phrasings() {
    let r = Recipient::from_json(
        r#"{"id":"8","email":"s@example.com","first_name":"Søren",
        "attributes":{"streak_days":112,"orders_count":4},
        "events":[{"type":"event_attended","at":"2026-09-13","name":"Bayfront 10K"}]}"#,
        &Limits::default(),
    )
    .unwrap();
    assert_pass(&r, "Your 112-day streak is no small thing.");
    assert_finds(
        &r,
        "Your 121-day streak is no small thing.",
        Kind::WrongFact,
        "grounding.count",
        "121-day streak",
    );
    // Counted "with us" or with the brand: the reader's own count.
    assert_finds(
        &r,
        "Five orders with Northpeak, thank you!",
        Kind::WrongFact,
        "grounding.count",
        "Five orders",
    );
    assert_pass(
        &r,
        "Over 10,000 orders shipped this month, thank you for your support!",
    );
    assert_finds(
        &r,
        "Congrats on the Bayfront 10K last month.",
        Kind::WrongTime,
        "time.last_month",
        "last month",
    );
    assert_finds(
        &r,
        "Thanks again for the kind review you left us.",
        Kind::ImpliedContext,
        "implied.review",
        "for the kind review",
    );
    assert_finds(
        &r,
        "Friendly opener referencing the race:\n\nGreat run, Søren.",
        Kind::TemplateLeak,
        "leak.echoed_instructions",
        "Friendly opener",
    );
    // Family members are specifics the record must hold; the audience of a shop is not.
    assert_finds(
        &r,
        "Your daughter will love the new parka.",
        Kind::FabricatedFact,
        "implied.family_gendered",
        "Your daughter",
    );
    assert_finds(
        &r,
        "Your wife will love the new parka.",
        Kind::FabricatedFact,
        "implied.partner",
        "Your wife",
    );
    assert_pass(&r, "Your kids will love the new parka.");
    // The offer's terms, not a past order.
    assert_pass(
        &sparse(),
        "TRAIL20 takes 20% off when your order hits the minimum.",
    );
}

#[test]
fn owning_a_named_product_needs_that_one() {
    let r = Recipient::from_json(
        r#"{"id":"6","email":"r@example.com","first_name":"Ruth",
        "events":[{"type":"purchase","at":"2024-11-09","product":"Halden Round Frame"}]}"#,
        &Limits::default(),
    )
    .unwrap();
    let ctx = Context::from_json(json!({"now":"2026-11-20","brand":"Lumen",
        "products":["Tove Rectangle Frame","Halden Round Frame"]}))
    .unwrap();
    let check = |body: &str| Gate::new().check(&Email::new("A note", body), &r, &ctx);
    // "frame" is a product noun because the facts name frames, in any vertical.
    assert!(check("Your Halden frames are two years old now.").passed());
    let rep = check("Your Tove frames are two years old now.");
    assert!(
        rep.findings
            .iter()
            .any(|f| f.kind == Kind::WrongFact && f.rule == "grounding.possession"),
        "{:?}",
        kinds(&rep)
    );
}

#[test]
fn consent_blocks_behavioural_facts() {
    assert_pass(
        &no_profiling(),
        "Hi Marta, the Ridgeline Trekking Poles are 20% off.",
    );
    assert_finds(
        &no_profiling(),
        "Hi Marta, running low on Oat Milk?",
        Kind::ConsentViolation,
        "consent.profiling",
        "Oat Milk",
    );
    assert_finds(
        &no_profiling(),
        "Hi Marta, since your last order we restocked.",
        Kind::ConsentViolation,
        "implied.last_order",
        "since your last order",
    );
}

#[test]
fn lint() {
    assert_finds(
        &zoe(),
        "Act now, Zoë: the sale is on.",
        Kind::BannedPhrase,
        "lint.banned_phrase",
        "Act now",
    );
    assert_finds(
        &zoe(),
        "Zoë, the sale is on!!!",
        Kind::BrandVoice,
        "lint.exclamations",
        "!!!",
    );
    assert_finds(
        &zoe(),
        "Zoë, HUGE SAVINGS THIS WEEK on parkas.",
        Kind::BrandVoice,
        "lint.shouting",
        "HUGE SAVINGS THIS WEEK",
    );
}

#[test]
fn used_facts_are_reported() {
    let rep = run(
        &zoe(),
        "Hi Zoë, how are the Trailblazers holding up in Denver since last month?",
    );
    assert!(rep.passed(), "{:?}", kinds(&rep));
    for p in ["first_name", "events[1].product", "attributes.city"] {
        assert!(
            rep.used_facts.iter().any(|u| u == p),
            "{p} in {:?}",
            rep.used_facts
        );
    }
}

#[test]
fn opener_spans_are_relative_to_the_opener() {
    let opener = "Zoë, how are the boots you bought yesterday?";
    let rep = Gate::new().check_opener(opener, &zoe(), &ctx());
    let f = rep
        .findings
        .iter()
        .find(|f| f.kind == Kind::WrongTime)
        .unwrap();
    assert_eq!(&opener[f.span.clone()], "yesterday");
}

#[test]
fn campaign_extends_rules() {
    let ext = RuleTable::from_json(json!({
        "implied": [{"id": "ski_pass", "requires": ["activity"], "reason": "mentions a ski pass", "phrases": ["your ski pass"]}],
        "lint": {"banned": ["cheap"]}
    }))
    .unwrap();
    let gate = Gate::with_extension(ext).unwrap();
    let rep = gate.check(
        &Email::new("s", "Your ski pass is cheap this week."),
        &sparse(),
        &ctx(),
    );
    let rules: Vec<&str> = rep.findings.iter().map(|f| f.rule.as_str()).collect();
    assert!(rules.contains(&"implied.ski_pass"), "{rules:?}");
    assert!(rules.contains(&"lint.banned_phrase"), "{rules:?}");
}

#[test]
fn json_shape_is_exact() {
    let rep = run(&zoe(), "Hi Zoë, how are the boots you bought yesterday?");
    let v = serde_json::to_value(&rep).unwrap();
    assert_eq!(v["verdict"], "fail");
    let obj = v.as_object().unwrap();
    assert_eq!(obj.len(), 2);
    let f = v["findings"][0].as_object().unwrap();
    let mut keys: Vec<&String> = f.keys().collect();
    keys.sort();
    assert_eq!(keys, ["kind", "reason", "rule", "text"]);
}

/// Faithful wording from a held-out batch that earlier rules flagged.
#[test]
fn ordinary_phrasings_that_look_like_claims() {
    // A sentence-initial number word or inflected common word is not part of a name.
    assert_pass(
        &zoe(),
        "Two Ridgeline Trekking Poles would suit those boots. Looking for a gift?",
    );
    // An offer's "first month" is not tenure; tenure with "been with" is still checked.
    assert_pass(
        &sparse(),
        "Join this week and your first month is on us, with 20% off after that.",
    );
    assert_finds(
        &zoe(),
        "You've been with Northpeak for five years now.",
        Kind::WrongFact,
        "grounding.tenure",
        "five years",
    );
    assert_pass(&zoe(), "You've been with Northpeak for three years now.");
    // Time since an event is not tenure.
    assert_pass(
        &zoe(),
        "It has been about a month since your boots arrived, and we are glad to have you with us.",
    );
    // "Joining us for" an event is attendance, not a signup; the signup claim still counts.
    assert_pass(&sparse(), "Thanks for joining us for the winter market.");
    assert_finds(
        &sparse(),
        "Thanks for joining Northpeak!",
        Kind::ImpliedContext,
        "implied.new_signup",
        "Thanks for joining",
    );
    // Holiday names.
    assert_pass(&sparse(), "The sale runs through Christmas Eve.");
    assert_pass(
        &sparse(),
        "We open for the season on Saturday, just ahead of Victoria Day on Monday.",
    );
    assert_pass(
        &sparse(),
        "Doors stay open over the Anzac Day long weekend.",
    );
    // Not before "Day", the same word is a name to ground.
    assert_finds(
        &sparse(),
        "Our stylist Victoria picked these out for you.",
        Kind::FabricatedFact,
        "grounding.capitalized",
        "Victoria",
    );
}

#[test]
fn last_season_and_wishlist_additions() {
    let george = Recipient::from_json(
        r#"{"id":"g","email":"g@example.com","first_name":"George",
        "events":[{"type":"purchase","at":"2025-10-12","product":"Tulip Mix"},
                  {"type":"wishlist_add","at":"2026-11-15","product":"Ridgeline Trekking Poles"}]}"#,
        &Limits::default(),
    )
    .unwrap();
    let ctx = Context::from_json(json!({"now":"2026-11-27","brand":"Northpeak",
        "products":["Ridgeline Trekking Poles"]}))
    .unwrap();
    let check = |body: &str| Gate::new().check(&Email::new("Hi", body), &george, &ctx);
    // Said in late November, "last fall" is the fall a year ago.
    assert!(check("Last fall you planted our Tulip Mix.").passed());
    // ... and "last spring" is not October.
    assert!(!check("Last spring you planted our Tulip Mix.").passed());
    // A wishlist addition is not a cart.
    let r = check("The Ridgeline Trekking Poles you added to your wishlist last week are here.");
    assert!(
        !r.findings.iter().any(|f| f.rule == "implied.cart"),
        "{:?}",
        r.findings
    );
}

/// A claim whose implied phrase is satisfied by a different fact is still checked: a recent
/// view makes "you recently" true, not "bought".
#[test]
fn a_satisfied_implied_phrase_does_not_excuse_the_claim() {
    let viewer = Recipient::from_json(
        r#"{"id":"4","email":"v@example.com","first_name":"Vic",
        "events":[{"type":"view","at":"2026-11-15","product":"Ridgeline Trekking Poles"}]}"#,
        &Limits::default(),
    )
    .unwrap();
    assert_finds(
        &viewer,
        "Vic, you recently bought the Ridgeline Trekking Poles, and they are 20% off with TRAIL20.",
        Kind::WrongFact,
        "grounding.claim",
        "you recently bought the Ridgeline Trekking Poles",
    );
}

/// "This weekend only" on a sale that runs to the end of the month misstates the deadline;
/// a store open "this weekend only" states no deadline of the offer.
#[test]
fn weekend_only_is_a_deadline_when_it_is_the_offers() {
    assert_finds(
        &zoe(),
        "Zoë, take 20% off with TRAIL20 this weekend only.",
        Kind::WrongOffer,
        "offer.deadline",
        "weekend",
    );
    assert_pass(
        &zoe(),
        "Zoë, take 20% off with TRAIL20 until November 30. Our Denver store is open this weekend only for pickups.",
    );
}

/// Segment copy judged once ([`Gate::prepare_shared`]), each email's own part on its own
/// ([`Gate::check_with_shared`]): the same verdicts as checking each whole email.
#[test]
fn shared_copy_is_judged_once_and_each_email_by_its_own_part() {
    let gate = Gate::new();
    let p = gate.prepare(ctx());
    let probe = sparse();
    let copy = "Our winter range is in: warm layers, tough boots and poles for icy trails.\n\n\
                Take 20% off with code TRAIL20 until November 30.\n\n-- \n\
                Northpeak · 1 Trail Way, Denver\nUnsubscribe: https://northpeak.example/u/1";
    let shared = gate.prepare_shared(copy, &probe, &p);
    assert!(shared.passed(), "{:?}", shared.report().findings);
    let both = |r: &Recipient, personal: &str| {
        let own = gate.check_with_shared("A note from Northpeak", personal, &shared, r, &p);
        let whole = gate.check_prepared(
            &Email::new("A note from Northpeak", format!("{personal}\n\n{copy}")),
            r,
            &p,
        );
        assert_eq!(
            own.passed(),
            whole.passed(),
            "{personal}: {:?}",
            kinds(&whole)
        );
        assert_eq!(own.kinds(), whole.kinds(), "{personal}");
        own
    };
    // Faithful openers pass; each defect is caught in the recipient's own part, with the span
    // the whole-email check gives.
    assert!(both(&zoe(), "Hi Zoë, how are the Trailblazers holding up?").passed());
    assert!(both(&sparse(), "Hello, winter is here.").passed());
    let r = both(&zoe(), "Hi Zoë, how is the Summit Down Parka you bought?");
    assert!(r.kinds().contains(&Kind::WrongFact), "{:?}", kinds(&r));
    let r = both(&sparse(), "Hi Chloe, we noticed you browsing our boots.");
    assert!(!r.passed());
    assert_eq!(
        r.findings[0].text,
        "Hi Chloe, we noticed you browsing our boots."[r.findings[0].span.clone()]
    );
    let r = both(&no_profiling(), "Hi Marta, enjoying the Oat Milk?");
    assert!(
        r.kinds().contains(&Kind::ConsentViolation),
        "{:?}",
        kinds(&r)
    );

    // Copy that claims anything about the reader is refused as shared copy, whoever reads it.
    let personal_copy = gate.prepare_shared(
        "Since you bought the Trailblazer 2 Hiking Boot last month, meet its winter twin.",
        &probe,
        &p,
    );
    assert!(!personal_copy.passed());
}

#[test]
fn whole_email_lint_counts_the_shared_part_too() {
    let mut table = RuleTable::builtin().unwrap();
    table.lint.max_body_words = Some(30);
    table.lint.require_unsubscribe = Some(true);
    let gate = Gate::with_rules(table).unwrap();
    let p = gate.prepare(ctx());
    let probe = sparse();
    // 20 words, no unsubscribe line, two shouted words.
    let copy = "Our winter range is in, with warm layers and tough boots for icy trails, \
                and it is HUGE and AMAZING this year.";
    let shared = gate.prepare_shared(copy, &probe, &p);
    let findings: Vec<_> = shared
        .report()
        .findings
        .iter()
        .map(|f| f.rule.as_str())
        .collect();
    assert_eq!(findings, ["lint.unsubscribe"]);
    // Alone the opener is short and quiet; with the copy, the email is too long, shouts three
    // words and still has no unsubscribe line. The whole-email check agrees.
    let opener =
        "Hi Zoë, the Trailblazers you got in October have a new winter sibling, and it is GREAT.";
    let own = gate.check_with_shared("A note", opener, &shared, &zoe(), &p);
    let whole = gate.check_prepared(
        &Email::new("A note", format!("{opener}\n\n{copy}")),
        &zoe(),
        &p,
    );
    let rules = |r: &Report| {
        let mut v: Vec<String> = r.findings.iter().map(|f| f.rule.clone()).collect();
        v.sort();
        v
    };
    assert_eq!(
        rules(&own),
        ["lint.body_length", "lint.shouting", "lint.unsubscribe"]
    );
    assert_eq!(rules(&own), rules(&whole));

    // A campaign in English: shared copy in German fails its own check.
    let p = gate.prepare(
        Context::from_json(json!({"now":"2026-11-20","brand":"Northpeak","language":"en"}))
            .unwrap(),
    );
    let german = gate.prepare_shared(
        "Unsere neue Winterkollektion ist da und wir haben die besten Jacken für dich.",
        &probe,
        &p,
    );
    assert!(!german.passed());
}

#[test]
fn perks_need_the_campaigns_offer() {
    // The test campaign offers 20% off with a code, no shipping perk.
    assert_finds(
        &zoe(),
        "Hi Zoë, take 20% off with TRAIL20, plus free shipping.",
        Kind::WrongOffer,
        "offer.perk.free_shipping",
        "free shipping",
    );
    assert_pass(
        &zoe(),
        "Hi Zoë, take 20% off with TRAIL20 (no free shipping on poles).",
    );
    let shipping = Context::from_json(json!({"now":"2026-11-20","brand":"Northpeak",
        "offer":{"discount":"20%","code":"TRAIL20"},"free_shipping_over":"$75"}))
    .unwrap();
    let check = |body: &str| {
        Gate::new().check(
            &Email::new("A note from Northpeak", body),
            &zoe(),
            &shipping,
        )
    };
    assert!(check("Hi Zoë, free shipping on orders over $75.").passed());
    let r = check("Hi Zoë, free shipping on every order this week.");
    assert_eq!(
        kinds(&r),
        [(
            Kind::WrongOffer,
            "offer.perk_minimum.free_shipping".to_string(),
            "every order".to_string()
        )]
    );
}

#[test]
fn offer_scope_keeps_the_campaigns_limits() {
    let ctx = Context::from_json(json!({"now":"2026-11-20","brand":"Greenbasket",
        "offer":{"discount":"$10 off","minimum":"$50","code":"FRESH10","applies_to":"annual billing"}}))
    .unwrap();
    let check = |body: &str| Gate::new().check(&Email::new("A note", body), &sparse(), &ctx);
    assert!(check("Take $10 off orders over $50 with FRESH10.").passed());
    assert!(check("Switch to annual billing and take $10 off with FRESH10.").passed());
    for (body, said) in [
        ("Take $10 off any order with FRESH10.", "any order"),
        ("Take $10 off monthly billing with FRESH10.", "monthly"),
        ("Take $10 off everything with FRESH10.", "everything"),
    ] {
        let r = check(body);
        assert_eq!(
            kinds(&r),
            [(
                Kind::WrongOffer,
                "offer.scope".to_string(),
                said.to_string()
            )],
            "{body}"
        );
    }
    // Outside the offer's clause, the same words claim nothing about it.
    assert!(check("Everything you need for winter, and $10 off $50 with FRESH10.").passed());
}

#[test]
fn worked_out_prices_are_exact_and_money_is_not_a_count() {
    let ctx = Context::from_json(json!({"now":"2026-11-20","brand":"Ironbark",
        "packs":[{"name":"10-Class Pack","classes":10,"regular_usd":180,"sale_usd":135}],
        "sale_ends":"2026-12-06T23:59",
        "parts_offer":"10% off parts, maximum discount £50"}))
    .unwrap();
    let check = |body: &str| Gate::new().check(&Email::new("A note", body), &sparse(), &ctx);
    for body in [
        "The 10-Class Pack is $135, down from $180: that's $13.50 a class.",
        "You save $45, or 25%, on the 10-Class Pack until December 6.",
        "Parts are 10% off, up to £50.",
    ] {
        assert!(check(body).passed(), "{body}: {:?}", kinds(&check(body)));
    }
    for (body, said) in [
        // "$10" is not the pack's 10 classes, "$15" not a percentage, "$13" not $13.50.
        ("The 10-Class Pack works out to $10 a class.", "$10"),
        ("Take $15 off the 10-Class Pack.", "$15"),
        ("That's $13 a class.", "$13"),
    ] {
        let r = check(body);
        assert_report_has(&r, body, Kind::WrongOffer, None, Some(said));
    }
}

#[test]
fn spend_thresholds_and_where_the_person_lives() {
    let ctx = Context::from_json(json!({"now":"2026-11-20","brand":"Basketful",
        "voucher":{"code":"FRESH10","amount_off_gbp":10,"min_basket_gbp":60},
        "shows":[{"city":"Glasgow"},{"city":"Manchester"}]}))
    .unwrap();
    let r = Recipient::from_json(
        r#"{"id":"10","email":"k@example.com","first_name":"Kwame","attributes":{"home_city":"Manchester"}}"#,
        &Limits::default(),
    )
    .unwrap();
    let check =
        |who: &Recipient, body: &str| Gate::new().check(&Email::new("A note", body), who, &ctx);
    assert!(check(&r, "FRESH10 takes £10 off when you spend £60 or more.").passed());
    assert!(check(&r, "Since you're based in Manchester, that show is yours.").passed());
    for (who, body, kind, said) in [
        // £50 is £60 less £10, but not the minimum.
        (
            &r,
            "FRESH10 takes £10 off when you spend £50 or more.",
            Kind::WrongOffer,
            "£50",
        ),
        (
            &r,
            "Since you live in Glasgow, that show is yours.",
            Kind::WrongFact,
            "you live in Glasgow",
        ),
        (
            &sparse(),
            "Since you're based in Glasgow, that show is yours.",
            Kind::FabricatedFact,
            "based in Glasgow",
        ),
    ] {
        let rep = check(who, body);
        assert!(
            rep.findings
                .iter()
                .any(|f| f.kind == kind && f.text == said),
            "{body}: {:?}",
            kinds(&rep)
        );
    }
}

#[test]
fn offer_terms_and_tenure_in_years() {
    let ctx = Context::from_json(json!({"now":"2026-11-20","brand":"Tonewave",
        "offer":{"intro_price":"$7.99/month","intro_months":3}}))
    .unwrap();
    let r = Recipient::from_json(
        r#"{"id":"11","email":"m@example.com","first_name":"Marisol",
        "events":[{"type":"subscription_started","at":"2023-03-14","plan":"Individual"}]}"#,
        &Limits::default(),
    )
    .unwrap();
    let check = |body: &str| Gate::new().check(&Email::new("A note", body), &r, &ctx);
    assert!(check("Family is $7.99 a month for your first three months.").passed());
    for (body, kind, rule) in [
        (
            "Family is $7.99 a month for your first six months.",
            Kind::WrongOffer,
            "offer.term",
        ),
        (
            "It's been five years since you started your plan.",
            Kind::WrongFact,
            "grounding.tenure",
        ),
    ] {
        let rep = check(body);
        assert_report_has(&rep, body, kind, Some(rule), None);
    }
}

#[test]
fn names_codes_and_matched_gifts_from_other_exports() {
    let ctx = Context::from_json(json!({"now":"2026-11-20","brand":"Riverbend",
        "match":{"what":"gifts matched dollar for dollar","cap_usd":75000},
        "suggested_usd":[35, 75]}))
    .unwrap();
    let r = Recipient::from_json(
        r#"{"id":"12","email":"m@example.com","first_name":"Margaret","last_name":"Nguyễn",
        "attributes":{"preferred_name":"Peggy"},
        "events":[{"type":"rental_completed","at":"2026-11-02","pickup_location":"DEN"}]}"#,
        &Limits::default(),
    )
    .unwrap();
    let check = |body: &str| Gate::new().check(&Email::new("A note", body), &r, &ctx);
    for body in [
        "Dear Peggy, a gift of $35 becomes $70 with the match.",
        "Hi Margaret Nguyen, thanks for renting with us in Denver earlier this month.",
    ] {
        assert!(check(body).passed(), "{body}: {:?}", kinds(&check(body)));
    }
    let rep = check("Dear Betty, a gift of $35 becomes $90 with the match.");
    assert!(
        rep.findings.iter().any(|f| f.text == "Betty"),
        "{:?}",
        kinds(&rep)
    );
    assert!(
        rep.findings.iter().any(|f| f.text == "$90"),
        "{:?}",
        kinds(&rep)
    );
}

#[test]
fn usage_limits_action_deadlines_relatives_and_lines() {
    let ctx = Context::from_json(json!({"now":"2026-11-20","brand":"Hartley's",
        "offer":{"discount_gbp":5,"min_spend_gbp":40,"limit":"one use per card",
                 "book_by":"2026-12-15"}}))
    .unwrap();
    let r = Recipient::from_json(
        r#"{"id":"13","email":"j@example.com","first_name":"José","attributes":{"lines_on_account":3}}"#,
        &Limits::default(),
    )
    .unwrap();
    let check = |body: &str| Gate::new().check(&Email::new("A note", body), &r, &ctx);
    for body in [
        "Spend £40 and get £5 off, one use per card. Book by 15 December.",
        "All three lines on your account qualify.",
    ] {
        assert!(check(body).passed(), "{body}: {:?}", kinds(&check(body)));
    }
    for (body, kind, said) in [
        (
            "Spend £40 and get £5 off — use it as often as you like.",
            Kind::WrongOffer,
            "as often as you like",
        ),
        (
            "Book by 18 December to get £5 off.",
            Kind::WrongOffer,
            "18 December",
        ),
        (
            "Your sister will love it too.",
            Kind::FabricatedFact,
            "Your sister",
        ),
        (
            "All four lines on your account qualify.",
            Kind::WrongFact,
            "four lines",
        ),
    ] {
        let rep = check(body);
        assert_report_has(&rep, body, kind, None, Some(said));
    }
}

#[test]
fn offer_wording_that_keeps_the_terms() {
    let ctx = Context::from_json(json!({"now":"2026-11-20","brand":"Pawpantry",
        "deal":{"what":"£10 off","min_spend_gbp":45,"code":"SNUG10","use_by":"2026-12-04",
                "who":"existing autoship customers","discount_percent":20},
        "free_delivery_on_orders_over_gbp":99}))
    .unwrap();
    let r = Recipient::from_json(
        r#"{"id":"9","email":"p@example.com","first_name":"Priya",
        "attributes":{"membership":"Basic","freeze_until":"2026-12-05","miles_balance":48250}}"#,
        &Limits::default(),
    )
    .unwrap();
    let check = |body: &str| Gate::new().check(&Email::new("A note", body), &r, &ctx);
    for body in [
        // The threshold stated right after "any order".
        "SNUG10 takes £10 off, and delivery is free on any order over £99.",
        // "new" about a product, not about who may use the offer.
        "Our new holiday treats are in, and SNUG10 takes £10 off £45 or more.",
        // An example price and what 20% off makes of it.
        "With 20% off, a £30 toy comes to £24.",
        // The present, not something the person did today.
        "You're sitting on 48,250 miles today.",
        // The person's own date in a clause with an end word.
        "Your membership freeze ends on December 5, and SNUG10 runs until December 4.",
    ] {
        assert!(check(body).passed(), "{body}: {:?}", kinds(&check(body)));
    }
    let r2 = check("SNUG10 is for new customers: £10 off £45 or more.");
    assert!(
        r2.findings
            .iter()
            .any(|f| f.kind == Kind::WrongOffer && f.rule == "offer.scope" && f.text == "new"),
        "{:?}",
        kinds(&r2)
    );
}

#[test]
fn offer_exclusions_negated_limits_and_unit_minimums() {
    let ctx = Context::from_json(json!({"now":"2026-11-20","brand":"Meridian",
        "offer":{"type":"percent_off","value":25,"code":"WINTER25","min_nights":2,
                 "applies_to":"annual plan only (not monthly)","excludes":["sunglasses"]}}))
    .unwrap();
    let check = |body: &str| Gate::new().check(&Email::new("A note", body), &sparse(), &ctx);
    for body in [
        "Save 25% on stays of two nights or more with WINTER25.",
        "WINTER25 takes 25% off the annual plan, not monthly.",
        "Save 25% with WINTER25. Monthly plans aren't part of this sale.",
        "WINTER25 takes 25% off; sunglasses aren't included.",
    ] {
        assert!(check(body).passed(), "{body}: {:?}", kinds(&check(body)));
    }
    for (body, said) in [
        (
            "Save 25% on any stay, even a single night, with WINTER25.",
            "single night",
        ),
        (
            "WINTER25 takes 25% off any plan, monthly or annual.",
            "monthly",
        ),
        ("WINTER25 works on sunglasses too.", "sunglasses"),
    ] {
        let r = check(body);
        assert_report_has(&r, body, Kind::WrongOffer, Some("offer.scope"), Some(said));
    }
}

mod footer {
    use proptest::prelude::*;

    use super::super::{footer_start, footer_start_lines};

    fn markers() -> Vec<String> {
        crate::rules::RuleTable::builtin()
            .unwrap()
            .lint
            .footer_markers
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        /// The whole-body search finds the footer where the line-by-line lowercasing did.
        #[test]
        fn ascii_search_agrees_with_line_by_line(
            pieces in proptest::collection::vec(prop_oneof![
                Just("Hi Ada,"), Just("\n"), Just("\n\n"), Just("  \n"), Just("--"), Just(" -- "),
                Just("Unsubscribe"), Just("UNSUBSCRIBE here"), Just("you are"), Just(" receiving"),
                Just("You are receiving this"), Just("(C) 2026"), Just("opt-out"), Just("Opt Out"),
                Just("privacy"), Just(" policy"), Just("Boots are 20% off."), Just("  "),
                Just("view in browser"), Just("x"),
            ], 0..24),
            start in 0usize..12,
        ) {
            let text: String = pieces.concat();
            let markers = markers();
            let start = start.min(text.len());
            prop_assert_eq!(
                footer_start(&text, &text.to_ascii_lowercase(), start, &markers),
                footer_start_lines(&text, start, &text[start..], &markers),
                "{:?} from {}", text, start
            );
        }
    }
}

fn check_with(r: &Recipient, c: serde_json::Value, body: &str) -> Report {
    Gate::new().check(
        &Email::new("A note for you", body),
        r,
        &Context::from_json(c).unwrap(),
    )
}

/// A sign-off adverb alone on its line above the sender is not a name; the same word as the
/// greeting, or a wrong name there, still is.
#[test]
fn a_sign_off_line_is_not_a_name() {
    for closing in ["Gratefully", "Cordially", "Onward"] {
        assert_pass(
            &zoe(),
            &format!(
                "Hi Zoë,\n\nThe TRAIL20 code takes 20% off until November 30.\n\n{closing},\nNorthpeak"
            ),
        );
    }
    // Not at the foot of the email: a vocative the record does not support.
    assert_finds(
        &zoe(),
        "Hi Zoë,\n\nMarissa, the TRAIL20 code takes 20% off until November 30.\n\nNorthpeak",
        Kind::WrongFact,
        "grounding.capitalized",
        "Marissa",
    );
}

/// "an Ethiopian lot" for a campaign whose origin is Ethiopia; a people word no fact is
/// named after is still flagged.
#[test]
fn a_people_word_named_after_a_fact_place() {
    let c = json!({"now":"2026-11-20","brand":"Roasters","offer":{"code":"GIFT15","ends":"2026-12-31"},
        "release":{"name":"Guji Natural Lot","origin":"Ethiopia"}});
    let ok = check_with(
        &sparse(),
        c.clone(),
        "Hello,\n\nOur Guji Natural Lot is a limited Ethiopian release.\n\nRoasters",
    );
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad = check_with(
        &sparse(),
        c,
        "Hello,\n\nOur Guji Natural Lot is a limited Peruvian release.\n\nRoasters",
    );
    assert!(!bad.passed(), "{:?}", kinds(&bad));
}

/// Prices listed under a key that says so (`"regular_prices_usd": {"3_months": 60}`) are
/// money, and a campaign's `"tickets": 4` counts tickets: the worked-out prices read as
/// right, and a wrong one is still caught.
#[test]
fn nested_price_lists_and_counted_keys() {
    let c = json!({"now":"2026-12-09","brand":"Roasters","offer":{"discount_percent":15,"code":"GIFT15",
        "regular_prices_usd":{"3_months":60,"6_months":114},"ends":"2026-12-31"}});
    let ok = check_with(
        &sparse(),
        c.clone(),
        "Hello,\n\nWith code GIFT15, three months are $51 instead of $60 and six months $96.90.\n\nRoasters",
    );
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad = check_with(
        &sparse(),
        c,
        "Hello,\n\nWith code GIFT15, three months are $49 instead of $60.\n\nRoasters",
    );
    assert_report_has(
        &bad,
        "$49",
        Kind::WrongOffer,
        Some("offer.amount"),
        Some("$49"),
    );

    let t = json!({"now":"2026-12-09","brand":"Lantern","offer":{"name":"Flex Pass","price_usd":140,
        "tickets":4,"single_ticket_price_usd":45,"code":"FLEX4","ends":"2026-12-31"}});
    let ok = check_with(
        &sparse(),
        t.clone(),
        "Hello,\n\nThe Flex Pass is four tickets for $140 with code FLEX4: $35 each instead of $45.\n\nLantern",
    );
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad = check_with(
        &sparse(),
        t,
        "Hello,\n\nThe Flex Pass is four tickets for $140 with code FLEX4: $30 each instead of $45.\n\nLantern",
    );
    assert!(!bad.passed(), "{:?}", kinds(&bad));
}

/// A total for a quantity the email states next to it: two nights at the campaign's rate,
/// with and without its discount. A total no quantity explains is still wrong.
#[test]
fn totals_for_a_stated_quantity() {
    let c = json!({"now":"2026-12-09","brand":"Alder","offer":{"discount_percent":30,"code":"WNTR30",
        "book_by":"2026-12-15"},"example_rate":{"best_available_rate_usd_per_night":240}});
    let ok = check_with(
        &sparse(),
        c.clone(),
        "Hello,\n\nTwo nights at a $240 nightly rate would come to $336 instead of $480 with WNTR30.\n\nAlder",
    );
    assert!(ok.passed(), "{:?}", kinds(&ok));
    for wrong in ["$346", "$500"] {
        let body = format!(
            "Hello,\n\nTwo nights at a $240 nightly rate would come to {wrong} with WNTR30.\n\nAlder"
        );
        let bad = check_with(&sparse(), c.clone(), &body);
        assert_report_has(
            &bad,
            &body,
            Kind::WrongOffer,
            Some("offer.amount"),
            Some(wrong),
        );
    }
}

/// "This October marked five years since you joined": an anniversary month of an old date.
/// A month with no date of the person's, anniversary or not, is still wrong.
#[test]
fn an_anniversary_month_of_an_old_date() {
    assert_pass(
        &zoe(),
        "Hi Zoë,\n\nThis June marked three years since you joined us. The TRAIL20 code takes 20% off until November 30.\n\nNorthpeak",
    );
    assert_finds(
        &zoe(),
        "Hi Zoë,\n\nThis March marked three years since you joined us. The TRAIL20 code takes 20% off until November 30.\n\nNorthpeak",
        Kind::WrongTime,
        "time.month",
        "March",
    );
}

/// "one of your favourites" for a record with `favorite_genres`; without it, a claim.
#[test]
fn favourites_the_record_lists() {
    let fan = Recipient::from_json(
        r#"{"id":"9","email":"i@example.com","first_name":"Inês",
        "attributes":{"favorite_genres":"literary fiction, translated fiction"}}"#,
        &Limits::default(),
    )
    .unwrap();
    let body = "Hi Inês,\n\nTranslated fiction is one of your favourites, so here is a nudge: TRAIL20 takes 20% off until November 30.\n\nNorthpeak";
    let rep = run(&fan, body);
    assert!(
        !rep.findings.iter().any(|f| f.kind == Kind::ImpliedContext),
        "{:?}",
        kinds(&rep)
    );
    let other = Recipient::from_json(
        r#"{"id":"9","email":"i@example.com","first_name":"Inês"}"#,
        &Limits::default(),
    )
    .unwrap();
    assert!(!run(&other, body).passed());
}

/// A weekday and a date that cannot both be right; the right pair, with or without a year,
/// passes.
#[test]
fn a_weekday_that_is_not_the_dates() {
    // 2026-11-30 is a Monday (the send date is 2026-11-20).
    let c = json!({"now":"2026-11-20","brand":"Northpeak","offer":{"code":"TRAIL20","ends":"2026-12-31"},
        "store_event":{"name":"Trail Night","date":"2026-11-30"}});
    for ok in [
        "Monday, November 30",
        "Monday 30 November",
        "Monday, November 30, 2026",
    ] {
        let rep = check_with(
            &sparse(),
            c.clone(),
            &format!("Hello,\n\nTrail Night is on {ok} at our store.\n\nNorthpeak"),
        );
        assert!(rep.passed(), "{ok}: {:?}", kinds(&rep));
    }
    let body = "Hello,\n\nTrail Night is on Sunday, November 30 at our store.\n\nNorthpeak";
    let rep = check_with(&sparse(), c, body);
    assert_report_has(
        &rep,
        body,
        Kind::WrongTime,
        Some("time.weekday_date"),
        Some("Sunday, November 30"),
    );
    assert!(
        rep.findings
            .iter()
            .any(|f| f.reason.contains("November 30, 2026 is a Monday")),
        "{:?}",
        rep.findings
    );
}

/// A paragraph written twice is a generation artefact; short repeated lines and paragraphs
/// that only share words are not.
#[test]
fn a_paragraph_written_twice() {
    let para = "Our winter sale takes 20% off beds and coats with code TRAIL20 until November 30.";
    let body = format!("Hello,\n\n{para}\n\n{para}\n\nNorthpeak");
    let rep = run(&sparse(), &body);
    assert_report_has(
        &rep,
        &body,
        Kind::TemplateLeak,
        Some("leak.repeated_paragraph"),
        Some(para),
    );
    assert_pass(
        &sparse(),
        &format!(
            "Hello,\n\n{para}\n\nThe sale also takes 20% off boots with code TRAIL20 until November 30.\n\nThanks!\n\nThanks!\nNorthpeak"
        ),
    );
}

/// Operator chatter with words between "here's a" and "email"; regulars and tastes claimed
/// of a record with nothing behind them.
#[test]
fn chatter_regulars_and_tastes_with_words_between() {
    assert_finds(
        &sparse(),
        "Here's a friendly re-engagement email for Theo:\n\nHello,\n\nTRAIL20 takes 20% off until November 30.",
        Kind::TemplateLeak,
        "leak.assistant_chatter",
        "Here's a friendly re-engagement email",
    );
    for (phrase, text) in [
        (
            "As one of our longtime regulars, you know the drill",
            "one of our longtime regulars",
        ),
        (
            "As someone who likes a bright cup, you'll want this",
            "As someone who likes",
        ),
    ] {
        let body =
            format!("Hello,\n\n{phrase}: TRAIL20 takes 20% off until November 30.\n\nNorthpeak");
        let rep = run(&sparse(), &body);
        assert!(
            rep.findings
                .iter()
                .any(|f| f.kind == Kind::ImpliedContext && f.text == text),
            "{body}: {:?}",
            kinds(&rep)
        );
    }
}

/// "your usual Boulder store": a named place said to be the person's must be theirs.
#[test]
fn a_store_said_to_be_theirs() {
    let c = json!({"now":"2026-11-20","brand":"Northpeak","offer":{"code":"TRAIL20","ends":"2026-11-30"},
        "stores":["Denver","Boulder"]});
    let body = |place: &str| {
        let hi = if place.contains("Denver") || place.contains("usual") {
            "Hi Zoë"
        } else {
            "Hello"
        };
        format!("{hi},\n\nThe team at {place} has the sale range out with code TRAIL20 until November 30.\n\nNorthpeak")
    };
    let ok = check_with(&zoe(), c.clone(), &body("your usual Denver store"));
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let wrong = check_with(&zoe(), c.clone(), &body("your usual Boulder store"));
    assert_report_has(
        &wrong,
        "Boulder",
        Kind::WrongFact,
        Some("grounding.own_place"),
        Some("your usual Boulder store"),
    );
    let unknown = check_with(&sparse(), c.clone(), &body("your Boulder store"));
    assert_report_has(
        &unknown,
        "unknown",
        Kind::FabricatedFact,
        Some("grounding.own_place"),
        None,
    );
    // Shopping talk and the brand's own name are not places of theirs.
    for fine in [
        "your next Boulder store visit",
        "your Northpeak store account",
    ] {
        let rep = check_with(&sparse(), c.clone(), &body(fine));
        assert!(
            !rep.findings.iter().any(|f| f.rule == "grounding.own_place"),
            "{fine}: {:?}",
            kinds(&rep)
        );
    }
}

/// "Great result at Carcassonne League Night last week": no "you", but the clause names one
/// of the person's own events by its name, so its time is theirs. A single word that also
/// occurs in some event ("automation") does not make a clause about them.
#[test]
fn a_past_time_next_to_the_persons_own_event() {
    let gamer = Recipient::from_json(
        r#"{"id":"5","email":"s@example.com","first_name":"Søren",
        "events":[{"type":"event_attended","at":"2026-10-10","event":"Carcassonne League Night","placed":2},
                  {"type":"webinar_attended","at":"2026-06-11","title":"Automations 101"}]}"#,
        &Limits::default(),
    )
    .unwrap();
    let body = |when: &str| {
        format!("Hi Søren,\n\nGreat result at Carcassonne League Night {when}, second place! TRAIL20 takes 20% off until November 30.\n\nNorthpeak")
    };
    let wrong = run(&gamer, &body("last week"));
    assert!(
        wrong.findings.iter().any(|f| f.kind == Kind::WrongTime),
        "{:?}",
        kinds(&wrong)
    );
    let rep = run(&gamer, &body("last month"));
    assert!(rep.passed(), "{:?}", kinds(&rep));
    let rep = run(
        &gamer,
        "Hi Søren,\n\nEarlier this week the automation limit went up for every team. TRAIL20 takes 20% off until November 30.\n\nNorthpeak",
    );
    assert!(
        !rep.findings.iter().any(|f| f.kind == Kind::WrongTime),
        "{:?}",
        kinds(&rep)
    );
}

/// A campaign's price list keyed by labels (`"Petite": 42`) names those sizes; a code after a
/// capitalized verb ("Quote SMILE80") is not part of a name. Sizes the campaign does not list
/// are still unknown names.
#[test]
fn labels_as_keys_and_codes_after_a_capital() {
    let c = json!({"now":"2027-02-17","brand":"Bramble","offer":{"code":"SMILE80","ends":"2027-03-07",
        "sizes_usd":{"Petite":42,"Grand":96}}});
    let ok = check_with(
        &sparse(),
        c.clone(),
        "Hello,\n\nA Petite bouquet is $42 and a Grand one $96. Quote SMILE80 when you order, by March 7.\n\nBramble",
    );
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad = check_with(
        &sparse(),
        c,
        "Hello,\n\nA Petite bouquet is $42 and a Majestic one $96. Quote SMILE80 when you order, by March 7.\n\nBramble",
    );
    assert!(
        bad.findings.iter().any(|f| f.text == "Majestic"),
        "{:?}",
        kinds(&bad)
    );
}

/// From set k's false alarms: "you booked" for a `lesson_booked` event; "meetups on Thursday
/// evenings" is a schedule, not a deadline; "$79.20 a day" for a "3-Day" ticket at $237.60,
/// in the body and restated in the subject. Each still has its defect caught.
#[test]
fn booked_events_recurring_days_and_compound_counts() {
    let skier = Recipient::from_json(
        r#"{"id":"6","email":"d@example.com","first_name":"Dagný",
        "events":[{"type":"lesson_booked","at":"2027-02-10","lesson":"Advanced Trees Clinic"}]}"#,
        &Limits::default(),
    )
    .unwrap();
    let c = json!({"now":"2027-02-17","brand":"Corniche","offer":{"name":"March Midweek 3-Day Lift Ticket",
        "regular_price_usd":297,"discount_percent":20,"code":"MIDWEEK20","book_by":"2027-02-28"}});
    let mail = |subject: &str, body: &str| {
        Gate::new().check(
            &Email::new(subject, body),
            &skier,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let ok = mail(
        "$79.20 a day in March",
        "Hi Dagný,\n\nYou booked the Advanced Trees Clinic last week. Our March Midweek 3-Day Lift Ticket is $237.60 with code MIDWEEK20, or $79.20 a day, if you book by February 28. Meetups are on Thursday evenings.\n\nCorniche",
    );
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad = mail(
        "$69.20 a day in March",
        "Hi Dagný,\n\nOur March Midweek 3-Day Lift Ticket is $237.60 with code MIDWEEK20 if you book by February 28.\n\nCorniche",
    );
    assert!(
        bad.findings.iter().any(|f| f.kind == Kind::WrongOffer),
        "{:?}",
        kinds(&bad)
    );
    let deadline = mail(
        "A March idea",
        "Hi Dagný,\n\nOur March Midweek 3-Day Lift Ticket is $237.60 with code MIDWEEK20 until Thursday.\n\nCorniche",
    );
    assert!(
        deadline.findings.iter().any(|f| f.rule == "offer.deadline"),
        "{:?}",
        kinds(&deadline)
    );
}

#[test]
fn clock_times_offer_names_examples_and_idioms() {
    let golfer = Recipient::from_json(
        r#"{"id":"7","email":"a@example.com","first_name":"Ailsa",
        "attributes":{"member_since":"2016-03-01"},
        "events":[{"type":"round","at":"2027-04-10","competition":"April Medal","net":75}]}"#,
        &Limits::default(),
    )
    .unwrap();
    let c = json!({"now":"2027-04-14","brand":"Innerwick",
        "offer":{"name":"New Member Flexi Offer","regular_annual_gbp":780,"code":"FLEXI30"},
        "gift_vouchers":{"promo":"buy a voucher of $150 or more and we add $20 bonus credit"},
        "classes":{"Handmade Pasta":"Thu 2027-04-22, 6:00-9:00pm","Dumplings":"Fri 2027-04-23, 6:00-9:00pm"},
        "member":{"benefit":"10% off every purchase"}});
    let mail = |body: &str| {
        Gate::new().check(
            &Email::new("From Innerwick", body),
            &golfer,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    // $150 + $20: a sum of the campaign's two amounts, no longer crowded out by the hours
    // and days of the class times (which counted as amounts).
    let ok = mail("Hi Ailsa,\n\nBuy a voucher of $150 or more and we add $20, so a $150 voucher is worth $170 in classes.\n\nInnerwick");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad = mail("Hi Ailsa,\n\nBuy a voucher of $150 or more and we add $20, so a $150 voucher is worth $190 in classes.\n\nInnerwick");
    assert!(
        bad.findings.iter().any(|f| f.rule == "offer.amount"),
        "{:?}",
        kinds(&bad)
    );
    // An offer's name that holds an implied phrase names the offer.
    let ok = mail(
        "Hi Ailsa,\n\nPass our New Member Flexi Offer on to a friend: code FLEXI30.\n\nInnerwick",
    );
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad = mail("Hi Ailsa,\n\nWelcome, new member! Use code FLEXI30.\n\nInnerwick");
    assert!(
        bad.findings.iter().any(|f| f.rule == "implied.new_signup"),
        "{:?}",
        kinds(&bad)
    );
    // "you're in decent form" names no place.
    let ok = mail("Hi Ailsa,\n\nA net 75 in the April Medal last Saturday suggests you're in decent form.\n\nInnerwick");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad = mail("Hi Ailsa,\n\nSince you're in Glasgow, drop by.\n\nInnerwick");
    assert!(!bad.passed(), "{:?}", kinds(&bad));
}

#[test]
fn a_worked_example_may_take_the_discount_then_the_amount_off() {
    let c = json!({"now":"2026-12-09","brand":"Quillfeather",
        "membership":{"benefit":"10% off every purchase, year-round"},
        "offer":{"name":"Stack the Shelves","discount_usd":10,"min_purchase_usd":50,"code":"STACK10",
            "stacking":"the 10% is applied first, then the $10 off"}});
    let mail = |body: &str| {
        Gate::new().check(
            &Email::new("Stack the Shelves", body),
            &sparse(),
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let ok = mail("Hello,\n\nQuick example: $80 of books becomes $72 with the member discount, then $62 with code STACK10.\n\nQuillfeather");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad = mail("Hello,\n\nQuick example: $80 of books becomes $72 with the member discount, then $52 with code STACK10.\n\nQuillfeather");
    assert!(
        bad.findings.iter().any(|f| f.rule == "offer.amount"),
        "{:?}",
        kinds(&bad)
    );
}

#[test]
fn dated_weekdays_campaign_spans_running_totals_and_consent_free_sums() {
    let c = json!({"now":"2027-04-14","brand":"Fernhollow",
        "nightly_rates_usd":{"tent site":34,"full-hookup RV site":68},
        "reservation_fee_usd":15,
        "offer":{"discount_percent":15,"code":"WEEKNIGHT15","book_by":"2027-04-30",
            "arrivals":"2027-05-16 to 2027-06-17"},
        "classes":{"Spice Route":"Wed 2027-04-28, 6:00-9:00pm"}});
    let camper = Recipient::from_json(
        r#"{"id":"8","email":"m@example.com","first_name":"Marisol",
        "events":[{"type":"stay","at":"2026-07-17","site":"C-14","nights":3}]}"#,
        &Limits::default(),
    )
    .unwrap();
    let anil = Recipient::from_json(
        r#"{"id":"9","email":"a@example.com","first_name":"Anil",
        "events":[{"type":"stay","at":"2026-08-01","total_usd":102}],"consent":{"profiling":false}}"#,
        &Limits::default(),
    )
    .unwrap();
    let mail = |r: &Recipient, body: &str| {
        Gate::new().check(
            &Email::new("Weeknights at Fernhollow", body),
            r,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    // The date after the weekday says which Wednesday.
    let ok = mail(&camper, "Hi Marisol,\n\nFor a keen cook like you, Spice Route on Wednesday 28 April is made for you.\n\nFernhollow");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    // A day inside the campaign's arrival window; a day outside it is still made up.
    let ok = mail(&camper, "Hi Marisol,\n\nArrive Sunday, May 16 and leave Thursday, May 20 with code WEEKNIGHT15.\n\nFernhollow");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad = mail(&camper, "Hi Marisol,\n\nArrive Sunday, May 16 and leave Thursday, July 22 with code WEEKNIGHT15.\n\nFernhollow");
    assert!(!bad.passed(), "{:?}", kinds(&bad));
    // A running total of two amounts stated before it; a wrong total is still caught.
    let plan = |total: &str| {
        format!("Hi Marisol,\n\n4 nights on a full-hookup site: $272, or $231.20 with WEEKNIGHT15. Plus the $15 reservation fee: {total} in all.\n\nFernhollow")
    };
    let ok = mail(&camper, &plan("$246.20"));
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad = mail(&camper, &plan("$251.20"));
    assert!(
        bad.findings.iter().any(|f| f.rule == "offer.amount"),
        "{:?}",
        kinds(&bad)
    );
    // Three tent nights come to $102: the campaign's figure, though Anil once paid $102.
    let ok = mail(&anil, "Hi Anil,\n\nA tent site is $34 a night, so three weeknights would be $86.70 instead of $102 with WEEKNIGHT15.\n\nFernhollow");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad = mail(
        &anil,
        "Hi Anil,\n\nYour last stay came to $102. Book again with WEEKNIGHT15.\n\nFernhollow",
    );
    assert!(
        bad.findings
            .iter()
            .any(|f| f.kind == Kind::ConsentViolation),
        "{:?}",
        kinds(&bad)
    );
}

#[test]
fn regular_visitors_field_figures_and_sides() {
    let vet = Recipient::from_json(
        r#"{"id":"10","email":"t@example.com","first_name":"Tomás",
        "events":[{"type":"consult","at":"2027-03-30","pet":"Biscuit","reason":"ear infection (left ear)"},
                  {"type":"round","at":"2027-04-10","competition":"April Medal","gross":89,"net":75}]}"#,
        &Limits::default(),
    )
    .unwrap();
    let c = json!({"now":"2027-04-14","brand":"Wattle Creek"});
    let mail = |r: &Recipient, body: &str| {
        Gate::new().check(
            &Email::new("From Wattle Creek", body),
            r,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let ok = mail(
        &vet,
        "Hi Tomás,\n\nWe're glad Biscuit's left ear has cleared up.\n\nWattle Creek",
    );
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad = mail(
        &vet,
        "Hi Tomás,\n\nWe're glad Biscuit's right ear has cleared up.\n\nWattle Creek",
    );
    assert_report_has(
        &bad,
        "right ear",
        Kind::WrongFact,
        Some("grounding.side"),
        Some("right ear"),
    );
    let ok = mail(
        &vet,
        "Hi Tomás,\n\nA net 75 in the April Medal: well played.\n\nWattle Creek",
    );
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad = mail(
        &vet,
        "Hi Tomás,\n\nA net 73 in the April Medal: well played.\n\nWattle Creek",
    );
    assert_report_has(
        &bad,
        "net 73",
        Kind::WrongFact,
        Some("grounding.figure"),
        Some("net 73"),
    );
    let bad = mail(
        &sparse(),
        "Hello,\n\nAs one of our regular visitors, you know the links in spring.\n\nWattle Creek",
    );
    assert_report_has(
        &bad,
        "regular visitors",
        Kind::ImpliedContext,
        Some("implied.loyalty"),
        None,
    );
}

#[test]
fn section_names_belated_birthdays_and_coded_keys() {
    let tomas = Recipient::from_json(
        r#"{"id":"11","email":"t@example.com","first_name":"Tomás",
        "attributes":{"pet_1_name":"Biscuit","pet_1_dob":"2019-03-02","pet_1_c5_booster_due":"2027-05-20",
            "pet_2_name":"Miso","pet_2_dob":"2022-08-15"}}"#,
        &Limits::default(),
    )
    .unwrap();
    let c = json!({"now":"2027-04-14","brand":"Wattle Creek Veterinary Hospital",
        "puppy_preschool":{"course":"4 weekly sessions","starts":"2027-05-01","price_aud":160}});
    let mail = |r: &Recipient, body: &str| {
        Gate::new().check(
            &Email::new("From Wattle Creek", body),
            r,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    // A campaign section's key names what it describes.
    let ok = mail(&sparse(), "Hello,\n\nOur next Puppy Preschool course starts on 1 May: four weekly sessions for $160.\n\nWattle Creek Veterinary Hospital");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad = mail(&sparse(), "Hello,\n\nOur next Kitten Kindergarten course starts on 1 May: four weekly sessions for $160.\n\nWattle Creek Veterinary Hospital");
    assert!(!bad.passed(), "{:?}", kinds(&bad));
    // Six weeks after a pet's birthday, "belated" is right and the day is the birth date's.
    let ok = mail(&tomas, "Hi Tomás,\n\nHappy belated birthday to Biscuit, who turned eight on 2 March. His C5 booster is due on 20 May.\n\nWattle Creek Veterinary Hospital");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad = mail(&tomas, "Hi Tomás,\n\nHappy birthday to Biscuit, who turned eight on 9 March.\n\nWattle Creek Veterinary Hospital");
    assert!(!bad.passed(), "{:?}", kinds(&bad));
}

#[test]
fn rand_amounts_written_sums_and_reference_ordinals() {
    let c = json!({"now":"2027-09-08","brand":"Ledgerline Tax",
        "offer":{"name":"Early Filer","standard_fee_zar":1450,"offer_fee_zar":1150,"code":"FILEEARLY","documents_by":"2027-09-30"},
        "fares_nzd":{"Waiheke adult return":56,"Waiheke child return":28}});
    let client = Recipient::from_json(
        r#"{"id":"12","email":"l@example.com","first_name":"Lachlan",
        "attributes":{"client_since":"2021-10-09","visits_total":23,"pass_trips_remaining":6,"pass_expires":"2027-09-21"},
        "events":[{"type":"booking","at":"2025-01-12","route":"Rangitoto return","total_nzd":84},
                  {"type":"return_filed","at":"2026-08-19","amount_zar":6840}]}"#,
        &Limits::default(),
    )
    .unwrap();
    let mail = |body: &str| {
        Gate::new().check(
            &Email::new("From Ledgerline", body),
            &client,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    // Rand: "R1 150" is an amount of 1150, not a name; a wrong one is a wrong amount.
    let ok = mail("G'day Lachlan,\n\nSend your documents by 30 September and your fee is R1 150 instead of R1 450 with code FILEEARLY. Last year you received R6 840 back.\n\nLedgerline Tax");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad = mail("Hi Lachlan,\n\nSend your documents by 30 September and your fee is R1 050 instead of R1 450 with code FILEEARLY.\n\nLedgerline Tax");
    assert_report_has(
        &bad,
        "R1 050",
        Kind::WrongOffer,
        Some("offer.amount"),
        Some("R1 050"),
    );
    // A sum written out adds up, or it is caught.
    let ok = mail("Hello Lachlan,\n\nTwo adults and three kids to Waiheke: 2 x $56 + 3 x $28 = $196.\n\nLedgerline Tax");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad = mail("Hello Lachlan,\n\nTwo adults and three kids to Waiheke: 2 x $56 + 3 x $28 = $206.\n\nLedgerline Tax");
    assert!(
        bad.findings.iter().any(|f| f.rule == "offer.amount"),
        "{:?}",
        kinds(&bad)
    );
    // "since your first visit" is a point in time; "your first visit" as news is a count.
    let ok = mail("Hi Lachlan,\n\nSince your first visit you've been in to see us 23 times. It's been years since you booked trips to Rangitoto.\n\nLedgerline Tax");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad = mail("Hi Lachlan,\n\nThanks for your first visit with us!\n\nLedgerline Tax");
    assert!(!bad.passed(), "{:?}", kinds(&bad));
    // The sentence says whose date it is.
    let ok = mail("Hi Lachlan,\n\nYour pass has six trips left and expires on Tuesday 21 September.\n\nLedgerline Tax");
    assert!(ok.passed(), "{:?}", kinds(&ok));
}

#[test]
fn suppositions_are_not_claims() {
    let karthik = Recipient::from_json(
        r#"{"id":"13","email":"k@example.com","first_name":"Karthik",
        "events":[{"type":"return_filed","at":"2023-09-12","tax_year":"2023"}]}"#,
        &Limits::default(),
    )
    .unwrap();
    let c = json!({"now":"2027-09-08","brand":"Ledgerline Tax"});
    let mail = |r: &Recipient, body: &str| {
        Gate::new().check(
            &Email::new("From Ledgerline", body),
            r,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let ok = mail(&sparse(), "Hello,\n\nFiling for yourself and your spouse or partner? We can do both.\n\nLedgerline Tax");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad = mail(
        &sparse(),
        "Hello,\n\nWe filed for you and your spouse last year.\n\nLedgerline Tax",
    );
    assert!(!bad.passed(), "{:?}", kinds(&bad));
    let ok = mail(&karthik, "Dear Karthik,\n\nWe last prepared your return four years ago. If you'd like us to handle it again this season, now is a good time.\n\nLedgerline Tax");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad = mail(
        &karthik,
        "Dear Karthik,\n\nYou filed your return with us this season.\n\nLedgerline Tax",
    );
    assert!(!bad.passed(), "{:?}", kinds(&bad));
}

#[test]
fn before_the_end_of_a_month_is_a_deadline() {
    let c = json!({"now":"2026-11-20","brand":"Starlight",
        "offer":{"code":"GOLD3","ends":"2026-11-30","promo_price_gbp_per_month":8.99}});
    let tomasz = Recipient::from_json(
        r#"{"id":"14","email":"t@example.com","first_name":"Tomasz",
        "events":[{"type":"screening","at":"2026-10-03","film":"Dune"}]}"#,
        &Limits::default(),
    )
    .unwrap();
    let mail = |body: &str| {
        Gate::new().check(
            &Email::new("Club Gold", body),
            &tomasz,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let ok = mail("Hey Tomasz,\n\nUse code GOLD3 before the end of November and your first months are £8.99 each.\n\nStarlight");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad =
        mail("Hey Tomasz,\n\nYou watched Dune with us in August, so use code GOLD3.\n\nStarlight");
    assert_report_has(&bad, "August", Kind::WrongTime, Some("time.month"), None);
}

#[test]
fn rates_a_year_dated_firsts_and_notes_to_colleagues() {
    let oisin = Recipient::from_json(
        r#"{"id":"15","email":"o@example.com","first_name":"Oisín",
        "attributes":{"membership":"Dual","member_since":"2019-05-02"},
        "events":[{"type":"order","at":"2025-09-03","item_1":"Connemara Aran - Gorse","item_1_qty":8},
                  {"type":"order","at":"2026-03-22","item_1":"5mm crochet hook"}]}"#,
        &Limits::default(),
    )
    .unwrap();
    let c = json!({"now":"2027-02-17","brand":"Skein & Spindle","offer":{"code":"STASH20","ends":"2027-02-28"}});
    let mail = |body: &str| {
        Gate::new().check(
            &Email::new("From Skein & Spindle", body),
            &oisin,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let ok = mail("Dia dhuit Oisín,\n\nYour very first order with us, back in September 2025, was eight skeins of Connemara Aran. Your Dual membership includes two guest passes a year.\n\nSkein & Spindle");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad = mail("Dia dhuit Oisín,\n\nThanks for your first order with us!\n\nSkein & Spindle");
    assert!(!bad.passed(), "{:?}", kinds(&bad));
    let bad = mail("Dia dhuit Oisín,\n\nUse code STASH20 by 28 February.\n\n[NB for Fraser: check whether we can bundle the hooks before this goes out]\n\nSkein & Spindle");
    assert_report_has(&bad, "NB", Kind::TemplateLeak, Some("leak.note"), None);
    let ok = mail("Dia dhuit Oisín,\n\nUse code STASH20 by 28 February (reminder: hooks are not included).\n\nSkein & Spindle");
    assert!(ok.passed(), "{:?}", kinds(&ok));
}

#[test]
fn a_month_of_an_event_named_by_its_type_and_calendar_words_in_claims() {
    let c = json!({"now":"2026-11-20","brand":"Northgate Home Insurance",
        "offer":{"renewal_discount_percent":10}});
    let amara = Recipient::from_json(
        r#"{"id":"16","email":"a@example.com","first_name":"Amara",
        "attributes":{"state":"TX"},
        "events":[{"type":"claim_opened","at":"2026-06-30","peril":"escape of water"},
                  {"type":"claim_settled","at":"2026-07-22","amount_paid_gbp":1840},
                  {"type":"data_overage","at":"2026-09-06","overage_gb":1.1}]}"#,
        &Limits::default(),
    )
    .unwrap();
    let mail = |body: &str| {
        Gate::new().check(
            &Email::new("News from Northgate", body),
            &amara,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    // The sentence names the June event by value ("escape of water") and the July one by
    // its type ("claim ... settled").
    let ok = mail("Hi Amara,\n\nWe hope all is well after the escape of water claim we settled for you in July.\n\nNorthgate Home Insurance");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad = mail("Hi Amara,\n\nWe hope all is well after the escape of water claim we settled for you in March.\n\nNorthgate Home Insurance");
    assert_report_has(&bad, "March", Kind::WrongTime, Some("time.month"), None);
    // A month is when, not what: "over in September" is no claim about a place.
    let ok =
        mail("Hi Amara,\n\nYour plan went 1.1GB over in September.\n\nNorthgate Home Insurance");
    assert!(
        !ok.findings.iter().any(|f| f.rule == "grounding.claim"),
        "{:?}",
        kinds(&ok)
    );
}

#[test]
fn region_adjectives_describe_and_name_nothing() {
    let c = json!({"now":"2026-11-20","brand":"Roastwell",
        "offer":{"name":"Single Origin Box","origins":"Ethiopia and Kenya"}});
    let zofia = Recipient::from_json(
        r#"{"id":"17","email":"z@example.com","first_name":"Zofia",
        "attributes":{"target_language":"Spanish"}}"#,
        &Limits::default(),
    )
    .unwrap();
    let mail = |body: &str| {
        Gate::new().check(
            &Email::new("New beans", body),
            &zofia,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let ok = mail("Hi Zofia,\n\nThe Single Origin Box brings two East African coffees, from Ethiopia and Kenya, with a bright Nordic-style light roast.\n\nRoastwell");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    // A made-up place is still a name, compass word or not.
    let bad = mail("Hi Zofia,\n\nThe Single Origin Box brings two coffees, from Ethiopia and Kenya, roasted at our North Fenwick shop.\n\nRoastwell");
    assert!(!bad.passed(), "{:?}", kinds(&bad));
}

#[test]
fn offered_credit_parted_phrases_and_worked_amounts() {
    let c = json!({"now":"2028-03-08","brand":"Kestrel Pharmacy",
        "offer":{"reward_usd_per_prescription":10,"form":"Kestrel store credit","enroll_by":"2028-03-31",
                 "discount_percent":10,"applies_to":"the 2028 season berth fee","name":"Early-Bird Season Berth"},
        "gst":"all prices exclude 9% GST",
        "tuition_cad_per_term":{"30 min":330,"45 min":473},
        "prices_eur":{"season_berth_per_metre_loa":150},
        "season":"1 April - 31 October 2028"});
    let marguerite = Recipient::from_json(
        r#"{"id":"18","email":"m@example.com","first_name":"Marguerite",
        "attributes":{"loa_m":9.5,"berth":"B-14"},
        "events":[{"type":"lesson","at":"2027-05-29","length_min":90},
                  {"type":"berth_enquiry","at":"2028-02-29","season":2028}]}"#,
        &Limits::default(),
    )
    .unwrap();
    let mail = |body: &str| {
        Gate::new().check(
            &Email::new("Spring at Kestrel", body),
            &marguerite,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let pass = |body: &str| {
        let r = mail(body);
        assert!(r.passed(), "{body}\n{:?}", kinds(&r));
    };
    // The offer's reward, in the campaign's words; "you, added" is two phrases.
    pass("Dear Marguerite,\n\nEnrol by March 31 and get $10 in store credit for each prescription. That's $10 for you, added after your first shipment.\n\nKestrel Pharmacy");
    // Worked figures: a total given before its parts, a percentage off and one added on,
    // a price per metre times the boat's length.
    pass("Dear Marguerite,\n\nSpring tuition: $722.70 in all.\n\n- 45 minutes: $473.00, less 10% = $425.70\n- 30 minutes: $330.00, less 10% = $297.00\n\nWith GST, $297.00 is $323.73. Your berth for 9.5 m at €150 a metre is €1,425 for the season (1 April to 31 October).\n\nKestrel Pharmacy");
    pass("Dear Marguerite,\n\nYour last lesson was on Saturday 29 May last year, and thank you for your berth enquiry.\n\nKestrel Pharmacy");
    // Still caught: a credit said to be waiting, a total that adds up to nothing stated,
    // a weekday wrong for the year written, a season end the campaign does not give.
    let bad = mail(
        "Dear Marguerite,\n\nYou have $10 in store credit waiting for you.\n\nKestrel Pharmacy",
    );
    assert!(!bad.passed(), "{:?}", kinds(&bad));
    let bad = mail("Dear Marguerite,\n\nSpring tuition: $731.60 in all.\n\n- 45 minutes: $473.00, less 10% = $425.70\n- 30 minutes: $330.00, less 10% = $297.00\n\nKestrel Pharmacy");
    assert_report_has(
        &bad,
        "$731.60",
        Kind::WrongOffer,
        Some("offer.amount"),
        None,
    );
    let bad = mail(
        "Dear Marguerite,\n\nYour last lesson was on Friday 29 May last year.\n\nKestrel Pharmacy",
    );
    assert_report_has(
        &bad,
        "Friday",
        Kind::WrongTime,
        Some("time.weekday_date"),
        None,
    );
    let bad = mail("Dear Marguerite,\n\nThe season runs until 30 November, so book by 30 November.\n\nKestrel Pharmacy");
    assert!(!bad.passed(), "{:?}", kinds(&bad));
    // Without a berth of their own, only the enquiry is the person's.
    let pieter = Recipient::from_json(
        r#"{"id":"19","email":"p@example.com","first_name":"Pieter",
        "events":[{"type":"berth_enquiry","at":"2028-02-29","season":2028}]}"#,
        &Limits::default(),
    )
    .unwrap();
    let check = |body: &str| {
        Gate::new().check(
            &Email::new("Spring at Kestrel", body),
            &pieter,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let ok = check("Dear Pieter,\n\nThank you for your berth enquiry.\n\nKestrel Pharmacy");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad = check("Dear Pieter,\n\nYour berth is ready for the season.\n\nKestrel Pharmacy");
    assert_report_has(
        &bad,
        "Your berth",
        Kind::FabricatedFact,
        Some("grounding.possession"),
        None,
    );
}

#[test]
fn our_intent_web_visits_and_usual_values() {
    let c = json!({"now":"2028-03-08","brand":"Harbourview Music School",
        "offer":{"discount_percent":10,"register_by":"2028-03-20"}});
    let aisha = Recipient::from_json(
        r#"{"id":"20","email":"a@example.com","first_name":"Aisha",
        "attributes":{"lesson_day":"Tuesday"},
        "events":[{"type":"web_visit","at":"2028-03-05","page":"RCM exam registration"},
                  {"type":"invoice_paid","at":"2028-01-02","amount_cad":803}]}"#,
        &Limits::default(),
    )
    .unwrap();
    let lena = Recipient::from_json(
        r#"{"id":"21","email":"l@example.com","first_name":"Lena",
        "events":[{"type":"invoice_paid","at":"2027-11-02","amount_cad":803}]}"#,
        &Limits::default(),
    )
    .unwrap();
    let check = |r: &Recipient, body: &str| {
        Gate::new().check(
            &Email::new("Spring term", body),
            r,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    for body in [
        "Hi Aisha,\n\nWe noticed you were looking at RCM exam registration on Sunday.\n\nHarbourview Music School",
        "Hi Aisha,\n\nRe-enrol by March 20 to keep your usual Tuesday lessons.\n\nHarbourview Music School",
    ] {
        let r = check(&aisha, body);
        assert!(r.passed(), "{body}\n{:?}", kinds(&r));
    }
    // Our intent this month, in a sentence that names the person's prescriptions.
    let marguerite = Recipient::from_json(
        r#"{"id":"22","email":"m@example.com","first_name":"Marguerite",
        "attributes":{"patient_since":"2014-08-19","rx_1":"atorvastatin 20 mg"},
        "events":[{"type":"pickup","at":"2028-02-24","rx":"atorvastatin 20 mg","days_supply":30}]}"#,
        &Limits::default(),
    )
    .unwrap();
    let ok = check(&marguerite, "Dear Marguerite,\n\nYou've trusted us with your prescriptions for more than thirteen years, so we'd like to say thank you with two things this month.\n\nHarbourview Music School");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad = check(&lena, "Hi Lena,\n\nWe noticed you were looking at RCM exam registration on Sunday.\n\nHarbourview Music School");
    assert!(
        bad.findings.iter().any(|f| f.kind == Kind::ImpliedContext),
        "{:?}",
        kinds(&bad)
    );
    let bad = check(&aisha, "Hi Aisha,\n\nRe-enrol by March 20 to keep your usual Wednesday lessons.\n\nHarbourview Music School");
    assert!(!bad.passed(), "{:?}", kinds(&bad));
    let bad = check(
        &lena,
        "Hi Lena,\n\nYou paid your invoice this month, thank you.\n\nHarbourview Music School",
    );
    assert!(!bad.passed(), "{:?}", kinds(&bad));
}

#[test]
fn coming_months_halves_supplies_clicks_and_hailed_notes() {
    let c = json!({"now":"2028-03-08","brand":"Kampong Works",
        "plans_sgd_per_month":{"Hot Desk":480,"Dedicated Desk":650},
        "offer":{"name":"Quarter Commit","deal":"pay three months upfront and the third month is half price",
                 "code":"Q2COMMIT","start_between":"2028-04-01 and 2028-04-30"}});
    let wei = Recipient::from_json(
        r#"{"id":"23","email":"w@example.com","first_name":"Wei Ling",
        "attributes":{"plan":"Flex"},
        "events":[{"type":"email_click","at":"2028-03-01","link":"Dedicated Desk page"},
                  {"type":"pickup","at":"2028-02-10","rx":"atorvastatin 20 mg","days_supply":30},
                  {"type":"checkin","at":"2027-11-16","location":"one-north"}]}"#,
        &Limits::default(),
    )
    .unwrap();
    let check = |body: &str| {
        Gate::new().check(
            &Email::new("Quarter Commit", body),
            &wei,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    for body in [
        // A campaign month still to come; a sum written with S$.
        "Hi Wei Ling,\n\nMore desk days for you from April? Pay three months upfront with code Q2COMMIT and the third month is half price: S$650 + S$650 + S$325 = S$1,625.\n\nKampong Works",
        // Three terms written out in S$.
        "Hi Wei Ling,\n\nTwo Hot Desks and a Dedicated Desk for a month: S$480 + S$480 + S$650 = S$1,610 before code Q2COMMIT.\n\nKampong Works",
        // What the offer halves, stated alone.
        "Hi Wei Ling,\n\nDedicated Desk: S$1,625 for three months with code Q2COMMIT instead of S$1,950.\n\nKampong Works",
        // A 30-day supply from February 10 runs out on March 11.
        "Hi Wei Ling,\n\nThe 30-day supply of atorvastatin you picked up on February 10 runs out on Saturday, March 11.\n\nKampong Works",
        // An email click is a click.
        "Hi Wei Ling,\n\nYou clicked through to the Dedicated Desk page last week, so here is Q2COMMIT.\n\nKampong Works",
    ] {
        let r = check(body);
        assert!(r.passed(), "{body}\n{:?}", kinds(&r));
    }
    // Still caught: a month the person did something in that the record does not show, a
    // sum that does not add up, a run-out date off by a week, a note hailing a colleague.
    let bad = check("Hi Wei Ling,\n\nYou checked in at one-north in April, so here is code Q2COMMIT.\n\nKampong Works");
    assert!(!bad.passed(), "{:?}", kinds(&bad));
    let bad = check("Hi Wei Ling,\n\nThe third month is half price: S$650 + S$650 + S$325 = S$1,675 with code Q2COMMIT.\n\nKampong Works");
    assert!(
        bad.findings.iter().any(|f| f.rule == "offer.amount"),
        "{:?}",
        kinds(&bad)
    );
    let bad = check("Hi Wei Ling,\n\nThe 30-day supply of atorvastatin you picked up on February 10 runs out on Saturday, March 18.\n\nKampong Works");
    assert!(!bad.passed(), "{:?}", kinds(&bad));
    let bad = check("Hi Wei Ling,\n\n(Kylie - can you check her plan is still Flex before this goes out?)\n\nCode Q2COMMIT starts in April.\n\nKampong Works");
    assert_report_has(&bad, "(Kylie", Kind::TemplateLeak, Some("leak.note"), None);
    // A question to a colleague, and a slot in a French template.
    let bad = check("Hi Wei Ling,\n\nDoors open at 10:00. [Euan - they still haven't confirmed the finish time, OK to leave 10-4 for now?]\n\nKampong Works");
    assert_report_has(&bad, "[Euan", Kind::TemplateLeak, Some("leak.note"), None);
    let bad = check("Hi Wei Ling,\n\nCommandez en ligne : [LIEN CLICK & COLLECT]\n\nKampong Works");
    assert_report_has(
        &bad,
        "[LIEN",
        Kind::TemplateLeak,
        Some("leak.placeholder"),
        None,
    );
    let ok = check("Hi Wei Ling,\n\nCode Q2COMMIT starts in April. Join us for [drinks & snacks] on the roof.\n\nKampong Works");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    // A note to the reader stays.
    let ok =
        check("Hi Wei Ling,\n\nCode Q2COMMIT starts in April (one per member).\n\nKampong Works");
    assert!(ok.passed(), "{:?}", kinds(&ok));
}

#[test]
fn a_weekday_said_of_a_campaign_event_is_its_date() {
    // Wednesday 18 October 2028: "this Saturday" is the 21st, "next Saturday" the 21st or 28th.
    let c = json!({"now":"2028-10-18","brand":"Otterbrook Swim School",
        "gala":{"name":"Otterbrook Mini Gala","date":"2028-11-04","time":"2pm"},
        "open_day":{"name":"Pool Open Morning","date":"2028-10-21"}});
    let priya = Recipient::from_json(
        r#"{"id":"24","email":"p@example.com","first_name":"Priya"}"#,
        &Limits::default(),
    )
    .unwrap();
    let check = |body: &str| {
        Gate::new().check(
            &Email::new("From the pool", body),
            &priya,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    for body in [
        "Hi Priya,\n\nOur Pool Open Morning is this Saturday, and everyone is welcome.\n\nOtterbrook Swim School",
        "Hi Priya,\n\nOur Pool Open Morning is next Saturday, and everyone is welcome.\n\nOtterbrook Swim School",
        "Hi Priya,\n\nThe Mini Gala is on Saturday 4 November at 2pm.\n\nOtterbrook Swim School",
    ] {
        let r = check(body);
        assert!(r.passed(), "{body}\n{:?}", kinds(&r));
    }
    let bad = check(
        "Hi Priya,\n\nThe Otterbrook Mini Gala is this Saturday at 2pm.\n\nOtterbrook Swim School",
    );
    assert_report_has(
        &bad,
        "this Saturday",
        Kind::WrongTime,
        Some("time.event_day"),
        None,
    );
}

#[test]
fn a_figure_after_a_key_the_campaign_gives_is_the_campaigns() {
    let c = json!({"now":"2028-10-18","brand":"Otterbrook Swim School",
        "term":{"name":"Spring Term 2029","starts":"2029-01-08","fee_gbp":121}});
    let priya = Recipient::from_json(
        r#"{"id":"25","email":"p@example.com","first_name":"Priya",
        "attributes":{"stage":3},
        "events":[{"type":"enrolment","at":"2028-08-29","term":"Autumn Term 2028","child":"Arjun"}]}"#,
        &Limits::default(),
    )
    .unwrap();
    let check = |body: &str| {
        Gate::new().check(
            &Email::new("Spring places", body),
            &priya,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let ok = check("Hi Priya,\n\nSpring Term 2029 starts on 8 January, £121 a child. Arjun is at stage 3.\n\nOtterbrook Swim School");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad = check("Hi Priya,\n\nSpring Term 2029 starts on 8 January. Arjun is at stage 4.\n\nOtterbrook Swim School");
    assert_report_has(
        &bad,
        "stage 4",
        Kind::WrongFact,
        Some("grounding.figure"),
        None,
    );
}

#[test]
fn through_ends_only_before_a_date_and_web_visits_are_looks() {
    let c = json!({"now":"2028-10-18","brand":"Glacier Shine Car Wash",
        "offer":{"name":"Winter Armour Upgrade","code":"ARMOUR","ends":"2028-11-15",
                 "applies_to":"Arctic Ceramic plan"}});
    let nadia = Recipient::from_json(
        r#"{"id":"26","email":"n@example.com","first_name":"Nadia",
        "attributes":{"washes_this_year":41},
        "events":[{"type":"wash","at":"2028-10-15","location":"Crowfoot"},
                  {"type":"web_visit","at":"2028-10-17","page":"Arctic Ceramic plan"}]}"#,
        &Limits::default(),
    )
    .unwrap();
    let check = |body: &str| {
        Gate::new().check(
            &Email::new("Winter Armour", body),
            &nadia,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    for body in [
        "Hi Nadia,\n\nYour car has been through our tunnels 41 times this year - most recently at Crowfoot on Sunday.\n\nGlacier Shine Car Wash",
        "Hi Nadia,\n\nYou were checking out the Arctic Ceramic plan yesterday, so here is code ARMOUR, valid through November 15.\n\nGlacier Shine Car Wash",
    ] {
        let r = check(body);
        assert!(r.passed(), "{body}\n{:?}", kinds(&r));
    }
    let bad = check("Hi Nadia,\n\nCode ARMOUR is valid through Sunday.\n\nGlacier Shine Car Wash");
    assert_report_has(
        &bad,
        "Sunday",
        Kind::WrongOffer,
        Some("offer.deadline"),
        None,
    );
}

#[test]
fn emails_in_other_languages_decimal_commas_and_prices_per_unit() {
    let c = json!({"now":"2028-10-18","brand":"SV Elbhafen 1911","language":"de",
        "offer":{"name":"Rückrunde Half-Season Ticket","home_matches":9,
                 "prices_eur":{"Haupttribüne seated":342},
                 "concessions":"over-65s pay 20% less"}});
    let werner = Recipient::from_json(
        r#"{"id":"27","email":"w@example.com","first_name":"Werner","last_name":"Kowalski",
        "locale":"de-DE","attributes":{"last_season_ticket_season":"2025/26"}}"#,
        &Limits::default(),
    )
    .unwrap();
    let check = |body: &str| {
        Gate::new().check(
            &Email::new("Ihr Platz auf der Haupttribüne", body),
            &werner,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let ok = check("Lieber Herr Kowalski,\n\nVielleicht ist die Rückrunde ein guter Anlass für ein Wiedersehen. Die Halbsaisonkarte für die Haupttribüne kostet 342 €. Wer über 65 ist, zahlt 20 % weniger: 273,60 €, also 30,40 € pro Spiel.\n\nMit sportlichen Grüßen\nSV Elbhafen 1911");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    // Amounts are still checked: 20 % off 342 € is not 283,60 €.
    let bad = check("Lieber Herr Kowalski,\n\nDie Halbsaisonkarte für die Haupttribüne kostet 342 € für alle 9 Heimspiele. Wer über 65 ist, zahlt 20 % weniger: 283,60 €.\n\nMit sportlichen Grüßen\nSV Elbhafen 1911");
    assert!(
        bad.findings.iter().any(|f| f.rule == "offer.amount"),
        "{:?}",
        kinds(&bad)
    );
    // A wrong name after the title is still a wrong name.
    let bad = check("Lieber Herr Nowak,\n\nDie Halbsaisonkarte kostet 342 €.\n\nMit sportlichen Grüßen\nSV Elbhafen 1911");
    assert!(!bad.passed(), "{:?}", kinds(&bad));
}

#[test]
fn decimal_commas() {
    use crate::text::parse_num;
    assert_eq!(parse_num("273,60"), Some(273.6));
    assert_eq!(parse_num("0,25"), Some(0.25));
    assert_eq!(parse_num("1.234,56"), Some(1234.56));
    assert_eq!(parse_num("1,311"), Some(1311.0));
    assert_eq!(parse_num("1,311.00"), Some(1311.0));
    assert_eq!(parse_num("12,345,678"), Some(12_345_678.0));
}

#[test]
fn months_named_by_type_further_back_and_month_periods() {
    let c = json!({"now":"2027-09-08","brand":"Maple & Fern",
        "offer":{"name":"Autumn Colour","discount_percent":20,"book_by":"2027-09-30"}});
    let deborah = Recipient::from_json(
        r#"{"id":"28","email":"d@example.com","first_name":"Deborah",
        "attributes":{"client_since":"2025-11-29"},
        "events":[{"type":"patch_test","at":"2025-12-10","result":"clear"},
                  {"type":"monitoring_report","at":"2027-09-01","period":"August 2027","generated_kwh":812}]}"#,
        &Limits::default(),
    )
    .unwrap();
    let check = |body: &str| {
        Gate::new().check(
            &Email::new("Autumn Colour", body),
            &deborah,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    for body in [
        "Hi Deborah,\n\nAs your last patch test with us was back in December, we'll need a quick new one before your appointment.\n\nMaple & Fern",
        "Hi Deborah,\n\nYour August report is in, and Autumn Colour is 20% off if you book by September 30.\n\nMaple & Fern",
    ] {
        let r = check(body);
        assert!(r.passed(), "{body}\n{:?}", kinds(&r));
    }
    // "last December" is the latest December, not one 21 months back.
    let bad =
        check("Hi Deborah,\n\nYour patch test last December came back clear.\n\nMaple & Fern");
    assert!(!bad.passed(), "{:?}", kinds(&bad));
    // A month none of the person's dates is in.
    let bad = check("Hi Deborah,\n\nYour July report is in, and Autumn Colour is 20% off if you book by September 30.\n\nMaple & Fern");
    assert!(!bad.passed(), "{:?}", kinds(&bad));
}

#[test]
fn a_universal_qualified_by_a_word_or_its_exceptions() {
    let c = json!({"now":"2027-02-17","brand":"Skein & Spindle",
        "offer":{"name":"Winter Stash Sale","discount_percent":20,"code":"STASH20","ends":"2027-02-28",
                 "applies_to":"all full-price yarn, online and in the shop",
                 "excludes":"kits, needles and notions"}});
    let check = |body: &str| {
        Gate::new().check(
            &Email::new("Winter Stash Sale", body),
            &sparse(),
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    for body in [
        "Hello,\n\nEverything full-price is 20% off with STASH20 until 28 February - kits, needles and notions excepted.\n\nSkein & Spindle",
        "Hello,\n\n20% off everything woolly with STASH20 until 28 February.\n\nSkein & Spindle",
    ] {
        let r = check(body);
        assert!(r.passed(), "{body}\n{:?}", kinds(&r));
    }
    let bad = check("Hello,\n\nEverything in the shop is 20% off with STASH20 until 28 February.\n\nSkein & Spindle");
    assert_report_has(
        &bad,
        "Everything",
        Kind::WrongOffer,
        Some("offer.scope"),
        None,
    );
}

#[test]
fn weekday_ranges_say_which_days_and_must_be_the_campaigns() {
    let c = json!({"now":"2029-01-24","brand":"Lockstep Escape Rooms",
        "offer":{"name":"Magpie Launch Fortnight","discount_percent":25,"code":"MAGPIE25",
                 "valid_days":"Monday to Thursday sessions only","book_by":"2029-02-04"},
        "shows":"Thursday-Saturday evenings at 7:30pm"});
    let check = |body: &str| {
        Gate::new().check(
            &Email::new("Magpie Launch Fortnight", body),
            &sparse(),
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    for body in [
        "Hello,\n\nMAGPIE25 takes 25% off Monday to Thursday sessions. Book by February 4.\n\nLockstep Escape Rooms",
        "Hello,\n\nMAGPIE25 takes 25% off Monday to Wednesday sessions too. Book by February 4.\n\nLockstep Escape Rooms",
        "Hello,\n\nShows run Thursday to Saturday evenings, and MAGPIE25 takes 25% off. Book by February 4.\n\nLockstep Escape Rooms",
    ] {
        let r = check(body);
        assert!(r.passed(), "{body}\n{:?}", kinds(&r));
    }
    let bad = check("Hello,\n\nMAGPIE25 takes 25% off any session Monday to Friday. Book by February 4.\n\nLockstep Escape Rooms");
    assert_report_has(
        &bad,
        "Monday to Friday",
        Kind::WrongOffer,
        Some("offer.days"),
        None,
    );
}

#[test]
fn a_window_looked_back_over_is_no_tenure() {
    let c = json!({"now":"2029-01-24","brand":"Stackwise Self Storage",
        "offer":{"name":"New Year Clear-Out","eligibility":"new customers, and returning customers who haven't rented in the last six months"}});
    let harriet = Recipient::from_json(
        r#"{"id":"29","email":"h@example.com","first_name":"Harriet",
        "attributes":{"customer_since":"2026-07-03","unit":"C-114"}}"#,
        &Limits::default(),
    )
    .unwrap();
    let check = |body: &str| {
        Gate::new().check(
            &Email::new("Your unit", body),
            &harriet,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let ok = check("Hi Harriet,\n\nThe New Year Clear-Out is only for customers who haven't rented with us in the last six months, so it can't be used for your unit C-114.\n\nStackwise Self Storage");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad = check(
        "Hi Harriet,\n\nYou have been with us for six months now, at unit C-114.\n\nStackwise Self Storage",
    );
    assert!(
        bad.findings.iter().any(|f| f.rule == "grounding.tenure"),
        "{:?}",
        kinds(&bad)
    );
}

#[test]
fn a_weekday_before_a_date_in_figures() {
    // Wednesday 24 January 2029.
    let c = json!({"now":"2029-01-24","brand":"Lockstep Escape Rooms",
        "new_room":{"name":"Vault of the Magpie","opens":"2029-02-09"},
        "offer":{"code":"MAGPIE25","book_by":"2029-02-04"}});
    let check = |body: &str| {
        Gate::new().check(
            &Email::new("Vault of the Magpie", body),
            &sparse(),
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    for body in [
        "Hello,\n\nVault of the Magpie opens on Friday 9/02. Book with MAGPIE25 by Sunday 4/02.\n\nLockstep Escape Rooms",
        "Hello,\n\nVault of the Magpie opens on Friday 2/9 for US readers. Book with MAGPIE25 by Sunday 2/4.\n\nLockstep Escape Rooms",
    ] {
        let r = check(body);
        assert!(r.passed(), "{body}\n{:?}", kinds(&r));
    }
    let bad = check("Hello,\n\nBook with MAGPIE25 by Sunday 11/02.\n\nLockstep Escape Rooms");
    assert!(!bad.passed(), "{:?}", kinds(&bad));
}

#[test]
fn an_events_own_count_and_coming_in_for_a_typed_event() {
    let c = json!({"now":"2029-05-16","brand":"Halden Mill Spa",
        "event":{"name":"Midsummer Sound Bath","date":"2029-06-21"}});
    let imogen = Recipient::from_json(
        r#"{"id":"30","email":"i@example.com","first_name":"Imogen",
        "events":[{"type":"event_booked","at":"2029-05-14","event":"Midsummer Sound Bath","seats":2},
                  {"type":"follow_up","at":"2029-04-18","center":"Green Valley"}]}"#,
        &Limits::default(),
    )
    .unwrap();
    let lena = Recipient::from_json(
        r#"{"id":"31","email":"l@example.com","first_name":"Lena"}"#,
        &Limits::default(),
    )
    .unwrap();
    let check = |r: &Recipient, body: &str| {
        Gate::new().check(
            &Email::new("From the Mill", body),
            r,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    for body in [
        "Hi Imogen,\n\nWe have your two seats for the Midsummer Sound Bath.\n\nHalden Mill Spa",
        "Hi Imogen,\n\nThanks for coming in for your follow-up at Green Valley last month.\n\nHalden Mill Spa",
        "Hi Imogen,\n\nThank you for coming back to the Mill.\n\nHalden Mill Spa",
    ] {
        let r = check(&imogen, body);
        assert!(r.passed(), "{body}\n{:?}", kinds(&r));
    }
    let bad = check(
        &imogen,
        "Hi Imogen,\n\nWe have your three seats for the Midsummer Sound Bath.\n\nHalden Mill Spa",
    );
    assert!(
        bad.findings.iter().any(|f| f.rule == "grounding.count"),
        "{:?}",
        kinds(&bad)
    );
    let bad = check(
        &lena,
        "Hi Lena,\n\nThanks for coming in for your follow-up last month.\n\nHalden Mill Spa",
    );
    assert!(!bad.passed(), "{:?}", kinds(&bad));
}

#[test]
fn weekdays_of_a_month_the_campaign_names() {
    let c = json!({"now":"2029-05-16","brand":"ClearTone Hearing Centers",
        "free_saturdays":{"what":"free hearing screening","when":"Saturdays in May 2029, 9:00am to noon"}});
    let check = |body: &str| {
        Gate::new().check(
            &Email::new("Free screenings", body),
            &sparse(),
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let ok = check("Hello,\n\nFree hearing screening runs this Saturday, May 19, or the next, May 26, from 9am to noon.\n\nClearTone Hearing Centers");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad = check("Hello,\n\nFree hearing screening runs on Sunday, May 20, from 9am to noon.\n\nClearTone Hearing Centers");
    assert!(!bad.passed(), "{:?}", kinds(&bad));
}

#[test]
fn a_range_end_before_a_date_and_campaign_words_said_of_a_person_without_consent() {
    let c = json!({"now":"2027-02-17","brand":"Corniche Peak Resort",
        "lift":{"name":"Aspen Ridge Six","serves":"intermediate terrain on the north face"},
        "offer":{"name":"Midweek 3-Day Lift Ticket","code":"MIDWEEK20",
                 "valid":"Monday to Thursday, 2027-03-01 to 2027-03-31"}});
    let lucas = Recipient::from_json(
        r#"{"id":"32","email":"l@example.com","first_name":"Lucas",
        "attributes":{"ability_level":"intermediate"},"consent":{"profiling":false}}"#,
        &Limits::default(),
    )
    .unwrap();
    let check = |body: &str| {
        Gate::new().check(
            &Email::new("Meet the Aspen Ridge Six", body),
            &lucas,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let ok = check("Hello Lucas,\n\nThe Aspen Ridge Six serves intermediate terrain on the north face. MIDWEEK20 is valid Monday to Thursday, 1 March to 31 March.\n\nCorniche Peak Resort");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad = check("Hello Lucas,\n\nSince you ski at an intermediate level, the Aspen Ridge Six is built for you. Use MIDWEEK20.\n\nCorniche Peak Resort");
    assert_report_has(
        &bad,
        "intermediate",
        Kind::ConsentViolation,
        Some("consent.profiling"),
        None,
    );
    let bad =
        check("Hello Lucas,\n\nMIDWEEK20 is valid from Thursday, 1 March.\n\nCorniche Peak Resort");
    // (Thursday 1 March 2027 is a Monday: still caught outside a range.)
    assert!(!bad.passed(), "{:?}", kinds(&bad));
}

#[test]
fn prices_per_one_of_a_pair_and_a_sum_less_a_discount() {
    let c = json!({"now":"2029-05-16","brand":"ClearTone Hearing Centers",
        "offer":{"name":"Better Hearing Month Upgrade","discount_usd_per_pair":600,
                 "models_usd_per_pair":{"Oticon Intent 1":5800}},
        "sibling_discount_usd":25,
        "term_fees_usd":{"Junior":234,"Senior":261},"early_discount_percent":10});
    let check = |body: &str| {
        Gate::new().check(
            &Email::new("Upgrade", body),
            &sparse(),
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    for body in [
        "Hello,\n\nOticon Intent 1: $5,800 -> $5,200 a pair ($2,600 per ear).\n\nClearTone Hearing Centers",
        "Hello,\n\nJunior: $234 less 10% = $210.60. Senior: $261 less 10% = $234.90. Both, less the $25 sibling discount: $420.50.\n\nClearTone Hearing Centers",
    ] {
        let r = check(body);
        assert!(r.passed(), "{body}\n{:?}", kinds(&r));
    }
    let bad = check("Hello,\n\nOticon Intent 1: $5,800 -> $5,200 a pair ($2,700 per ear).\n\nClearTone Hearing Centers");
    assert!(
        bad.findings.iter().any(|f| f.rule == "offer.amount"),
        "{:?}",
        kinds(&bad)
    );
    let bad = check("Hello,\n\nJunior: $234 less 10% = $210.60. Senior: $261 less 10% = $234.90. Both, less the $25 sibling discount: $410.50.\n\nClearTone Hearing Centers");
    assert!(
        bad.findings.iter().any(|f| f.rule == "offer.amount"),
        "{:?}",
        kinds(&bad)
    );
}

#[test]
fn holidays_and_events_held_at_a_place() {
    let c = json!({"now":"2029-05-16","brand":"ClearTone Hearing Centers",
        "locations":["Tucson - Oracle Road","Tucson - Broadway Blvd","Green Valley"],
        "offer":{"code":"HEAR600","book_fitting_by":"2029-05-31"}});
    let frank = Recipient::from_json(
        r#"{"id":"30","email":"f@example.com","first_name":"Frank",
        "attributes":{"home_center":"Broadway Blvd"},
        "events":[{"type":"clean_and_check","at":"2025-11-12","center":"Broadway Blvd"}]}"#,
        &Limits::default(),
    )
    .unwrap();
    let browser = Recipient::from_json(
        r#"{"id":"31","email":"b@example.com","first_name":"Frank",
        "attributes":{"home_center":"Broadway Blvd"},
        "events":[{"type":"web_visit","at":"2025-11-12","site":"Broadway Blvd"}]}"#,
        &Limits::default(),
    )
    .unwrap();
    let check = |r: &Recipient, body: &str| {
        Gate::new().check(
            &Email::new("It's been a while", body),
            r,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let body = "Hi Frank,\n\nWe last saw you at our Broadway Blvd center for a clean & check in November 2025.\n\nClearTone Hearing Centers";
    let ok = check(&frank, body);
    assert!(ok.passed(), "{:?}", kinds(&ok));
    // The campaign gives the centre's street: "Tucson - Broadway Blvd" is where the visit
    // named "Broadway Blvd" was held.
    let ok = check(
        &frank,
        "Hi Frank,\n\nWe last saw you at Tucson in November 2025.\n\nClearTone Hearing Centers",
    );
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad = check(&frank, "Hi Frank,\n\nWe last saw you at Green Valley in November 2025.\n\nClearTone Hearing Centers");
    assert!(!bad.passed(), "{:?}", kinds(&bad));
    // A visit to a page about the centre is no visit to the centre; a home centre alone says
    // nothing of a visit either.
    let bad = check(&browser, body);
    assert!(!bad.passed(), "{:?}", kinds(&bad));
}

#[test]
fn worked_amounts_taxes_measures_and_remainders() {
    let c = json!({"now":"2030-03-13","brand":"Klipfontein Estate","prices":"all prices include 15% VAT",
        "offer":{"venue_hire_regular_zar":68000,"discount_percent":25,"code":"WINTERVOWS",
                 "deposit":"30% of venue hire","guests":"60 to 140 guests"},
        "tax_note":"5% GST on services; retail products 5% GST plus 7% PST",
        "retail":{"item":"Home Squeegee Kit","price_cad":48},"adult_price_usd":365,
        "cheese_eur_per_kg":{"Comté 18 mois":27.20},
        "loyalty":"1 point per $1 spent; every 200 points = a $10 voucher"});
    let thandiwe = Recipient::from_json(
        r#"{"id":"40","email":"t@example.com","first_name":"Thandiwe",
        "attributes":{"guest_estimate":110,"points_balance":184}}"#,
        &Limits::default(),
    )
    .unwrap();
    let check = |body: &str| {
        Gate::new().check(
            &Email::new("Winter weddings", body),
            &thandiwe,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    for body in [
        // 30% of R51 000; the balance in three instalments.
        "Hi Thandiwe,\n\nVenue hire is R51 000 with WINTERVOWS. A 30% deposit (R15 300) secures your date, with the remaining R35 700 paid in three monthly instalments of R11 900.\n\nKlipfontein Estate",
        // The tax inside a price that includes it: 730 x 15/115.
        "Hi Thandiwe,\n\nTwo places at $365 come to $730, which includes $95.22 VAT.\n\nKlipfontein Estate",
        "Hi Thandiwe,\n\nTwo places at R365 come to R730, which includes R95.22 VAT.\n\nKlipfontein Estate",
        // Two taxes added on together: 48 x 1.12.
        "Hi Thandiwe,\n\nOur Home Squeegee Kit is $48, or $53.76 with GST and PST.\n\nKlipfontein Estate",
        // A weight at a price per kilo.
        "Hi Thandiwe,\n\nComté 18 mois is €27.20 a kilo, so a 250 g wedge comes to €6.80.\n\nKlipfontein Estate",
        // What is left to a threshold: 200 points less 184.
        "Hi Thandiwe,\n\nYou're sitting on 184 points, so spend another $16 and you'll have a $10 voucher.\n\nKlipfontein Estate",
        // An example amount and what the campaign's 25% makes of it, in one sentence.
        "Hi Thandiwe,\n\nHere's how it works: book $480 of extras, enter WINTERVOWS, and you'll pay $360.\n\nKlipfontein Estate",
    ] {
        let r = check(body);
        assert!(r.passed(), "{body}\n{:?}", kinds(&r));
    }
    for body in [
        // A deposit that is no percentage of anything stated.
        "Hi Thandiwe,\n\nVenue hire is R51 000 with WINTERVOWS. A 30% deposit (R16 300) secures your date.\n\nKlipfontein Estate",
        // A remainder that is no difference of the figures.
        "Hi Thandiwe,\n\nYou're sitting on 184 points, so spend another $21 and you'll have a $10 voucher.\n\nKlipfontein Estate",
        // The person's guest count is 110.
        "Hi Thandiwe,\n\nHere's a sketch of a Friday wedding for your 130 guests.\n\nKlipfontein Estate",
        // The discount does not join the two amounts (25% of $480 off is $360).
        "Hi Thandiwe,\n\nHere's how it works: book $480 of extras, enter WINTERVOWS, and you'll pay $340.\n\nKlipfontein Estate",
        // Two amounts of different sentences are not one worked example.
        "Hi Thandiwe,\n\nBook $480 of extras with WINTERVOWS. Last year you paid $360.\n\nKlipfontein Estate",
    ] {
        let r = check(body);
        assert!(!r.passed(), "{body}");
    }
}

#[test]
fn bullets_scenery_and_nicknamed_holidays() {
    let c = json!({"now":"2030-03-13","brand":"Wattle & Loam",
        "offer":{"applies_to":"Australian native plants in 140mm pots","discount_percent":20},
        "flight":{"child_ages":"6-12","child_price_nzd":345},
        "event":{"name":"St. Patrick's Day Cosmic Bowl","date":"2030-03-17"}});
    let check = |body: &str| {
        Gate::new().check(
            &Email::new("News", body),
            &sparse(),
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    for body in [
        "Hi there,\n\n- Covers Australian natives in 140mm pots and up\n- 20% off\n\nWattle & Loam",
        "Hi there,\n\nCalm mornings, long views and snow still on the Southern Alps.\n\nWattle & Loam",
        "Hi there,\n\n- Children 6-12: $345\n\nWattle & Loam",
        "Hi there,\n\nOur St. Paddy's Cosmic Bowl is this Sunday.\n\nWattle & Loam",
    ] {
        let r = check(body);
        assert!(r.passed(), "{body}\n{:?}", kinds(&r));
    }
    // A made-up name still is one.
    let r = check("Hi there,\n\nOur St. Paddy's Glowline Bowl is this Sunday.\n\nWattle & Loam");
    assert!(!r.passed());
}

#[test]
fn past_day_of_month_event_days_in_their_clause_and_last_visits() {
    let c = json!({"now":"2030-03-13","brand":"Klavierwerkstatt",
        "offer":{"name":"Spring Tuning Weeks","book_by":"2030-03-31","appointment_by":"2030-04-30"},
        "event":{"name":"Werkstattabend","date":"2030-03-21"}});
    let james = Recipient::from_json(
        r#"{"id":"41","email":"j@example.com","first_name":"James",
        "attributes":{"piano":"Yamaha U1"},
        "events":[{"type":"tuning","at":"2029-03-20","technician":"Lena"},
                  {"type":"venue_tour","at":"2030-03-02","coordinator":"Chantal"},
                  {"type":"booking","at":"2026-08-11","session":"Open Jump"}]}"#,
        &Limits::default(),
    )
    .unwrap();
    let check = |body: &str| {
        Gate::new().check(
            &Email::new("Spring tuning", body),
            &james,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    for body in [
        "Hi James,\n\nThank you for touring with Chantal on Saturday the 2nd.\n\nKlavierwerkstatt",
        "Hi James,\n\nIt'll be exactly a year next Wednesday since Lena tuned your Yamaha U1, and we saw you were reading about our Spring Tuning Weeks.\n\nKlavierwerkstatt",
        "Hi James,\n\nIt's been over three years since your last visit in August 2026.\n\nKlavierwerkstatt",
    ] {
        let r = check(body);
        assert!(r.passed(), "{body}\n{:?}", kinds(&r));
    }
    for body in [
        // 2 March 2030 is a Saturday, not a Sunday.
        "Hi James,\n\nThank you for touring with Chantal on Sunday the 2nd.\n\nKlavierwerkstatt",
        // The Werkstattabend is on Thursday 21 March, not this Thursday (the 14th).
        "Hi James,\n\nOur Werkstattabend is this Thursday, with a recital at 19:30.\n\nKlavierwerkstatt",
    ] {
        let r = check(body);
        assert!(!r.passed(), "{body}");
    }
    // Nobody visits who never came.
    let r = Gate::new().check(
        &Email::new(
            "Spring tuning",
            "Hi there,\n\nA lot has changed since your last visit.\n\nKlavierwerkstatt",
        ),
        &sparse(),
        &Context::from_json(c.clone()).unwrap(),
    );
    assert!(!r.passed());
}

#[test]
fn consent_covers_counts_and_values_said_in_a_personal_sentence() {
    let c = json!({"now":"2030-03-13","brand":"Thistle & Lens",
        "clinic":{"name":"Children's Myopia Clinic","opens":"2030-04-01","ages":"6 to 16","price_gbp":225}});
    let record = |consent: bool| {
        Recipient::from_json(
            &format!(
                r#"{{"id":"42","email":"r@example.com","first_name":"Ruairidh",
                "attributes":{{"children":2,"children_ages":[7,10],"household_size":5,
                               "occupation":"graphic designer"}},
                "consent":{{"profiling":{consent}}}}}"#
            ),
            &Limits::default(),
        )
        .unwrap()
    };
    let check = |r: &Recipient, body: &str| {
        Gate::new().check(
            &Email::new("Myopia care", body),
            r,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let bodies = [
        "Hi Ruairidh,\n\nWith two children aged 7 and 10, you'll be glad to hear our Children's Myopia Clinic opens on 1 April.\n\nThistle & Lens",
        "Hi Ruairidh,\n\nIt was great to have all five of you in last month.\n\nThistle & Lens",
        "Hi Ruairidh,\n\nAs a graphic designer, you'll get a lot out of our screen-time check.\n\nThistle & Lens",
    ];
    for body in bodies {
        let r = check(&record(false), body);
        assert!(
            r.findings.iter().any(|f| f.kind == Kind::ConsentViolation),
            "{body}\n{:?}",
            kinds(&r)
        );
        // With consent, the same words are a fair use of the record.
        let r = check(&record(true), body);
        assert!(
            !r.findings.iter().any(|f| f.kind == Kind::ConsentViolation),
            "{body}\n{:?}",
            kinds(&r)
        );
    }
    // The campaign's own figures, said to the person, use nothing of theirs.
    let r = check(
        &record(false),
        "Hi Ruairidh,\n\nThe clinic sees children aged 6 to 16, and you can book two checks a year.\n\nThistle & Lens",
    );
    assert!(r.passed(), "{:?}", kinds(&r));
}

#[test]
fn each_excluded_thing_on_its_own() {
    let c = json!({"now":"2030-03-13","brand":"Buckeye Lanes",
        "offer":{"name":"Family Fun Pack","code":"SPRINGPIN","price_usd":64.99,
                 "applies_to":"bowling for up to 6 people with shoes and prescription lenses cleaning",
                 "excludes":"Cosmic Bowl sessions, league play and birthday party packages, lenses"},
        "event":{"name":"St. Patrick's Day Cosmic Bowl","date":"2030-03-17","price_usd":22}});
    let check = |body: &str| {
        Gate::new().check(
            &Email::new("Spring break", body),
            &sparse(),
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    for body in [
        "Hi there,\n\nOur Family Fun Pack works for the Cosmic Bowl too, with code SPRINGPIN.\n\nBuckeye Lanes",
        "Hi there,\n\nSt. Patrick's Day Cosmic Bowl: this Sunday, 8 to 11pm. The same code works here too.\n\nBuckeye Lanes",
        "Hi there,\n\nUse SPRINGPIN on league play this spring.\n\nBuckeye Lanes",
    ] {
        let r = check(body);
        assert!(
            r.findings.iter().any(|f| f.rule == "offer.scope"),
            "{body}\n{:?}",
            kinds(&r)
        );
    }
    for body in [
        "Hi there,\n\nThe Family Fun Pack is $64.99 with code SPRINGPIN (not valid for Cosmic Bowl).\n\nBuckeye Lanes",
        "Hi there,\n\nThe Family Fun Pack is $64.99 with code SPRINGPIN. Birthday party packages extra.\n\nBuckeye Lanes",
        // The offer's own terms name lenses too.
        "Hi there,\n\nWith code SPRINGPIN the pack covers prescription lenses cleaning.\n\nBuckeye Lanes",
    ] {
        let r = check(body);
        assert!(
            !r.findings.iter().any(|f| f.rule == "offer.scope"),
            "{body}\n{:?}",
            kinds(&r)
        );
    }
}

#[test]
fn last_weekdays_possessive_and_almost_a_year() {
    let c = json!({"now":"2028-10-04","brand":"Torlesse Balloon Co.",
        "flight":{"name":"Sunrise Flight","adult_price_nzd":445}});
    let mereana = Recipient::from_json(
        r#"{"id":"43","email":"m@example.com","first_name":"Mereana",
        "events":[{"type":"flight_booked","at":"2028-09-20","flight_date":"2028-09-30","flight":"Sunrise Flight"},
                  {"type":"purchase","at":"2026-10-06","items":"Lemon 'Eureka' 300mm"},
                  {"type":"purchase","at":"2027-10-01","items":"Correa 'Dusky Bells'"}]}"#,
        &Limits::default(),
    )
    .unwrap();
    let check = |body: &str| {
        Gate::new().check(
            &Email::new("About your flight", body),
            &mereana,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    for body in [
        "Kia ora Mereana,\n\nWe're sorry we had to ground last Saturday's Sunrise Flight.\n\nTorlesse Balloon Co.",
        "Kia ora Mereana,\n\nIt's been almost a year since you picked up your Correa 'Dusky Bells' from us.\n\nTorlesse Balloon Co.",
    ] {
        let r = check(body);
        assert!(r.passed(), "{body}\n{:?}", kinds(&r));
    }
    for body in [
        // The flight was on Saturday 30 September, not Sunday 1 October.
        "Kia ora Mereana,\n\nWe're sorry we had to ground last Sunday's Sunrise Flight.\n\nTorlesse Balloon Co.",
        // The lemon was two years ago.
        "Kia ora Mereana,\n\nIt's been almost a year since you picked up your Lemon 'Eureka' from us.\n\nTorlesse Balloon Co.",
    ] {
        let r = check(body);
        assert!(
            r.findings.iter().any(|f| f.kind == Kind::WrongTime),
            "{body}\n{:?}",
            kinds(&r)
        );
    }
}

#[test]
fn a_sibling_word_said_as_the_persons() {
    let c = json!({"now":"2030-03-13","brand":"Klavierwerkstatt",
        "offer":{"name":"Spring Tuning Weeks","service":"piano tuning"},
        "flight":{"name":"Sunrise Flight"},"sunset":{"name":"Sunset Cruise"}});
    let james = Recipient::from_json(
        r#"{"id":"44","email":"j@example.com","first_name":"James",
        "attributes":{"daughter_name":"Ada"},
        "events":[{"type":"repair","at":"2030-02-26","instrument":"3/4 cello"},
                  {"type":"flight_flown","at":"2023-03-05","flight":"Sunrise Flight"}]}"#,
        &Limits::default(),
    )
    .unwrap();
    let check = |body: &str| {
        Gate::new().check(
            &Email::new("Spring", body),
            &james,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    for body in [
        "Hi James,\n\nWe hope Ada is enjoying her cello now that it has a new bridge.\n\nKlavierwerkstatt",
        "Hi James,\n\nThank you again for your sunrise flight in March 2023.\n\nKlavierwerkstatt",
        // Not said as the person's: the campaign's own sunset cruise.
        "Hi James,\n\nOur Sunset Cruise is back, and piano tuning is on offer.\n\nKlavierwerkstatt",
    ] {
        let r = check(body);
        assert!(r.passed(), "{body}\n{:?}", kinds(&r));
    }
    for body in [
        "Hi James,\n\nWe hope Ada is enjoying her viola now that it has a new bridge.\n\nKlavierwerkstatt",
        "Hi James,\n\nThank you again for your sunset flight in March 2023.\n\nKlavierwerkstatt",
    ] {
        let r = check(body);
        assert!(
            r.findings
                .iter()
                .any(|f| f.kind == Kind::WrongFact && f.rule == "grounding.contrast"),
            "{body}\n{:?}",
            kinds(&r)
        );
    }
}

#[test]
fn ended_tenures_coming_months_offsets_other_deals_and_examples() {
    let c = json!({"now":"2031-06-11","brand":"Kelp Harbor Aquarium",
        "offer":{"name":"Summer Membership Sale","discount_percent":20,"code":"OTTERSUMMER",
                 "ends":"2031-06-30","excludes":"renewals, sample gowns and gift memberships"},
        "sample_sale":{"what":"up to 60% off sample gowns","date":"2031-07-12"},
        "event":{"name":"Otter Pup Evening","date":"2031-06-27","time":"6:00-9:00pm"},
        "meteor":{"name":"Meteor Night","date":"2031-06-20","time":"10pm-1am"}});
    let tom = Recipient::from_json(
        r#"{"id":"45","email":"t@example.com","first_name":"Tom",
        "attributes":{"member_since":"2026-09-01","membership_expired":"2029-08-31",
                      "membership_expires":"2031-09-30"},
        "events":[{"type":"visit","at":"2029-07-14"},{"type":"web_visit","at":"2031-06-09","page":"Sale"}]}"#,
        &Limits::default(),
    )
    .unwrap();
    let check = |body: &str| {
        Gate::new().check(
            &Email::new("Summer at Kelp Harbor", body),
            &tom,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    for body in [
        // Three years from joining to the day it expired.
        "Dear Tom,\n\nYour membership ended on August 31, 2029, after three years of visits with us.\n\nKelp Harbor Aquarium",
        // A renewal still to come.
        "Dear Tom,\n\nThe sale won't apply to your own renewal in September.\n\nKelp Harbor Aquarium",
        // An offset from this Friday reaches the event's day.
        "Dear Tom,\n\nOtter Pup Evening is on June 27 (two weeks from this Friday).\n\nKelp Harbor Aquarium",
        // Sample gowns have a sale of their own.
        "Dear Tom,\n\nOur sample sale brings up to 60% off selected sample gowns.\n\nKelp Harbor Aquarium",
        // A web visit last week is no visit in person.
        "Dear Tom,\n\nWe haven't seen you in a while, so here is what's new.\n\nKelp Harbor Aquarium",
        // Midnight with nothing ending at it.
        "Dear Tom,\n\nAt Meteor Night on June 20, rates pick up after midnight.\n\nKelp Harbor Aquarium",
        // A price for one thing, and what the code makes of it.
        "Dear Tom,\n\nWith OTTERSUMMER a plush for $18.00 costs $14.40.\n\nKelp Harbor Aquarium",
    ] {
        let r = check(body);
        assert!(r.passed(), "{body}\n{:?}", kinds(&r));
    }
    for body in [
        "Dear Tom,\n\nYou've been with us for seven years.\n\nKelp Harbor Aquarium",
        "Dear Tom,\n\nUse OTTERSUMMER on sample gowns too.\n\nKelp Harbor Aquarium",
        "Dear Tom,\n\nThe sale ends at midnight tonight.\n\nKelp Harbor Aquarium",
    ] {
        let r = check(body);
        assert!(!r.passed(), "{body}");
    }
}

#[test]
fn qualified_years_since_and_appointments_attended() {
    let c = json!({"now":"2031-06-11","brand":"Harbourlight Bridal"});
    let olivia = Recipient::from_json(
        r#"{"id":"46","email":"o@example.com","first_name":"Olivia",
        "events":[{"type":"appointment","at":"2028-09-12","stylist":"Georgia"}]}"#,
        &Limits::default(),
    )
    .unwrap();
    let check = |body: &str| {
        Gate::new().check(
            &Email::new("Hello again", body),
            &olivia,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    for body in [
        "Hi Olivia,\n\nIt's been nearly three years since you came in to see Georgia.\n\nHarbourlight Bridal",
        "Hi Olivia,\n\nIt's been more than two years since you came in to see Georgia.\n\nHarbourlight Bridal",
        "Hi Olivia,\n\nIt was lovely having you in with Georgia back in September 2028.\n\nHarbourlight Bridal",
    ] {
        let r = check(body);
        assert!(r.passed(), "{body}\n{:?}", kinds(&r));
    }
    for body in [
        // 2.75 years: not nearly two, not more than three.
        "Hi Olivia,\n\nIt's been nearly two years since you came in to see Georgia.\n\nHarbourlight Bridal",
        "Hi Olivia,\n\nIt's been more than three years since you came in to see Georgia.\n\nHarbourlight Bridal",
    ] {
        let r = check(body);
        assert!(!r.passed(), "{body}");
    }
    let r = Gate::new().check(
        &Email::new(
            "Hello",
            "Hi there,\n\nIt was lovely having you in last month.\n\nHarbourlight Bridal",
        ),
        &sparse(),
        &Context::from_json(c.clone()).unwrap(),
    );
    assert!(!r.passed());
}

#[test]
fn a_quote_of_the_persons_with_its_own_amount_and_date() {
    let c = json!({"now":"2031-06-11","brand":"Slateguard Roofing",
        "offer":{"name":"Summer Roof Health Check","book_by":"2031-07-04","offer_price_eur":135}});
    let siobhan = Recipient::from_json(
        r#"{"id":"47","email":"s@example.com","first_name":"Siobhán",
        "events":[{"type":"quote_issued","at":"2031-05-20","job":"replace 14 slates",
                   "amount_eur_ex_vat":2400,"valid_until":"2031-07-19"}]}"#,
        &Limits::default(),
    )
    .unwrap();
    let check = |body: &str| {
        Gate::new().check(
            &Email::new("Your quote", body),
            &siobhan,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let ok = check("Hi Siobhán,\n\nThe work comes to €2,400.00 ex VAT. The quote is valid until Saturday 19 July.\n\nSlateguard Roofing");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad = check("Hi Siobhán,\n\nThe work comes to €2,600.00 ex VAT. The quote is valid until Saturday 26 July.\n\nSlateguard Roofing");
    assert!(
        bad.findings.iter().any(|f| f.rule == "offer.amount")
            && bad.findings.iter().any(|f| f.rule == "offer.deadline"),
        "{:?}",
        kinds(&bad)
    );
}

#[test]
fn titles_regions_demonyms_and_the_persons_own_dates() {
    let c = json!({"now":"2031-10-22","brand":"Brightflame Heating","country":"Belgium",
        "staff":{"yard_manager":"Callum Reid"},
        "offer":{"name":"Winter Ready Boiler Service","price_cad":95,"code":"WINTER20",
                 "book_by":"2031-11-16","appointments_until":"2031-12-19",
                 "minimum":"CAD 12,000 of cabinetry before discount"},
        "cover_plan":{"name":"HeatCare Cover","offer":"first three months free when you join before 2031-11-16"}});
    let siobhan = Recipient::from_json(
        r#"{"id":"41","email":"s@example.com","first_name":"Siobhán",
        "attributes":{"next_service_due":"2031-10-28","target_install":"February 2032",
                      "birthday_month":"November","city":"Bristol"},
        "events":[{"type":"purchase","at":"2031-06-21","items":["Gamblin Titanium White 37ml"]}],
        "consent":{"profiling":true}}"#,
        &Limits::default(),
    )
    .unwrap();
    let check = |body: &str| {
        Gate::new().check(
            &Email::new("Winter", body),
            &siobhan,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    for body in [
        // A currency's letters, a sign-off title, a title the campaign names in a key.
        "Hi Siobhán,\n\nThe service is C$95 with WINTER20.\n\nBest,\nCallum Reid\nService Manager, Brightflame Heating",
        "Hi Siobhán,\n\nThe service is C$95 with WINTER20.\n\nBest,\nCallum Reid\nYard Manager, Brightflame Heating",
        // A people word for the campaign's country; a region said of the brand's area.
        "Hi Siobhán,\n\nOur engineers swear by Belgian chocolate. Winter in Central Texas is mild.\n\nBrightflame Heating",
        // The person's own date on the weekday; the campaign's term in words.
        "Hi Siobhán,\n\nYour boiler service falls due next Tuesday. Book by 16 November with code WINTER20.\n\nBrightflame Heating",
        "Hi Siobhán,\n\nJoin HeatCare before 16 November and your first three months are free.\n\nBrightflame Heating",
        // A threshold in a campaign text with a currency code before it.
        "Hi Siobhán,\n\nWINTER20 applies to orders of $12,000 or more before discount.\n\nBrightflame Heating",
        // A month the record says in words; a birthday month.
        "Hi Siobhán,\n\nThat leaves room for the February install you're aiming for.\n\nBrightflame Heating",
        "Hi Siobhán,\n\nSince your birthday is next month, treat yourself.\n\nBrightflame Heating",
        // A long "if" clause; a phone as a means; the thing a measure is of.
        "Hi Siobhán,\n\nIf a new boiler or a cottage project is on your list, talk to us.\n\nBrightflame Heating",
        "Hi Siobhán,\n\nYou can now book straight from your phone.\n\nBrightflame Heating",
        "Hi Siobhán,\n\nIn June you picked up a tube of Gamblin Titanium White.\n\nBrightflame Heating",
    ] {
        let r = check(body);
        assert!(r.passed(), "{body}\n{:?}", kinds(&r));
    }
    for body in [
        // A made-up name is still one, title or not.
        "Hi Siobhán,\n\nNext week our engineer Marisol will be in touch.\n\nBest,\nBrightflame Heating",
        // A region said of the person, and a people word for no country of the facts.
        "Hi Siobhán,\n\nSince you moved to Texas, your boiler deserves a check.\n\nBrightflame Heating",
        "Hi Siobhán,\n\nWe know you love Peruvian coffee.\n\nBrightflame Heating",
        // A weekday that is neither the campaign's nor the person's date.
        "Hi Siobhán,\n\nYour boiler service falls due next Thursday. Book by 16 November with code WINTER20.\n\nBrightflame Heating",
        // A term no campaign text says.
        "Hi Siobhán,\n\nJoin HeatCare before 16 November and your first six months are free.\n\nBrightflame Heating",
        // A threshold the campaign does not give.
        "Hi Siobhán,\n\nWINTER20 applies to orders of $15,000 or more before discount.\n\nBrightflame Heating",
        // A month none of the person's facts names.
        "Hi Siobhán,\n\nWe loved seeing you at the March install.\n\nBrightflame Heating",
        // The measure is of something the person never bought.
        "Hi Siobhán,\n\nIn June you picked up a tube of Winsor Cadmium Red.\n\nBrightflame Heating",
    ] {
        let r = check(body);
        assert!(!r.passed(), "{body}");
    }
}

#[test]
fn last_weekdays_weekends_and_birthdays_this_week() {
    // 2032-05-12 is a Wednesday.
    let c = json!({"now":"2032-05-12","brand":"Thornleigh Stables",
        "offer":{"name":"Summer Pass","code":"FELL20","book_by":"2032-05-31"}});
    let ines = Recipient::from_json(
        r#"{"id":"42","email":"i@example.com","first_name":"Inês",
        "attributes":{"dog_birthday":"2030-05-19"},
        "events":[{"type":"lesson","at":"2032-05-09","lesson":"Sunday jumping group","horse":"Juniper"},
                  {"type":"hack","at":"2032-04-25","route":"Coledale Beck loop","horse":"Juniper"},
                  {"type":"reservation","at":"2032-05-07","location":"South Congress","seating":"counter"}],
        "consent":{"profiling":true}}"#,
        &Limits::default(),
    )
    .unwrap();
    let check = |body: &str| {
        Gate::new().check(
            &Email::new("Hello", body),
            &ines,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    for body in [
        "Hi Inês,\n\nThanks for joining us at the South Congress counter last Friday.\n\nThornleigh Stables",
        "Hi Inês,\n\nHope the jumping group on Juniper went well last weekend.\n\nThornleigh Stables",
        "Hi Inês,\n\nYour dog turns two next Wednesday!\n\nThornleigh Stables",
    ] {
        let r = check(body);
        assert!(r.passed(), "{body}\n{:?}", kinds(&r));
    }
    for body in [
        // The reservation was on the Friday: "last Saturday" is wrong, whatever the verb.
        "Hi Inês,\n\nThanks for joining us at the South Congress counter last Saturday.\n\nThornleigh Stables",
        // The hack named by its route was two weekends back; the lesson shares only the horse.
        "Hi Inês,\n\nHope the Coledale Beck loop on Juniper went well last weekend.\n\nThornleigh Stables",
        // The birthday is next Wednesday, not this Saturday.
        "Hi Inês,\n\nYour dog turns two this Saturday!\n\nThornleigh Stables",
    ] {
        let r = check(body);
        assert!(!r.passed(), "{body}");
    }
}

#[test]
fn tiers_said_further_back_and_records_used_in_joined_clauses() {
    let c = json!({"now":"2033-01-19","brand":"Sol y Ruta","programme":"Ruta Plus",
        "zones":["CBD","Fitzroy","Richmond"],
        "perk":"Ruta Club Gold members get a free upgrade by one category",
        "offer":{"name":"Winter Sun Week","code":"SOLWEEK20","ends":"2033-02-06"}});
    let lars = Recipient::from_json(
        r#"{"id":"43","email":"l@example.com","first_name":"Lars",
        "attributes":{"ruta_club_tier":"Silver"},
        "events":[{"type":"ride","at":"2033-01-17","from":"CBD","to":"Richmond","minutes":12}],
        "consent":{"profiling":true}}"#,
        &Limits::default(),
    )
    .unwrap();
    let aarav = Recipient::from_json(
        r#"{"id":"44","email":"a@example.com","first_name":"Aarav",
        "events":[{"type":"ride","at":"2032-06-14","from":"CBD","to":"Richmond","minutes":12}],
        "consent":{"profiling":false}}"#,
        &Limits::default(),
    )
    .unwrap();
    let check = |r: &Recipient, body: &str| {
        Gate::new().check(
            &Email::new("Winter", body),
            r,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    for body in [
        "Hi Lars,\n\nAs a Silver Ruta Plus member you can book with SOLWEEK20 until 6 February.\n\nSol y Ruta",
        "Hi Lars,\n\nYou've been a Ruta Plus member for years.\n\nSol y Ruta",
        "Hi Lars,\n\nAs a Ruta Club Gold member, an upgrade would be yours every time.\n\nSol y Ruta",
    ] {
        let r = check(&lars, body);
        assert!(r.passed(), "{body}\n{:?}", kinds(&r));
    }
    // The tier four words back; a ride said between two named places; thanked for a trip.
    let bad = check(
        &lars,
        "Hi Lars,\n\nAs a Ruta Club Gold member, you get a free upgrade by one category.\n\nSol y Ruta",
    );
    assert!(!bad.passed());
    for body in [
        "Hi Aarav,\n\nYou've been zipping between the CBD and Richmond on our scooters lately.\n\nSol y Ruta",
        "Hi Aarav,\n\nThanks for making the trip from Richmond in June.\n\nSol y Ruta",
    ] {
        let r = check(&aarav, body);
        assert!(
            r.findings.iter().any(|f| f.kind == Kind::ConsentViolation),
            "{body}\n{:?}",
            kinds(&r)
        );
    }
    // Without the record, the same zones are the campaign's to name.
    let r = check(
        &aarav,
        "Hi Aarav,\n\nRide anywhere between the CBD and Richmond with SOLWEEK20 until 6 February.\n\nSol y Ruta",
    );
    assert!(r.passed(), "{:?}", kinds(&r));
}

#[test]
fn greetings_after_a_comma_time_zones_and_words_that_are_no_names() {
    let c = json!({"now":"2031-04-16","brand":"Fernwood","course":"Unit 7 review",
        "offer":{"name":"Spring Event","code":"BULB20","limit":"4 per order"}});
    let zoe = Recipient::from_json(
        r#"{"id":"45","email":"z@example.com","first_name":"Zoë","consent":{"profiling":true}}"#,
        &Limits::default(),
    )
    .unwrap();
    let check = |subject: &str, body: &str| {
        Gate::new().check(
            &Email::new(subject, body),
            &zoe,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    for (subject, body) in [
        ("News", "Bonjour, Zoë!\n\nOur Spring Event is on with BULB20.\n\nFernwood"),
        ("Wreaths, bulbs and a little colour", "Hi Zoë,\n\nCome and make a festive wreath with BULB20.\n\nFernwood"),
        ("News", "Hi Zoë,\n\nFinishing Unit 7 is the next step. Max 4 per order with BULB20.\n\nFernwood"),
        ("News", "Hi Zoë,\n\nJoin us live on Wednesday at noon Central.\n\nFernwood"),
    ] {
        let r = check(subject, body);
        assert!(r.passed(), "{body}\n{:?}", kinds(&r));
    }
    for (subject, body) in [
        // Someone else's name after the comma; no name at all.
        (
            "News",
            "Bonjour, Amélie!\n\nOur Spring Event is on with BULB20.\n\nFernwood",
        ),
        (
            "News",
            "Hello,\n\nOur Spring Event is on with BULB20.\n\nFernwood",
        ),
        // A name that no fact holds, whatever stands before it.
        (
            "News",
            "Hi Zoë,\n\nFinishing Unit 7 with Marguerite is the next step.\n\nFernwood",
        ),
    ] {
        let r = check(subject, body);
        assert!(!r.passed(), "{body}");
    }
}

#[test]
fn worked_caps_combinations_campaign_phrasing_and_named_weekends() {
    let c = json!({"now":"2031-04-16","brand":"Driftwood","city":"Hamburg-Eimsbüttel, Osterstraße 58",
        "venue":"The Foghorn Room, 1685 Argyle St, Halifax",
        "offer":{"name":"Winter Sale","discount_percent":15,"code":"SALE15","ends":"2031-04-30",
                 "cap":"the discount tops out at $150","price_per_child_usd":24,"base_usd":319.20,
                 "delivery":"free delivery and removal of your old mattress"},
        "blackout":"2031-05-02 to 2031-05-05 (May bank holiday weekend)"});
    let sam = Recipient::from_json(
        r#"{"id":"46","email":"s@example.com","first_name":"Sam",
        "attributes":{"state_returns":["IL","NY"]},"consent":{"profiling":true}}"#,
        &Limits::default(),
    )
    .unwrap();
    let check = |body: &str| {
        Gate::new().check(
            &Email::new("Winter", body),
            &sam,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    for body in [
        // The cap reached on the amount it is 15% of; one figure plus a counted other.
        "Hi Sam,\n\nWith SALE15 the discount tops out at $150 - you'd reach that on $1,000 of items.\n\nDriftwood",
        "Hi Sam,\n\nFor 16 kids: $319.20 for the first 12 plus 4 extras at $24 each = $415.20.\n\nDriftwood",
        // The campaign's own second person; a part of a hyphened place; a street abbreviated.
        "Hi Sam,\n\nWe'll take your old mattress away for free.\n\nDriftwood",
        "Hi Sam,\n\nClasses run in Eimsbüttel, at the Foghorn Room on Argyle Street.\n\nDriftwood",
        // States the record holds by their codes.
        "Hi Sam,\n\nBecause you file in both Illinois and New York, the second return is extra.\n\nDriftwood",
        // A kind of ticket, and a weekend the campaign names with its dates.
        "Hi Sam,\n\nWeekend passes are 15% off with SALE15 until 30 April - not valid over the May bank holiday weekend, 2-5 May.\n\nDriftwood",
    ] {
        let r = check(body);
        assert!(r.passed(), "{body}\n{:?}", kinds(&r));
    }
    for body in [
        // $150 is 15% of $1,000, not of $900; 4 x $24 added to $319.20 is not $425.20.
        "Hi Sam,\n\nWith SALE15 the discount tops out at $150 - you'd reach that on $900 of items.\n\nDriftwood",
        "Hi Sam,\n\nFor 16 kids: $319.20 for the first 12 plus 4 extras at $24 each = $425.20.\n\nDriftwood",
        // A thing of the person's the campaign does not say to everyone.
        "Hi Sam,\n\nWe'll take your old sofa away for free.\n\nDriftwood",
        // A state the record does not hold.
        "Hi Sam,\n\nBecause you file in both Illinois and Ohio, the second return is extra.\n\nDriftwood",
        // A deadline that is no campaign date.
        "Hi Sam,\n\nSALE15 ends this weekend.\n\nDriftwood",
    ] {
        let r = check(body);
        assert!(!r.passed(), "{body}");
    }
}

#[test]
fn counts_terms_and_phrases_the_campaign_itself_says() {
    let c = json!({"now":"2035-06-13","brand":"Forno Rosso",
        "pass":{"name":"Spring Games Pass","includes":"10 table-fee visits","price_gbp":45,"code":"KETTLE15"},
        "membership":"upgraders start a new 12-month membership from the upgrade date",
        "delivery":"the $3.99 delivery fee still applies unless your tier perk covers it"});
    let greg = Recipient::from_json(
        r#"{"id":"47","email":"g@example.com","first_name":"Greg",
        "attributes":{"member_since":"2032-04-21"},
        "events":[{"type":"order","at":"2033-02-01","item":"pizza"}],
        "consent":{"profiling":true}}"#,
        &Limits::default(),
    )
    .unwrap();
    let check = |body: &str| {
        Gate::new().check(
            &Email::new("News", body),
            &greg,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    for body in [
        "Hi Greg,\n\nThe Spring Games Pass gives you ten visits for £45 with code KETTLE15.\n\nForno Rosso",
        "Hi Greg,\n\nUpgrade today and your new 12-month membership starts on the day you upgrade.\n\nForno Rosso",
        "Hi Greg,\n\nThe $3.99 delivery fee still applies unless your tier perk covers it.\n\nForno Rosso",
        "Hi Greg,\n\nIt's been a while since we've seen you at the counter.\n\nForno Rosso",
    ] {
        let r = check(body);
        assert!(r.passed(), "{body}\n{:?}", kinds(&r));
    }
    for body in [
        // A count the campaign does not give, said of the person's own visits.
        "Hi Greg,\n\nYou've made twelve visits to us this year.\n\nForno Rosso",
        // A tenure the record contradicts.
        "Hi Greg,\n\nThanks for your 12 months with us.\n\nForno Rosso",
        // A tier claimed in the email's own words.
        "Hi Greg,\n\nAs a loyal Gold member, your tier perk covers delivery.\n\nForno Rosso",
    ] {
        let r = check(body);
        assert!(!r.passed(), "{body}");
    }
}

#[test]
fn multipliers_and_or_more_thresholds() {
    let c = json!({"now":"2031-04-16","brand":"Furrow & Flint",
        "offer":{"name":"Spring Sowing Sale","discount_percent":25,"code":"SOW25","minimum_gbp":15,
                 "delivery":"free UK delivery on orders of GBP 25 or more after discount; otherwise GBP 3.95"},
        "example_prices_gbp":{"Tigerella tomato":2.80}});
    let check = |body: &str| {
        Gate::new().check(
            &Email::new("Seeds", body),
            &sparse(),
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    for body in [
        "Hello,\n\n- Tigerella tomato x2: £5.60\n\nFurrow & Flint",
        "Hello,\n\nDelivery is free on orders of £25 or more after the discount with SOW25.\n\nFurrow & Flint",
    ] {
        let r = check(body);
        assert!(r.passed(), "{body}\n{:?}", kinds(&r));
    }
    for body in [
        "Hello,\n\n- Tigerella tomato x2: £6.60\n\nFurrow & Flint",
        "Hello,\n\nDelivery is free on orders of £30 or more after the discount with SOW25.\n\nFurrow & Flint",
    ] {
        let r = check(body);
        assert!(!r.passed(), "{body}");
    }
}

#[test]
fn bracketed_capitals_are_slots_whatever_they_name() {
    let c = json!({"now":"2034-03-15","brand":"Kettle & Corner","event":{"name":"Championship","date":"2034-03-26"}});
    let check = |subject: &str, body: &str| {
        Gate::new().check(
            &Email::new(subject, body),
            &sparse(),
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    for body in [
        "Hello,\n\nThe Championship starts at [START TIME] on 26 March.\n\nKettle & Corner",
        "Hello,\n\nCall us on [BRANCH PHONE NUMBER] to book.\n\nKettle & Corner",
    ] {
        let r = check("News", body);
        assert!(
            r.findings.iter().any(|f| f.kind == Kind::TemplateLeak),
            "{body}\n{:?}",
            kinds(&r)
        );
    }
    // A one-word tag and bracketed prose are no slots.
    let r = check(
        "[NEW] The Championship",
        "Hello,\n\nThe Championship is on 26 March [no booking needed].\n\nKettle & Corner",
    );
    assert!(r.passed(), "{:?}", kinds(&r));
}

#[test]
fn a_time_range_does_not_part_the_sentence_from_its_event() {
    // 2034-03-15 is a Wednesday; the evening is on Thursday of next week.
    let c = json!({"now":"2034-03-15","brand":"Spaak Fietsen",
        "event":{"name":"Fix-It-Yourself Evening","date":"2034-03-23","time":"19:00-21:00",
                 "where":"Oudegracht workshop"}});
    let check = |body: &str| {
        Gate::new().check(
            &Email::new("News", body),
            &sparse(),
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let bad = check("Hello,\n\nA reminder: it's this Thursday, 19:00-21:00, at the Oudegracht workshop.\n\nSpaak Fietsen");
    assert!(!bad.passed());
    let ok = check("Hello,\n\nA reminder: it's next Thursday, 19:00-21:00, at the Oudegracht workshop.\n\nSpaak Fietsen");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    // A spaced dash still parts it: the workshop is not what "this Thursday" is said of.
    let ok = check("Hello,\n\nWe're closed this Thursday - the Oudegracht workshop reopens on the 23rd.\n\nSpaak Fietsen");
    assert!(ok.passed(), "{:?}", kinds(&ok));
}

#[test]
fn the_brand_speaks_from_here_and_signs_with_its_trade() {
    let c = json!({"now":"2034-03-15","brand":"Ironbark Hill Estate","location":"McLaren Vale",
        "staff":{"winemaker":"Rosa Bianchi"}});
    let jo = Recipient::from_json(
        r#"{"id":"48","email":"j@example.com","first_name":"Jo",
        "attributes":{"state":"Victoria","city":"Ballarat"},"consent":{"profiling":true}}"#,
        &Limits::default(),
    )
    .unwrap();
    let check = |body: &str| {
        Gate::new().check(
            &Email::new("Vintage", body),
            &jo,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let ok = check("Hi Jo,\n\nVintage is in full swing here in McLaren Vale.\n\nCheers,\nRosa Bianchi\nWinemaker, Ironbark Hill Estate");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad = check(
        "Hi Jo,\n\nSince you live in Adelaide, the cellar door is close.\n\nIronbark Hill Estate",
    );
    assert!(!bad.passed());
}

#[test]
fn an_issue_number_belongs_to_the_name_before_it() {
    let c = json!({"now":"2031-10-22","brand":"Inkwell & Panel",
        "event":{"name":"Bog Queen #1 launch signing","date":"2031-11-08"}});
    let saoirse = Recipient::from_json(
        r#"{"id":"49","email":"s@example.com","first_name":"Saoirse",
        "attributes":{"boxes_received":46},
        "events":[{"type":"shop_purchase","at":"2031-10-15","items":"Neon Vigil #14, Starling Street #6"}],
        "consent":{"profiling":true}}"#,
        &Limits::default(),
    )
    .unwrap();
    let check = |subject: &str, body: &str| {
        Gate::new().check(
            &Email::new(subject, body),
            &saoirse,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let ok = check(
        "Box #47 ships Monday",
        "Hi Saoirse,\n\nHope you're enjoying Neon Vigil #14 and Starling Street #6. See you at the Bog Queen #1 signing.\n\nInkwell & Panel",
    );
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad = check(
        "News",
        "Hi Saoirse,\n\nHope you're enjoying Neon Vigil #14 and Starling Street #7.\n\nInkwell & Panel",
    );
    assert!(!bad.passed());
}

#[test]
fn a_year_is_written_right_after_its_date() {
    // 2026-11-30 is a Monday; "R2,400" after a dash is an amount, not the year 2400.
    let c = json!({"now":"2026-11-20","brand":"Northpeak","offer":{"code":"TRAIL20","ends":"2026-12-31"},
        "store_event":{"name":"Trail Night","date":"2026-11-30","price_zar":1200}});
    let ok = check_with(
        &sparse(),
        c.clone(),
        "Hello,\n\nTrail Night is on Monday 30 November - R2,400 for the two of you.\n\nNorthpeak",
    );
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad = check_with(
        &sparse(),
        c,
        "Hello,\n\nTrail Night is on Sunday 30 November - R2,400 for the two of you.\n\nNorthpeak",
    );
    assert!(!bad.passed());
}

#[test]
fn positions_and_the_people_of_the_campaigns_currency() {
    let c = json!({"now":"2036-01-16","brand":"Apex Karting","currency":"AUD",
        "offer":{"name":"Winter Pack","price_aud":72}});
    let rav = Recipient::from_json(
        r#"{"id":"50","email":"r@example.com","first_name":"Ravinder",
        "attributes":{"preferred_name":"Rav"},
        "events":[{"type":"session","at":"2036-01-11","position":4,"drivers":9}],
        "consent":{"profiling":true}}"#,
        &Limits::default(),
    )
    .unwrap();
    let check = |body: &str| {
        Gate::new().check(
            &Email::new("Laps", body),
            &rav,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let ok = check("Hi Ravinder,\n\nLast Friday you finished P4 of nine. The Winter Pack is a very Australian way to find the time.\n\nApex Karting");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    // A position the record does not hold is still a name nothing supports, and a people
    // word of another currency's country is still unsupported.
    let bad = check("Hi Ravinder,\n\nLast Friday you finished P7 of nine.\n\nApex Karting");
    assert!(!bad.passed());
    let cad = json!({"now":"2036-01-16","brand":"Apex Karting","currency":"CAD",
        "offer":{"name":"Winter Pack","price_cad":72}});
    let bad = Gate::new().check(
        &Email::new("Laps", "Hi Ravinder,\n\nThe Winter Pack is a very Australian way to find the time.\n\nApex Karting"),
        &rav,
        &Context::from_json(cad).unwrap(),
    );
    assert!(!bad.passed());
}

#[test]
fn a_persons_name_that_is_a_month() {
    let jun = Recipient::from_json(
        r#"{"id":"51","email":"j@example.com","first_name":"Jun",
        "events":[{"type":"visit","at":"2026-11-14","order":"Spicy Miso Ramen"}],
        "consent":{"profiling":true}}"#,
        &Limits::default(),
    )
    .unwrap();
    let ok = run(&jun, "Hi Jun,\n\nThanks for coming in on the 14th, Jun. Use TRAIL20 by November 30.\n\nNorthpeak");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    // With a day after it, it is the month, and the person has no event in June.
    let bad = run(
        &jun,
        "Hi Jun,\n\nThanks for coming in on Jun 14. Use TRAIL20 by November 30.\n\nNorthpeak",
    );
    assert!(!bad.passed());
}

#[test]
fn campaign_names_and_number_words_are_no_use_of_the_record() {
    let c = json!({"now":"2036-07-16","brand":"Northlight Framing",
        "workshop":{"name":"Hang It Right: Gallery Wall Basics","date":"2036-07-26"},
        "featured":[{"name":"Opa Kees","age_years":11},{"name":"Mientje","age_years":9}]});
    let mathieu = Recipient::from_json(
        r#"{"id":"52","email":"m@example.com","first_name":"Mathieu",
        "attributes":{"household":"two adults, one child aged 4","moving_to":"Bath"},
        "events":[{"type":"workshop_interest","at":"2036-07-11","workshop":"Hang It Right: Gallery Wall Basics"}],
        "consent":{"profiling":false}}"#,
        &Limits::default(),
    )
    .unwrap();
    let check = |subject: &str, body: &str| {
        Gate::new().check(
            &Email::new(subject, body),
            &mathieu,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let ok = check(
        "Moving midweek? Two seniors need a home",
        "Hi Mathieu,\n\nJoin us for Hang It Right: Gallery Wall Basics on Saturday, July 26.\n\nTwo of our seniors are waiting: Opa Kees and Mientje.\n\nNorthlight Framing",
    );
    assert!(ok.passed(), "{:?}", kinds(&ok));
    // Saying where the record says they are moving is still a use of it.
    let bad = check(
        "A note",
        "Hi Mathieu,\n\nMoving to Bath? A gallery wall is a fun first project.\n\nNorthlight Framing",
    );
    assert!(!bad.passed(), "{:?}", kinds(&bad));
}

#[test]
fn days_inside_the_campaigns_windows_and_its_own_dates() {
    // 2036-04-16 is a Wednesday; 2036-05-05 a Monday, 2036-10-25 (last year's show was on
    // 2035-10-25) a Saturday.
    let c = json!({"now":"2036-04-16","brand":"Coral Sea Dive",
        "offer":{"name":"Open Water Course","course_starts":"every Monday and Thursday, 2036-04-21 to 2036-06-26"},
        "show":{"name":"Trunk Show","date":"2036-10-25"}});
    let ines = Recipient::from_json(
        r#"{"id":"53","email":"i@example.com","first_name":"Ines",
        "events":[{"type":"snorkel_tour","at":"2036-02-21"},{"type":"event_attended","at":"2035-10-25","event":"Trunk Show"}],
        "consent":{"profiling":false}}"#,
        &Limits::default(),
    )
    .unwrap();
    let check = |body: &str| {
        Gate::new().check(
            &Email::new("Dates", body),
            &ines,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let ok = check("Hi Ines,\n\nYou could begin on Monday 5 May or any Monday or Thursday after that. The Trunk Show is on Saturday 25 October.\n\nCoral Sea Dive");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    // A day in the past tense is the person's, and must be one of theirs.
    let bad = check("Hi Ines,\n\nYou snorkelled with us on Monday 5 May.\n\nCoral Sea Dive");
    assert!(!bad.passed(), "{:?}", kinds(&bad));
}

#[test]
fn thresholds_life_events_counts_and_attribute_names_said_of_a_possession() {
    let c = json!({"now":"2036-07-16","brand":"Kettle & Flue",
        "offer":{"name":"Pre-Winter Sweep","fee_eur":55,"regular_fee_eur":110,"min_order_eur":120,
                 "description":"adoption fee halved for cats aged 8 and over"}});
    let grant = Recipient::from_json(
        r#"{"id":"54","email":"g@example.com","first_name":"Grant",
        "attributes":{"town":"Rangiora","property_type":"villa","classes_attended_total":142},
        "events":[{"type":"order","at":"2036-06-04","item":"wedding portrait, 16x20"},
                  {"type":"milestone","at":"2036-06-21","milestone":"140 classes"}],
        "consent":{"profiling":true}}"#,
        &Limits::default(),
    )
    .unwrap();
    let check = |body: &str| {
        Gate::new().check(
            &Email::new("News", body),
            &grant,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let ok = check("Hi Grant,\n\nWe halved the fee for cats aged 8 and over: €55 instead of €110.\n\nThanks again for letting us frame your wedding portrait.\n\nYou passed 140 classes in June and you're on 142 now.\n\nA Pre-Winter Sweep for your Rangiora villa is €55 with orders of €120 or more.\n\nKettle & Flue");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    for bad in [
        "Hi Grant,\n\nThe fee is €55 on orders of €100 or more.\n\nKettle & Flue",
        "Hi Grant,\n\nCongratulations on your engagement!\n\nKettle & Flue",
        "Hi Grant,\n\nYou're on 150 classes now.\n\nKettle & Flue",
        "Hi Grant,\n\nA Pre-Winter Sweep for your Kaiapoi villa is €55.\n\nKettle & Flue",
    ] {
        let rep = check(bad);
        assert!(!rep.passed(), "{bad}");
    }
}

#[test]
fn seasons_someone_elses_time_sums_with_a_plus_and_compound_heads() {
    let c = json!({"now":"2028-10-18","brand":"SV Elbhafen",
        "offer":{"name":"Half-Season Ticket","prices_eur":{"Nordkurve standing":126},"min_order_eur":20},
        "items_cad":{"Pavlova Cake":54,"Macarons":36}});
    let jonas = Recipient::from_json(
        r#"{"id":"55","email":"j@example.com","first_name":"Jonas",
        "attributes":{"matches_attended":4},
        "events":[{"type":"ticket_purchase","at":"2028-10-07","match":"SV Elbhafen vs Hansa"},
                  {"type":"order","at":"2027-11-20","item":"grey tweed jacket","cutter":"Alasdair"}],
        "consent":{"profiling":true}}"#,
        &Limits::default(),
    )
    .unwrap();
    let check = |body: &str| {
        Gate::new().check(
            &Email::new("Tickets", body),
            &jonas,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let ok = check("Hi Jonas,\n\nYou've been at four home matches this season.\n\nIt's almost a year since Alasdair cut your grey tweed jacket, and this autumn he has new cloth to show you.\n\nIf you're thinking of a Pavlova Cake this year, here's the sum:\nPavlova Cake $54 + Macarons $36 = $90\n\nSee you in the Kurve,\nSV Elbhafen");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    for bad in [
        // The person's own time, said of them, must fit.
        "Hi Jonas,\n\nYou bought your grey tweed jacket this autumn.\n\nSV Elbhafen",
        // A threshold written "£25+" is still one.
        "Hi Jonas,\n\nFree delivery on orders $25+ this week.\n\nSV Elbhafen",
        // A head that no fact's compound ends with is still a name.
        "Hi Jonas,\n\nSee you in the Südkurve,\nSV Elbhafen",
    ] {
        assert!(!check(bad).passed(), "{bad}");
    }
}

#[test]
fn an_email_with_nothing_specific_is_generic() {
    let c = json!({"now":"2036-01-16","brand":"Keystone & Bolt Locksmiths","type":"locksmith",
        "offer":{"name":"New Year Lock Upgrade","code":"SNAPSAFE15","book_by":"2036-02-14"}});
    let check = |body: &str| {
        Gate::new().check(
            &Email::new("Your home security matters", body),
            &zoe(),
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let boiler = "At Keystone & Bolt Locksmiths, we believe everyone deserves to feel safe at home. Whether you need new locks, spare keys or expert advice, our friendly team is always here to help. A new year is the perfect time to review your home security.";
    let bad = check(&format!(
        "Hi Zoë,\n\n{boiler}\n\nKeystone & Bolt Locksmiths"
    ));
    assert_report_has(
        &bad,
        boiler,
        Kind::Generic,
        Some("generic.no_specifics"),
        None,
    );
    // One true specific of the campaign's, or of the person's, is enough.
    for extra in [
        "Our New Year Lock Upgrade is on until February 14.",
        "Use code SNAPSAFE15 when you book.",
        "You've been with us since 2023.",
    ] {
        let ok = check(&format!(
            "Hi Zoë,\n\n{boiler} {extra}\n\nKeystone & Bolt Locksmiths"
        ));
        assert!(ok.passed(), "{extra}: {:?}", kinds(&ok));
    }
}

#[test]
fn the_party_said_of_an_outing_is_the_records() {
    let c = json!({"now":"2036-07-16","brand":"Brass Tack Comedy","offer":{"name":"Four-Pack","price_usd":64}});
    let dwayne = Recipient::from_json(
        r#"{"id":"56","email":"d@example.com","first_name":"Dwayne",
        "events":[{"type":"show_attended","at":"2036-06-26","show":"Thursday Showcase","party_size":4}],
        "consent":{"profiling":true}}"#,
        &Limits::default(),
    )
    .unwrap();
    let check = |body: &str| {
        Gate::new().check(
            &Email::new("Showcase", body),
            &dwayne,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let ok = check("Hi Dwayne,\n\nIt was great having the four of you at the Thursday Showcase on June 26. The Four-Pack is $64, so the two of you could bring friends.\n\nBrass Tack Comedy");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad = check("Hi Dwayne,\n\nIt was great having the six of you at the Thursday Showcase on June 26.\n\nBrass Tack Comedy");
    assert_report_has(
        &bad,
        "six",
        Kind::WrongFact,
        Some("grounding.party_size"),
        Some("six of you"),
    );
}

#[test]
fn numbered_names_and_template_tags() {
    let c = json!({"now":"2037-12-16","brand":"Keurbooms Lagoon Park",
        "offer":{"name":"Autumn Escape","price_zar":540}});
    let thandi = Recipient::from_json(
        r#"{"id":"57","email":"t@example.com","first_name":"Thandi",
        "attributes":{"preferred_site":"Site 14 (lagoon edge)"},
        "events":[{"type":"booking","at":"2037-08-30","site":"Site 14","nights":7}],
        "consent":{"profiling":true}}"#,
        &Limits::default(),
    )
    .unwrap();
    let check = |r: &Recipient, body: &str| {
        Gate::new().check(
            &Email::new("Your stay", body),
            r,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let ok = check(&thandi, "Hi Thandi,\n\nEverything is ready: Site 14, right on the lagoon edge, is yours for seven nights. For 2037 we thank you.\n\nKeurbooms Lagoon Park");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad = check(&thandi, "Hi Thandi,\n\nEverything is ready: Site 11, right on the lagoon edge, is yours for seven nights.\n\nKeurbooms Lagoon Park");
    assert_report_has(
        &bad,
        "Site 11",
        Kind::WrongFact,
        Some("grounding.numbered_name"),
        Some("Site 11"),
    );
    // A template engine's tags left in the text.
    for tag in [
        "{% if returning_guest %}Welcome back!{% endif %}",
        "{{ first_name | default(\"there\") }}",
    ] {
        let rep = check(
            &thandi,
            &format!("Hi Thandi,\n\n{tag} Site 14 is yours.\n\nKeurbooms Lagoon Park"),
        );
        assert_report_has(&rep, tag, Kind::TemplateLeak, None, None);
    }
    // "As a returning guest" to someone with no history.
    let anon =
        Recipient::from_json(r#"{"id":"58","email":"m@example.com"}"#, &Limits::default()).unwrap();
    let rep = check(&anon, "Hello,\n\nAs a returning guest, you already know how special the lagoon is. The Autumn Escape is R540.\n\nKeurbooms Lagoon Park");
    assert_report_has(
        &rep,
        "returning",
        Kind::ImpliedContext,
        Some("implied.returning"),
        None,
    );
}

#[test]
fn a_count_of_a_noun_the_record_keeps_a_field_for() {
    let c = json!({"now":"2037-03-18","brand":"Ridgeback Paintball",
        "offer":{"name":"Spring Squad","price_per_player_usd":36,"groups":"8 to 20 players"}});
    let jaylen = Recipient::from_json(
        r#"{"id":"59","email":"j@example.com","first_name":"Jaylen",
        "attributes":{"team_name":"Hudson Hornets"},
        "events":[{"type":"group_booking","at":"2036-10-25","players":14,"field":"Timber Town"}],
        "consent":{"profiling":true}}"#,
        &Limits::default(),
    )
    .unwrap();
    let check = |body: &str| {
        Gate::new().check(
            &Email::new("Spring", body),
            &jaylen,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let ok = check("Hi Jaylen,\n\nLast October the Hudson Hornets brought 14 players out to Timber Town. Round them up again: 12 players would be $432.\n\nRidgeback Paintball");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad = check("Hi Jaylen,\n\nLast October the Hudson Hornets brought 12 players out to Timber Town.\n\nRidgeback Paintball");
    assert_report_has(
        &bad,
        "12 players",
        Kind::WrongFact,
        Some("grounding.count"),
        Some("12 players"),
    );
}

#[test]
fn times_of_day_window_starts_foreign_sign_offs_interests_and_denied_lists() {
    let c = json!({"now":"2037-12-16","brand":"Kochkunst Leipzig",
        "offer":{"name":"Winter Sale","discount_percent":15,"code":"WINTER15","ends":"2037-12-31",
                 "runs":"2037-12-19 to 2038-01-04",
                 "excludes":"knives, electrical appliances, gift vouchers and items already reduced"},
        "event":{"name":"New Year's Eve","date":"2037-12-31","toast":"champagne toast at midnight"}});
    let lena = Recipient::from_json(
        r#"{"id":"60","email":"l@example.com","first_name":"Lena",
        "attributes":{"cooking_interests":["bread baking","braising"]},
        "consent":{"profiling":true}}"#,
        &Limits::default(),
    )
    .unwrap();
    let check = |body: &str| {
        Gate::new().check(
            &Email::new("Winter", body),
            &lena,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let ok = check("Hi Lena,\n\nSince you enjoy braising, the Winter Sale takes 15% off with WINTER15 from this weekend through January 4. The code doesn't apply to knives, electrical appliances, gift vouchers or items already reduced.\n\nOn New Year's Eve there's a champagne toast at midnight.\n\nHerzliche Grüße,\nKochkunst Leipzig");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    for bad in [
        // A deadline at midnight must still be the campaign's.
        "Hi Lena,\n\nThe Winter Sale ends at midnight on Sunday, December 20.\n\nKochkunst Leipzig",
        // Said to cover what it excludes.
        "Hi Lena,\n\nWINTER15 takes 15% off gift vouchers too.\n\nKochkunst Leipzig",
        // An interest the record does not hold.
        "Hi Lena,\n\nSince you enjoy grilling, the Winter Sale is for you: 15% off with WINTER15.\n\nKochkunst Leipzig",
    ] {
        assert!(!check(bad).passed(), "{bad}");
    }
}

#[test]
fn a_quote_request_is_a_contact_and_invitations_claim_nothing() {
    let c = json!({"now":"2037-06-17","brand":"Kauri Tree Care",
        "offer":{"name":"Winter Pruning","book_by":"2037-07-31","free_delivery_over_gbp":60}});
    let aroha = Recipient::from_json(
        r#"{"id":"61","email":"a@example.com","first_name":"Aroha",
        "events":[{"type":"quote_requested","at":"2037-06-12","service":"pruning"}],
        "consent":{"profiling":true}}"#,
        &Limits::default(),
    )
    .unwrap();
    let tomasz = Recipient::from_json(
        r#"{"id":"62","email":"t@example.com","first_name":"Tomasz",
        "events":[{"type":"order","at":"2037-05-02","item":"wool coat"}],
        "consent":{"profiling":false}}"#,
        &Limits::default(),
    )
    .unwrap();
    let check = |r: &Recipient, body: &str| {
        Gate::new().check(
            &Email::new("Pruning", body),
            r,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let ok = check(&aroha, "Hi Aroha,\n\nThanks for getting in touch last Friday. Just confirm your booking by July 31.\n\nKauri Tree Care");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let ok = check(&tomasz, "Hi Tomasz,\n\nDelivery is free once your order is over £60. Book by July 31.\n\nKauri Tree Care");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    // No contact in the record: still a claim.
    let bad = check(&tomasz, "Hi Tomasz,\n\nThanks for getting in touch last Friday. Book by July 31.\n\nKauri Tree Care");
    assert!(!bad.passed());
}

#[test]
fn thanks_for_coming_on_a_weekday_is_a_past_visit() {
    // 2037-06-17 is a Wednesday: "on Sunday" is the 14th; the visit was Saturday the 13th.
    let c = json!({"now":"2037-06-17","brand":"Lakeside Zoo","offer":{"name":"Renewal","ends":"2037-07-05"}});
    let marisol = Recipient::from_json(
        r#"{"id":"63","email":"m@example.com","first_name":"Marisol",
        "events":[{"type":"visit","at":"2037-06-13","party_size":4}],
        "consent":{"profiling":true}}"#,
        &Limits::default(),
    )
    .unwrap();
    let check = |body: &str| {
        Gate::new().check(
            &Email::new("Thanks", body),
            &marisol,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let ok = check("Hi Marisol,\n\nThanks for bringing all four of you out to the zoo on Saturday. Renew by July 5.\n\nLakeside Zoo");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad = check("Hi Marisol,\n\nThanks for bringing all four of you out to the zoo on Sunday. Renew by July 5.\n\nLakeside Zoo");
    assert!(!bad.passed(), "{:?}", kinds(&bad));
}

#[test]
fn a_friends_tenure_and_the_brand_calling_itself_local() {
    let c = json!({"now":"2037-06-17","brand":"Lakehead Tackle","offer":{"name":"Referral","credit_eur":25}});
    let sparse_named = Recipient::from_json(
        r#"{"id":"64","email":"s@example.com","first_name":"Sanne"}"#,
        &Limits::default(),
    )
    .unwrap();
    let check = |body: &str| {
        Gate::new().check(
            &Email::new("A gift idea from your local tackle shop", body),
            &sparse_named,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let ok = check("Hi Sanne,\n\nRefer a friend and you'll each get €25 credit once they've been riding with us for two months.\n\nLakehead Tackle");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    for bad in [
        "Hi Sanne,\n\nYou've been with us for two months now. Refer a friend for €25.\n\nLakehead Tackle",
        "Hi Sanne,\n\nWe have new lures for anglers in your area. Refer a friend for €25.\n\nLakehead Tackle",
    ] {
        assert!(!check(bad).passed(), "{bad}");
    }
}

#[test]
fn a_citys_everyday_short_name() {
    let c = json!({"now":"2037-12-16","brand":"Keurbooms Lagoon Park","offer":{"name":"Summer","price_zar":540}});
    let thandi = Recipient::from_json(
        r#"{"id":"65","email":"t@example.com","first_name":"Thandi",
        "attributes":{"home_city":"Johannesburg"},"consent":{"profiling":true}}"#,
        &Limits::default(),
    )
    .unwrap();
    let check = |body: &str| {
        Gate::new().check(
            &Email::new("Summer", body),
            &thandi,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let ok = check("Hi Thandi,\n\nIt's a long drive from Joburg, so the Summer stay is R540 a night.\n\nKeurbooms Lagoon Park");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad = check("Hi Thandi,\n\nIt's a long drive from Durban, so the Summer stay is R540 a night.\n\nKeurbooms Lagoon Park");
    assert!(!bad.passed());
}

#[test]
fn fact_kinds_named_by_key_parts() {
    let c = json!({"now":"2038-06-16","brand":"Kranich Books",
        "offer":{"name":"Summer Shelf Clear","code":"REGAL25","ends":"2038-06-27"},
        "trade_in":{"details":"we pay in store credit, and during June we add 10% on top"},
        "delivery":{"order_changes":"until 9pm the evening before delivery"}});
    let lena = Recipient::from_json(
        r#"{"id":"70","email":"l@example.com","first_name":"Lena",
        "attributes":{"store_credit_eur":21.0,"first_walk":"2037-10-17"},
        "events":[{"type":"newsletter_click","at":"2038-06-11","link":"Summer Shelf Clear"}],
        "consent":{"profiling":true}}"#,
        &Limits::default(),
    )
    .unwrap();
    let bare = Recipient::from_json(
        r#"{"id":"71","email":"b@example.com","first_name":"Lena","consent":{"profiling":true}}"#,
        &Limits::default(),
    )
    .unwrap();
    let check = |r: &Recipient, body: &str| {
        Gate::new().check(
            &Email::new("Summer", body),
            r,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    for body in [
        // `store_credit_eur`: a credit, whatever its currency.
        "Hi Lena,\n\nYour credit is waiting: use it in the Summer Shelf Clear with REGAL25 until 27 June.\n\nKranich Books",
        // `newsletter_click`: a click is a browse.
        "Hi Lena,\n\nWe saw that you clicked on the Summer Shelf Clear, so here it is: REGAL25 until 27 June.\n\nKranich Books",
        // `first_walk`: since your first is a tenure.
        "Hi Lena,\n\nIt's nearly a year since your first walk with us. The Summer Shelf Clear runs until 27 June with REGAL25.\n\nKranich Books",
    ] {
        let ok = check(&lena, body);
        assert!(ok.passed(), "{body}: {:?}", kinds(&ok));
        assert!(!check(&bare, body).passed(), "{body}");
    }
    // The campaign's own terms, and an instruction, to anyone.
    let ok = check(&bare, "Hi Lena,\n\nBring your books in: we pay in store credit, and in June we add 10% on top. You can change your order until 9pm the evening before delivery. REGAL25 runs until 27 June.\n\nKranich Books");
    assert!(ok.passed(), "{:?}", kinds(&ok));
}

#[test]
fn a_hyphened_name_whose_part_a_key_names() {
    let c = json!({"now":"2038-09-15","brand":"Modellbahn Kessler",
        "event":{"name":"Module workshop","date":"2038-09-25","price_eur":89,"kessler_karte_price_eur":74},
        "tiers":{"Six":"6 bottles a season","Dozen":"12 bottles a season"}});
    let jonas = Recipient::from_json(
        r#"{"id":"72","email":"j@example.com","first_name":"Jonas",
        "attributes":{"kessler_karte":true,"club_tier":"Dozen"},
        "events":[{"type":"product_view","at":"2038-09-14","item":"Märklin H0 class 01 steam locomotive with sound"},
                  {"type":"wishlist_add","at":"2038-09-12","item":"Roco H0 DB class 218 diesel"},
                  {"type":"shop_purchase","at":"2038-08-21","item":"Brawa goods wagon set"}],
        "consent":{"profiling":true}}"#,
        &Limits::default(),
    )
    .unwrap();
    let check = |body: &str| {
        Gate::new().check(
            &Email::new("Workshop", body),
            &jonas,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    for body in [
        "Hello Jonas,\n\nThe module workshop on 25 September is 89 €, or 74 € with your Kessler-Karte.\n\nModellbahn Kessler",
        "Hello Jonas,\n\nAs a Dozen-tier member you get the workshop on 25 September for 74 €.\n\nModellbahn Kessler",
        "Hello Jonas,\n\nThank you for buying the Brawa goods wagon set. The workshop on 25 September is 89 €.\n\nModellbahn Kessler",
    ] {
        let ok = check(body);
        assert!(ok.passed(), "{body}: {:?}", kinds(&ok));
    }
    for bad in [
        // Not the person's tier.
        "Hello Jonas,\n\nAs a Six-tier member you get the workshop on 25 September for 74 €.\n\nModellbahn Kessler",
        // Only viewed: the wish-listed "class 218" shares one word, the viewed engine all.
        "Hello Jonas,\n\nThank you for buying the Märklin class 01 steam locomotive. The workshop on 25 September is 89 €.\n\nModellbahn Kessler",
    ] {
        assert!(!check(bad).passed(), "{bad}");
    }
}

#[test]
fn campaign_words_that_a_no_consent_record_also_holds() {
    let c = json!({"now":"2038-06-16","brand":"Lakeshore Sound",
        "offer":{"name":"Winter Trial Pass","code":"WINTER69","months":3,
                 "terms":"ends automatically after 3 months","excludes":"1st class; unlimited 2nd-class travel only"},
        "bundle":{"name":"Follow-Up Bundle","contents":"three 40-minute follow-up appointments"}});
    let jess = Recipient::from_json(
        r#"{"id":"73","email":"j@example.com","first_name":"Jess",
        "attributes":{"artist_name":"Jess Whitehorse","sessions_total":2},
        "events":[{"type":"appointment","at":"2038-02-23","kind":"follow-up"},
                  {"type":"app_search","at":"2038-06-15","query":"Winter Trial Pass"}],
        "consent":{"profiling":false}}"#,
        &Limits::default(),
    )
    .unwrap();
    let check = |body: &str| {
        Gate::new().check(
            &Email::new("Winter", body),
            &jess,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let ok = check("Hi Jess,\n\nSessions run all winter. With our Winter Trial Pass you get three months of unlimited 2nd-class travel with code WINTER69; the trial ends automatically after three months. Our Follow-Up Bundle gives you three 40-minute follow-up appointments. RB 52, RB 57 and RE 8 all count.\n\nLakeshore Sound");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    for bad in [
        // The person's own appointment, said of them.
        "Hi Jess,\n\nHow did the follow-up you had go? The Winter Trial Pass is on with WINTER69.\n\nLakeshore Sound",
        // A tenure the record cannot back.
        "Hi Jess,\n\nYou've been with us for three months now. The Winter Trial Pass is on with WINTER69.\n\nLakeshore Sound",
        // A trial that is the person's.
        "Hi Jess,\n\nYour trial ends on Friday. The Winter Trial Pass is on with WINTER69.\n\nLakeshore Sound",
        // A reply prefix with its colon.
        "RE: your session\n\nHi Jess,\n\nThe Winter Trial Pass is on with WINTER69.\n\nLakeshore Sound",
    ] {
        assert!(!check(bad).passed(), "{bad}");
    }
}

#[test]
fn counts_that_name_a_thing_or_what_remains() {
    let c = json!({"now":"2038-11-17","brand":"Puddle Jumpers",
        "offer":{"name":"Winter Romp Pass","code":"ROMP15","discount_percent":15,"price_cad":646,"regular_price_cad":760},
        "event":{"name":"Photo Night","price_cad":25,"members_cad":20}});
    let margaux = Recipient::from_json(
        r#"{"id":"74","email":"m@example.com","first_name":"Margaux",
        "attributes":{"breed":"Nova Scotia Duck Tolling Retriever","current_package":"10-day pack","days_remaining_on_pack":3,"past_hires":2},
        "events":[{"type":"hire","at":"2036-12-02","days":4},{"type":"hire","at":"2037-03-08","days":6}],
        "consent":{"profiling":true}}"#,
        &Limits::default(),
    )
    .unwrap();
    let bare = Recipient::from_json(
        r#"{"id":"75","email":"b@example.com","first_name":"Sasha"}"#,
        &Limits::default(),
    )
    .unwrap();
    let check = |r: &Recipient, body: &str| {
        Gate::new().check(
            &Email::new("Winter", body),
            r,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let ok = check(&margaux, "Hi Margaux,\n\nClassic Toller behaviour! With 3 days left on your 10-day pack, the Winter Romp Pass is $646 instead of $760 with code ROMP15. It'd be great to have you back for a third trip.\n\nPuddle Jumpers");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    for bad in [
        "Hi Margaux,\n\nWith 5 days left on your 10-day pack, the Winter Romp Pass is $646 instead of $760 with code ROMP15.\n\nPuddle Jumpers",
        "Hi Margaux,\n\nThanks for your fifth trip with us. The Winter Romp Pass is $646 with code ROMP15.\n\nPuddle Jumpers",
        // The offer's percentage is 15, whatever other figure is 20.
        "Hi Margaux,\n\nTake 20% off the Winter Romp Pass with code ROMP15.\n\nPuddle Jumpers",
    ] {
        assert!(!check(&margaux, bad).passed(), "{bad}");
    }
    let ok = check(
        &margaux,
        "Hi Margaux,\n\nTake 15% off the Winter Romp Pass with code ROMP15.\n\nPuddle Jumpers",
    );
    assert!(ok.passed(), "{:?}", kinds(&ok));
    for bad in [
        "Hi Sasha,\n\nIt is good to see you back! The Winter Romp Pass is $646 with code ROMP15.\n\nPuddle Jumpers",
        "Hi Sasha,\n\nYou already know the drill: the Winter Romp Pass is $646 with code ROMP15.\n\nPuddle Jumpers",
        "Hi Sasha,\n\nIt'd be great to have you back. The Winter Romp Pass is $646 with code ROMP15.\n\nPuddle Jumpers",
    ] {
        assert!(!check(&bare, bad).passed(), "{bad}");
    }
}

#[test]
fn worked_amounts_thresholds_and_closings() {
    let c = json!({"now":"2038-03-17","brand":"Fynbos Blinds",
        "offer":{"name":"Autumn Shade Sale","discount_percent":20,"code":"SHADE20","min_order_zar":5000,
                 "applies_to":"roller blinds","excludes":"plantation shutters, Cape Citrus Reserve",
                 "limit":"code usable once per order, unlimited orders"},
        "installation":{"price_zar_per_blind":180,"minimum_zar":900},
        "example_prices_zar":{"roller blind":1890,"vertical blind":4900},"city":"Cape Town"});
    let wren = Recipient::from_json(
        r#"{"id":"76","email":"w@example.com","first_name":"Wren"}"#,
        &Limits::default(),
    )
    .unwrap();
    let check = |body: &str| {
        Gate::new().check(
            &Email::new("Autumn", body),
            &wren,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let ok = check("Hi Wren,\n\nThe Autumn Shade Sale takes 20% off roller blinds with SHADE20 on orders of R5,000 or more. Take three roller blinds, for example: 3 x R1,890 = R5,670.\n\nInstallation: R900 (R180 a blind would be R540, so our R900 minimum applies). A single R4,900 vertical blind is just R100 under the minimum. The code works once per order, but you can order as often as you like. Plantation shutters are lovely, but they aren't part of the sale.\n\nViele Grüße from Cape Town,\nFynbos Blinds");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    for bad in [
        "Hi Wren,\n\nInstallation: R180 a blind would be R560 for your order.\n\nFynbos Blinds",
        "Hi Wren,\n\nA single R4,900 order is just R150 under the minimum for SHADE20.\n\nFynbos Blinds",
        "Hi Wren,\n\nSHADE20 takes 20% off plantation shutters too.\n\nFynbos Blinds",
    ] {
        assert!(!check(bad).passed(), "{bad}");
    }
}

#[test]
fn what_was_bought_attended_and_when() {
    let c = json!({"now":"2038-11-17","brand":"Silver Thistle",
        "offer":{"name":"Winter Glow","code":"GLOW25","discount_percent":25,"ends":"2038-12-24"},
        "event":{"name":"Wild Feast supper","date":"2038-12-02"}});
    let isla = Recipient::from_json(
        r#"{"id":"77","email":"i@example.com","first_name":"Isla",
        "events":[{"type":"wishlist_add","at":"2038-11-14","item":"14k gold hinged clicker"},
                  {"type":"purchase","at":"2038-10-02","item":"titanium labret"},
                  {"type":"test_drive","at":"2038-11-13","vehicle":"Corolla Cross"},
                  {"type":"email_click","at":"2038-11-09","link":"Wild Feast supper"}],
        "consent":{"profiling":true}}"#,
        &Limits::default(),
    )
    .unwrap();
    let check = |body: &str| {
        Gate::new().check(
            &Email::new("Winter", body),
            &isla,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let ok = check("Hi Isla,\n\nWe hope you're loving the titanium labret you picked up from us, and thanks again for coming through to test-drive the Corolla Cross last Saturday. Winter Glow is 25% off with GLOW25 until 24 December.\n\nSilver Thistle");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    for bad in [
        // Wish-listed, not bought.
        "Hi Isla,\n\nWe hope you're loving the 14k gold hinged clicker you picked up from us. Winter Glow is 25% off with GLOW25.\n\nSilver Thistle",
        // The test drive was on Saturday.
        "Hi Isla,\n\nThanks again for coming through to test-drive the Corolla Cross last Friday. Winter Glow is 25% off with GLOW25.\n\nSilver Thistle",
        // Only a click on the supper's link.
        "Hi Isla,\n\nYou were one of our guests at last year's Wild Feast supper, so you know how good it is.\n\nSilver Thistle",
    ] {
        assert!(!check(bad).passed(), "{bad}");
    }
}

#[test]
fn campaign_things_said_to_anyone_and_sign_offs() {
    let c = json!({"now":"2039-10-19","brand":"Ashcombe Vale RFC",
        "offer":{"name":"Spring Pool Opening","regular_price_zar":1450,"offer_price_zar":1150,"code":"SPRING300",
                 "service":"resole for Goodyear-welted shoes","sessions":["2039-11-05","2039-11-12","2039-11-19"],
                 "hire":"4 nights, Monday pick-up to Friday return","price_gbp":255},
        "extra":{"name":"toddler breakfast","price_eur":12.50,"includes":"breakfast for one adult"},
        "event":{"name":"Wet Test Weekend","dates":["2039-10-22","2039-10-23"]},
        "loyalty":{"name":"stamp card"}});
    let callum = Recipient::from_json(
        r#"{"id":"78","email":"c@example.com","first_name":"Callum",
        "attributes":{"customer_since":"2034-03-06","children":[{"name":"Alfie","age_group":"U9"}]},
        "events":[{"type":"repair","at":"2038-06-14","item":"oxfords"},{"type":"repair","at":"2038-11-23","item":"brogues"},
                  {"type":"repair","at":"2039-01-11","item":"boots"}],
        "consent":{"profiling":true}}"#,
        &Limits::default(),
    )
    .unwrap();
    let check = |body: &str| {
        Gate::new().check(
            &Email::new("Autumn", body),
            &callum,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let ok = check("Hi Callum,\n\nWell done to Alfie and the rest of the Under-9s. Give your good shoes some attention: the Spring Pool Opening is R1 150 instead of R1 450 with SPRING300, and it's €12.50 for your breakfast. That's £85 a session for the three sessions, and hires run Monday to Friday. Our Wet Test Weekend starts this Saturday. Thank you for your loyalty! For every new member you refer, we'll say thanks; the course is for anyone who hasn't been a member before.\n\nBeste Grüße,\nAshcombe Vale RFC Social Committee");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    for bad in [
        // A thing of the person's the record does not hold.
        "Hi Callum,\n\nYour night cream must be running low by now.\n\nAshcombe Vale RFC",
        // Not the person's child's group.
        "Hi Callum,\n\nWell done to Alfie and the rest of the Under-11s.\n\nAshcombe Vale RFC",
        // A per-session figure the list does not give.
        "Hi Callum,\n\nThat's £75 a session for the three sessions.\n\nAshcombe Vale RFC",
        // The weekend is the 22nd and 23rd.
        "Hi Callum,\n\nOur Wet Test Weekend starts this Friday.\n\nAshcombe Vale RFC",
    ] {
        assert!(!check(bad).passed(), "{bad}");
    }
}

#[test]
fn a_booking_thanked_for_and_a_short_month_before_its_day() {
    let c = json!({"now":"2039-10-19","brand":"Switchback Ridge",
        "offer":{"name":"Season Pass","code":"EARLYRIDE40","buy_by":"2039-11-13"}});
    let noor = Recipient::from_json(
        r#"{"id":"79","email":"n@example.com","first_name":"Noor",
        "events":[{"type":"day_ticket","at":"2039-10-15","lift_laps":14},
                  {"type":"class_viewed","at":"2039-10-14","class":"Soft Bloomy Rinds"},
                  {"type":"class_booking","at":"2039-10-10","class":"Jump Progression Clinic"}],
        "consent":{"profiling":true}}"#,
        &Limits::default(),
    )
    .unwrap();
    let check = |body: &str| {
        Gate::new().check(
            &Email::new("Season", body),
            &noor,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let ok = check("Hi Noor,\n\nFourteen laps last Saturday (Oct. 15) is a serious day. Thank you for booking onto the Jump Progression Clinic. The Season Pass is yours with EARLYRIDE40 by November 13.\n\nSwitchback Ridge");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    for bad in [
        "Hi Noor,\n\nFourteen laps last Sunday (Oct. 15) is a serious day.\n\nSwitchback Ridge",
        "Hi Noor,\n\nThank you for booking onto Soft Bloomy Rinds. The Season Pass is yours with EARLYRIDE40.\n\nSwitchback Ridge",
    ] {
        assert!(!check(bad).passed(), "{bad}");
    }
}

#[test]
fn a_date_counted_back_from_a_campaign_date() {
    let c = json!({"now":"2039-10-19","brand":"Katzenpension Samtpfote",
        "offer":{"name":"Christmas Early Booking","stay_window":"2039-12-20 to 2040-01-08","book_by":"2039-11-15",
                 "eligibility":"cats vaccinated at least 14 days before arrival"}});
    let check = |body: &str| {
        Gate::new().check(
            &Email::new("Christmas", body),
            &sparse(),
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let ok = check("Hello,\n\nEvery guest needs a vaccination given at least 14 days before arrival - for arrival on 20 December, that means on 6 December at the latest. Book by 15 November.\n\nKatzenpension Samtpfote");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad = check("Hello,\n\nEvery guest needs a vaccination given at least 14 days before arrival - for arrival on 20 December, that means on 4 December at the latest. Book by 15 November.\n\nKatzenpension Samtpfote");
    assert!(!bad.passed());
}

#[test]
fn weekdays_that_are_hours_or_past_and_a_month_written_once() {
    let c = json!({"now":"2040-01-18","brand":"Padel Haus",
        "offer":{"name":"Winter Off-Peak 10-Pack","code":"WINTER10","valid_until":"2040-04-30",
                 "times":"Monday to Friday before 16:00 and Sunday after 19:00",
                 "includes":"all gear, wetsuit","ages":"16+"},
        "event":{"name":"Blowing Weekend","dates":["2040-03-10","2040-03-11"],"price_gbp":425}});
    let check = |body: &str| {
        Gate::new().check(
            &Email::new("Winter", body),
            &sparse(),
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let ok = check("Hello,\n\nThe Winter Off-Peak 10-Pack with WINTER10 is valid Monday to Friday before 16:00 and on Sunday after 19:00, until 30 April. All gear and your wetsuit are included. Ages 16+.\n\nThe facts:\n- The Blowing Weekend runs on Saturday 10th and Sunday 11th March and costs £425.\n\nPadel Haus");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    for bad in [
        // The weekend is the 10th and 11th of March; the 10th is a Saturday.
        "Hello,\n\nThe Blowing Weekend runs on Friday 10th and Saturday 11th March and costs £425.\n\nPadel Haus",
        // A deadline that is not the campaign's.
        "Hello,\n\nThe Winter Off-Peak 10-Pack with WINTER10 is valid until Sunday.\n\nPadel Haus",
        // Echoed prompt text.
        "Hello,\n\nFacts: first name unknown.\n\nPadel Haus",
    ] {
        assert!(!check(bad).passed(), "{bad}");
    }
}

#[test]
fn consent_covers_part_of_a_long_value_a_rare_word_and_german_du() {
    let c = json!({"now":"2041-10-16","brand":"Hollins Lane Farm Shop",
        "offer":{"name":"Harvest Switch","code":"HARVEST25","discount_percent":25,
                 "includes":"a Medium veg box"}});
    let record = |consent: bool| {
        Recipient::from_json(
            &format!(
                r#"{{"id":"7","email":"c@example.com","first_name":"Callum",
                "attributes":{{"dietary":"vegetarian","goal":"play Chopin nocturnes"}},
                "events":[{{"type":"shop_purchase","at":"2041-10-12",
                            "items":"steak and ale pie, free-range eggs (12)"}}],
                "consent":{{"profiling":{consent}}}}}"#
            ),
            &Limits::default(),
        )
        .unwrap()
    };
    let check = |r: &Recipient, body: &str| {
        Gate::new().check(
            &Email::new("Harvest Switch", body),
            r,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let bodies = [
        // Part of a long value.
        "Hi Callum,\n\nWe see you most Saturdays for a steak and ale pie - why not let the veg come to you as well? Use HARVEST25.\n\nHollins Lane Farm Shop",
        // A rarer single word in a sentence to the reader.
        "Hi Callum,\n\nGood news for a vegetarian: when you sign up with HARVEST25 the box is 25% off.\n\nHollins Lane Farm Shop",
        // Part of a value as one hyphened word, in a German sentence to "du".
        "Lieber Callum\n\nIm Herbst arbeiten wir an den Chopin-Nocturnes; die Noten hast du ja schon.\n\nHollins Lane Farm Shop",
    ];
    for body in bodies {
        let r = check(&record(false), body);
        assert!(
            r.findings.iter().any(|f| f.kind == Kind::ConsentViolation),
            "{body}\n{:?}",
            kinds(&r)
        );
        let r = check(&record(true), body);
        assert!(
            !r.findings.iter().any(|f| f.kind == Kind::ConsentViolation),
            "{body}\n{:?}",
            kinds(&r)
        );
    }
    // The same words with no reader in the sentence, or a month, are not a use of the record.
    for body in [
        "Hi Callum,\n\nThe Harvest Switch box is 25% off with HARVEST25. Our kitchen also makes a steak and ale pie.\n\nHollins Lane Farm Shop",
        "Hi Callum,\n\nC'est du Chopin-Nocturnes.\n\nHollins Lane Farm Shop",
    ] {
        let r = check(&record(false), body);
        assert!(
            !r.findings.iter().any(|f| f.kind == Kind::ConsentViolation),
            "{body}\n{:?}",
            kinds(&r)
        );
    }
}

#[test]
fn a_history_that_goes_back_a_while_a_drill_known_and_a_talk_had() {
    let c = json!({"now":"2041-10-16","brand":"Southpaw Boxing Club",
        "offer":{"name":"Summer Fight Camp","code":"CAMP60","price_aud":269}});
    let record = |first: &str| {
        Recipient::from_json(
            &format!(
                r#"{{"id":"9","email":"s@example.com","first_name":"Siobhan",
                "events":[{{"type":"class_attended","at":"{first}","class":"Boxing Basics"}},
                          {{"type":"class_attended","at":"2041-10-14","class":"Boxing Basics"}}]}}"#
            ),
            &Limits::default(),
        )
        .unwrap()
    };
    let check = |r: &Recipient, body: &str| {
        Gate::new().check(
            &Email::new("Fight Camp", body),
            r,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let a_while = "Hi Siobhan,\n\nYou've been one of the regular faces around the club for a while now, so book Summer Fight Camp with CAMP60: $269.\n\nSouthpaw Boxing Club";
    // First class nine days ago: no history that goes back a while.
    let r = check(&record("2041-10-07"), a_while);
    assert!(
        r.findings.iter().any(|f| f.kind == Kind::ImpliedContext),
        "{:?}",
        kinds(&r)
    );
    // First class last spring: the record bears it.
    let r = check(&record("2041-03-02"), a_while);
    assert!(r.passed(), "{:?}", kinds(&r));
    // To someone the record knows nothing of.
    for body in [
        "Hi there,\n\nSince you've hired with us before, you'll know the drill. Book Summer Fight Camp with CAMP60.\n\nSouthpaw Boxing Club",
        "Hi there,\n\nYou know how it works by now: book Summer Fight Camp with CAMP60.\n\nSouthpaw Boxing Club",
        "Hi there,\n\nAs promised when we spoke, here is Summer Fight Camp: $269 with CAMP60.\n\nSouthpaw Boxing Club",
    ] {
        let r = check(&sparse(), body);
        assert!(
            r.findings.iter().any(|f| f.kind == Kind::ImpliedContext),
            "{body}\n{:?}",
            kinds(&r)
        );
    }
}

#[test]
fn an_itemized_total_and_thousands_grouped_by_points() {
    let c = json!({"now":"2041-01-16","brand":"Escuela Azahar",
        "offer":{"name":"Spring Intensive","regular_price_eur":780,"discount_eur":120,
                 "code":"PRIMAVERA120","enrolment_fee_eur":45,"accommodation":"homestay from EUR 245 a week",
                 "twin_eur":1240}});
    let check = |body: &str| {
        Gate::new().check(
            &Email::new("Spring Intensive", body),
            &sparse(),
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let list = |gap: &str, total: &str| {
        format!(
            "Hello,\n\nHere's the maths for the Spring Intensive:\n\nCourse: EUR 780\nCode PRIMAVERA120: -EUR 120\nEnrolment fee - EUR 45\nHomestay, 4 weeks (EUR 245 a week): EUR 980\n{gap}Total: EUR {total}\n\nEscuela Azahar"
        )
    };
    // 780 - 120 + 45 + 980.
    let ok = check(&list("", "1,685"));
    assert!(ok.passed(), "{:?}", kinds(&ok));
    // Any other total, or the same one with a blank line between it and the items.
    for (gap, total) in [("", "1,925"), ("", "1,605"), ("\n", "1,685")] {
        let bad = check(&list(gap, total));
        assert!(!bad.passed(), "{gap:?} {total}");
    }
    let ok = check("Hallo,\n\nder Spring Intensive: 1.240 € pro Person, mit PRIMAVERA120 weniger 120 €.\n\nEscuela Azahar");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad = check("Hallo,\n\nder Spring Intensive: 1.250 € pro Person.\n\nEscuela Azahar");
    assert!(!bad.passed(), "{:?}", kinds(&bad));
}

#[test]
fn an_offer_for_new_customers_only_given_to_an_existing_one() {
    let c = json!({"now":"2041-10-16","brand":"Hollins Lane Farm Shop",
        "offer":{"name":"Harvest Switch","discount_percent":25,"code":"HARVEST25",
                 "eligibility":"new veg box subscribers only; not for existing or paused subscriptions"},
        "perk":{"name":"Shop perk","code":"SHOP10","description":"10% off in the shop for subscribers"}});
    let record = |attrs: &str| {
        Recipient::from_json(
            &format!(
                r#"{{"id":"5","email":"g@example.com","first_name":"Gwen","attributes":{{{attrs}}}}}"#
            ),
            &Limits::default(),
        )
        .unwrap()
    };
    let check = |r: &Recipient, body: &str| {
        Gate::new().check(
            &Email::new("Harvest Switch", body),
            r,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let give = "Hi Gwen,\n\nAs a thank-you, enter code HARVEST25 and your next four boxes are 25% off.\n\nHollins Lane Farm Shop";
    let bad = check(&record(r#""subscriber_since":"2039-05-02""#), give);
    assert!(
        bad.findings.iter().any(|f| f.rule == "offer.eligibility"),
        "{:?}",
        kinds(&bad)
    );
    // Someone who is not a subscriber, or no longer one, may have it.
    for attrs in [r#""city":"Madley""#, r#""subscription_status":"cancelled""#] {
        let ok = check(&record(attrs), give);
        assert!(ok.passed(), "{attrs}: {:?}", kinds(&ok));
    }
    // To a subscriber: the code passed on to a friend, or another promotion's code.
    for body in [
        "Hi Gwen,\n\nIf a friend is thinking of a box, code HARVEST25 gives them 25% off their first four.\n\nHollins Lane Farm Shop",
        "Hi Gwen,\n\nAs a subscriber, code SHOP10 gives you 10% off in the shop.\n\nHollins Lane Farm Shop",
    ] {
        let ok = check(&record(r#""subscriber_since":"2039-05-02""#), body);
        assert!(ok.passed(), "{body}: {:?}", kinds(&ok));
    }
    // "new and existing" is everyone.
    let c2 = json!({"now":"2041-10-16","brand":"Tidewater",
        "offer":{"name":"Spring Reset Pack","code":"RESET3","eligibility":"new and existing clients; one pack per client"}});
    let r = Recipient::from_json(
        r#"{"id":"6","email":"a@example.com","first_name":"Aroha","attributes":{"client_since":"2038-03-14"}}"#,
        &Limits::default(),
    )
    .unwrap();
    let ok = Gate::new().check(
        &Email::new(
            "Spring",
            "Hi Aroha,\n\nUse code RESET3 to buy the Spring Reset Pack.\n\nTidewater",
        ),
        &r,
        &Context::from_json(c2).unwrap(),
    );
    assert!(ok.passed(), "{:?}", kinds(&ok));
}

#[test]
fn the_campaigns_own_words_a_day_counted_from_and_the_last_day_that_counts() {
    let c = json!({"now":"2041-07-17","brand":"Gleam Street",
        "offer":{"name":"Summer Shine Valet","code":"SHINE15","ends":"2041-08-11",
                 "valid_days":"Monday to Friday only","trial":"30-day risk-free trial",
                 "excludes":"gift vouchers, Saturdays in December 2042 and brewing equipment"},
        "perk":{"name":"Brew Gear Week","description":"15% off brewing equipment for subscribers","code":"BREW15"},
        "addons_aud":{"gutter_clear":"139 single-storey / 189 double-storey","panels":"9 per panel, minimum 8 panels"}});
    let record = Recipient::from_json(
        r#"{"id":"8","email":"d@example.com","first_name":"Declan",
            "attributes":{"wedding_date":"2042-12-13","sessions_total":31},"consent":{"profiling":false}}"#,
        &Limits::default(),
    )
    .unwrap();
    let check = |body: &str| {
        Gate::new().check(
            &Email::new("Summer Shine", body),
            &record,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    for body in [
        // The brand's own phrase for its trial, though "risk-free" is banned as copy.
        "Hi Declan,\n\nThe Summer Shine Valet comes with a 30-day risk-free trial. Use SHINE15.\n\nGleam Street",
        // A date the campaign writes, to someone whose record holds it too.
        "Hi Declan,\n\nThe Summer Shine Valet with SHINE15 doesn't apply to Saturdays in December 2042.\n\nGleam Street",
        // Another promotion's code for a thing this offer excludes.
        "Hi Declan,\n\nSubscribers get 15% off brewing equipment with code BREW15.\n\nGleam Street",
        // The day a span is counted from; the last weekday before the campaign's end.
        "Hi Declan,\n\nThe Summer Shine Valet with SHINE15 is yours until Sunday 11 August, so Friday 9 August is the last day you can use it. The sale has three weeks to go from this Friday.\n\nGleam Street",
        // A figure under a key that names a currency; a currency after a name.
        "Hi Declan,\n\nGutters cleared are $139 for a single-storey home. It's AU$139 either way.\n\nGleam Street",
        // A guess, not a record read.
        "Hi Declan,\n\nYou may have seen our Summer Shine Valet around this month. Use SHINE15.\n\nGleam Street",
    ] {
        let r = check(body);
        assert!(r.passed(), "{body}\n{:?}", kinds(&r));
    }
    for body in [
        // A banned phrase the campaign does not use.
        "Hi Declan,\n\nThe Summer Shine Valet is 100% free of risk: a no strings attached offer with SHINE15.\n\nGleam Street",
        // This offer's own code for a thing it excludes.
        "Hi Declan,\n\nUse SHINE15 on brewing equipment too.\n\nGleam Street",
        // A deadline that is not the campaign's.
        "Hi Declan,\n\nThe Summer Shine Valet with SHINE15 ends this Friday.\n\nGleam Street",
        // A figure no key gives.
        "Hi Declan,\n\nGutters cleared are $149 for a single-storey home.\n\nGleam Street",
    ] {
        let r = check(body);
        assert!(!r.passed(), "{body}");
    }
    // "Book your three sessions": what the pack gives, not the 31 sessions so far.
    let client = Recipient::from_json(
        r#"{"id":"9","email":"a@example.com","first_name":"Aroha","attributes":{"sessions_total":31}}"#,
        &Limits::default(),
    )
    .unwrap();
    let ctx = Context::from_json(json!({"now":"2041-10-16","brand":"Tidewater",
        "offer":{"name":"Spring Reset Pack","contents":"three 60-minute massages","code":"RESET3"}}))
    .unwrap();
    let body = |s: &str| format!("Hi Aroha,\n\n{s}\n\nTidewater");
    let ok = Gate::new().check(
        &Email::new("Spring", body("Buy the Spring Reset Pack with RESET3, then book your three sessions before February.")),
        &client,
        &ctx,
    );
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad = Gate::new().check(
        &Email::new(
            "Spring",
            body(
                "After your three sessions with us, the Spring Reset Pack with RESET3 is a treat.",
            ),
        ),
        &client,
        &ctx,
    );
    assert!(!bad.passed(), "{:?}", kinds(&bad));
}

#[test]
fn a_past_time_of_a_thing_the_campaign_dates() {
    let ctx = |opened: &str| {
        Context::from_json(json!({"now":"2041-01-16","brand":"Deadbolt Escape Rooms",
            "rooms":{"The Lighthouse Keeper": format!("new, opened {opened}; 60 minutes")},
            "offer":{"name":"Weeknight Winter Deal","code":"NIGHTOWL25"}}))
        .unwrap()
    };
    let body = "Hi there,\n\nThe Lighthouse Keeper only opened its doors last week. Try it with NIGHTOWL25.\n\nDeadbolt Escape Rooms";
    let check =
        |opened: &str| Gate::new().check(&Email::new("New room", body), &sparse(), &ctx(opened));
    let ok = check("2041-01-09");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad = check("2040-11-20");
    assert!(
        bad.findings.iter().any(|f| f.kind == Kind::WrongTime),
        "{:?}",
        kinds(&bad)
    );
}

#[test]
fn southern_seasons_temperatures_years_in_values_and_other_false_alarms_of_bb_to_be() {
    let record = |locale: &str| {
        Recipient::from_json(
            &format!(
                r#"{{"id":"4","email":"s@example.com","first_name":"Seun","locale":"{locale}",
                "attributes":{{"heating":"gas combi boiler, installed 2011",
                              "language_interest":"Japanese","interest":"furniture making",
                              "list":"website mailing list","delivery_customer":false}},
                "events":[{{"type":"lay_up","at":"2041-07-02","car":"280SL"}},
                          {{"type":"stall_purchase","at":"2042-04-04","amount_zar":142}}]}}"#
            ),
            &Limits::default(),
        )
        .unwrap()
    };
    let c = |price: &str| {
        json!({"now":"2042-04-16","brand":"Harbourheat",
            "offer":{"name":"Spring Box","code":"HALFBOX",price:6900,
                     "eligibility":"new delivery customers only"},
            "pool":"a new 4°C plunge pool"})
    };
    let check_in = |price: &str, r: &Recipient, body: &str| {
        Gate::new().check(
            &Email::new("Spring", body),
            r,
            &Context::from_json(c(price)).unwrap(),
        )
    };
    let check = |r: &Recipient, body: &str| check_in("price_zar", r, body);
    let za = record("en-ZA");
    for body in [
        "Hi Seun,\n\nYour 280SL spent last winter with us. The Spring Box with HALFBOX is R6 900.\n\nHarbourheat",
        "Hi Seun,\n\nThe new 4°C plunge pool is open. It pays for itself by your 12th visit.\n\nHarbourheat",
        "Hi Seun,\n\nThe Spring Box is R6 900 with HALFBOX. Both boxes would come to R13 800.\n\nHarbourheat",
        "Hi Seun,\n\nThanks for joining our mailing list.\n\nHarbourheat",
        "Hi Seun,\n\nSince Japanese is the language you're interested in, come along. Furniture making is on your list too.\n\nHarbourheat",
        "Hi Seun,\n\nA check of your heating is handy with a combi that's been in since 2011.\n\nHarbourheat",
        "Hi Seun,\n\nSeparately, the Spring Box is R6 900.\n\nHarbourheat",
        // A stall customer is new to delivery.
        "Hi Seun,\n\nWith code HALFBOX your first Spring Box is R6 900.\n\nHarbourheat",
    ] {
        let r = check(&za, body);
        assert!(r.passed(), "{body}\n{:?}", kinds(&r));
    }
    // North of the equator, July is summer; a year no value states is a claim.
    let uk = record("en-GB");
    for body in [
        "Hi Seun,\n\nYour 280SL spent last winter with us.\n\nHarbourheat",
        "Hi Seun,\n\nA check of your heating is handy with a combi that's been in since 2013.\n\nHarbourheat",
    ] {
        let r = check_in("price_gbp", &uk, body);
        assert!(!r.passed(), "{body}");
    }
}

#[test]
fn a_past_day_must_be_the_named_events_and_a_fragment_belongs_to_its_clause() {
    let c = json!({"now":"2042-04-16","brand":"Swift Wheels",
        "offer":{"name":"Cargo Bundle","code":"CARGO10"}});
    let record = |cake: &str, visit: &str| {
        Recipient::from_json(
            &format!(
                r#"{{"id":"3","email":"p@example.com","first_name":"Priya",
                "events":[{{"type":"delivery","at":"2042-04-11","to":"Southbank","item":"catering order"}},
                          {{"type":"express_delivery","at":"{cake}","to":"Richmond","item":"birthday cake"}},
                          {{"type":"web_visit","at":"{visit}","page":"Pair of Staffordshire spaniels"}}]}}"#
            ),
            &Limits::default(),
        )
        .unwrap()
    };
    let check = |r: &Recipient, body: &str| {
        Gate::new().check(
            &Email::new("Cargo", body),
            r,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let cake = "Hi Priya,\n\nYou sent a birthday cake to Richmond last Friday. Try the Cargo Bundle with CARGO10.\n\nSwift Wheels";
    let seen = "Hi Priya,\n\nYou were looking at our pair of Staffordshire spaniels, c.1860, online yesterday. Try the Cargo Bundle with CARGO10.\n\nSwift Wheels";
    // The cake went on Friday 11 April; the spaniels were seen on the 15th.
    for body in [cake, seen] {
        let r = check(&record("2042-04-11", "2042-04-15"), body);
        assert!(r.passed(), "{body}\n{:?}", kinds(&r));
    }
    // The cake went on the Wednesday (Friday's delivery was the catering order); the
    // spaniels were seen two days before.
    for body in [cake, seen] {
        let r = check(&record("2042-04-09", "2042-04-14"), body);
        assert!(
            r.findings.iter().any(|f| f.kind == Kind::WrongTime),
            "{body}\n{:?}",
            kinds(&r)
        );
    }
}

#[test]
fn this_weekday_said_of_it_after_the_event_is_named() {
    let c = json!({"now":"2042-10-15","brand":"Starling Rooftop Cinema",
        "opening_night":{"date":"2042-10-24","film":"Some Like It Hot","price_aud":45}});
    let check = |body: &str| {
        Gate::new().check(
            &Email::new("Opening Night", body),
            &sparse(),
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let ok = check("Hello,\n\nOpening Night is nearly here - it's next Friday, and tickets are $45.\n\nStarling Rooftop Cinema");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad = check("Hello,\n\nOpening Night is nearly here - it's this Friday, and tickets are $45.\n\nStarling Rooftop Cinema");
    assert!(
        bad.findings.iter().any(|f| f.rule == "time.event_day"),
        "{:?}",
        kinds(&bad)
    );
}

#[test]
fn measures_by_a_keys_unit_and_quantities_of_a_named_item() {
    let c = json!({"now":"2042-07-16","brand":"Thermwell",
        "offer":{"name":"Summer Audit","code":"DRAUGHT80","price_gbp":315}});
    let r = Recipient::from_json(
        r#"{"id":"2","email":"s@example.com","first_name":"Seun",
        "attributes":{"odometer_km_last_visit":74120,"next_service_due_km":75000},
        "events":[{"type":"calculator_used","at":"2042-07-13","tool":"heat pump sizing calculator","result_kw":7},
                  {"type":"in_store_purchase","at":"2042-07-05","item":"Boreal A5 dot-grid notebook","qty":2},
                  {"type":"addon_purchase","at":"2042-07-05","item":"tent pitch","qty":1}]}"#,
        &Limits::default(),
    )
    .unwrap();
    let check = |body: &str| {
        Gate::new().check(
            &Email::new("Audit", body),
            &r,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    for body in [
        "Hi Seun,\n\nThe heat pump sizing calculator suggested a 7 kW unit for your house. Book the Summer Audit with DRAUGHT80.\n\nThermwell",
        "Hi Seun,\n\nYour odometer read 74 120 km, and your next service is due at 75 000 km, so you have roughly 880 km to go.\n\nThermwell",
        "Hi Seun,\n\nYou picked up two Boreal A5 dot-grid notebooks and a tent pitch this month.\n\nThermwell",
    ] {
        let rep = check(body);
        assert!(rep.passed(), "{body}\n{:?}", kinds(&rep));
    }
    for body in [
        "Hi Seun,\n\nThe heat pump sizing calculator suggested a 9 kW unit for your house.\n\nThermwell",
        "Hi Seun,\n\nYou picked up three Boreal A5 dot-grid notebooks this month.\n\nThermwell",
        // A figure of three digits after a word is a number of its own, not the tail of one.
        "Hi Seun,\n\nYour odometer read 741 km at your last visit.\n\nThermwell",
    ] {
        let rep = check(body);
        assert!(
            rep.findings.iter().any(|f| f.kind == Kind::WrongFact),
            "{body}\n{:?}",
            kinds(&rep)
        );
    }
}

#[test]
fn health_data_in_a_marketing_email_whatever_the_consent() {
    let r = Recipient::from_json(
        r#"{"id":"1","email":"r@example.com","first_name":"Rebecca",
        "attributes":{"medical_note":"asthma - reliever inhaler kept in kit bag","health_fund":"Medibank extras"},
        "consent":{"profiling":true}}"#,
        &Limits::default(),
    )
    .unwrap();
    let check = |kind: &str, body: &str| {
        Gate::new().check(
            &Email::new("Camp", body),
            &r,
            &Context::from_json(json!({"now":"2042-01-15","brand":"Kick Start","type":kind,
                "offer":{"name":"Summer Camp","code":"CAMP240","price_aud":240}}))
            .unwrap(),
        )
    };
    let body = "Hi Rebecca,\n\nSummer Camp is $240 with CAMP240. Don't worry about the asthma - we'll keep the inhaler pitchside.\n\nKick Start";
    let bad = check("football academy", body);
    assert!(
        bad.findings.iter().any(|f| f.rule == "consent.sensitive"),
        "{:?}",
        kinds(&bad)
    );
    // A clinic writing about what it treats; a health fund is no health data.
    let ok = check("physiotherapy clinic", body);
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let ok = check(
        "football academy",
        "Hi Rebecca,\n\nSummer Camp is $240 with CAMP240, and Medibank extras members can claim it.\n\nKick Start",
    );
    assert!(
        !ok.findings.iter().any(|f| f.rule == "consent.sensitive"),
        "{:?}",
        kinds(&ok)
    );
}

#[test]
fn another_word_inside_the_name_of_what_was_bought() {
    let r = Recipient::from_json(
        r#"{"id":"6","email":"n@example.com","first_name":"Nadia",
        "events":[{"type":"purchase","at":"2041-12-10","item":"Edwardian mahogany mantel clock","amount_chf":385}]}"#,
        &Limits::default(),
    )
    .unwrap();
    let check = |body: &str| {
        Gate::new().check(
            &Email::new("Bindings", body),
            &r,
            &Context::from_json(json!({"now":"2042-10-15","brand":"Laax Boards",
                "offer":{"name":"Tune-up","code":"TUNE49","price_chf":49}}))
            .unwrap(),
        )
    };
    let ok = check("Hi Nadia,\n\nWe hope the Edwardian mahogany mantel clock you bought in December keeps good time. TUNE49 gets it a tune-up.\n\nLaax Boards");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad = check("Hi Nadia,\n\nWe hope the Edwardian walnut mantel clock you bought in December keeps good time. TUNE49 gets it a tune-up.\n\nLaax Boards");
    assert!(
        bad.findings
            .iter()
            .any(|f| f.rule == "grounding.claim" && f.text == "walnut"),
        "{:?}",
        kinds(&bad)
    );
}

#[test]
fn what_the_person_sent_or_mentioned_must_be_in_a_message_of_theirs() {
    let r = Recipient::from_json(
        r#"{"id":"7","email":"h@example.com","first_name":"Hamish",
        "events":[{"type":"enquiry","at":"2042-06-30","message":"Draughty sash windows in a listed house"}]}"#,
        &Limits::default(),
    )
    .unwrap();
    let check = |body: &str| {
        Gate::new().check(
            &Email::new("Your enquiry", body),
            &r,
            &Context::from_json(json!({"now":"2042-07-16","brand":"Thermwell",
                "offer":{"name":"Heritage Survey","price_gbp":545}}))
            .unwrap(),
        )
    };
    let ok = check("Hi Hamish,\n\nThank you for sending over your question about the draughty sash windows. Our Heritage Survey is £545.\n\nThermwell");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad = check("Hi Hamish,\n\nThank you for sending over the photos of the damp patch in the bedroom. Our Heritage Survey is £545.\n\nThermwell");
    assert!(
        bad.findings.iter().any(|f| f.rule == "grounding.claim"),
        "{:?}",
        kinds(&bad)
    );
}

#[test]
fn currency_codes_keyed_figures_conditions_and_other_false_alarms_of_bf_to_bi() {
    let c = json!({"now":"2043-04-15","brand":"Bumblebee Lane Day Nursery",
        "offer":{"name":"Unlimited Plus","code":"UPGRADE25","price_nzd":55,"regular_price_nzd":80,
                 "excludes":"Saturdays in June and September","deposit":"25% of the labour"}});
    let record = |consent: bool| {
        Recipient::from_json(
            &format!(
                r#"{{"id":"9","email":"s@example.com","first_name":"Sione",
                "attributes":{{"account_type":"Pay Monthly","rack_number":14,"enquiry_child_age_months":14,
                              "child_1_allergies":"peanut (auto-injector kept at nursery)","lessons_taken_total":14}},
                "consent":{{"profiling":{consent}}}}}"#
            ),
            &Limits::default(),
        )
        .unwrap()
    };
    let check = |r: &Recipient, body: &str| {
        Gate::new().check(
            &Email::new("Unlimited Plus", body),
            r,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    for body in [
        "Hi Sione,\n\nThat's NZD 55 a month with UPGRADE25, normally NZD 80.\n\nBumblebee Lane Day Nursery",
        "Hi Sione,\n\nYour boat is on Rack 14 this year. Unlimited Plus is NZD 55 with UPGRADE25.\n\nBumblebee Lane Day Nursery",
        "Hi Sione,\n\nYour first lesson also comes with a free set of strings. If you haven't placed a first order yet, UPGRADE25 is a good start.\n\nBumblebee Lane Day Nursery",
        "Hi Sione,\n\nA deposit of 25% of the labour confirms your booking. Unlimited Plus is NZD 55.\n\nBumblebee Lane Day Nursery",
        "Hi Sione,\n\nAt 14 months, your little one would love it here. The offer excludes Saturdays in June and September.\n\nBumblebee Lane Day Nursery",
    ] {
        let r = check(&record(true), body);
        assert!(r.passed(), "{body}\n{:?}", kinds(&r));
    }
    // A condition names no one's plan.
    let r = check(
        &record(false),
        "Hi Sione,\n\nIf you've been on your Pay Monthly plan for six months or more, Unlimited Plus is NZD 55 with UPGRADE25.\n\nBumblebee Lane Day Nursery",
    );
    assert!(r.passed(), "{:?}", kinds(&r));
    // Said plainly, the plan is a use of the record.
    let r = check(
        &record(false),
        "Hi Sione,\n\nYou're on our Pay Monthly plan, so Unlimited Plus is NZD 55 with UPGRADE25.\n\nBumblebee Lane Day Nursery",
    );
    assert!(!r.passed(), "{:?}", kinds(&r));
}

#[test]
fn long_time_families_a_conversation_resumed_and_yesterdays_class() {
    let r = Recipient::from_json(
        r#"{"id":"8","email":"l@example.com","first_name":"Lea",
        "events":[{"type":"class_attended","at":"2043-10-12","class":"Latin Burn","instructor":"Jo"}]}"#,
        &Limits::default(),
    )
    .unwrap();
    let check = |body: &str| {
        Gate::new().check(
            &Email::new("Fall Into Rhythm", body),
            &r,
            &Context::from_json(json!({"now":"2043-10-13","brand":"Limelight",
                "offer":{"name":"Fall Into Rhythm","code":"GROOVE8","price_usd":229}}))
            .unwrap(),
        )
    };
    let ok = check("Hi Lea,\n\nHope your legs have recovered from yesterday's Latin Burn with Jo! GROOVE8 gets you Fall Into Rhythm for $229.\n\nLimelight");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let late = Recipient::from_json(
        r#"{"id":"8","email":"l@example.com","first_name":"Lea",
        "events":[{"type":"class_attended","at":"2043-10-11","class":"Latin Burn","instructor":"Jo"}]}"#,
        &Limits::default(),
    )
    .unwrap();
    let bad = Gate::new().check(
        &Email::new("Fall Into Rhythm", "Hi Lea,\n\nHope your legs have recovered from yesterday's Latin Burn with Jo! GROOVE8 gets you Fall Into Rhythm for $229.\n\nLimelight"),
        &late,
        &Context::from_json(json!({"now":"2043-10-13","brand":"Limelight",
            "offer":{"name":"Fall Into Rhythm","code":"GROOVE8","price_usd":229}}))
        .unwrap(),
    );
    assert!(
        bad.findings.iter().any(|f| f.kind == Kind::WrongTime),
        "{:?}",
        kinds(&bad)
    );
    for body in [
        "Hi Lea,\n\nAs one of our long-time Limelight families, you get GROOVE8 first.\n\nLimelight",
        "Hi Lea,\n\nGood to have you back for another season: GROOVE8 gets you Fall Into Rhythm for $229.\n\nLimelight",
        "Hi Lea,\n\nPicking up where we left off: GROOVE8 gets you Fall Into Rhythm for $229.\n\nLimelight",
    ] {
        let rep = check(body);
        assert!(
            rep.findings.iter().any(|f| f.kind == Kind::ImpliedContext),
            "{body}\n{:?}",
            kinds(&rep)
        );
    }
}

#[test]
fn an_electric_vehicle_the_record_does_not_have() {
    let record = |attrs: &str| {
        Recipient::from_json(
            &format!(r#"{{"id":"4","email":"b@example.com","first_name":"Bronwyn","attributes":{{{attrs}}}}}"#),
            &Limits::default(),
        )
        .unwrap()
    };
    let check = |r: &Recipient| {
        Gate::new().check(
            &Email::new("HB-13", "Hi Bronwyn,\n\nWith the HB-13 you can charge your EV overnight from the sun.\n\nBright Solar"),
            r,
            &Context::from_json(json!({"now":"2043-10-14","brand":"Bright Solar",
                "offer":{"name":"HB-13 home battery","price_aud":11400}}))
            .unwrap(),
        )
    };
    let bad = check(&record(r#""existing_solar_kw":6.6"#));
    assert!(!bad.passed(), "{:?}", kinds(&bad));
    let ok = check(&record(
        r#""existing_solar_kw":6.6,"car":"Tesla Model 3 EV""#,
    ));
    assert!(ok.passed(), "{:?}", kinds(&ok));
}

#[test]
fn space_grouped_amounts() {
    let c = json!({"now":"2044-01-13","brand":"Forge & Frame",
        "offer":{"name":"Rack Month","discount_percent":15,"code":"RACK15","ends":"2044-01-31"},
        "prices_cad":{"PR-400 power rack":1199,"HR-200 half rack":699}});
    let r = sparse();
    let mail = |body: &str| {
        Gate::new().check(
            &Email::new("Racks", body),
            &r,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    // "1 019,15 $": one amount (1199 less 15%), its thousands grouped by a space.
    let ok = mail("Hi,\n\nWith code RACK15 until 31 January, the PR-400 power rack is 1 019,15 $ instead of 1 199,00 $, and the HR-200 half rack 594,15 $.\n\nForge & Frame");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad = mail("Hi,\n\nWith code RACK15 until 31 January, the PR-400 power rack is 1 029,15 $ instead of 1 199,00 $.\n\nForge & Frame");
    assert_report_has(
        &bad,
        "1 029,15 $",
        Kind::WrongOffer,
        Some("offer.amount"),
        Some("1 029,15"),
    );
}

#[test]
fn weekdays_that_are_not_deadlines() {
    let c = json!({"now":"2044-10-12","brand":"Zaytoun Bakery",
        "offer":{"name":"Manoushe Mornings","deal":"buy 5 manoushe, get the 6th free","ends":"2044-10-31","excludes":"catering trays"},
        "knafeh_fridays":"fresh knafeh nabulsieh every Friday from 4:00pm until sold out",
        "tacos":{"name":"Martes de Pastor","description":"2x1 on tacos al pastor","days":"Tuesdays only","valid_until":"2044-11-29"},
        "course":{"name":"Night Photography","starts":"2044-11-01","field_trip":"2044-11-19"}});
    let r = sparse();
    let mail = |body: &str| {
        Gate::new().check(
            &Email::new("News", body),
            &r,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    // A day with its hours ("this Friday from 4pm") in a sentence that says "until".
    let ok = mail("Hi,\n\nManoushe Mornings runs until 31 October. A fresh tray of knafeh comes out this Friday from 4pm, until it's gone.\n\nZaytoun Bakery");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    // "a Saturday morning field trip": a kind of day, not a deadline.
    let ok = mail("Hi,\n\nNight Photography starts on 1 November, with a Saturday morning field trip on 19 November. Book by 31 October for the 6th manoushe free.\n\nZaytoun Bakery");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    // An offer the campaign runs on every Tuesday is on next Tuesday, whatever its end date.
    let ok = mail(
        "Hi,\n\nMartes de Pastor is on next Tuesday: 2x1 on tacos al pastor.\n\nZaytoun Bakery",
    );
    assert!(ok.passed(), "{:?}", kinds(&ok));
    // A one-off event of the campaign is still held to its date.
    let bad = mail("Hi,\n\nNight Photography starts next Tuesday.\n\nZaytoun Bakery");
    assert!(
        bad.findings.iter().any(|f| f.rule == "time.event_day"),
        "{:?}",
        kinds(&bad)
    );
}

#[test]
fn a_weekday_and_date_months_ahead_next_year() {
    let c = json!({"now":"2045-10-11","brand":"Hollin Barn",
        "offer":{"name":"Midweek Weddings","discount_gbp":1500,"book_by":"2045-11-30","dates":"2046-01-05 to 2046-06-30, Monday to Thursday"}});
    let r = sparse();
    let mail = |body: &str| {
        Gate::new().check(
            &Email::new("Dates", body),
            &r,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    // 28 April is past this year (a Friday); next April's is the Saturday said.
    let ok = mail("Hello,\n\nThe offer covers Monday to Thursday only, so Saturday 28 April would not be included.\n\nHollin Barn");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    // A date ten days ago is this year's, whatever next year's weekday.
    let bad = mail("Hello,\n\nThe offer opened on Monday 1 October.\n\nHollin Barn");
    assert!(
        bad.findings.iter().any(|f| f.rule == "time.weekday_date"),
        "{:?}",
        kinds(&bad)
    );
    let bad = mail("Hello,\n\nThe offer covers Monday to Thursday only, so Sunday 28 April would not be included.\n\nHollin Barn");
    assert!(
        bad.findings.iter().any(|f| f.rule == "time.weekday_date"),
        "{:?}",
        kinds(&bad)
    );
}

#[test]
fn signature_blocks_number_words_and_pasted_json() {
    let c = json!({"now":"2044-10-12","brand":"Kincraig Links Golf Club",
        "offer":{"name":"Winter Membership","price_gbp":575,"join_by":"2044-10-21"}});
    let r = Recipient::from_json(
        r#"{"id":"g1","email":"g@example.com","first_name":"Morag",
        "events":[{"type":"round","at":"2044-10-08","format":"Stableford","points":36}],
        "consent":{"profiling":true}}"#,
        &Limits::default(),
    )
    .unwrap();
    let mail = |body: &str| {
        Gate::new().check(
            &Email::new("Winter", body),
            &r,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    // A number in words opening a sentence; the sender's office above the club's name.
    let ok = mail("Hi Morag,\n\nThirty-six Stableford points last Saturday - a fine card. Winter Membership is £575 if you join by 21 October.\n\nKind regards,\nMembership Office\nKincraig Links Golf Club");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    // Without a sign-off above it, a name in the last lines is still judged.
    let bad = mail("Hi Morag,\n\nWinter Membership is £575 if you join by 21 October.\n\nAsk for Hamish Dunbar\nKincraig Links Golf Club");
    assert!(!bad.passed(), "{:?}", kinds(&bad));
    // A pasted JSON object, longer than a slot, is a leak.
    let bad = mail("Hi Morag,\n\nWinter Membership is £575 if you join by 21 October.\n\nKind regards,\nKincraig Links Golf Club\n\n{\"segment\": \"prospect_winter_2044\", \"variant\": \"B\", \"merge_status\": \"ok\"}");
    assert!(
        bad.findings.iter().any(|f| f.kind == Kind::TemplateLeak),
        "{:?}",
        kinds(&bad)
    );
}

#[test]
fn countries_greetings_initialisms_and_verbs_of_names() {
    let c = json!({"now":"2044-01-13","brand":"Polar Air","shop":"Tiong Bahru, Singapore",
        "offer":{"name":"Fresh New Year","general_service_sgd":25,"usual_sgd":35,"code":"FRESHCNY"}});
    let r = Recipient::from_json(
        r#"{"id":"a1","email":"s@example.com","first_name":"Sophie",
        "events":[{"type":"whatsapp_enquiry","at":"2044-01-11","topic":"living room unit dripping"}],
        "consent":{"profiling":true}}"#,
        &Limits::default(),
    )
    .unwrap();
    let mail = |body: &str| {
        Gate::new().check(
            &Email::new("Servicing", body),
            &r,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let ok = mail("Efcharistó, Sophie!\n\nThanks for WhatsApping us on Monday about the living room unit dripping - welcome to Polar Air, a little corner of Greece in Tiong Bahru.\n\nGeneral servicing: $25 per fan coil (U.P. $35) with code FRESHCNY.\n\nPolar Air");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    // A country said of the person is still a claim about them.
    let bad = mail("Hi Sophie,\n\nWe hope your trip to Greece went well. General servicing is $25 per fan coil with code FRESHCNY.\n\nPolar Air");
    assert!(!bad.passed(), "{:?}", kinds(&bad));
    // A greeting before another name is still a wrong name.
    let bad = mail("Hi Sophie,\n\nGreat news, Helen: general servicing is $25 per fan coil with code FRESHCNY.\n\nPolar Air");
    assert!(!bad.passed(), "{:?}", kinds(&bad));
}

#[test]
fn dates_inside_values_percentages_and_weekly_series() {
    let c = json!({"now":"2044-07-13","brand":"Riverside Rowing",
        "learn_to_row":{"name":"Learn to Row course","starts":"2044-08-20","sessions":"4 Saturdays, 8:00-10:00am","price_nzd":120},
        "offer":{"name":"Spring Membership","discount_percent":15,"ends":"2044-07-24"}});
    let r = Recipient::from_json(
        r#"{"id":"r1","email":"r@example.com","first_name":"Tane",
        "events":[{"type":"quote_request","at":"2044-07-10","job":"archive clear-out","preferred_week":"w/c 2044-08-01"}],
        "consent":{"profiling":true}}"#,
        &Limits::default(),
    )
    .unwrap();
    let mail = |body: &str| {
        Gate::new().check(
            &Email::new("Rowing", body),
            &r,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let ok = mail("Hi Tane,\n\nThe week you asked about, commencing Monday 1 August, works for us. Until 24 July 15% off Spring Membership. The Learn to Row course runs over four Saturday mornings (20 and 27 August, 3 and 10 September), $120.\n\nRiverside Rowing");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    // A Saturday off the weekly series is still made up.
    let bad = mail("Hi Tane,\n\nThe Learn to Row course runs over four Saturday mornings (20 and 27 August, 3 and 11 September), $120.\n\nRiverside Rowing");
    assert!(!bad.passed(), "{:?}", kinds(&bad));
    // The week asked about is the record's.
    let bad = mail("Hi Tane,\n\nThe week you asked about, commencing Monday 8 August, works for us.\n\nRiverside Rowing");
    assert!(!bad.passed(), "{:?}", kinds(&bad));
}

#[test]
fn acronyms_the_friday_and_whole_words_of_chatter() {
    let c = json!({"now":"2046-01-10","brand":"Southern Cape Astronomy Club",
        "grounds":"Box Hill","camp":{"name":"Sportferien Week","weeks":["2046-02-05 to 2046-02-09"],"book_by":"2046-01-21"}});
    let r = sparse();
    let mail = |body: &str| {
        Gate::new().check(
            &Email::new("Club news", body),
            &r,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let ok = mail("Hi,\n\nSportferien Week runs 5-9 February, Monday to Friday, with a race on the Friday. Book by 21 January. One thing to note: it's at our Box Hill ground.\n\nClear skies,\nThe SCAC committee");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    // The model's note to its operator is still chatter.
    let bad = mail("Hi,\n\nSportferien Week runs 5-9 February. Book by 21 January.\n\nNote: I kept it short.\n\nSouthern Cape Astronomy Club");
    assert!(
        bad.findings
            .iter()
            .any(|f| f.rule == "leak.assistant_chatter"),
        "{:?}",
        kinds(&bad)
    );
}

#[test]
fn another_deals_universal_and_an_exclusion_denied() {
    let c = json!({"now":"2044-10-12","brand":"Meeple & Mortar",
        "offer":{"name":"Autumn Stack Sale","discount_percent":15,"code":"STAPEL15","ends":"2044-10-30",
                 "applies_to":"all board games and card games","excludes":"pre-orders, gift cards and the Cancel For Any Reason add-on",
                 "combinable":"not combinable with the 10% Spielclub discount"},
        "membership":{"name":"Spielclub","price_eur_per_year":39,"benefits":"10% off all purchases"}});
    let r = sparse();
    let mail = |body: &str| {
        Gate::new().check(
            &Email::new("Sale", body),
            &r,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let ok = mail("Hi,\n\nThe Autumn Stack Sale takes 15% off board games and card games with STAPEL15 until 30 October. Join the Spielclub (€39 a year, which gets you 10% off everything you buy).\n\nP.S. STAPEL15 can't be used on the Cancel For Any Reason add-on.\n\nMeeple & Mortar");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    // The sale's own percentage on everything is still wider than the sale.
    let bad = mail("Hi,\n\nThe Autumn Stack Sale takes 15% off everything with STAPEL15 until 30 October.\n\nMeeple & Mortar");
    assert!(
        bad.findings.iter().any(|f| f.rule == "offer.scope"),
        "{:?}",
        kinds(&bad)
    );
    let bad = mail("Hi,\n\nSTAPEL15 takes 15% off the Cancel For Any Reason add-on until 30 October.\n\nMeeple & Mortar");
    assert!(!bad.passed(), "{:?}", kinds(&bad));
}

#[test]
fn last_week_is_the_calendar_week_and_a_count_names_the_event() {
    // Wednesday 9 January 2047: last week ran Monday 30 December to Sunday 5 January.
    let c = json!({"now":"2047-01-09","brand":"Izakaya Kurenai"});
    let r = Recipient::from_json(
        r#"{"id":"k1","email":"l@example.com","first_name":"Lena",
        "events":[{"type":"visit","at":"2047-01-04","party_size":2},
                  {"type":"visit","at":"2046-12-13","party_size":8,"occasion":"team Christmas dinner"},
                  {"type":"measuring_visit","at":"2046-12-27","rooms":"lounge and landing"}],
        "consent":{"profiling":true}}"#,
        &Limits::default(),
    )
    .unwrap();
    let mail = |body: &str| {
        Gate::new().check(
            &Email::new("Thanks", body),
            &r,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let ok = mail("Hi Lena,\n\nThanks for coming in for dinner last week - the two of you picked the counter again.\n\nIzakaya Kurenai");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    // The eight of you were in four weeks ago, not last week.
    let bad = mail("Hi Lena,\n\nThanks for bringing the team for your Christmas dinner last week - eight of you!\n\nIzakaya Kurenai");
    assert!(
        bad.findings.iter().any(|f| f.kind == Kind::WrongTime),
        "{:?}",
        kinds(&bad)
    );
    // Thirteen days back is the week before last.
    let bad = mail("Hi Lena,\n\nThanks for having us round last week to measure the lounge and landing.\n\nIzakaya Kurenai");
    assert!(
        bad.findings.iter().any(|f| f.kind == Kind::WrongTime),
        "{:?}",
        kinds(&bad)
    );
}

#[test]
fn visits_in_person_and_short_forms_of_event_types() {
    let c = json!({"now":"2044-01-13","brand":"Orchard Hill"});
    let visitor = Recipient::from_json(
        r#"{"id":"v1","email":"v@example.com","first_name":"Mia",
        "events":[{"type":"pick_visit","at":"2043-12-29","fruit":"cherries","kg":6.2}],
        "consent":{"profiling":true}}"#,
        &Limits::default(),
    )
    .unwrap();
    let browser = Recipient::from_json(
        r#"{"id":"v2","email":"w@example.com","first_name":"Noor",
        "events":[{"type":"web_visit","at":"2044-01-10","page":"Night Pick"}],
        "consent":{"profiling":true}}"#,
        &Limits::default(),
    )
    .unwrap();
    let mail = |r: &Recipient, body: &str| {
        Gate::new().check(
            &Email::new("Thanks", body),
            r,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let ok = mail(
        &visitor,
        "Hi Mia,\n\nThanks for coming out to see us just after Christmas.\n\nOrchard Hill",
    );
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let demo = Recipient::from_json(
        r#"{"id":"v3","email":"d@example.com","first_name":"Ari",
        "events":[{"type":"home_demo_booked","at":"2044-01-10","model":"Strider 4"},
                  {"type":"purchase","at":"2043-11-02","item":"basket"}],
        "consent":{"profiling":true}}"#,
        &Limits::default(),
    )
    .unwrap();
    let ok = mail(
        &demo,
        "Hi Ari,\n\nThank you for booking a home demonstration of the Strider 4.\n\nOrchard Hill",
    );
    assert!(ok.passed(), "{:?}", kinds(&ok));
    // A page visit is no visit in person.
    let bad = mail(
        &browser,
        "Hi Noor,\n\nThanks for coming out to see us on Saturday.\n\nOrchard Hill",
    );
    assert!(
        bad.findings.iter().any(|f| f.kind == Kind::ImpliedContext),
        "{:?}",
        kinds(&bad)
    );
}

#[test]
fn midnight_before_a_day_hallowe_en_and_a_closing_greeting() {
    let c = json!({"now":"2048-10-07","brand":"Pippin Cider Festival",
        "offer":{"name":"Early tickets","price_gbp":18,"usual_gbp":24,"code":"PIPPIN6","ends":"2048-10-11"}});
    let r = sparse();
    let mail = |body: &str| {
        Gate::new().check(
            &Email::new("Tickets", body),
            &r,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let ok = mail("Hi,\n\nTickets are £18 instead of £24 with code PIPPIN6 until midnight this Sunday, 11 October. The festival runs up to Hallowe'en.\n\nAyubowan, and see you soon,\nPippin Cider Festival");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    // Midnight tonight is still a deadline the campaign does not have.
    let bad = mail("Hi,\n\nTickets are £18 instead of £24 with code PIPPIN6 until midnight tonight.\n\nPippin Cider Festival");
    assert!(
        bad.findings.iter().any(|f| f.rule == "offer.deadline"),
        "{:?}",
        kinds(&bad)
    );
}

/// "your usual venue" for `preferred_venue`, "your usual four" for `usual_party_size: 4`: a
/// habit the record keeps under a key that says so; a different number or no such key is
/// still a claimed habit the record lacks.
#[test]
fn usual_named_by_a_habit_key() {
    let c = json!({"now":"2048-07-08","brand":"Kotthu & Kin",
        "offer":{"name":"Winter Lamprais Nights","price_aud":58}});
    let check = |attrs: &str, body: &str| {
        let r = Recipient::from_json(
            &format!(
                r#"{{"id":"1","email":"h@example.com","first_name":"Hannah",
                "attributes":{attrs},
                "events":[{{"type":"review","at":"2048-07-04","platform":"Google","rating":5}}]}}"#
            ),
            &Limits::default(),
        )
        .unwrap();
        Gate::new().check(
            &Email::new("Lamprais", body),
            &r,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let habit = r#"{"usual_party_size":4,"preferred_venue":"Coburg dining room"}"#;
    for body in [
        "Hi Hannah,\n\nA table for your usual four comes to $232 before drinks.\n\nKotthu & Kin",
        "Hi Hannah,\n\nWe'll seat you in your usual venue, the Coburg dining room.\n\nKotthu & Kin",
    ] {
        let r = check(habit, body);
        assert!(r.passed(), "{body}\n{:?}", kinds(&r));
        let r = check(r#"{"suburb":"Coburg"}"#, body);
        assert!(
            r.findings.iter().any(|f| f.kind == Kind::ImpliedContext),
            "{body}\n{:?}",
            kinds(&r)
        );
    }
    let r = check(
        habit,
        "Hi Hannah,\n\nA table for your usual six comes to $348 before drinks.\n\nKotthu & Kin",
    );
    assert!(!r.passed(), "{:?}", kinds(&r));
}

/// Ringgit written after its letters ("RM68", "RM 61.20") are amounts, not offer codes; a
/// wrong one is a wrong amount. An email in Malay or Swedish is foreign copy: its month and
/// day names are not made-up names.
#[test]
fn ringgit_amounts_and_malay_or_swedish_copy() {
    let c = json!({"now":"2049-10-13","brand":"Lorong Tujuh Hawker Kitchen",
        "offer":{"name":"Makan Besar Set","price_myr":68,"member_discount_percent":10,
                 "code":"MAKAN10","available":"2049-10-18 to 2049-10-31"}});
    let siti = Recipient::from_json(
        r#"{"id":"1","email":"s@example.com","first_name":"Siti"}"#,
        &Limits::default(),
    )
    .unwrap();
    let mail = |body: &str| {
        Gate::new().check(
            &Email::new("Makan Besar", body),
            &siti,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    for body in [
        "Hi Siti,\n\nThe Makan Besar Set is RM68, or RM61.20 with code MAKAN10, from 18 to 31 October.\n\nLorong Tujuh Hawker Kitchen",
        "Hi Siti,\n\nThe Makan Besar Set is RM 68, or RM 61.20 with code MAKAN10, from 18 to 31 October.\n\nLorong Tujuh Hawker Kitchen",
        "Salam Siti,\n\nDari 18 hingga 31 Oktober, Set Makan Besar untuk dua orang pada harga RM68. Ahli dapat potongan 10% dengan kod MAKAN10 dan jumpa kami pada hari Jumaat.\n\nLorong Tujuh Hawker Kitchen",
        "Hej Siti,\n\nFrån 18 till 31 oktober har vi Makan Besar Set för RM68. Vi ses på fredag och du kan använda koden MAKAN10 för att få 10% rabatt.\n\nLorong Tujuh Hawker Kitchen",
    ] {
        let r = mail(body);
        assert!(r.passed(), "{body}\n{:?}", kinds(&r));
    }
    let bad =
        mail("Hi Siti,\n\nThe Makan Besar Set is RM83 for two.\n\nLorong Tujuh Hawker Kitchen");
    assert!(
        bad.findings.iter().any(|f| f.rule == "offer.amount"),
        "{:?}",
        kinds(&bad)
    );
}

/// Worked amounts a dealer's email shows: a price over 48 months "about" a month (rounded),
/// a list priced line by line and added up on a "Your price" line or, after a blank line,
/// "That's", a model's number before its price ("Breeze 2 $8,995"), and one listing's price
/// cut among many amounts. Wrong ones are still wrong.
#[test]
fn worked_amounts_monthly_listed_and_reduced() {
    let c = json!({"now":"2050-10-12","brand":"Fairway Electric Carts",
        "models_usd":{"Breeze 2":8995,"Breeze 4L":13495,"Voyager 6":16950},
        "parts_usd":{"deck":85,"trucks":78,"wheels":62,"bearings":28,"grip":12},
        "offer":{"name":"Fall Trade-Up Event","trade_in_bonus_usd":1500,
                 "financing":"0% APR for 48 months on approved credit","ends":"2050-10-31"},
        "listings":[{"name":"Petrel","price_usd":329000,"previous_price_usd":355000},
                    {"name":"Fennec","price_usd":139000},{"name":"Alba","price_usd":498000},
                    {"name":"Sola","price_usd":1150000},{"name":"Mistral","price_usd":389000}],
        "survey_credit_usd":4500,"threshold_usd":250000,"deposit_usd":5000});
    let r = Recipient::from_json(
        r#"{"id":"1","email":"d@example.com","first_name":"Darlene","consent":{"profiling":true},
        "events":[{"type":"appraisal","at":"2050-10-06","appraised_value_usd":3200}]}"#,
        &Limits::default(),
    )
    .unwrap();
    let mail = |body: &str| {
        Gate::new().check(
            &Email::new("Fall Trade-Up", body),
            &r,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    for body in [
        "Hi Darlene,\n\nThe Voyager 6 is $16,950, and with 0% APR for 48 months that's about $353 a month.\n\nFairway Electric Carts",
        "Hi Darlene,\n\nNew-cart prices: Breeze 2 $8,995 / Breeze 4L $13,495 / Voyager 6 $16,950.\n\nFairway Electric Carts",
        "Hi Darlene,\n\nHere is how it looks:\n\n  Breeze 4L    $13,495\n  Trade-in     -$3,200\n  Bonus        -$1,500\n  Your price    $8,795\n\nFairway Electric Carts",
        "Hi Darlene,\n\nA build:\n- deck $85\n- trucks $78\n- wheels $62\n- bearings $28\n- grip $12\n\nThat's $265 for the lot.\n\nFairway Electric Carts",
        "Hi Darlene,\n\nPetrel is now $329,000, reduced by $26,000 on Monday.\n\nFairway Electric Carts",
    ] {
        let rep = mail(body);
        assert!(rep.passed(), "{body}\n{:?}", kinds(&rep));
    }
    for body in [
        "Hi Darlene,\n\nThe Voyager 6 is $16,950, and with 0% APR for 48 months that's about $383 a month.\n\nFairway Electric Carts",
        "Hi Darlene,\n\nThe Voyager 6 is $16,950, and with 0% APR for 48 months that's $353 a month.\n\nFairway Electric Carts",
        "Hi Darlene,\n\nHere is how it looks:\n\n  Breeze 4L    $13,495\n  Trade-in     -$3,200\n  Bonus        -$1,500\n  Your price    $8,495\n\nFairway Electric Carts",
        "Hi Darlene,\n\nA build:\n- deck $85\n- trucks $78\n- wheels $62\n- bearings $28\n- grip $12\n\nThat's $245 for the lot.\n\nFairway Electric Carts",
        "Hi Darlene,\n\nPetrel is now $329,000, reduced by $36,000 on Monday.\n\nFairway Electric Carts",
    ] {
        let rep = mail(body);
        assert!(
            rep.findings.iter().any(|f| f.rule == "offer.amount"),
            "{body}\n{:?}",
            kinds(&rep)
        );
    }
}

/// "protective gear are out too" denies the excluded item; "your usual 1.25x speed" is the
/// person's `playback_speed`.
#[test]
fn left_out_exclusions_and_usual_numbers() {
    let c = json!({"now":"2049-04-14","brand":"Eastside Griptape",
        "offer":{"name":"Spring Setup Deal","discount_percent":20,"code":"SETUP20",
                 "excludes":"pre-built completes, shoes, apparel and protective gear"}});
    let jun = Recipient::from_json(
        r#"{"id":"1","email":"j@example.com","first_name":"Jun",
        "attributes":{"playback_speed":1.25},
        "events":[{"type":"park_session","at":"2049-04-11"}]}"#,
        &Limits::default(),
    )
    .unwrap();
    let mail = |body: &str| {
        Gate::new().check(
            &Email::new("Spring Setup", body),
            &jun,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let ok = mail("Hey Jun,\n\nThe Spring Setup Deal takes 20% off with code SETUP20. Pre-built completes, shoes, apparel and protective gear are out too.\n\nEastside Griptape");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad = mail("Hey Jun,\n\nThe Spring Setup Deal takes 20% off with code SETUP20, and protective gear is in too.\n\nEastside Griptape");
    assert!(
        bad.findings.iter().any(|f| f.rule == "offer.scope"),
        "{:?}",
        kinds(&bad)
    );
    let ok = mail("Hey Jun,\n\nAt your usual 1.25x speed the new one is just under twelve hours.\n\nEastside Griptape");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad = mail("Hey Jun,\n\nAt your usual 1.5x speed the new one is just under twelve hours.\n\nEastside Griptape");
    assert!(!bad.passed(), "{:?}", kinds(&bad));
}

/// Things the email asks the person to make ("a deposit secures your slot", "Book your
/// pump-out", "a sample with your pre-order" in a sentence of what they'll get), a card
/// named for the programme the record keeps stamps of, a party of three "with two guests",
/// and "aged 11 or over is £560" (an allowance, not a spend threshold). A possession the
/// record lacks, or a wrong party, is still caught.
#[test]
fn things_to_make_named_cards_and_companions() {
    let c = json!({"now":"2051-04-12","brand":"Kintsugi Tea House",
        "offer":{"name":"Shincha Pre-order","price_gbp":18,"discount_percent":15,"code":"SHINCHA15",
                 "gift":"a free 10g gyokuro sample with every pre-order","deposit":"25% secures a slot",
                 "minimum_order_gbp":40},
        "allowances_gbp_per_week":{"age_0_10":480,"age_11_plus":560}});
    let isla = Recipient::from_json(
        r#"{"id":"1","email":"i@example.com","first_name":"Isla","consent":{"profiling":true},
        "attributes":{"zellige_stamps":1},
        "events":[{"type":"visit","at":"2051-04-08","party_size":3}]}"#,
        &Limits::default(),
    )
    .unwrap();
    let mail = |body: &str| {
        Gate::new().check(
            &Email::new("Shincha", body),
            &isla,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    for body in [
        "Hi Isla,\n\nA 25% deposit secures your slot, with the balance on the day.\n\nKintsugi Tea House",
        "Hi Isla,\n\nBook your pre-order with code SHINCHA15 today.\n\nKintsugi Tea House",
        "Hi Isla,\n\nYou'll also receive a free 10g gyokuro sample with your pre-order.\n\nKintsugi Tea House",
        "Hi Isla,\n\nThat visit put the first stamp on your Zellige Card.\n\nKintsugi Tea House",
        "Hi Isla,\n\nThank you for coming in with two guests last Saturday.\n\nKintsugi Tea House",
        "Hi Isla,\n\nThe weekly allowance for a young person aged 11 or over is £560.\n\nKintsugi Tea House",
    ] {
        let r = mail(body);
        assert!(r.passed(), "{body}\n{:?}", kinds(&r));
    }
    for body in [
        "Hi Isla,\n\nYour pre-order is on its way to you.\n\nKintsugi Tea House",
        "Hi Isla,\n\nThat visit put the first stamp on your Sakura Card.\n\nKintsugi Tea House",
        "Hi Isla,\n\nThank you for coming in with three guests last Saturday.\n\nKintsugi Tea House",
    ] {
        let r = mail(body);
        assert!(!r.passed(), "{body}\n{:?}", kinds(&r));
    }
}

/// Amounts worked in another language's words ("bei vier Personen sind das 463,25 €";
/// "mit Hund und zwei Rädern kommen 230 € hinzu") or said to be rounded ("just over €463
/// each").
#[test]
fn amounts_worked_in_foreign_number_words() {
    let c = json!({"now":"2051-07-12","brand":"Les Écluses Bleues",
        "offer":{"name":"September Slow Week","discount_percent":15,"code":"ECLUSE15"},
        "boats_week_eur":{"Héron":2180},"extras_eur":{"bike hire per bike per week":85,"pet fee per stay":60}});
    let r = Recipient::from_json(
        r#"{"id":"1","email":"j@example.com","first_name":"Jonas"}"#,
        &Limits::default(),
    )
    .unwrap();
    let mail = |body: &str| {
        Gate::new().check(
            &Email::new("September", body),
            &r,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    for body in [
        "Hallo Jonas,\n\nMit dem Code ECLUSE15 zahlen Sie statt 2.180 € nur 1.853 € - bei vier Personen sind das 463,25 € pro Person.\n\nLes Écluses Bleues",
        "Hallo Jonas,\n\nDie Haustiergebühr (60 €) und die Fahrradmiete (85 € pro Rad) sind nicht rabattiert. Mit Hund und zwei Rädern kommen also 230 € hinzu.\n\nLes Écluses Bleues",
        "Hi Jonas,\n\nWith ECLUSE15 a Héron for four works out at €1,853 instead of €2,180 - just over €463 each.\n\nLes Écluses Bleues",
    ] {
        let rep = mail(body);
        assert!(rep.passed(), "{body}\n{:?}", kinds(&rep));
    }
    for body in [
        "Hallo Jonas,\n\nMit dem Code ECLUSE15 zahlen Sie statt 2.180 € nur 1.853 € - bei vier Personen sind das 493,25 € pro Person.\n\nLes Écluses Bleues",
        "Hi Jonas,\n\nWith ECLUSE15 a Héron for four works out at €1,853 instead of €2,180 - just over €493 each.\n\nLes Écluses Bleues",
    ] {
        let rep = mail(body);
        assert!(
            rep.findings.iter().any(|f| f.rule == "offer.amount"),
            "{body}\n{:?}",
            kinds(&rep)
        );
    }
}

/// An excluded item named with a bracketed aside ("club swimwear kit (AUD 65, sold
/// separately)") and offered in a list the sentence says the price includes or covers is
/// caught; "before the 18% driver gratuity and 13% HST", "charged as normal" and a next
/// sentence that sells it as an add-on keep it out.
#[test]
fn excluded_items_with_asides_and_listed_inclusions() {
    let c = json!({"now":"2050-01-12","brand":"Harbourside Marlins",
        "offer":{"name":"Early Registration","early_discount_aud":40,"code":"MARLINS40",
                 "includes":"club cap, state association insurance and two training sessions a week",
                 "excludes":"club swimwear kit (AUD 65, sold separately), walkways and steps (add-on), the 18% driver gratuity and 13% HST"}});
    let r = Recipient::from_json(
        r#"{"id":"1","email":"i@example.com","first_name":"Isabella"}"#,
        &Limits::default(),
    )
    .unwrap();
    let mail = |body: &str| {
        Gate::new().check(
            &Email::new("Early Registration", body),
            &r,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    for body in [
        "Hi Isabella,\n\nEvery registration includes a club cap, state association insurance and the new club swimwear kit.\n\nHarbourside Marlins",
        "Hi Isabella,\n\nWith MARLINS40 the fee covers a club cap, insurance, the club swimwear kit and two sessions a week.\n\nHarbourside Marlins",
    ] {
        let rep = mail(body);
        assert!(
            rep.findings.iter().any(|f| f.rule == "offer.scope"),
            "{body}\n{:?}",
            kinds(&rep)
        );
    }
    for body in [
        "Hi Isabella,\n\nEvery registration includes a club cap, state association insurance and two training sessions a week. The club swimwear kit is sold separately.\n\nHarbourside Marlins",
        "Hi Isabella,\n\nWith MARLINS40 your fee drops by $40, before the 18% driver gratuity and 13% HST.\n\nHarbourside Marlins",
        "Hi Isabella,\n\nWant the walkways and steps done too? That's a $120 add-on.\n\nHarbourside Marlins",
        "Hi Isabella,\n\nMARLINS40 applies to the fee only, so the club swimwear kit is charged as normal.\n\nHarbourside Marlins",
    ] {
        let rep = mail(body);
        assert!(
            !rep.findings.iter().any(|f| f.rule == "offer.scope"),
            "{body}\n{:?}",
            kinds(&rep)
        );
    }
}

/// Loyalty counts named with the programme ("eight Zellige stamps", "160 Still Club
/// points") or said to be on the card now are held to the person's own field, even when the
/// campaign's terms hold the same number for something else ("a free 8-piece plate"); what an
/// action would earn is not a count the person has.
#[test]
fn loyalty_counts_named_for_the_programme() {
    let c = json!({"now":"2049-01-13","brand":"Zellige Kitchen",
        "stamp_card":"one stamp per visit; 10 stamps = a free 8-piece plate of your choice"});
    let r = Recipient::from_json(
        r#"{"id":"1","email":"r@example.com","first_name":"Rhiannon","consent":{"profiling":true},
        "attributes":{"zellige_stamps":7,"points":140}}"#,
        &Limits::default(),
    )
    .unwrap();
    let mail = |body: &str| {
        Gate::new().check(
            &Email::new("Stamps", body),
            &r,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    for body in [
        "Hi Rhiannon,\n\nYou're now on seven Zellige stamps, so three more visits and your next plate is free.\n\nZellige Kitchen",
        "Hi Rhiannon,\n\nSeven stamps on your card now - three more visits to go.\n\nZellige Kitchen",
        "Hi Rhiannon,\n\nYou're sitting on 140 Still Club points.\n\nZellige Kitchen",
        "Hi Rhiannon,\n\nDinner for two earns you six Zellige stamps.\n\nZellige Kitchen",
    ] {
        let rep = mail(body);
        assert!(rep.passed(), "{body}\n{:?}", kinds(&rep));
    }
    for body in [
        "Hi Rhiannon,\n\nYou're now on eight Zellige stamps, so two more visits and your next plate is free.\n\nZellige Kitchen",
        "Hi Rhiannon,\n\nEight stamps on your card now - two more visits to go.\n\nZellige Kitchen",
        "Hi Rhiannon,\n\nYou're sitting on 160 Still Club points.\n\nZellige Kitchen",
    ] {
        let rep = mail(body);
        assert!(
            rep.findings.iter().any(|f| f.rule == "grounding.count"),
            "{body}\n{:?}",
            kinds(&rep)
        );
    }
}

/// "one stamp away from a free chicken" is the person's stamp count against the campaign's
/// threshold: right or wrong for someone who consented, a use of their record for someone
/// who did not.
#[test]
fn stamps_to_go_against_the_threshold() {
    let c = json!({"now":"2051-10-11","brand":"Gochu Chicken",
        "stamp_card":"one stamp per order of $30 or more; 10 stamps = a free whole chicken"});
    let person = |consent: bool| {
        Recipient::from_json(
            &format!(
                r#"{{"id":"1","email":"j@example.com","first_name":"Jae-won",
                "consent":{{"profiling":{consent}}},"attributes":{{"loyalty_stamps":9}}}}"#
            ),
            &Limits::default(),
        )
        .unwrap()
    };
    let mail = |r: &Recipient, body: &str| {
        Gate::new().check(
            &Email::new("Stamps", body),
            r,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let ok = mail(
        &person(true),
        "Hi Jae-won,\n\nYou're one stamp away from a free whole chicken.\n\nGochu Chicken",
    );
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad = mail(
        &person(true),
        "Hi Jae-won,\n\nYou're three stamps away from a free whole chicken.\n\nGochu Chicken",
    );
    assert!(
        bad.findings.iter().any(|f| f.rule == "grounding.count"),
        "{:?}",
        kinds(&bad)
    );
    let bad = mail(
        &person(false),
        "Hi Jae-won,\n\nYou're one stamp away from a free whole chicken.\n\nGochu Chicken",
    );
    assert!(
        bad.findings
            .iter()
            .any(|f| f.kind == Kind::ConsentViolation),
        "{:?}",
        kinds(&bad)
    );
}

/// A campaign weekend written "2054-02-07/08" gives both days; "a dozen of our Welsh cakes"
/// for a "dozen traditional Welsh cakes" bought once, and "6 bara brith spiced" in a box
/// the campaign fills with them, are no quantities of the person's; "Annwyl Siân" is a
/// Welsh greeting.
#[test]
fn weekend_dates_item_names_and_welsh_greetings() {
    let c = json!({"now":"2054-01-14","brand":"Tŷ Gradell Bakehouse",
        "offer":{"name":"Autumn Griddle Box","contents":"24 Welsh cakes: 12 traditional currant, 6 bara brith spiced, 6 chocolate orange",
                 "price_gbp":18,"weekends":["2054-02-07/08","2054-02-21/22"]}});
    let r = Recipient::from_json(
        r#"{"id":"1","email":"s@example.com","first_name":"Siân","consent":{"profiling":true},
        "events":[{"type":"online_order","at":"2053-06-02","item":"dozen traditional Welsh cakes","qty":1},
                  {"type":"shop_purchase","at":"2053-09-19","item":"bara brith loaf","qty":1}]}"#,
        &Limits::default(),
    )
    .unwrap();
    let mail = |body: &str| {
        Gate::new().check(
            &Email::new("Griddle Box", body),
            &r,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    for body in [
        "Hi Siân,\n\nPick one of two weekends: 7-8 February or 21-22 February.\n\nTŷ Gradell Bakehouse",
        "Hi Siân,\n\nYou first ordered from us back in June - a dozen of our traditional Welsh cakes.\n\nTŷ Gradell Bakehouse",
        "Annwyl Siân,\n\nThe Autumn Griddle Box holds 24 Welsh cakes: 12 traditional currant, 6 bara brith spiced and 6 chocolate orange we've been baking.\n\nTŷ Gradell Bakehouse",
    ] {
        let rep = mail(body);
        assert!(rep.passed(), "{body}\n{:?}", kinds(&rep));
    }
    for body in [
        "Hi Siân,\n\nPick one of two weekends: 7-8 February or 14-15 February.\n\nTŷ Gradell Bakehouse",
        "Hi Siân,\n\nYou bought three bara brith loaves from us in September.\n\nTŷ Gradell Bakehouse",
    ] {
        let rep = mail(body);
        assert!(!rep.passed(), "{body}\n{:?}", kinds(&rep));
    }
}

/// "32,40 € el primer año ... 2,70 € al mes": a yearly price over twelve, said per month in
/// Spanish (or German, French, Dutch, Italian); a wrong monthly figure is still wrong.
#[test]
fn monthly_prices_in_other_languages() {
    let c = json!({"now":"2054-04-08","brand":"Tandemly",
        "offer":{"name":"Frühlings-Plus","annual_eur":54,"discount_percent":40,"code":"FRUEHLING40"}});
    let r = Recipient::from_json(
        r#"{"id":"1","email":"s@example.com","first_name":"Sofía"}"#,
        &Limits::default(),
    )
    .unwrap();
    let mail = |body: &str| {
        Gate::new().check(
            &Email::new("Plus", body),
            &r,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let ok = mail("Hola Sofía,\n\nCon el código FRUEHLING40 pagas 32,40 € el primer año en lugar de 54 €, es decir, 2,70 € al mes.\n\nTandemly");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad = mail("Hola Sofía,\n\nCon el código FRUEHLING40 pagas 32,40 € el primer año en lugar de 54 €, es decir, 2,20 € al mes.\n\nTandemly");
    assert!(
        bad.findings.iter().any(|f| f.rule == "offer.amount"),
        "{:?}",
        kinds(&bad)
    );
}

/// "just like last time", "since your last session", "back on court for another season"
/// need something the person did with us (a visit, a session, an order), not an enquiry or a
/// newsletter sign-up; "on our call last week" and "good to talk to you on the phone" need a
/// call or a meeting in the record.
#[test]
fn last_time_and_calls_need_the_real_thing() {
    let c = json!({"now":"2051-07-12","brand":"Fretwork Luthiers",
        "offer":{"name":"Summer Setup Fortnight","price_gbp":55,"code":"SETUP55"}});
    let person = |events: &str| {
        Recipient::from_json(
            &format!(
                r#"{{"id":"1","email":"m@example.com","first_name":"Mei","consent":{{"profiling":true}},
                "events":{events}}}"#
            ),
            &Limits::default(),
        )
        .unwrap()
    };
    let enquiry = person(
        r#"[{"type":"web_enquiry","at":"2051-07-05","topic":"setup cost"},{"type":"newsletter_signup","at":"2051-06-01"}]"#,
    );
    let customer = person(
        r#"[{"type":"repair","at":"2050-03-02","job":"setup"},{"type":"phone_call","at":"2051-07-06","with":"Ana"}]"#,
    );
    let mail = |r: &Recipient, body: &str| {
        Gate::new().check(
            &Email::new("Setups", body),
            r,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    for body in [
        "Hi Mei,\n\nA setup is £55 with SETUP55, and just like last time you'll have it back within three working days.\n\nFretwork Luthiers",
        "Hi Mei,\n\nIt's been a few weeks since your last session with us.\n\nFretwork Luthiers",
        "Hi Mei,\n\nAs we discussed on our call last week, a setup is £55 with SETUP55.\n\nFretwork Luthiers",
        "Hi Mei,\n\nIt was good to talk to you on the phone last week.\n\nFretwork Luthiers",
        "Hi Mei,\n\nIt'll be great to have you back on court for another season.\n\nFretwork Luthiers",
    ] {
        let rep = mail(&enquiry, body);
        assert!(
            rep.findings.iter().any(|f| f.kind == Kind::ImpliedContext),
            "{body}\n{:?}",
            kinds(&rep)
        );
    }
    for body in [
        "Hi Mei,\n\nA setup is £55 with SETUP55, and just like last time you'll have it back within three working days.\n\nFretwork Luthiers",
        "Hi Mei,\n\nIt was good to talk to you on the phone last week.\n\nFretwork Luthiers",
    ] {
        let rep = mail(&customer, body);
        assert!(rep.passed(), "{body}\n{:?}", kinds(&rep));
    }
}

/// "As a teacher, you'll know..." and "your years of youth work" claim an occupation the
/// record must hold.
#[test]
fn occupations_the_record_must_hold() {
    let c = json!({"now":"2051-01-11","brand":"Harbour FM",
        "appeal":{"name":"Transmitter Appeal","raised_nzd":26600,"target_nzd":38000}});
    let person = |attrs: &str| {
        Recipient::from_json(
            &format!(
                r#"{{"id":"1","email":"a@example.com","first_name":"Aroha","consent":{{"profiling":true}},
                "attributes":{attrs}}}"#
            ),
            &Limits::default(),
        )
        .unwrap()
    };
    let mail = |r: &Recipient, body: &str| {
        Gate::new().check(
            &Email::new("Appeal", body),
            r,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    for body in [
        "Hi Aroha,\n\nAs a teacher, you'll know how far a little extra funding goes.\n\nHarbour FM",
        "Hi Aroha,\n\nWith your years of youth work behind you, you'll know how much a local station matters.\n\nHarbour FM",
    ] {
        let bad = mail(&person(r#"{"suburb":"Brooklyn"}"#), body);
        assert!(
            bad.findings.iter().any(|f| f.rule == "implied.occupation"),
            "{body}\n{:?}",
            kinds(&bad)
        );
    }
    let ok = mail(
        &person(r#"{"occupation":"teacher"}"#),
        "Hi Aroha,\n\nAs a teacher, you'll know how far a little extra funding goes.\n\nHarbour FM",
    );
    assert!(ok.passed(), "{:?}", kinds(&ok));
}

/// Cedi written with its code ("GHS 510") are money; "Hæ Daníel" is an Icelandic hello;
/// "80 points from $20 off" and "4 points away from a free cup" are judged against the
/// campaign's threshold and the person's points, not as the points they hold.
#[test]
fn cedi_icelandic_hellos_and_points_from_a_reward() {
    let c = json!({"now":"2056-10-11","brand":"Ember Hotpot",
        "club":"1 point per $1 spent; 200 points = $20 off a bill",
        "offer":{"name":"Chongqing Set","price_ghs":600,"discount_percent":15,"code":"WAAKYE15"}});
    let r = Recipient::from_json(
        r#"{"id":"1","email":"c@example.com","first_name":"Daníel","consent":{"profiling":true},
        "attributes":{"ember_club_points":120}}"#,
        &Limits::default(),
    )
    .unwrap();
    let mail = |body: &str| {
        Gate::new().check(
            &Email::new("Ember Club", body),
            &r,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    for body in [
        "Hi Daníel,\n\nThe Chongqing Set is GHS 600, or GHS 510 with code WAAKYE15.\n\nEmber Hotpot",
        "Hæ Daníel,\n\nThe Chongqing Set is GHS 600.\n\nEmber Hotpot",
        "Hi Daníel,\n\nYour 120 points are still there: you're 80 points from $20 off.\n\nEmber Hotpot",
    ] {
        let rep = mail(body);
        assert!(rep.passed(), "{body}\n{:?}", kinds(&rep));
    }
    for body in [
        "Hi Daníel,\n\nThe Chongqing Set is GHS 640, or GHS 510 with code WAAKYE15.\n\nEmber Hotpot",
        "Hi Daníel,\n\nYou're now just 40 points away from $20 off.\n\nEmber Hotpot",
    ] {
        let rep = mail(body);
        assert!(!rep.passed(), "{body}\n{:?}", kinds(&rep));
    }
}

/// "1 450 Ft" is an amount in forint, not a name; an email in Hungarian is foreign copy.
#[test]
fn forint_and_hungarian_copy() {
    let c = json!({"now":"2057-01-17","brand":"Lángos Sarok",
        "offer":{"name":"Téli Lángos","price_huf":1450,"code":"TEL10"}});
    let r = Recipient::from_json(
        r#"{"id":"1","email":"a@example.com","first_name":"Anna"}"#,
        &Limits::default(),
    )
    .unwrap();
    let mail = |body: &str| {
        Gate::new().check(
            &Email::new("Lángos", body),
            &r,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    for body in [
        "Hi Anna,\n\nA Téli Lángos is 1 450 Ft with code TEL10.\n\nLángos Sarok",
        "Kedves Anna,\n\nEgy klasszikus Téli Lángos csak 1 450 Ft a TEL10 kóddal, és nem kell sorban állnod. Február 2-ig minden nap várunk.\n\nLángos Sarok",
    ] {
        let rep = mail(body);
        assert!(rep.passed(), "{body}\n{:?}", kinds(&rep));
    }
}

/// "your 2058 wedding" for `wedding_year: 2058`: a wedding the record holds under a key of
/// its own; to someone with no such fact it is still a claimed life event.
#[test]
fn a_wedding_under_any_key() {
    let c = json!({"now":"2057-07-11","brand":"Gilded Garland","offer":{"name":"Early Couple","discount_percent":10}});
    let person = |attrs: &str| {
        Recipient::from_json(
            &format!(
                r#"{{"id":"1","email":"l@example.com","first_name":"Lachlan","consent":{{"profiling":true}},
                "attributes":{attrs}}}"#
            ),
            &Limits::default(),
        )
        .unwrap()
    };
    let body = "Hi Lachlan,\n\nAs your wedding is in 2058, the Early Couple offer takes 10% off.\n\nGilded Garland";
    let mail = |r: &Recipient| {
        Gate::new().check(
            &Email::new("Flowers", body),
            r,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let ok = mail(&person(r#"{"wedding_year":2058}"#));
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad = mail(&person(r#"{"suburb":"Fitzroy"}"#));
    assert!(!bad.passed(), "{:?}", kinds(&bad));
}

/// Every ISO currency's code is money ("THB 1,560", "OMR 12.000"), three-decimal currencies
/// are read to three decimals, Swiss amounts group thousands with an apostrophe, a weekday
/// range is no name, "R110's worth" is rand, and greetings in Portuguese and Swahili and a
/// sign-off in Spanish are no names.
#[test]
fn currency_codes_three_decimals_swiss_thousands_and_hellos() {
    let c = json!({"now":"2058-02-20","brand":"Bustan Dates","hours":"Tue-Fri 9am-5pm",
        "offer":{"name":"Falaj Box","regular_price_omr":12.000,"discount_percent":15,"code":"NAKHLA15",
            "tour_thb":1560,"pass_chf":1180,"bunny_zar":55}});
    let r = Recipient::from_json(
        r#"{"id":"1","email":"a@example.com","first_name":"Beatriz","consent":{"profiling":true},
            "attributes":{"breed":"Labrador Retriever"}}"#,
        &Limits::default(),
    )
    .unwrap();
    let mail = |body: &str| {
        Gate::new().check(
            &Email::new("Dates", body),
            &r,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    for body in [
        "Hi Beatriz,\n\nWith code NAKHLA15 the Falaj Box is OMR 10.200 instead of OMR 12.000.\n\nBustan Dates",
        "Hi Beatriz,\n\nThe night tour is THB 1,560 a seat.\n\nBustan Dates",
        "Hi Beatriz,\n\nThe pass is CHF 1'180 for the season.\n\nBustan Dates",
        "Oi Beatriz,\n\nThe Falaj Box is OMR 12.000. We're open Tue-Fri 9-5.\n\nBustan Dates",
        "Sasa Beatriz,\n\nThe Falaj Box is OMR 12.000.\n\nBuen Camino,\nUxía\nBustan Dates",
        "Hi Beatriz,\n\nTwo free bunnies (R110's worth) with the Falaj Box. We love a Lab.\n\nBustan Dates",
    ] {
        let rep = mail(body);
        assert!(rep.passed(), "{body}\n{:?}", kinds(&rep));
    }
    for body in [
        "Hi Beatriz,\n\nWith code NAKHLA15 the Falaj Box is OMR 10.800 instead of OMR 12.000.\n\nBustan Dates",
        "Hi Beatriz,\n\nThe night tour is THB 1,650 a seat.\n\nBustan Dates",
        "Hi Beatriz,\n\nThe pass is CHF 1'280 for the season.\n\nBustan Dates",
        "Hi Beatriz,\n\nTwo free bunnies (R120's worth) with the Falaj Box.\n\nBustan Dates",
        "Hi Beatriz,\n\nWe hope Max loves the Falaj Box.\n\nBustan Dates",
    ] {
        let rep = mail(body);
        assert!(!rep.passed(), "{body}\n{:?}", kinds(&rep));
    }
}

/// A week is seven days: "a week is NOK 882" at NOK 126 a day.
#[test]
fn a_week_of_a_daily_price() {
    let c = json!({"now":"2058-05-01","brand":"Gardermoen Park",
        "offer":{"name":"Spring Park","covered_nok_per_day":126}});
    let r = Recipient::from_json(
        r#"{"id":"1","email":"a@example.com","first_name":"Ingrid"}"#,
        &Limits::default(),
    )
    .unwrap();
    let mail = |body: &str| {
        Gate::new().check(
            &Email::new("Park", body),
            &r,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let ok = mail(
        "Hi Ingrid,\n\nCovered parking is NOK 126 a day, so a week is NOK 882.\n\nGardermoen Park",
    );
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad = mail(
        "Hi Ingrid,\n\nCovered parking is NOK 126 a day, so a week is NOK 892.\n\nGardermoen Park",
    );
    assert!(!bad.passed(), "{:?}", kinds(&bad));
}

/// "The monthly plan (SEK 119), perpetual licences ... aren't part of the offer" denies the
/// list before it; a child ticket at the full price its exclusion gives is not offered; "your
/// Roxo app" for someone with an `app_download` event; "Jun," is the person's name.
#[test]
fn lists_denied_later_full_prices_apps_and_names_like_months() {
    let c = json!({"now":"2058-06-05","brand":"Roxo",
        "offer":{"name":"Midsommar Switch","discount_percent":30,"code":"MIDSOMMAR30",
            "applies_to":"first year of the annual subscription",
            "excludes":"monthly subscription, child tickets (AUD 45, not discounted)"},
        "prices_sek":{"subscription_monthly":119,"subscription_annual":1190}});
    let person = |first: &str, events: &str| {
        Recipient::from_json(
            &format!(
                r#"{{"id":"1","email":"a@example.com","first_name":"{first}","consent":{{"profiling":true}},
                "events":{events}}}"#
            ),
            &Limits::default(),
        )
        .unwrap()
    };
    let mail = |r: &Recipient, body: &str| {
        Gate::new().check(
            &Email::new("Roxo", body),
            r,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let app = person("Karim", r#"[{"type":"app_download","at":"2058-06-01"}]"#);
    let none = person("Karim", "[]");
    let jun = person("Jun", "[]");
    for (r, body) in [
        (&none, "Hi Karim,\n\nCode MIDSOMMAR30 takes 30% off the first year of the annual subscription. The monthly plan (SEK 119) and child tickets aren't part of the offer.\n\nRoxo"),
        (&none, "Hi Karim,\n\nCode MIDSOMMAR30 takes 30% off the annual plan. Your youngest is welcome on a child ticket ($45).\n\nRoxo"),
        (&app, "Hi Karim,\n\nYour Roxo app has a deal waiting: code MIDSOMMAR30.\n\nRoxo"),
        (&jun, "Jun, 30% off the annual plan\n\nHi Jun,\n\nCode MIDSOMMAR30 takes 30% off the annual subscription.\n\nRoxo"),
    ] {
        let rep = mail(r, body);
        assert!(rep.passed(), "{body}\n{:?}", kinds(&rep));
    }
    for (r, body) in [
        (&none, "Hi Karim,\n\nCode MIDSOMMAR30 takes 30% off the monthly plan, and the annual plan isn't part of it.\n\nRoxo"),
        (&none, "Hi Karim,\n\nCode MIDSOMMAR30 takes 30% off child tickets too ($31.50).\n\nRoxo"),
        (&karim_with_order(), "Hi Karim,\n\nWe hope your Roxo blender is still going strong.\n\nRoxo"),
    ] {
        let rep = mail(r, body);
        assert!(!rep.passed(), "{body}\n{:?}", kinds(&rep));
    }
}

fn karim_with_order() -> Recipient {
    Recipient::from_json(
        r#"{"id":"1","email":"a@example.com","first_name":"Karim","consent":{"profiling":true},
            "events":[{"type":"order","at":"2058-05-01","item":"Glimra Studio 9"}]}"#,
        &Limits::default(),
    )
    .unwrap()
}

/// A name opened by a possessive ("your Fit & Fizz slot", "our Meeting rooms & prices
/// guide"), the terms of a stay the person may book, a code quoted with an order, an
/// admission ticket, "Here's your flight" and a price per year claim no history.
#[test]
fn names_after_possessives_terms_tickets_and_rates() {
    let c = json!({"now":"2059-03-26","brand":"Harbour Rooms",
        "offer":{"name":"Fit & Fizz","code":"PAKIET3","price_eur":150,
            "extra":"The Cellar, EUR 15 on top of a standard ticket",
            "flight":"a tasting flight of five sauces"},
        "guide":"Meeting rooms & prices 2059"});
    let r = Recipient::from_json(
        r#"{"id":"1","email":"a@example.com","first_name":"Reza","consent":{"profiling":true},
            "attributes":{"shoe_size_eu":39},
            "events":[{"type":"directory_signup","at":"2059-03-10"}]}"#,
        &Limits::default(),
    )
    .unwrap();
    let mail = |body: &str| {
        Gate::new().check(
            &Email::new("Harbour", body),
            &r,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    for body in [
        "Hi Reza,\n\nBook your Fit & Fizz slot for €150.\n\nHarbour Rooms",
        "Hi Reza,\n\nOur Meeting rooms & prices 2059 guide is out.\n\nHarbour Rooms",
        "Hi Reza,\n\nYour stay includes breakfast for €150.\n\nHarbour Rooms",
        "Hi Reza,\n\nJust quote PAKIET3 with your order.\n\nHarbour Rooms",
        "Hi Reza,\n\nThe Cellar is €15 on top of your ticket.\n\nHarbour Rooms",
        "Hi Reza,\n\nHere's your flight: five sauces.\n\nHarbour Rooms",
        "Hi Reza,\n\nMembership is €150 a year. Shoes in your size 39 are ready.\n\nHarbour Rooms",
        "Hi Reza,\n\nThanks for signing up to the directory this month.\n\nHarbour Rooms",
    ] {
        let rep = mail(body);
        assert!(rep.passed(), "{body}\n{:?}", kinds(&rep));
    }
    for body in [
        "Hi Reza,\n\nWe hope you enjoyed your stay with us last month.\n\nHarbour Rooms",
        "Hi Reza,\n\nAbout your ticket with our help desk: it's resolved.\n\nHarbour Rooms",
        "Hi Reza,\n\nThanks for your order last week.\n\nHarbour Rooms",
    ] {
        let rep = mail(body);
        assert!(!rep.passed(), "{body}\n{:?}", kinds(&rep));
    }
}

/// "1,290 SEK fitted" in the campaign is money; "799 PLN or more" is a threshold; "DJ until
/// midnight" is how long a service runs; "sending your song through on Sunday" is no span;
/// the campaign's own class date is the campaign's for someone who did not consent.
#[test]
fn codes_after_amounts_service_hours_and_campaign_dates() {
    let c = json!({"now":"2059-09-17","brand":"Hi-Fi Bar",
        "offer":{"name":"Headphone Trade-Up","discount_percent":20,
            "applies_to":"new headphones priced 799 PLN or more",
            "extra":"a 750 W Gold PSU can be added for 1,290 SEK fitted",
            "dj":"Wedding DJ until midnight, GBP 620"},
        "event":{"name":"Everyday Makeup in 60 Minutes","date":"2059-09-27"}});
    let person = |consent: bool| {
        Recipient::from_json(
            &format!(
                r#"{{"id":"1","email":"a@example.com","first_name":"Meera","consent":{{"profiling":{consent}}},
                "events":[{{"type":"class_booked","at":"2059-09-10","class_date":"2059-09-27"}},
                          {{"type":"song_request","at":"2059-09-14"}}]}}"#
            ),
            &Limits::default(),
        )
        .unwrap()
    };
    let mail = |r: &Recipient, body: &str| {
        Gate::new().check(
            &Email::new("Hi-Fi", body),
            r,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let (yes, no) = (person(true), person(false));
    for (r, body) in [
        (&yes, "Hi Meera,\n\nTake 20% off new headphones priced 799 PLN or more. A 750 W Gold PSU is 1,290 SEK fitted.\n\nHi-Fi Bar"),
        (&yes, "Hi Meera,\n\n- Wedding DJ until midnight: £620\n\nHi-Fi Bar"),
        (&yes, "Hi Meera,\n\nThanks for sending your song through on Sunday.\n\nHi-Fi Bar"),
        (&no, "Hi Meera,\n\nIf you'd like a hand, the Everyday Makeup in 60 Minutes class runs on Saturday 27 September.\n\nHi-Fi Bar"),
    ] {
        let rep = mail(r, body);
        assert!(rep.passed(), "{body}\n{:?}", kinds(&rep));
    }
    for (r, body) in [
        (
            &yes,
            "Hi Meera,\n\nTake 20% off new headphones priced 899 PLN or more.\n\nHi-Fi Bar",
        ),
        (
            &yes,
            "Hi Meera,\n\nA 750 W Gold PSU is 1,390 SEK fitted.\n\nHi-Fi Bar",
        ),
        (
            &yes,
            "Hi Meera,\n\nThe offer ends at midnight on Sunday.\n\nHi-Fi Bar",
        ),
    ] {
        let rep = mail(r, body);
        assert!(!rep.passed(), "{body}\n{:?}", kinds(&rep));
    }
}

/// A campaign key of one uncommon word names its thing ("Hinamatsuri"); sign-off lines in
/// other languages and "Happy Carnival,"; "Tanabe-san,"; acronyms with an ending ("HRUs",
/// "RSVP'd"); a verb opening a sentence before a figure or a date.
#[test]
fn keys_sign_offs_honorifics_and_acronym_endings() {
    let c = json!({"now":"2061-02-16","brand":"Hina Dolls","hinamatsuri":"2061-03-03",
        "offer":{"name":"Hina Set","discount_percent":10,"code":"HINA10",
            "excludes":"HRUs (hydrostatic release units), SEK 690"},
        "coins":"1 coin per 100 yen; 1,000 lifetime coins moves you up a tier"});
    let r = Recipient::from_json(
        r#"{"id":"1","email":"a@example.com","first_name":"Mei","last_name":"Tanabe","consent":{"profiling":true},
            "events":[{"type":"event_rsvp","at":"2061-02-10","event":"Bag-Packing Night"}]}"#,
        &Limits::default(),
    )
    .unwrap();
    let mail = |body: &str| {
        Gate::new().check(
            &Email::new("Hina", body),
            &r,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    for body in [
        "Hi Mei,\n\nCode HINA10 takes 10% off the Hina Set before Hinamatsuri.\n\nPozdrawiamy z Krakowa,\nHina Dolls",
        "Tanabe-san,\n\nCode HINA10 takes 10% off the Hina Set. HRUs (SEK 690) aren't included.\n\nHappy Carnival,\nHina Dolls",
        "Hi Mei,\n\nYou've RSVP'd for the Bag-Packing Night. Reach 1,000 lifetime coins and you move up a tier.\n\nHina Dolls",
    ] {
        let rep = mail(body);
        assert!(rep.passed(), "{body}\n{:?}", kinds(&rep));
    }
    for body in [
        "Hi Mei,\n\nCode HINA10 takes 10% off the Hina Set before Kodomo no Hi.\n\nHina Dolls",
        "Hi Sakura,\n\nCode HINA10 takes 10% off the Hina Set.\n\nHina Dolls",
    ] {
        let rep = mail(body);
        assert!(!rep.passed(), "{body}\n{:?}", kinds(&rep));
    }
}

/// An age range after a field's name, a price the shop puts in the cart, money saved, the
/// brand's own season, the person's own percentage, a survey answer, a referral and a data
/// booster in the record.
#[test]
fn ranges_carts_savings_seasons_and_record_kinds() {
    let c = json!({"now":"2061-03-23","brand":"Badlands Park",
        "offer":{"name":"Winter Trail Bundle","price_zar":899,"code":"TRAIL",
            "admission":"R140 adults, R80 children 3-12"}});
    let r = Recipient::from_json(
        r#"{"id":"1","email":"a@example.com","first_name":"Sigrid","consent":{"profiling":true},
            "attributes":{"children":2},
            "events":[{"type":"survey_answer","at":"2061-03-01","answer":"no project on my CV"},
                      {"type":"referral_sent","at":"2061-03-19","to":"neighbor"},
                      {"type":"data_booster","at":"2061-03-19","size_gb":20},
                      {"type":"battery_test","at":"2061-03-05","health_percent":62},
                      {"type":"annual_statement","at":"2061-02-15","savings_usd":88.10}]}"#,
        &Limits::default(),
    )
    .unwrap();
    let mail = |body: &str| {
        Gate::new().check(
            &Email::new("Park", body),
            &r,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    for body in [
        "Hi Sigrid,\n\nAdmission is R140 adults, R80 children 3-12. The price appears automatically in your cart.\n\nHappy trails,\nBadlands Park",
        "Hi Sigrid,\n\nOn top of the $88.10 you saved across 2060, our dinosaurs are ready for another season.\n\nBadlands Park",
        "Hi Sigrid,\n\nBattery's at 62%, and the Winter Trail Bundle is R899 off nothing with code TRAIL.\n\nBadlands Park",
        "Hi Sigrid,\n\nIn the survey you told us you had no project on your CV. The neighbor you referred last week and the 20GB booster you added are noted.\n\nBadlands Park",
    ] {
        let rep = mail(body);
        assert!(rep.passed(), "{body}\n{:?}", kinds(&rep));
    }
    let other = Recipient::from_json(
        r#"{"id":"2","email":"b@example.com","first_name":"Sigrid","consent":{"profiling":true}}"#,
        &Limits::default(),
    )
    .unwrap();
    for body in [
        "Hi Sigrid,\n\nThe bundle is still waiting in your cart.\n\nBadlands Park",
        "Hi Sigrid,\n\nThe neighbor you referred last week gets R50 off.\n\nBadlands Park",
        "Hi Sigrid,\n\nWelcome back for another season with us.\n\nBadlands Park",
    ] {
        let rep = Gate::new().check(
            &Email::new("Park", body),
            &other,
            &Context::from_json(c.clone()).unwrap(),
        );
        assert!(!rep.passed(), "{body}\n{:?}", kinds(&rep));
    }
}

/// "Lot 14" for the campaign's own `lot: 14`; "no discount on ... tools, bead looms or gift
/// vouchers" lists what is left out; "lock your phone" claims no phone; Korean hellos and
/// "Mit freundlichen Grüssen," are no names.
#[test]
fn campaign_lots_no_discount_lists_phones_and_more_hellos() {
    let c = json!({"now":"2062-08-30","brand":"Bead Studio",
        "offer":{"name":"Seed Bead Fortnight","discount_percent":15,"code":"SEED15",
            "excludes":"tools, bead looms and gift vouchers"},
        "lots":[{"lot":14,"title":"Toyota RAV4"}]});
    let r = Recipient::from_json(
        r#"{"id":"1","email":"a@example.com","first_name":"Min-seo","consent":{"profiling":true},
            "events":[{"type":"auction_win","at":"2062-07-25","lot":388}]}"#,
        &Limits::default(),
    )
    .unwrap();
    let mail = |body: &str| {
        Gate::new().check(
            &Email::new("Beads", body),
            &r,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let body = "Annyeonghaseyo Min-seo,\n\n- Lot 14: Toyota RAV4\n\nCode SEED15 takes 15% off, with no discount on tools, bead looms or gift vouchers. Lock your phone and enjoy.\n\nMit freundlichen Grüssen,\nBead Studio";
    let rep = mail(body);
    assert!(rep.passed(), "{body}\n{:?}", kinds(&rep));
    for body in [
        "Hi Min-seo,\n\nCode SEED15 takes 15% off everything, tools and bead looms too.\n\nBead Studio",
        "Hi Min-seo,\n\nYour Lot 15 win is ready to collect.\n\nBead Studio",
    ] {
        let rep = mail(body);
        assert!(!rep.passed(), "{body}\n{:?}", kinds(&rep));
    }
}

/// "The drive started on Monday" is when it began, not a deadline; "2 minutes 47 seconds" is
/// a duration; "we chatted on WhatsApp" names a platform; "Your referral link" is offered;
/// "Groete uit die Klein Karoo," signs off.
#[test]
fn start_days_durations_platforms_and_referral_links() {
    let c = json!({"now":"2063-02-21","brand":"Radio Halifax",
        "offer":{"name":"Spring Fund Drive","starts":"2063-02-19","ends":"2063-03-04","referral":"S$30 off for both"}});
    let r = Recipient::from_json(
        r#"{"id":"1","email":"a@example.com","first_name":"Lena","consent":{"profiling":true},
            "attributes":{"minutes":63},
            "events":[{"type":"chat","at":"2063-02-15","channel":"whatsapp"}]}"#,
        &Limits::default(),
    )
    .unwrap();
    let mail = |body: &str| {
        Gate::new().check(
            &Email::new("Radio", body),
            &r,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let ok = mail("Hi Lena,\n\nThe Spring Fund Drive started on Monday and runs until Sunday, March 4. Sub-hour is 2 minutes 47 seconds away. When we chatted on WhatsApp you asked about it. Your referral link gets you both S$30 off.\n\nGroete uit die Klein Karoo,\nRadio Halifax");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad = mail("Hi Lena,\n\nThe Spring Fund Drive ends on Monday.\n\nRadio Halifax");
    assert!(!bad.passed(), "{:?}", kinds(&bad));
}

/// What the writer was told, left in: "Note to editor:" and "TODO:" (at a line's start or
/// later in it), "[Personalise: ...]", "(Add a sentence here about the subscriber's watch
/// ...)", "[Mereana: add a line here ...]", "<<PERSONALISE: ...>>", a field's name. The
/// reader's own instructions ("(Add gift wrap for £5.)", "[Book now]") and addresses stay.
#[test]
fn writer_notes_and_field_names() {
    let c = json!({"now":"2062-01-17","brand":"Strap Atelier","offer":{"name":"Winter Strap","price_chf":120,"gift_wrap_chf":5}});
    let r = Recipient::from_json(
        r#"{"id":"1","email":"a@example.com","first_name":"Lena"}"#,
        &Limits::default(),
    )
    .unwrap();
    let mail = |body: &str| {
        Gate::new().check(
            &Email::new("Straps", body),
            &r,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let ok = mail("Hi Lena,\n\nThe Winter Strap is CHF 120. (Add gift wrap for CHF 5.) [Book now] or write to hello_desk@strap.ch.\n\nStrap Atelier");
    assert!(ok.passed(), "{:?}", kinds(&ok));
    for bad in [
        "Hi Lena,\n\nThe Winter Strap is CHF 120.\n\nNote to editor: add the booking link here.\n\nStrap Atelier",
        "Hi Lena,\n\nThe Winter Strap is CHF 120. TODO: ask Johan which slots are open.\n\nStrap Atelier",
        "Hi Lena,\n\n[Personalise: mention her last order.]\n\nThe Winter Strap is CHF 120.\n\nStrap Atelier",
        "Hi Lena,\n\nThe Winter Strap is CHF 120. (Add a sentence here about the subscriber's watch model if we have it on file.)\n\nStrap Atelier",
        "Hi Lena,\n\n[Mereana: add a line here about her house.] The Winter Strap is CHF 120.\n\nStrap Atelier",
        "Hi Lena,\n\n<<PERSONALISE: bike model>> The Winter Strap is CHF 120.\n\nStrap Atelier",
        "Hi Lena,\n\nThe Winter Strap is CHF 120 (stamp_card_stamps: 7).\n\nStrap Atelier",
    ] {
        let rep = mail(bad);
        assert!(
            rep.findings.iter().any(|f| f.kind == Kind::TemplateLeak),
            "{bad}\n{:?}",
            kinds(&rep)
        );
    }
}

/// An excluded item said to come "at no extra charge" is offered, whatever "no" and "extra"
/// the clause holds; "charged as normal" still denies it.
#[test]
fn excluded_items_at_no_extra_charge() {
    let c = json!({"now":"2060-11-24","brand":"Liferaft Service",
        "offer":{"name":"Winter Service Window","price_sek":3680,
            "excludes":"hydrostatic release units (HRU, SEK 690 each); gas cylinder refills (SEK 850)"}});
    let r = Recipient::from_json(
        r#"{"id":"1","email":"a@example.com","first_name":"Nils"}"#,
        &Limits::default(),
    )
    .unwrap();
    let mail = |body: &str| {
        Gate::new().check(
            &Email::new("Rafts", body),
            &r,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let bad = mail("Hi Nils,\n\nThe Winter Service Window is SEK 3,680. It includes the inspection, and we'll replace the hydrostatic release unit at the same time at no extra charge.\n\nLiferaft Service");
    assert!(!bad.passed(), "{:?}", kinds(&bad));
    let ok = mail("Hi Nils,\n\nThe Winter Service Window is SEK 3,680. A new hydrostatic release unit is charged as normal.\n\nLiferaft Service");
    assert!(ok.passed(), "{:?}", kinds(&ok));
}

/// "this Friday, 30 June" must be this week's Friday, and "next Wednesday, 14 March" next
/// week's; "a week from this Saturday - February 27" counts from it.
#[test]
fn this_and_next_weekday_with_a_date() {
    let c = json!({"now":"2062-06-21","brand":"Car Transport",
        "offer":{"name":"Winter Move","book_by":"2062-06-30","event":"2062-07-01"}});
    let r = Recipient::from_json(
        r#"{"id":"1","email":"a@example.com","first_name":"Ana"}"#,
        &Limits::default(),
    )
    .unwrap();
    let mail = |body: &str| {
        Gate::new().check(
            &Email::new("Cars", body),
            &r,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    for ok in [
        "Hi Ana,\n\nBookings close a week on Friday, 30 June.\n\nCar Transport",
        "Hi Ana,\n\nThe Winter Move closes a week from this Friday - 30 June.\n\nCar Transport",
    ] {
        let rep = mail(ok);
        assert!(rep.passed(), "{ok}\n{:?}", kinds(&rep));
    }
    let bad = mail("Hi Ana,\n\nBookings close this Friday, 30 June.\n\nCar Transport");
    assert!(
        bad.findings.iter().any(|f| f.rule == "time.weekday_date"),
        "{:?}",
        kinds(&bad)
    );
}

/// A closing line that opens with a no-break space and ends in a multibyte letter is read
/// on character boundaries (no panic), and still signs off.
#[test]
fn closing_lines_with_unicode_spaces() {
    let c =
        json!({"now":"2061-02-16","brand":"Pisanki","offer":{"name":"Palm Week","price_pln":19}});
    let r = Recipient::from_json(
        r#"{"id":"1","email":"a@example.com","first_name":"Ola"}"#,
        &Limits::default(),
    )
    .unwrap();
    let body =
        "Hi Ola,\n\nThe Palm Week delivery is 19 zł.\n\n\u{a0}Pozdrawiamy z Krakowa ż,\nPisanki";
    let rep = Gate::new().check(
        &Email::new("Palms", body),
        &r,
        &Context::from_json(c).unwrap(),
    );
    assert!(rep.passed(), "{:?}", kinds(&rep));
}

fn person(json: &str) -> Recipient {
    Recipient::from_json(json, &Limits::default()).unwrap()
}

/// `body` passes the gate for `r` and campaign `c`.
fn passes_with(r: &Recipient, c: &serde_json::Value, body: &str) {
    let rep = check_with(r, c.clone(), body);
    assert!(rep.passed(), "{body}\n{:?}", kinds(&rep));
}

/// `body` fails the gate for `r` and campaign `c`.
fn fails_with(r: &Recipient, c: &serde_json::Value, body: &str) {
    let rep = check_with(r, c.clone(), body);
    assert!(!rep.passed(), "{body}\n{:?}", kinds(&rep));
}

/// "If you're heading up to the coast this summer" is a plan, and "this autumn offer" the
/// campaign's season; "We loved seeing you this summer" still needs a summer visit.
#[test]
fn seasons_in_plans_and_in_offers_are_not_the_persons() {
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Ana",
        "events":[{"type":"signup","at":"2063-10-20"}]}"#,
    );
    let c = json!({"now":"2063-10-24","brand":"Tiny Travellers",
        "offer":{"name":"Summer Gear Hire","discount_percent":20,"ends":"2064-02-28"}});
    for ok in [
        "Hi Ana,\n\nIf you're heading up to the Gold Coast with a toddler this summer, our Summer Gear Hire takes 20% off.\n\nTiny Travellers",
        "Hi Ana,\n\nThis autumn offer is made for families: 20% off the Summer Gear Hire.\n\nTiny Travellers",
    ] {
        let rep = check_with(&r, c.clone(), ok);
        assert!(rep.passed(), "{ok}\n{:?}", kinds(&rep));
    }
    let bad = check_with(
        &r,
        c,
        "Hi Ana,\n\nWe loved having you in the shop this summer. The Summer Gear Hire takes 20% off.\n\nTiny Travellers",
    );
    assert!(!bad.passed(), "{:?}", kinds(&bad));
}

/// "Leave your luggage at our counter" is an instruction to anyone, and "our Bring Your Mix
/// evening" a title; "your luggage from the last trip" still needs a fact.
#[test]
fn instructions_and_titles_own_nothing() {
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Ana",
        "events":[{"type":"email_click","at":"2063-10-21","link":"Bring Your Mix evening"}]}"#,
    );
    let c = json!({"now":"2063-10-24","brand":"Hands Free Kyoto",
        "offer":{"name":"Hands-Free Day","price_jpy":1500,"counter":"Kyoto Station"}});
    for ok in [
        "Hi Ana,\n\nLeave your luggage at our Kyoto Station counter by 11:00 and the Hands-Free Day costs ¥1,500.\n\nHands Free Kyoto",
        "Hi Ana,\n\nYou clicked on our Bring Your Mix evening on Sunday. The Hands-Free Day costs ¥1,500.\n\nHands Free Kyoto",
    ] {
        let rep = check_with(&r, c.clone(), ok);
        assert!(rep.passed(), "{ok}\n{:?}", kinds(&rep));
    }
    let bad = check_with(
        &r,
        c,
        "Hi Ana,\n\nWe still have your suitcase from the spring. The Hands-Free Day costs ¥1,500.\n\nHands Free Kyoto",
    );
    assert!(!bad.passed(), "{:?}", kinds(&bad));
}

/// For someone who did not consent to profiling, the campaign's limit ("up to three pallets
/// per household") is not read from their record; "the three pallets you took last season"
/// is.
#[test]
fn campaign_limits_and_places_are_not_a_record_read() {
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Ana",
        "attributes":{"pallets_last_season":3},
        "consent":{"profiling":false}}"#,
    );
    let c = json!({"now":"2063-10-24","brand":"Pellet & Hands",
        "offer":{"name":"Pallet Drop","price_eur":379,"limit":"3 per household"}});
    for ok in [
        "Hi Ana,\n\nThe Pallet Drop is EUR 379. You can order up to three pallets per household.\n\nPellet & Hands",
        "Hi Ana,\n\nThe Pallet Drop is EUR 379, with a maximum of 3 pallets for you.\n\nPellet & Hands",
    ] {
        let rep = check_with(&r, c.clone(), ok);
        assert!(rep.passed(), "{ok}\n{:?}", kinds(&rep));
    }
    let bad = check_with(
        &r,
        c,
        "Hi Ana,\n\nYou took three pallets from us last season. The Pallet Drop is EUR 379.\n\nPellet & Hands",
    );
    assert!(
        bad.findings
            .iter()
            .any(|f| f.kind == Kind::ConsentViolation),
        "{:?}",
        kinds(&bad)
    );
}

/// For someone who did not consent to profiling, "your central Kyoto hotel" (a place the
/// campaign names) is not read from `kyoto_trips_with_us: 1`, a count whose figure is not
/// said; what the record says of their last visit is.
#[test]
fn a_count_matched_by_its_key_alone_is_not_a_record_read() {
    let r = person(
        r#"{"id": "KHF-69518", "email": "eva.lindgren@telia.se", "first_name": "Eva", "last_name": "Lindgren", "locale": "en-GB", "attributes": {"home_country": "Sweden", "preferred_counter": "Gion-Shijo", "kyoto_trips_with_us": 1, "upcoming_arrival": "2063-11-28"}, "events": [{"type": "storage", "at": "2062-11-25", "counter": "Gion-Shijo", "bags": 2, "size": "large", "days": 1, "amount_jpy": 2400}, {"type": "email_click", "at": "2063-10-17", "link": "Autumn Leaves Hands-Free Deal"}], "consent": {"profiling": false}}"#,
    );
    let c: serde_json::Value = serde_json::from_str(r#"{"now": "2063-10-24", "brand": "Karuni Hands-Free Kyoto", "type": "luggage storage and same-day hotel delivery", "counters": {"Kyoto Station": "Hachijo exit, opposite the Shinkansen central gate, 07:30-20:30", "Gion-Shijo": "Shijo-dori, 3 minutes from Gion-Shijo Station exit 6, 09:00-19:00"}, "prices_jpy_incl_tax": {"storage_standard_bag_per_day": 800, "storage_large_bag_per_day": 1200, "same_day_hotel_delivery_per_bag": 2000}, "size_rules": "standard bag up to 100 cm total of height, width and depth; large bag 101-160 cm; nothing over 160 cm", "delivery_rules": "drop at the Kyoto Station counter by 11:00, delivered to your hotel in central Kyoto by 18:00", "offer": {"name": "Autumn Leaves Hands-Free Deal", "discount_percent": 25, "code": "MOMIJI25", "applies_to": "same-day hotel delivery from the Kyoto Station counter to hotels in central Kyoto", "drop_dates": "2063-11-01 to 2063-12-09", "book": "online, by 23:59 the day before drop-off", "excludes": "storage-only bookings, delivery to Kansai Airport, golf bags, skis and bicycles", "limit": "4 bags per booking"}, "new_counter": {"name": "Arashiyama", "opens": "2063-11-03", "where": "beside JR Saga-Arashiyama Station", "hours": "08:30-18:00", "services": "storage only, at the standard storage prices"}, "kix_delivery": {"what": "next-day delivery from the Kyoto Station counter to Kansai Airport (KIX)", "from": "2063-11-15", "price_jpy_per_bag": 3300}}"#).unwrap();
    let ok = check_with(
        &r,
        c.clone(),
        "Hi Eva,\n\nLeave your luggage at our Kyoto Station counter by 11:00 and it's at your central Kyoto hotel by 18:00.\n\nKaruni Hands-Free Kyoto",
    );
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad = check_with(
        &r,
        c,
        "Hi Eva,\n\nLast November you stored two large bags with us at Gion-Shijo. Leave your luggage at our Kyoto Station counter by 11:00.\n\nKaruni Hands-Free Kyoto",
    );
    assert!(!bad.passed(), "{:?}", kinds(&bad));
}

/// "this Saturday, 5 January" is the club's day when the campaign meets "on the first
/// Saturday of each month"; a Saturday that is not the first is still no fact.
#[test]
fn a_monthly_series_day_is_the_campaigns() {
    let r = person(r#"{"id":"1","email":"a@example.com","first_name":"Isla"}"#);
    let c = json!({"now":"2064-01-02","brand":"Trowel & Trench",
        "membership":{"name":"Young Diggers","benefits":"a Saturday club session on the first Saturday of each month (10am-12pm)"}});
    let ok = check_with(
        &r,
        c.clone(),
        "Hi Isla,\n\nThe first Saturday club of the year is this Saturday, 5 January, 10am-12pm.\n\nTrowel & Trench",
    );
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad = check_with(
        &r,
        c,
        "Hi Isla,\n\nThe next Saturday club is on Saturday, 12 January, 10am-12pm.\n\nTrowel & Trench",
    );
    assert!(!bad.passed(), "{:?}", kinds(&bad));
}

/// "your first three invoices (March, April and May)" are months ahead, plans; "you came in
/// in May" with no May in the record is still a wrong time.
#[test]
fn months_ahead_are_plans() {
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Thandi",
        "events":[{"type":"call","at":"2064-01-22","with":"Ruan"}]}"#,
    );
    let c = json!({"now":"2064-02-06","brand":"Ledger Bureau",
        "offer":{"name":"Growth package","price_zar":3200,"discount_percent":20,"code":"LEDGER20"}});
    let ok = check_with(
        &r,
        c.clone(),
        "Hi Thandi,\n\nThanks for your call in January. With code LEDGER20 your first three invoices (March, April and May) come down to R2,560.\n\nLedger Bureau",
    );
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad = check_with(
        &r,
        c,
        "Hi Thandi,\n\nThanks for your call in November. With code LEDGER20 the Growth package comes down to R2,560.\n\nLedger Bureau",
    );
    assert!(!bad.passed(), "{:?}", kinds(&bad));
}

/// "GBP 20 off the five-day ticket" is money off, written with a code: £165 less it is £145.
#[test]
fn money_off_written_with_a_code() {
    let r = person(r#"{"id":"1","email":"a@example.com","first_name":"Ana"}"#);
    let c = json!({"now":"2064-01-02","brand":"Trowel","currency":"GBP",
        "offer":{"name":"Dig Week","price_gbp_five_days":165,
        "early_bird":"GBP 20 off the five-day ticket","code":"DIGEARLY"}});
    let ok = check_with(
        &r,
        c.clone(),
        "Hi Ana,\n\nAll five days: £165, or £145 with early-bird code DIGEARLY.\n\nTrowel",
    );
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad = check_with(
        &r,
        c,
        "Hi Ana,\n\nAll five days: £165, or £135 with early-bird code DIGEARLY.\n\nTrowel",
    );
    assert!(
        bad.findings.iter().any(|f| f.rule == "offer.amount"),
        "{:?}",
        kinds(&bad)
    );
}

/// "your 18 m² garage roof" measures the roof (not a count against the 7 photos of it), and
/// "you booked two places" is grounded by an `event_registration`.
#[test]
fn measures_and_registrations() {
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Malin",
        "attributes":{"garage_roof_m2":18},
        "events":[{"type":"photos_uploaded","at":"2064-03-05","count":7,"subject":"garage roof"},
                  {"type":"event_registration","at":"2064-03-11","event":"Green Roof Evening","places":2}]}"#,
    );
    let c = json!({"now":"2064-03-12","brand":"Tak & Örter",
        "offer":{"name":"Spring Sedum Roof","price_sek_per_m2":1150},
        "event":{"name":"Green Roof Evening","date":"2064-03-27"}});
    let ok = check_with(
        &r,
        c.clone(),
        "Hi Malin,\n\nYour 18 m² garage roof would suit the Spring Sedum Roof. We're glad you booked two places for the Green Roof Evening yesterday.\n\nTak & Örter",
    );
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let r2 = person(
        r#"{"id":"2","email":"b@example.com","first_name":"Malin",
        "events":[{"type":"newsletter_signup","at":"2064-03-11"}]}"#,
    );
    let bad = check_with(
        &r2,
        c,
        "Hi Malin,\n\nWe're glad you booked two places for the Green Roof Evening yesterday.\n\nTak & Örter",
    );
    assert!(!bad.passed(), "{:?}", kinds(&bad));
}

/// "stem mastering and mixing are priced separately" denies the excluded items it lists;
/// "Li Sandberg joined us in July" is someone else's news; "Say you order C$600" and "At
/// C$450 the order falls under the minimum" are figures put to the rule; "Dominican pesos"
/// names a currency. Offering the excluded item, or a fee the campaign lacks, is still caught.
#[test]
fn asides_examples_news_and_currencies() {
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Ella",
        "events":[{"type":"signup","at":"2063-08-02"}]}"#,
    );
    let c = json!({"now":"2063-08-15","brand":"Nordljud",
        "offer":{"name":"EP Mastering Deal","price_sek":3800,"code":"EP3800",
            "excludes":"stem mastering, mixing and Dolby Atmos",
            "fee":"no fee on orders of C$500 or more"},
        "staff":{"new":"Li Sandberg, mastering engineer"}});
    for ok in [
        "Hi Ella,\n\nThe EP Mastering Deal is SEK 3,800 with EP3800. It covers stereo mastering only - stem mastering, mixing and Dolby Atmos are priced separately - and it's one deal per artist.\n\nNordljud",
        "Hi Ella,\n\nThe EP Mastering Deal is SEK 3,800 with EP3800. You'll also find a new face here: Li Sandberg joined us in July as a mastering engineer.\n\nNordljud",
        "Hi Ella,\n\nThe EP Mastering Deal is SEK 3,800 with EP3800. Say you order C$600 in euros: no fee. At C$450, though, the order falls under the minimum.\n\nNordljud",
        "Hi Ella,\n\nThe EP Mastering Deal is SEK 3,800 with EP3800. We take euros, yen and Dominican pesos.\n\nNordljud",
    ] {
        let rep = check_with(&r, c.clone(), ok);
        assert!(rep.passed(), "{ok}\n{:?}", kinds(&rep));
    }
    for bad in [
        "Hi Ella,\n\nThe EP Mastering Deal is SEK 3,800 with EP3800, and it covers stem mastering too.\n\nNordljud",
        "Hi Ella,\n\nThe EP Mastering Deal is SEK 3,800 with EP3800. Orders of C$450 pay a C$25 fee.\n\nNordljud",
    ] {
        let rep = check_with(&r, c.clone(), bad);
        assert!(!rep.passed(), "{bad}\n{:?}", kinds(&rep));
    }
}

/// "your own 20 mm claw chisel" for `tools_owned: "claw chisel, 20 mm"`, "your Copenhagen
/// flight" for a visit's `flight: "to Copenhagen"`, "two of your markers" for
/// `markers_outside_range: 2` and "Your Gold Card" for `gold_card: true` are the person's;
/// "your Oslo flight" and "your Platinum Card" are not.
#[test]
fn possessions_held_in_fields_and_flags() {
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Tereza",
        "attributes":{"gold_card":true,"tools_owned":["tungsten-tipped claw chisel, 20 mm"]},
        "events":[{"type":"lounge_visit","at":"2063-10-18","lounge":"T2","flight":"to Copenhagen"},
                  {"type":"package","at":"2062-10-19","package":"Plus","markers_outside_range":2}]}"#,
    );
    let c = json!({"now":"2063-10-24","brand":"Letná Lounge",
        "offer":{"name":"Winter Pack","price_czk":2960}});
    for ok in [
        "Hi Tereza,\n\nYour visit before your Copenhagen flight last Thursday was lovely. The Winter Pack is CZK 2,960.\n\nLetná Lounge",
        "Hi Tereza,\n\nLast time, two of your markers came back outside the range. The Winter Pack is CZK 2,960.\n\nLetná Lounge",
        "Hi Tereza,\n\nYour Gold Card still counts, and you'll want your own 20 mm claw chisel. The Winter Pack is CZK 2,960.\n\nLetná Lounge",
    ] {
        let rep = check_with(&r, c.clone(), ok);
        assert!(rep.passed(), "{ok}\n{:?}", kinds(&rep));
    }
    for bad in [
        "Hi Tereza,\n\nWe hope your Oslo flight went well. The Winter Pack is CZK 2,960.\n\nLetná Lounge",
        "Hi Tereza,\n\nYour Platinum Card still counts. The Winter Pack is CZK 2,960.\n\nLetná Lounge",
    ] {
        let rep = check_with(&r, c.clone(), bad);
        assert!(!rep.passed(), "{bad}\n{:?}", kinds(&rep));
    }
}

/// A programme named by a key of the campaign's ("Vagnklubben" for a `vagnklubben` object),
/// a city by its English name ("Copenhagen" for "København N"), and "you're in Kildare" for
/// `county: Kildare` are known; a club or city nothing names is not.
#[test]
fn campaign_keys_city_names_and_counties() {
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Ida",
        "attributes":{"county":"Kildare","vagnklubben_member":false}}"#,
    );
    let c = json!({"now":"2064-06-25","brand":"Vagnverkstan",
        "studio":"Jægersborggade 41, 2200 København N",
        "offer":{"name":"Summer Pram Service","price_sek":895},
        "vagnklubben":{"what":"free customer club","benefits":"10% off spare parts"}});
    for ok in [
        "Hi Ida,\n\nYou are not a Vagnklubben member yet. The Summer Pram Service is 895 kr.\n\nVagnverkstan",
        "Hi Ida,\n\nOur studio is on Jægersborggade in Copenhagen. The Summer Pram Service is 895 kr.\n\nVagnverkstan",
        "Hi Ida,\n\nSince you're in Kildare, you're well inside our patch. The Summer Pram Service is 895 kr.\n\nVagnverkstan",
    ] {
        let rep = check_with(&r, c.clone(), ok);
        assert!(rep.passed(), "{ok}\n{:?}", kinds(&rep));
    }
    for bad in [
        "Hi Ida,\n\nAs a Barnklubben member you save more. The Summer Pram Service is 895 kr.\n\nVagnverkstan",
        "Hi Ida,\n\nSince you're in Wicklow, you're well inside our patch. The Summer Pram Service is 895 kr.\n\nVagnverkstan",
    ] {
        let rep = check_with(&r, c.clone(), bad);
        assert!(!rep.passed(), "{bad}\n{:?}", kinds(&rep));
    }
}

/// "your usual points" for `points: 240`, "As a new member you'll wait 7 days" (terms for
/// joiners), "runs Thursday sessions" (a schedule) and "came through last Wednesday" (past)
/// claim nothing; "your usual order" with no order, and "Book by Thursday" for a campaign
/// ending on another day, still do.
#[test]
fn habits_joiners_terms_and_weekday_schedules() {
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Omar",
        "attributes":{"ember_points":240},
        "events":[{"type":"web_form","at":"2064-05-14","topic":"shearing"}]}"#,
    );
    let c = json!({"now":"2064-05-21","brand":"Ember Lounge",
        "offer":{"name":"Sunset Duo","price_aed":195,"ends":"2064-06-30","bonus":"50 bonus points per Sunset Duo"}});
    for ok in [
        "Hi Omar,\n\nThe Sunset Duo is AED 195, and each one earns 50 bonus points on top of your usual points.\n\nEmber Lounge",
        "Hi Omar,\n\nThe Sunset Duo is AED 195. As a new member you'll wait 7 days before your first booking.\n\nEmber Lounge",
        "Hi Omar,\n\nThe Sunset Duo is AED 195. From June our host runs Thursday sessions for beginners.\n\nEmber Lounge",
        "Hi Omar,\n\nThe Sunset Duo is AED 195. Your web form came through last Wednesday.\n\nEmber Lounge",
    ] {
        let rep = check_with(&r, c.clone(), ok);
        assert!(rep.passed(), "{ok}\n{:?}", kinds(&rep));
    }
    for bad in [
        "Hi Omar,\n\nThe Sunset Duo is AED 195, and it goes well with your usual order.\n\nEmber Lounge",
        "Hi Omar,\n\nThe Sunset Duo is AED 195 until Thursday.\n\nEmber Lounge",
    ] {
        let rep = check_with(&r, c.clone(), bad);
        assert!(!rep.passed(), "{bad}\n{:?}", kinds(&rep));
    }
}

/// "It's been two months since your first session" is judged by its days (61 fit), "Gidday
/// Lachlan," is a greeting, and "a 14-metre ridge would be £3,360" is an example, not the
/// record of someone who did not consent; "three weeks since" for 61 days is still wrong.
#[test]
fn month_spans_greetings_and_examples() {
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Lachlan",
        "events":[{"type":"session","at":"2064-05-30","lane":"3"}]}"#,
    );
    let c = json!({"now":"2064-07-30","brand":"Ridge & Reed",
        "offer":{"name":"Ridge Repair","price_gbp_per_m":240,"discount_percent":15,"code":"RIDGE15"}});
    for ok in [
        "Hi Lachlan,\n\nIt's been two months since your session in lane 3. The Ridge Repair is £240 a metre, 15% off with RIDGE15.\n\nRidge & Reed",
        "Gidday Lachlan,\n\nThe Ridge Repair is £240 a metre, 15% off with RIDGE15.\n\nRidge & Reed",
    ] {
        let rep = check_with(&r, c.clone(), ok);
        assert!(rep.passed(), "{ok}\n{:?}", kinds(&rep));
    }
    let bad = check_with(
        &r,
        c.clone(),
        "Hi Lachlan,\n\nIt's been three weeks since your session in lane 3. The Ridge Repair is £240 a metre.\n\nRidge & Reed",
    );
    assert!(!bad.passed(), "{:?}", kinds(&bad));
    let none = person(
        r#"{"id":"2","email":"b@example.com","first_name":"Tom",
        "attributes":{"ridge_length_m":14},"consent":{"profiling":false}}"#,
    );
    let ok = check_with(
        &none,
        c.clone(),
        "Hi Tom,\n\nTo give you an idea, a 14-metre farmhouse ridge would be £3,360; with code RIDGE15 you save £504 and pay £2,856.\n\nRidge & Reed",
    );
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad = check_with(
        &none,
        c,
        "Hi Tom,\n\nYour ridge is 14 metres long. The Ridge Repair is £240 a metre.\n\nRidge & Reed",
    );
    assert!(!bad.passed(), "{:?}", kinds(&bad));
}

/// "there is no limit on how many gifts you send" repeats a limit of the campaign's own
/// ("no limit on gift subscriptions"); "the 14 images you added to your moodboard" is a
/// `moodboard_upload`; "one of your two tows" counts the whole, not the tows used. "Use it as
/// often as you like" against "one use per customer", and "your three tows", still fail.
#[test]
fn own_limits_uploads_and_wholes() {
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Isla",
        "attributes":{"tows_used_this_year":1},
        "events":[{"type":"moodboard_upload","at":"2064-12-11","images":14}]}"#,
    );
    let c = json!({"now":"2064-12-17","brand":"Fern Press",
        "offer":{"name":"Six for 168","price_nzd":168,"code":"SIXFOR168",
        "limit":"no limit on gift subscriptions"}});
    for ok in [
        "Hi Isla,\n\nSix for 168 is NZD 168 with SIXFOR168, and there is no limit on how many gifts you send.\n\nFern Press",
        "Hi Isla,\n\nThank you for the 14 images you added to your moodboard last Thursday. Six for 168 is NZD 168.\n\nFern Press",
        "Hi Isla,\n\nYou've used one of your two tows this year. Six for 168 is NZD 168.\n\nFern Press",
    ] {
        let rep = check_with(&r, c.clone(), ok);
        assert!(rep.passed(), "{ok}\n{:?}", kinds(&rep));
    }
    let bad = check_with(
        &r,
        c,
        "Hi Isla,\n\nYou've used your three tows this year. Six for 168 is NZD 168.\n\nFern Press",
    );
    assert!(!bad.passed(), "{:?}", kinds(&bad));
}

/// "not on the Golden Week holidays" names a holiday, and "Guest henna is also separate, at
/// AED 60" keeps an excluded item out of the offer; "guest henna is included" does not.
#[test]
fn holidays_and_separate_items() {
    let r = person(r#"{"id":"1","email":"a@example.com","first_name":"Mina"}"#);
    let c = json!({"now":"2064-04-16","brand":"Neko Lounge",
        "offer":{"name":"Bridal Henna","price_aed":1200,"discount_percent":15,
        "excludes":"guest henna (AED 60 per guest)"}});
    for ok in [
        "Hi Mina,\n\nBridal Henna is 15% off, AED 1,020, though not on the Golden Week holidays.\n\nNeko Lounge",
        "Hi Mina,\n\nBridal Henna is 15% off, AED 1,020. Guest henna is also separate, at AED 60 per guest.\n\nNeko Lounge",
    ] {
        let rep = check_with(&r, c.clone(), ok);
        assert!(rep.passed(), "{ok}\n{:?}", kinds(&rep));
    }
    let bad = check_with(
        &r,
        c,
        "Hi Mina,\n\nBridal Henna is 15% off, AED 1,020, and guest henna is included in the offer.\n\nNeko Lounge",
    );
    assert!(!bad.passed(), "{:?}", kinds(&bad));
}

/// "Lenna 12\" topper" names the campaign's "Lenna topper 12in": the size with its unit; a
/// "Lenna 18\" topper" the campaign does not sell is still no fact.
#[test]
fn sizes_written_with_their_unit() {
    let r = person(r#"{"id":"1","email":"a@example.com","first_name":"Mina"}"#);
    let c = json!({"now":"2064-09-03","brand":"Crown Room",
        "offer":{"name":"Fall Fit","discount_percent":20,
        "examples":{"Lenna topper 12in":1150,"Avery lace-front wig 16in":2400}}});
    let ok = check_with(
        &r,
        c.clone(),
        "Hi Mina,\n\nThe Fall Fit takes 20% off:\n- Lenna 12\" topper: $920, was $1,150\n- Avery 16\" lace-front wig: $1,920, was $2,400\n\nCrown Room",
    );
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bad = check_with(
        &r,
        c,
        "Hi Mina,\n\nThe Fall Fit takes 20% off:\n- Lenna 18\" topper: $920, was $1,150\n\nCrown Room",
    );
    assert!(!bad.passed(), "{:?}", kinds(&bad));
}

/// Sign-offs, welcomes, honorifics and holidays of other languages and calendars ("Mit
/// freundlichen Grüßen", "Famille Desrochers", "Frau Hollerwöger", "Ascension Day", "Kita-kits
/// sa Sabado") name no one; a family name the record and campaign lack still does.
#[test]
fn sign_offs_honorifics_and_holidays_of_other_languages() {
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Brigitte","last_name":"Hollerwöger"}"#,
    );
    let c = json!({"now":"2065-04-01","brand":"Érablière Desrochers",
        "offer":{"name":"Spring Syrup","price_cad":24,"code":"SIROP"}});
    for ok in [
        "Bienvenida, Brigitte!\n\nSpring Syrup is CAD 24 with SIROP. We are closed on Ascension Day and Whit Monday, and over Holy Week.\n\nMit freundlichen Grüßen\nFamille Desrochers",
        "Grüß Gott, Frau Hollerwöger,\n\nSpring Syrup is CAD 24 with SIROP, until Midsummer Eve. Kita-kits sa Sabado!\n\nL'équipe Desrochers",
    ] {
        passes_with(&r, &c, ok);
    }
    fails_with(&r, &c, "Grüß Gott, Frau Hollerwöger,\n\nSpring Syrup is CAD 24 with SIROP, as the Famille Lachance told you.\n\nFamille Desrochers");
}

/// Where the campaign prices in quetzales, "Q977.50" is an amount (15% off Q1,150), read and
/// checked as one; "Q990" is not the campaign's price.
#[test]
fn currency_letters_of_the_campaigns_currency() {
    let r = person(r#"{"id":"1","email":"a@example.com","first_name":"Camila"}"#);
    let c = json!({"now":"2065-01-21","brand":"Fuego Vivo","currency":"GTQ",
        "treks_gtq":{"Acatenango Overnight":1150},
        "offer":{"name":"Temporada Seca","discount_percent":15,"code":"SECA15",
        "excludes":"porter (Q350 each way)"}});
    passes_with(&r, &c, "Hi Camila,\n\nWith SECA15 the Acatenango Overnight is Q977.50 instead of Q1,150. A porter is Q350 each way.\n\nFuego Vivo");
    let bad = check_with(
        &r,
        c,
        "Hi Camila,\n\nWith SECA15 the Acatenango Overnight is Q990 instead of Q1,150.\n\nFuego Vivo",
    );
    assert!(
        bad.findings.iter().any(|f| f.rule == "offer.amount"),
        "{:?}",
        kinds(&bad)
    );
}

/// "week 26 (22-26 June) to week 40 (28 September-2 October)": the days of numbered weeks, with
/// the month and the day a dash joins read apart. A day said of the person outside a numbered
/// week ("your first clean was on 26 June") still matches nothing.
#[test]
fn days_of_numbered_weeks() {
    let r = person(r#"{"id":"1","email":"a@example.com","first_name":"Gerrit"}"#);
    let c = json!({"now":"2065-06-10","brand":"De Schone Bak",
        "offer":{"name":"Zomer Zonder Maden","price_eur":44,
        "what":"8 cleans of your bin from week 26 to week 40 (2065-06-22 to 2065-10-02)"}});
    passes_with(&r, &c, "Beste Gerrit,\n\nWe clean your bin eight times, from week 26 (22-26 June) to week 40 (28 September-2 October), for €44.\n\nDe Schone Bak");
    fails_with(&r, &c, "Beste Gerrit,\n\nWe clean your bin eight times, from week 26 (22-26 June) to week 40 (28 September-2 October), for €44.\n\nYour first clean was on 26 June.\n\nDe Schone Bak");
}

/// A greeting may use a short form of the record's name ("Kasiu" for Katarzyna) or, where the
/// person's language greets in the vocative, an inflection of it ("Tomaszu", "Agnieszko");
/// not another name, and not the full form of a name the record has short ("Samuel" for Sam).
#[test]
fn short_forms_and_vocatives_of_the_first_name() {
    let c = json!({"now":"2065-05-06","brand":"Magazynek","offer":{"name":"Spring plan","price_pln":99}});
    for (rec, ok) in [
        (
            r#"{"id":"1","email":"a@example.com","first_name":"Katarzyna","locale":"pl-PL"}"#,
            "Cześć Kasiu,\n\nThe Spring plan is 99 PLN.\n\nMagazynek",
        ),
        (
            r#"{"id":"1","email":"a@example.com","first_name":"Tomasz","locale":"pl-PL"}"#,
            "Cześć Tomaszu,\n\nThe Spring plan is 99 PLN.\n\nMagazynek",
        ),
        (
            r#"{"id":"1","email":"a@example.com","first_name":"Agnieszka","locale":"pl-PL"}"#,
            "Dzień dobry Agnieszko,\n\nThe Spring plan is 99 PLN.\n\nMagazynek",
        ),
        (
            r#"{"id":"1","email":"a@example.com","first_name":"William","locale":"en-GB"}"#,
            "Hi Bill,\n\nThe Spring plan is 99 PLN.\n\nMagazynek",
        ),
    ] {
        let rep = check_with(&person(rec), c.clone(), ok);
        assert!(rep.passed(), "{ok}\n{:?}", kinds(&rep));
    }
    for (rec, bad) in [
        (
            r#"{"id":"1","email":"a@example.com","first_name":"Tomasz","locale":"pl-PL"}"#,
            "Cześć Marku,\n\nThe Spring plan is 99 PLN.\n\nMagazynek",
        ),
        (
            r#"{"id":"1","email":"a@example.com","first_name":"Daniel","locale":"en-GB"}"#,
            "Hi Daniela,\n\nThe Spring plan is 99 PLN.\n\nMagazynek",
        ),
        (
            r#"{"id":"1","email":"a@example.com","first_name":"Sam","locale":"en-GB"}"#,
            "Hi Samuel,\n\nThe Spring plan is 99 PLN.\n\nMagazynek",
        ),
    ] {
        let rep = check_with(&person(rec), c.clone(), bad);
        assert!(!rep.passed(), "{bad}\n{:?}", kinds(&rep));
    }
}

/// "You told us a shower regrout was on your list" rests on a sign-up form's `interest`, and
/// "your free trial" on a `trial_booked` event; with neither in the record both are implied.
#[test]
fn interests_stated_on_a_form_and_booked_trials() {
    let c =
        json!({"now":"2065-06-10","brand":"Regrout Co","offer":{"name":"EOFY","price_aud":472}});
    let told = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Rhys","events":[{"type":"home_show_signup","at":"2065-05-31","interest":"shower regrout"}]}"#,
    );
    let trial = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Rhys","events":[{"type":"trial_booked","at":"2065-06-08","studio":"Oerlikon"}]}"#,
    );
    let bare = person(r#"{"id":"1","email":"a@example.com","first_name":"Rhys"}"#);
    let told_text =
        "Hi Rhys,\n\nYou told us a shower regrout was on your list, so here is EOFY: AUD 472.\n\nRegrout Co";
    let trial_text =
        "Hi Rhys,\n\nThanks for booking your free trial. EOFY is AUD 472.\n\nRegrout Co";
    for (r, text) in [(&told, told_text), (&trial, trial_text)] {
        let rep = check_with(r, c.clone(), text);
        assert!(rep.passed(), "{text}\n{:?}", kinds(&rep));
    }
    for text in [told_text, trial_text] {
        let rep = check_with(&bare, c.clone(), text);
        assert!(!rep.passed(), "{text}\n{:?}", kinds(&rep));
    }
}

/// "your Elterngespräch" for an `elterngespraech` event and "Textverständnis" for a record's
/// `textverstaendnis`: German written without its umlauts in the export; a word no event or
/// fact holds, in any spelling, is still a name to ground.
#[test]
fn umlauts_written_out_in_the_record() {
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Andrea","locale":"de-CH",
        "attributes":{"focus":"Textverstaendnis"},
        "events":[{"type":"elterngespraech","at":"2065-02-11","with":"Frau Meier"}]}"#,
    );
    let c = json!({"now":"2065-02-25","brand":"Lernwerk","offer":{"name":"Jahreskurs","price_chf":2550}});
    passes_with(&r, &c, "Grüezi Andrea,\n\nAs Frau Meier said at your Elterngespräch, Textverständnis is the thing to work on. The Jahreskurs is CHF 2,550.\n\nLernwerk");
    fails_with(&r, &c, "Grüezi Andrea,\n\nAs Frau Meier said at your Elterngespräch, Rechtschreibprüfung is the thing to work on. The Jahreskurs is CHF 2,550.\n\nLernwerk");
}

/// An Australian address in a capital's metropolitan postcodes ("Stepney SA 5069") is in that
/// city, so "Adelaide winters" names the brand's own; a city elsewhere is still no fact.
#[test]
fn australian_addresses_in_their_capital() {
    let r = person(r#"{"id":"1","email":"a@example.com","first_name":"Rhys"}"#);
    let c = json!({"now":"2065-06-10","brand":"Renew Tile","address":"38 Magill Road, Stepney SA 5069, Australia",
        "offer":{"name":"EOFY regrout","price_aud":472}});
    passes_with(&r, &c, "Hi Rhys,\n\nCold mornings and shut windows: Adelaide winters are when mould gets into grout. The EOFY regrout is AUD 472.\n\nRenew Tile");
    fails_with(&r, &c, "Hi Rhys,\n\nCold mornings and shut windows: Brisbane winters are when mould gets into grout. The EOFY regrout is AUD 472.\n\nRenew Tile");
}

/// "you booked two tickets last year" rests on an `event_ticket` event; "As you live in the UK"
/// on a `country_of_residence` of "United Kingdom"; "up to 2,000 orders a month" is the
/// campaign's plan, not the person's count of orders. Their contradictions are still found.
#[test]
fn tickets_countries_and_campaign_counts_with_grouped_thousands() {
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Agnes",
        "attributes":{"country_of_residence":"United Kingdom","orders_last_30_days":164},
        "events":[{"type":"event_ticket","at":"2064-09-26","event":"Big Night Out 2064","tickets":2}]}"#,
    );
    let c = json!({"now":"2065-08-19","brand":"Clydeview",
        "plans":{"Growth":"up to 2,000 orders a month, 4 sales channels"},
        "offer":{"name":"Big Night Out 2065","price_gbp":15}});
    passes_with(&r, &c, "Hi Agnes,\n\nYou booked two tickets for the Big Night Out last year, and as you live in the UK, tickets are £15. Growth gives you up to 2,000 orders a month.\n\nClydeview");
    for bad in [
        "Hi Agnes,\n\nAs you live in France, Big Night Out 2065 tickets are £15.\n\nClydeview",
        "Hi Agnes,\n\nYour 200 orders last month were a record. Big Night Out 2065 tickets are £15.\n\nClydeview",
    ] {
        let rep = check_with(&r, c.clone(), bad);
        assert!(!rep.passed(), "{bad}\n{:?}", kinds(&rep));
    }
    let unbooked = person(r#"{"id":"1","email":"a@example.com","first_name":"Agnes"}"#);
    let rep = check_with(
        &unbooked,
        c,
        "Hi Agnes,\n\nYou booked two tickets for the Big Night Out last year. Tickets are £15.\n\nClydeview",
    );
    assert!(!rep.passed(), "{:?}", kinds(&rep));
}

/// Exclusions stated as such: "... and accessories are excluded too", "... are outside the
/// offer", "It does not apply to ..."; an excluded item offered with the discount is still
/// out of scope.
#[test]
fn exclusions_stated_after_the_list_or_spelled_out() {
    let r = person(r#"{"id":"1","email":"a@example.com","first_name":"Pieter"}"#);
    let c = json!({"now":"2066-01-06","brand":"Vuur & Vleis",
        "offer":{"name":"New Year Braai","discount_zar":1500,"code":"BRAAI1500",
        "excludes":"gas cylinders, covers, accessories and installation"}});
    for ok in [
        "Hi Pieter,\n\nBRAAI1500 takes R1,500 off a gas braai. Gas cylinders, covers, accessories and installation are excluded too.\n\nVuur & Vleis",
        "Hi Pieter,\n\nBRAAI1500 takes R1,500 off a gas braai. Covers and accessories are outside the offer.\n\nVuur & Vleis",
        "Hi Pieter,\n\nBRAAI1500 takes R1,500 off a gas braai. It does not apply to covers or accessories.\n\nVuur & Vleis",
    ] {
        passes_with(&r, &c, ok);
    }
    let bad = check_with(
        &r,
        c,
        "Hi Pieter,\n\nBRAAI1500 takes R1,500 off a gas braai, and the code works on covers and accessories too.\n\nVuur & Vleis",
    );
    assert!(
        bad.findings.iter().any(|f| f.rule == "offer.scope"),
        "{:?}",
        kinds(&bad)
    );
}

/// "free delivery over $150.000" where the campaign writes "ARS 150.000": thousands grouped by
/// points on both sides; "a library that has been lending books since 1824" and "we've been
/// milling rice since 1931" are the business's years. A person's wrong year is still found.
#[test]
fn points_grouped_campaign_amounts_and_the_business_years() {
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Graciela","attributes":{"member_since":"2061-03-02"}}"#,
    );
    let c = json!({"now":"2066-01-06","brand":"La Paleta","currency":"ARS",
        "offer":{"name":"Verano en Casa","discount_percent":25,"code":"VERANO25",
        "delivery":"free delivery in CABA on orders over ARS 150.000"}});
    passes_with(&r, &c, "¡Hola Graciela!\n\nWith VERANO25 you get 25% off, and orders over $150.000 are delivered free. We've been mixing paint here since 1931, and you've been with us since 2061.\n\nLa Paleta");
    fails_with(&r, &c, "¡Hola Graciela!\n\nWith VERANO25 you get 25% off, and orders over $150.000 are delivered free. You've been with us since 2058.\n\nLa Paleta");
}

/// "You mentioned trail rides" rests on a web form the person sent; "Thank you for joining
/// last month" on a `newsletter_join`; "free on orders of ¥15,000" on the campaign's "15,000
/// yen or more". Without the form or the join, both claims are implied.
#[test]
fn forms_joins_and_amounts_in_currency_words() {
    let c = json!({"now":"2066-02-10","brand":"La Tranquera",
        "offer":{"name":"Summer clinic","price_jpy":9900,"shipping":"free on orders of 15,000 yen or more"}});
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Lucas",
        "events":[{"type":"web_form","at":"2066-01-24","riding_experience":"trail rides on holiday"},
                  {"type":"newsletter_join","at":"2066-01-24"}]}"#,
    );
    let text = "Hi Lucas,\n\nThank you for joining last month. You mentioned trail rides on holiday: the Summer clinic is ¥9,900, and shipping is free on orders of ¥15,000.\n\nLa Tranquera";
    let ok = check_with(&r, c.clone(), text);
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let bare = person(r#"{"id":"1","email":"a@example.com","first_name":"Lucas"}"#);
    let bad = check_with(&bare, c, text);
    let rules: Vec<&str> = bad.findings.iter().map(|f| f.rule.as_str()).collect();
    assert!(
        rules.contains(&"implied.told_us") && rules.contains(&"implied.new_signup"),
        "{:?}",
        kinds(&bad)
    );
}

/// A price list's label holds its own amounts ("Plus membership: 2 artworks up to EUR 2,500
/// combined value"), but not its counts: "(serves 8)" is no price. An amount found nowhere is
/// still caught.
#[test]
fn amounts_in_a_price_lists_labels() {
    let r = person(r#"{"id":"1","email":"a@example.com","first_name":"Sanne"}"#);
    let c = json!({"now":"2066-09-08","brand":"Kunstuitleen Waalkade","currency":"EUR",
        "price_list_eur":{"Plus membership: 2 artworks up to EUR 2,500 combined value, per month":17.5,
                          "Brunch box (serves 8)":54},
        "offer":{"name":"Najaarsstart Plus","code":"WAALKUNST"}});
    passes_with(&r, &c, "Hi Sanne,\n\nWith Plus you borrow two works at a time, up to €2,500 combined, for €17.50 a month. Use WAALKUNST.\n\nKunstuitleen Waalkade");
    fails_with(&r, &c, "Hi Sanne,\n\nWith Plus you borrow two works at a time, up to €3,000 combined, for €17.50 a month. Use WAALKUNST.\n\nKunstuitleen Waalkade");
    fails_with(
        &r,
        &c,
        "Hi Sanne,\n\nThe brunch box is €8 this week. Use WAALKUNST.\n\nKunstuitleen Waalkade",
    );
}

/// Greetings and forms of address of other languages ("Namaskaram Sreelakshmi", "Kaixo Jon
/// Ander", "Panie Tomaszu", "A Phádraig, a chara"), season's greetings ("Frohe Festtage",
/// "Buone Feste"), months ("Setembro") and a saint's day beside its date ("Saturday 19 March,
/// Sant Josep itself") are no specifics. A stranger's name still is.
#[test]
fn greetings_holidays_and_saints_days_of_other_languages() {
    let c = json!({"now":"2066-12-22","brand":"Harbour Reads",
        "offer":{"name":"Winter Bundle","price_eur":40,"code":"WINTER40","order_by":"2067-03-19"}});
    let cases = [
        (r#"{"id":"1","email":"a@example.com","first_name":"Sreelakshmi","locale":"ml-IN"}"#,
         "Namaskaram Sreelakshmi,\n\nThe Winter Bundle is €40 with WINTER40.\n\nHarbour Reads"),
        (r#"{"id":"1","email":"a@example.com","first_name":"Jon Ander","locale":"eu-ES"}"#,
         "Kaixo Jon Ander,\n\nThe Winter Bundle is €40 with WINTER40.\n\nHarbour Reads"),
        (r#"{"id":"1","email":"a@example.com","first_name":"Tomasz","locale":"pl-PL"}"#,
         "Panie Tomaszu,\n\nThe Winter Bundle is €40 with WINTER40. Wesołych Świąt!\n\nHarbour Reads"),
        (r#"{"id":"1","email":"a@example.com","first_name":"Pádraig","locale":"en-IE"}"#,
         "A Phádraig, a chara,\n\nThe Winter Bundle is €40 with WINTER40.\n\nHarbour Reads"),
        (r#"{"id":"1","email":"a@example.com","first_name":"Anke","locale":"de-DE"}"#,
         "Hallo Anke,\n\nThe Winter Bundle is €40 with WINTER40. Frohe Festtage und einen guten Rutsch!\n\nHarbour Reads"),
        (r#"{"id":"1","email":"a@example.com","first_name":"Pina","locale":"it-IT"}"#,
         "Ciao Pina,\n\nThe Winter Bundle is €40 with WINTER40 until the Befana. Buone Feste!\n\nHarbour Reads"),
        (r#"{"id":"1","email":"a@example.com","first_name":"Rosa","locale":"es-ES"}"#,
         "Hola Rosa,\n\nThe Winter Bundle is €40 with WINTER40. Order by Saturday 19 March, Sant Josep itself.\n\nHarbour Reads"),
    ];
    for (who, body) in cases {
        passes_with(&person(who), &c, body);
    }
    let r = person(r#"{"id":"1","email":"a@example.com","first_name":"Rosa","locale":"es-ES"}"#);
    fails_with(&r, &c, "Hola Rosa,\n\nThe Winter Bundle is €40 with WINTER40. San Vicente loved his bundle last year.\n\nHarbour Reads");
    fails_with(&r, &c, "Hola Rosa,\n\nThe Winter Bundle is €40 with WINTER40, and we hope Leire Etxeberria enjoys hers.\n\nHarbour Reads");
}

/// "It's 250 Kč a session": an amount and its currency after it end a capitalized run;
/// "Kanazawa Akiya Mamoriです" is the brand and a Japanese ending; "Satō-san" is the record's
/// Satō. A name the record lacks, with or without the honorific, is still caught.
#[test]
fn currency_after_amounts_scripts_and_honorifics_split_from_names() {
    let c = json!({"now":"2066-10-13","brand":"Kanazawa Akiya Mamori","currency":"CZK",
        "offer":{"name":"Goalie academy","price_czk":250,"code":"KEMP15"}});
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Misaki","locale":"ja-JP",
        "events":[{"type":"consultation","at":"2066-10-01","consultant":"Satō Kenji"}]}"#,
    );
    passes_with(
        &r,
        &c,
        "Hi Misaki,\n\nIt's 250 Kč a session with KEMP15.\n\nKanazawa Akiya Mamori",
    );
    passes_with(&r, &c, "Hi Misaki,\n\nいつもお世話になっております。Kanazawa Akiya Mamoriです。 It's 250 Kč a session with KEMP15.\n\nKanazawa Akiya Mamori");
    passes_with(&r, &c, "Hi Misaki,\n\nIt's 250 Kč a session with KEMP15, and Satō-san will be there.\n\nKanazawa Akiya Mamori");
    fails_with(&r, &c, "Hi Misaki,\n\nIt's 250 Kč a session with KEMP15, and Tanaka-san will be there.\n\nKanazawa Akiya Mamori");
}

/// One line in the reader's own language is a greeting to them; two lines of it, or a line
/// in a third language, are still the wrong language.
#[test]
fn one_line_in_the_readers_language() {
    let c = json!({"now":"2066-08-04","brand":"Lab Boa Vista",
        "offer":{"name":"Check-up do Papai","price_brl":299,"code":"PAPAI"}});
    let r = person(r#"{"id":"1","email":"a@example.com","first_name":"Ana","locale":"pt-BR"}"#);
    let one = "Hi Ana,\n\nUm presente para o seu pai neste domingo?\n\nOur Check-up do Papai is R$299 with the code PAPAI, and it covers the usual blood panel for him.\n\nLab Boa Vista";
    passes_with(&r, &c, one);
    let two = "Hi Ana,\n\nUm presente para o seu pai neste domingo?\n\nOur Check-up do Papai is R$299 with the code PAPAI, and it covers the usual blood panel for him.\n\nVocê não precisa de nada em casa, com a coleta no seu endereço.\n\nLab Boa Vista";
    let rep = check_with(&r, c.clone(), two);
    assert!(
        rep.findings.iter().any(|f| f.rule == "leak.wrong_language"),
        "{:?}",
        kinds(&rep)
    );
    let r = person(r#"{"id":"1","email":"a@example.com","first_name":"Ana","locale":"de-DE"}"#);
    let rep = check_with(&r, c, one);
    assert!(
        rep.findings.iter().any(|f| f.rule == "leak.wrong_language"),
        "{:?}",
        kinds(&rep)
    );
}

/// "15% off our signed prints" counts no prints; "the recipient needs an address in Italy"
/// is a gift campaign's word; "a letter to your landlord" turns the campaign's "to the
/// landlord" to the reader; "ordering now means your screens are in by spring" speaks of what
/// an order brings; "Mark Saturday 9 October" is a date after a verb. A count against the
/// record, a possession nothing supports and a stranger's name are still caught.
#[test]
fn rates_gift_recipients_paraphrases_orders_and_dates_after_verbs() {
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Lia",
        "events":[{"type":"order","at":"2066-11-12","item":"signed woodcut print","qty":1}]}"#,
    );
    let c = json!({"now":"2066-12-22","brand":"Casa do Cordel",
        "offer":{"name":"Reis","discount_percent":15,"code":"REIS15",
        "applies_to":"made-to-measure window screens for a gift to a recipient with an address in Italy",
        "service":"a draft objection letter to the landlord","final":"2067-10-09"},
        "price_list_eur":{"Roller window screen":165}});
    for ok in [
        "Hi Lia,\n\nYou bought a signed woodcut print from us last month, and REIS15 takes 15% off our signed woodcut prints.\n\nCasa do Cordel",
        "Hi Lia,\n\nREIS15 takes 15% off. The recipient needs an address in Italy.\n\nCasa do Cordel",
        "Hi Lia,\n\nREIS15 takes 15% off, and you get a draft objection letter to your landlord.\n\nCasa do Cordel",
        "Hi Lia,\n\nREIS15 takes 15% off, and ordering now means your screens are in by spring.\n\nCasa do Cordel",
        "Hi Lia,\n\nREIS15 takes 15% off.\n\nMark Saturday 9 October: the final.\n\nCasa do Cordel",
    ] {
        passes_with(&r, &c, ok);
    }
    for bad in [
        "Hi Lia,\n\nYou bought 3 signed woodcut prints from us last month. REIS15 takes 15% off.\n\nCasa do Cordel",
        "Hi Lia,\n\nREIS15 takes 15% off. Your screens have done well since the summer.\n\nCasa do Cordel",
        "Hi Lia,\n\nREIS15 takes 15% off.\n\nAsk Marta Saturday about the final.\n\nCasa do Cordel",
    ] {
        fails_with(&r, &c, bad);
    }
}

/// "Thanks for your patience when Saturday's paper went astray" rests on the person's
/// `missed_delivery_report`; with no report in the record it is implied.
#[test]
fn reports_the_person_made_are_support_contacts() {
    let c = json!({"now":"2066-12-22","brand":"Ballarat News","offer":{"name":"Summer run","code":"SUMMERRUN"}});
    let text = "Hi Bronwyn,\n\nThanks for your patience when Saturday's Herald went astray. SUMMERRUN starts next month.\n\nBallarat News";
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Bronwyn",
        "events":[{"type":"missed_delivery_report","at":"2066-12-18","paper":"Herald"}]}"#,
    );
    passes_with(&r, &c, text);
    let bare = person(r#"{"id":"1","email":"a@example.com","first_name":"Bronwyn"}"#);
    let rep = check_with(&bare, c, text);
    assert!(
        rep.findings.iter().any(|f| f.rule == "implied.support"),
        "{:?}",
        kinds(&rep)
    );
}

/// "the play runs until about 05:00 on Sunday morning" gives an hour, not a deadline;
/// "Tell Marta if..." opens with a verb; "Spring is here in Bundang" from a centre in
/// "Bundang-gu" is the business's place, even for a reader without consent to profiling;
/// "dla Zosi i Antka" declines the record's Zosia and Antek in Polish; "Sawasdee Khun
/// Anucha", "Benvolguda Montserrat", "Houdoe!" and "Schön, dass Sie dabei sind!" are forms
/// of address and sign-offs. A deadline that is wrong, a stranger's name and the person's own
/// area without consent are still caught.
#[test]
fn hours_verbs_business_places_declined_names_and_more_forms_of_address() {
    let c = json!({"now":"2066-10-13","brand":"Sanhu Onhwa",
        "address":"31 Jeongjail-ro, Bundang-gu, Seongnam-si",
        "offer":{"name":"Spring stay","discount_percent":10,"code":"ONHWA","book_by":"2066-10-25"}});
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Krystyna","locale":"pl-PL",
        "attributes":{"children":"Zosia (8) and Antek (6)","home_area":"Sunae-dong, Bundang"},
        "events":[{"type":"call","at":"2066-10-07","handled_by":"Marta Zalewska"}],
        "consent":{"profiling":true}}"#,
    );
    for ok in [
        "Pani Krystyno,\n\nONHWA takes 10% off until 25 October. The show runs from 21:00 until about 05:00 on Sunday morning.\n\nSanhu Onhwa",
        "Pani Krystyno,\n\nONHWA takes 10% off until 25 October. Tell Marta if you'd like a tour.\n\nSanhu Onhwa",
        "Pani Krystyno,\n\nONHWA takes 10% off until 25 October, with a place for Zosi and Antka at the workshop.\n\nHoudoe!\nSanhu Onhwa",
    ] {
        passes_with(&r, &c, ok);
    }
    for bad in [
        "Pani Krystyno,\n\nONHWA takes 10% off until Sunday.\n\nSanhu Onhwa",
        "Pani Krystyno,\n\nONHWA takes 10% off until 25 October, with a place for Zosi and Bartka at the workshop.\n\nSanhu Onhwa",
    ] {
        fails_with(&r, &c, bad);
    }
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Anucha","locale":"th-TH",
        "attributes":{"home_area":"Sunae-dong, Bundang","family":"daughter Khun Mint"},
        "consent":{"profiling":false}}"#,
    );
    passes_with(&r, &c, "Sawasdee Khun Anucha,\n\nSpring is almost here in Bundang: ONHWA takes 10% off until 25 October. Schön, dass Sie dabei sind!\n\nSanhu Onhwa");
    let rep = check_with(&r, c.clone(), "Sawasdee Khun Anucha,\n\nSpring is almost here in Sunae-dong: ONHWA takes 10% off until 25 October.\n\nSanhu Onhwa");
    assert!(
        rep.findings
            .iter()
            .any(|f| f.kind == Kind::ConsentViolation),
        "{:?}",
        kinds(&rep)
    );
    let r =
        person(r#"{"id":"1","email":"a@example.com","first_name":"Montserrat","locale":"ca-ES"}"#);
    passes_with(
        &r,
        &c,
        "Benvolguda Montserrat,\n\nONHWA takes 10% off until 25 October.\n\nSanhu Onhwa",
    );
}

/// "per litre of finished 50% pálinka" where a price list's label says "50% vol": a label's
/// percentage is the campaign's; a percentage found nowhere is still a wrong offer.
#[test]
fn percentages_in_a_price_lists_labels() {
    let r = person(r#"{"id":"1","email":"a@example.com","first_name":"Ágnes"}"#);
    let c = json!({"now":"2067-11-02","brand":"Cefre","currency":"HUF",
        "price_list_huf":{"contract distilling, per litre of finished 50% vol pálinka":3200},
        "offer":{"name":"Autumn","discount_percent":15,"code":"CEFRE15"}});
    passes_with(&r, &c, "Hi Ágnes,\n\nCEFRE15 takes 15% off: 2,720 Ft instead of 3,200 Ft per litre of finished 50% pálinka.\n\nCefre");
    fails_with(&r, &c, "Hi Ágnes,\n\nCEFRE15 takes 25% off: 2,720 Ft instead of 3,200 Ft per litre of finished pálinka.\n\nCefre");
}

/// "Thank you for coming out with us on Saturday" rests on a fishing `trip`, "thanks for
/// coming by for two plates at the fish fry" on a `fish_fry`, "welcome aboard" on a
/// `line_friend_added`, and "your Evropa upgrade" is the offer, not a plan the person has.
/// With none of those events, the first three are implied.
#[test]
fn trips_suppers_follows_and_offers_named_by_what_they_are_on() {
    let c = json!({"now":"2067-09-28","brand":"Okawa-maru",
        "offer":{"name":"Evropa upgrade","price_czk":790,"code":"AKITACHI"}});
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Ken",
        "events":[{"type":"trip","at":"2067-09-17","trip":"tachiuo day trip","catch":11},
                  {"type":"fish_fry","at":"2067-09-24","plates":2},
                  {"type":"line_friend_added","at":"2067-09-25"}]}"#,
    );
    let bare = person(r#"{"id":"1","email":"a@example.com","first_name":"Ken"}"#);
    for (text, rule) in [
        ("Hi Ken,\n\nThank you for coming out with us again on Saturday the 17th. AKITACHI takes you out again.\n\nOkawa-maru", "implied.event_attendance"),
        ("Hi Ken,\n\nThanks for coming by for two plates at last Saturday's fish fry. AKITACHI is ready for you.\n\nOkawa-maru", "implied.event_attendance"),
        ("Hi Ken,\n\nWelcome aboard! AKITACHI is ready for you.\n\nOkawa-maru", "implied.new_signup"),
    ] {
        passes_with(&r, &c, text);
        let rep = check_with(&bare, c.clone(), text);
        assert!(rep.findings.iter().any(|f| f.rule == rule), "{text}\n{:?}", kinds(&rep));
    }
    let looked = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Ken",
        "events":[{"type":"web_visit","at":"2067-09-20","page":"Evropa cover"}]}"#,
    );
    passes_with(
        &looked,
        &c,
        "Hi Ken,\n\nYour Evropa upgrade is 790 Kč with AKITACHI.\n\nOkawa-maru",
    );
}

/// Greek greetings and names in Greek letters for a record that writes them in Latin ones
/// ("Γεια σας Νίκο" to a Nikos, "Αγαπητή Ευαγγελία" to an Evangelia); Indonesian forms of
/// address ("Halo Kak Rizky"); "Bom São João"; "Tadashi-san's"; a toner model the price
/// list names ("MLT-D111S"); "Handy", "Tipp" and "Sports" as words. A wrong name in Greek
/// letters and a code the campaign lacks are still caught.
#[test]
fn greek_letters_indonesian_address_wished_saints_and_model_codes() {
    let c = json!({"now":"2068-05-30","brand":"Toner Porto","code":"TONER20",
        "price_list_eur":{"Samsung MLT-D111S":27.5},
        "offer":{"name":"Refill week","discount_percent":20,"code":"TONER20"}});
    let cases = [
        (r#"{"id":"1","email":"a@example.com","first_name":"Nikos","locale":"el-GR"}"#,
         "Γεια σας Νίκο,\n\nTONER20 takes 20% off. Χρόνια πολλά!\n\nToner Porto"),
        (r#"{"id":"1","email":"a@example.com","first_name":"Evangelia","locale":"el-GR"}"#,
         "Αγαπητή Ευαγγελία,\n\nTONER20 takes 20% off the Samsung MLT-D111S: €22.00 instead of €27.50.\n\nToner Porto"),
        (r#"{"id":"1","email":"a@example.com","first_name":"Rizky","locale":"id-ID"}"#,
         "Halo Kak Rizky,\n\nTONER20 takes 20% off. Tipp: bring your Handy, the Sports desk is open.\n\nToner Porto"),
        (r#"{"id":"1","email":"a@example.com","first_name":"Inês","locale":"pt-PT"}"#,
         "Olá Inês,\n\nTONER20 takes 20% off.\n\nBom São João e até breve,\nToner Porto"),
        (r#"{"id":"1","email":"a@example.com","first_name":"Kyoko","locale":"ja-JP",
            "attributes":{"engraver_name":"Tadashi"}}"#,
         "Hi Kyoko,\n\nTONER20 takes 20% off, and Tadashi-san's engraving is back.\n\nToner Porto"),
    ];
    for (who, body) in cases {
        passes_with(&person(who), &c, body);
    }
    let r = person(r#"{"id":"1","email":"a@example.com","first_name":"Nikos","locale":"el-GR"}"#);
    fails_with(
        &r,
        &c,
        "Γεια σας Γιώργο,\n\nTONER20 takes 20% off.\n\nToner Porto",
    );
    fails_with(
        &r,
        &c,
        "Γεια σας Νίκο,\n\nTONER20 takes 20% off the Samsung MLT-D116L.\n\nToner Porto",
    );
}

/// "from 13:00 until Sunday 10:00" gives an hour, not a deadline; "Book by Sunday ... and
/// your panels are back up in 5 days" speaks of what the booking brings; "You'll need your
/// bicycle's number" says what to bring; "jackets left behind on the school field" is no
/// cart. "the jacket you left behind in your cart" still needs a cart, and "your panels are
/// faded" still needs panels.
#[test]
fn hours_after_a_weekday_bookings_requirements_and_things_left_behind() {
    let c = json!({"now":"2068-09-12","brand":"Curtain Care",
        "price_list_zar":{"Curtain panels, per panel":95},
        "offer":{"name":"Spring clean","discount_percent":10,"code":"FRESH10","book_by":"2068-09-30"}});
    let r = person(r#"{"id":"1","email":"a@example.com","first_name":"Thandi"}"#);
    for ok in [
        "Hi Thandi,\n\nFRESH10 takes 10% off. The owners' meeting runs from Saturday 13:00 until Sunday 10:00.\n\nCurtain Care",
        "Hi Thandi,\n\nBook by Sunday 30 September with FRESH10, and your panels are back up within 5 working days.\n\nCurtain Care",
        "Hi Thandi,\n\nFRESH10 takes 10% off. You'll need your bicycle's registration number.\n\nCurtain Care",
        "Hi Thandi,\n\nFRESH10 takes 10% off, just in time for the jumpers and jackets left behind on the school field.\n\nCurtain Care",
    ] {
        passes_with(&r, &c, ok);
    }
    for bad in [
        "Hi Thandi,\n\nFRESH10 takes 10% off the jacket you left behind in your cart.\n\nCurtain Care",
        "Hi Thandi,\n\nFRESH10 takes 10% off. Your panels looked faded when we called.\n\nCurtain Care",
    ] {
        fails_with(&r, &c, bad);
    }
}

/// More forms of address and holidays: "Grüessech Reto", "Καλησπέρα Stavros", "Hakan Bey",
/// "Nanay Lorna" of the record's consignee, "Three Kings", "Noche Buena", "día de los Santos
/// Inocentes". A stranger greeted the same way is still caught.
#[test]
fn bernese_greek_turkish_and_filipino_address_and_winter_holidays() {
    let c = json!({"now":"2068-12-26","brand":"Balik Express",
        "offer":{"name":"New Year box","price_aed":250,"code":"BALIK25"}});
    let cases = [
        (r#"{"id":"1","email":"a@example.com","first_name":"Reto","locale":"de-CH"}"#,
         "Grüessech Reto,\n\nThe New Year box is AED 250 with BALIK25, just after Three Kings.\n\nBalik Express"),
        (r#"{"id":"1","email":"a@example.com","first_name":"Stavros","locale":"el-GR"}"#,
         "Καλησπέρα Stavros,\n\nThe New Year box is AED 250 with BALIK25.\n\nBalik Express"),
        (r#"{"id":"1","email":"a@example.com","first_name":"Hakan","locale":"tr-TR"}"#,
         "Merhaba Hakan Bey,\n\nThe New Year box is AED 250 with BALIK25.\n\nBalik Express"),
        (r#"{"id":"1","email":"a@example.com","first_name":"Marites","locale":"fil-PH",
            "attributes":{"consignee":"Lorna Dizon, Pampanga"},"consent":{"profiling":true}}"#,
         "Hi Marites,\n\nWe hope Nanay Lorna loved the box before Noche Buena. The New Year box is AED 250 with BALIK25, until the día de los Santos Inocentes.\n\nBalik Express"),
    ];
    for (who, body) in cases {
        passes_with(&person(who), &c, body);
    }
    let r = person(r#"{"id":"1","email":"a@example.com","first_name":"Hakan","locale":"tr-TR"}"#);
    fails_with(&r, &c, "Merhaba Hakan Bey,\n\nThe New Year box is AED 250 with BALIK25, and Mert Yılmaz Bey says hello.\n\nBalik Express");
}

/// "This Saturday, 21 July" names a day of the coming week with its date; "on April 20
/// you'll have been members for five years" is the day and month of the sign-up. A date
/// three weeks out that nothing gives, or an anniversary on the wrong day, is still caught.
#[test]
fn days_of_the_coming_week_and_membership_anniversaries() {
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Ines",
        "attributes":{"member_since":"2052-04-20"},"consent":{"profiling":true}}"#,
    );
    let c = json!({"now":"2057-04-11","brand":"Harbour Museum",
        "offer":{"name":"Family renewal","discount_percent":25,"renew_by":"2057-04-22"}});
    for ok in [
        "Hi Ines,\n\nRenew by 22 April for 25% off. This Saturday, 14 April, would be a lovely day to visit.\n\nHarbour Museum",
        "Hi Ines,\n\nRenew by 22 April for 25% off. On April 20 you'll have been members for five years.\n\nHarbour Museum",
    ] {
        passes_with(&r, &c, ok);
    }
    for bad in [
        "Hi Ines,\n\nRenew by 22 April for 25% off. Our lantern evening is on Saturday 5 May.\n\nHarbour Museum",
        "Hi Ines,\n\nRenew by 22 April for 25% off. On April 27 you'll have been members for five years.\n\nHarbour Museum",
    ] {
        fails_with(&r, &c, bad);
    }
}

/// In an email in another language capitalized words are matched to the record, not
/// flagged: a Spanish email that names the dog of a person who did not consent to
/// profiling uses their record; one that opens sentences with "Y" and "Además", or names
/// the shop's own district, does not.
#[test]
fn names_from_the_record_in_other_languages_are_uses_of_it() {
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Fernanda","locale":"es-MX",
        "attributes":{"dog_name":"Toby","neighbourhood":"El Refugio"},
        "events":[{"type":"order","at":"2069-12-20","item":"Suéter tejido rojo"}],
        "consent":{"profiling":false}}"#,
    );
    let c = json!({"now":"2070-01-15","brand":"Pelusa Sastrería Canina",
        "address":"Calle Vergara Sur 24, El Refugio, Querétaro",
        "offer":{"name":"Temporada de frío","discount_percent":20,"code":"FRIO20","ends":"2070-02-02"}});
    passes_with(
        &r,
        &c,
        "Subject: 20% en abrigos\n\n¡Hola, Fernanda!\n\nHasta el domingo 2 de febrero, nuestra Temporada de frío te da 20% de descuento con el código FRIO20. Y además la toma de medidas es gratis en nuestro taller de El Refugio.\n\nSaludos,\nPelusa Sastrería Canina",
    );
    fails_with(
        &r,
        &c,
        "Subject: 20% en abrigos\n\n¡Hola, Fernanda!\n\n¿Qué tal le queda a Toby el suéter? Hasta el domingo 2 de febrero, nuestra Temporada de frío te da 20% de descuento con el código FRIO20.\n\nSaludos,\nPelusa Sastrería Canina",
    );
}

/// The reader's own language: "Bentornato" and "als trouwe klant" to someone who only just
/// signed up, "Beste klant" and "Szanowni Państwo" to someone whose name is known, a note to
/// the marketing team below the footer, "[N.º DE HECTÁREAS]" left unfilled. The same emails
/// without them pass.
#[test]
fn welcomes_back_loyalty_generic_greetings_notes_and_slots_in_other_languages() {
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Pietro","last_name":"Conti",
        "events":[{"type":"signup","at":"2070-02-12"}],"consent":{"profiling":true}}"#,
    );
    let c = json!({"now":"2070-02-19","brand":"Fisarmoniche Zanella",
        "offer":{"name":"Revisione di primavera","discount_percent":20,"code":"FISA20","ends":"2070-03-31"}});
    let ok = "Ciao Pietro,\n\nfino al 31 marzo la Revisione di primavera costa il 20% in meno con il codice FISA20.\n\nA presto,\nFisarmoniche Zanella";
    passes_with(&r, &c, ok);
    for bad in [
        "Bentornato Pietro,\n\nfino al 31 marzo la Revisione di primavera costa il 20% in meno con il codice FISA20.\n\nA presto,\nFisarmoniche Zanella",
        "Ciao Pietro,\n\nals trouwe klant krijg je tot 31 maart 20% korting op de Revisione di primavera met FISA20.\n\nFisarmoniche Zanella",
        "Beste klant,\n\ntot 31 maart krijg je 20% korting op de Revisione di primavera met FISA20.\n\nFisarmoniche Zanella",
        "Szanowni Państwo,\n\ndo 31 marca Revisione di primavera jest tańsza o 20% z kodem FISA20.\n\nFisarmoniche Zanella",
        "Ciao Pietro,\n\nfino al 31 marzo la Revisione di primavera costa il 20% in meno con il codice FISA20.\n\nA presto,\nFisarmoniche Zanella\n\n[Nota per il team marketing: ho usato il tu; verificate i posti prima dell'invio.]",
        "Ciao Pietro,\n\nfino al 31 marzo la Revisione di primavera per la tua [N.º DE FISARMONICAS] costa il 20% in meno con il codice FISA20.\n\nA presto,\nFisarmoniche Zanella",
    ] {
        fails_with(&r, &c, bad);
    }
}

/// Copy in the reader's language that is no fault: a Dutch sentence with "in" and "of" in
/// it, "(Schalencheck, Innenschuh thermoformen)" (a word holding "check" asks nothing),
/// opening hours "Lun 15:30–19:30 · Mar–Sab", an "Ayurvedic reset", and a Japanese email
/// naming its staff in Latin letters. A stranger's name in an English email is still caught.
#[test]
fn dutch_german_italian_and_japanese_copy_that_is_no_fault() {
    let r =
        person(r#"{"id":"1","email":"a@example.com","first_name":"Rohan","last_name":"Mehta"}"#);
    let c = json!({"now":"2069-10-02","brand":"Kerala House",
        "offer":{"name":"Autumn reset","price_eur":290,"code":"KWEEK15","ends":"2069-10-31"}});
    for ok in [
        "Beste Rohan,\n\nHet Autumn reset kost 290 euro tot 31 oktober. Gebruik de code KWEEK15 in de webshop, of vermeld de actie in de winkel.\n\nKerala House",
        "Hallo Rohan,\n\ndas Autumn reset ist da und kostet mit dem Code KWEEK15 nur 290 €. Das Grund-Bootfitting (Schalencheck, Innenschuh thermoformen) ist dabei gratis und wir freuen uns auf dich.\n\nKerala House\nLun 15:30–19:30 · Mar–Sab 9:00–12:30",
        "Hi Rohan,\n\nA 7-day Ayurvedic reset: the Autumn reset is EUR 290 with KWEEK15 until 31 October.\n\nKerala House",
        "ローハン様\n\nいつもありがとうございます。秋のリセットプログラムは10月31日まで、コードKWEEK15で290ユーロです。担当のMichiko Kitamuraが、A4額装のご案内とあわせて、ご予約を心よりお待ちしております。どうぞよろしくお願いいたします。\n\nKerala House",
    ] {
        passes_with(&r, &c, ok);
    }
    fails_with(
        &r,
        &c,
        "Hi Rohan,\n\nThe Autumn reset is EUR 290 with KWEEK15 until 31 October, and Michiko Kitamura will look after you again.\n\nKerala House",
    );
}

/// An English email to a Dutch reader may carry a Dutch subject and a Dutch signature; a
/// Dutch sentence in its body as well is a slip. An email in Afrikaans is Afrikaans, not
/// Polish or Dutch with slips in it.
#[test]
fn signatures_in_the_readers_language_and_afrikaans_copy() {
    let r = person(r#"{"id":"1","email":"a@example.com","first_name":"Sanne","locale":"nl-NL"}"#);
    let c = json!({"now":"2068-01-11","brand":"Carnavalsvereniging De Kiekendieven",
        "offer":{"name":"Carnavalspas","price_eur":33,"code":"KIEKEN11","ends":"2068-02-11"},
        "event":{"name":"Pronkzitting","date":"2068-01-28"}});
    passes_with(
        &r,
        &c,
        "Subject: Pronkzitting op 28 januari, en de Carnavalspas voor €33\n\nHi Sanne,\n\nThe Carnavalspas is €33 with code KIEKEN11 if you order by 11 February.\n\nHoudoe!\nHet bestuur van CV De Kiekendieven",
    );
    fails_with(
        &r,
        &c,
        "Subject: Pronkzitting op 28 januari, en de Carnavalspas voor €33\n\nHi Sanne,\n\nThe Carnavalspas is €33 with code KIEKEN11 if you order by 11 February. Het is de leukste pas van het jaar en je krijgt er veel voor.\n\nHoudoe!\nHet bestuur van CV De Kiekendieven",
    );
    let r = person(r#"{"id":"1","email":"a@example.com","first_name":"Pieter","locale":"af-ZA"}"#);
    let c = json!({"now":"2068-04-02","brand":"Skip & Klaar","language":"af",
        "offer":{"name":"Skoonmaak","discount_zar":400,"code":"CLEAROUT","ends":"2068-04-30"}});
    passes_with(
        &r,
        &c,
        "Subject: R400 af op ons skips\n\nHallo Pieter,\n\nTot 30 April kry jy R400 af op ons skips met die kode CLEAROUT. Ons lewer die skip by jou huis af en ons haal dit weer op wanneer jy klaar is.\n\nBaie dankie,\nSkip & Klaar",
    );
}

/// A cart or a page viewed, said in the reader's language ("noch in deinem Warenkorb",
/// "hai guardato"), is a use of the record: a consent violation for someone who refused
/// profiling, and a claim the record must hold for anyone else. "Your continued custom"
/// claims a history too.
#[test]
fn carts_views_and_custom_in_other_languages() {
    let refused = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Matteo","locale":"de-CH",
        "events":[{"type":"cart_abandoned","at":"2070-02-14","item":"Aare C# Pygmy 10"}],
        "consent":{"profiling":false}}"#,
    );
    let fresh = person(
        r#"{"id":"2","email":"b@example.com","first_name":"Lucas",
        "events":[{"type":"signup","at":"2070-02-10"}]}"#,
    );
    let c = json!({"now":"2070-02-19","brand":"Klangschmiede Aare",
        "offer":{"name":"Frühlingsklang","discount_percent":10,"code":"KLANG10","ends":"2070-03-15",
            "examples":{"Aare C# Pygmy 10":2150}}});
    passes_with(
        &refused,
        &c,
        "Hoi Matteo\n\nBis zum 15. März bekommst du mit dem Code KLANG10 10 % auf alle Handpans, auch auf den Aare C# Pygmy 10. Das ist ein gutes Angebot und wir freuen uns auf dich.\n\nKlangschmiede Aare",
    );
    fails_with(
        &refused,
        &c,
        "Hoi Matteo\n\nDer Aare C# Pygmy 10 liegt noch in deinem Warenkorb: bis 15. März bekommst du mit dem Code KLANG10 10 % darauf.\n\nKlangschmiede Aare",
    );
    fails_with(
        &fresh,
        &c,
        "Hi Lucas,\n\nThank you for your continued custom. KLANG10 takes 10% off until 15 March.\n\nKlangschmiede Aare",
    );
    fails_with(
        &fresh,
        &c,
        "Ciao Lucas,\n\nhai guardato il nostro Aare C# Pygmy 10: con KLANG10 costa il 10% in meno fino al 15 marzo.\n\nKlangschmiede Aare",
    );
}

/// Records kept in the business's own language ("vista_pagina", "pedido"), a currency
/// before its amount with a space ("R 2,760") and a Filipino sign-off ("Ingat!").
#[test]
fn event_types_in_other_languages_spaced_currencies_and_filipino_sign_offs() {
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Martina","locale":"es-AR",
        "events":[{"type":"vista_pagina","at":"2070-06-03","pagina":"Caja Mixta x12"}],
        "consent":{"profiling":true}}"#,
    );
    let c = json!({"now":"2070-06-04","brand":"Alfajores Güemes",
        "offer":{"name":"Promo Invierno","discount_percent":15,"code":"INVIERNO15","ends":"2070-06-30",
            "price_zar":2760}});
    for ok in [
        "¡Hola, Martina!\n\nAyer estuviste mirando la Caja Mixta x12, y con el código INVIERNO15 tenés 15% off hasta el 30 de junio.\n\nAlfajores Güemes",
        "Hi Martina,\n\nThe service is R 2,760 with INVIERNO15 until 30 June.\n\nIngat!\nAlfajores Güemes",
    ] {
        passes_with(&r, &c, ok);
    }
    let fresh = person(
        r#"{"id":"2","email":"b@example.com","first_name":"Martina",
        "events":[{"type":"pedido","at":"2070-05-24","producto":"Caja Maicena x12"}]}"#,
    );
    fails_with(
        &fresh,
        &c,
        "¡Hola, Martina!\n\nAyer estuviste mirando la Caja Mixta x12, y con el código INVIERNO15 tenés 15% off hasta el 30 de junio.\n\nAlfajores Güemes",
    );
}

/// More of the reader's language: "hola de nuevo" and "wieder an Bord" to a new sign-up,
/// "Estimado visitante" to a known name, "[자녀 이름]" left unfilled, a bracketed note to the
/// CRM. The same email without them passes.
#[test]
fn returns_visitors_korean_slots_and_crm_notes() {
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Lucas",
        "events":[{"type":"signup","at":"2070-06-01"}],"consent":{"profiling":true}}"#,
    );
    let c = json!({"now":"2070-06-04","brand":"Luminaria","language":"es",
        "offer":{"name":"Pase de invierno","discount_percent":15,"code":"INVIERNO15","ends":"2070-06-30"}});
    passes_with(
        &r,
        &c,
        "¡Hola, Lucas!\n\nCon el código INVIERNO15 tenés 15% en el Pase de invierno hasta el 30 de junio.\n\nLuminaria",
    );
    for bad in [
        "¡Hola de nuevo, Lucas!\n\nCon el código INVIERNO15 tenés 15% en el Pase de invierno hasta el 30 de junio.\n\nLuminaria",
        "Hallo Lucas,\n\nschön, dich wieder an Bord zu haben: mit INVIERNO15 gibt es 15% auf den Pase de invierno bis 30. Juni.\n\nLuminaria",
        "Estimado visitante:\n\nCon el código INVIERNO15 tenés 15% en el Pase de invierno hasta el 30 de junio.\n\nLuminaria",
        "¡Hola, Lucas!\n\nCon el código INVIERNO15 tenés 15% en el Pase de invierno para [자녀 이름] hasta el 30 de junio.\n\nLuminaria",
        "¡Hola, Lucas!\n\nCon el código INVIERNO15 tenés 15% en el Pase de invierno hasta el 30 de junio.\n\n[NOTA PER IL CRM: sostituire il paragrafo sopra prima dell'invio.]\n\nLuminaria",
    ] {
        fails_with(&r, &c, bad);
    }
}

/// A sentence tied to one of the person's events by a value of it names a neighbour of
/// another of its values: the campaign's other outlet, or the room of an earlier stay.
#[test]
fn a_neighbouring_value_in_a_sentence_about_an_event_is_a_wrong_fact() {
    let c = json!({"now":"2037-06-17","brand":"Lacquer & Lotus","outlets":["Tiong Bahru","Holland Village"],
        "offer":{"name":"Gel Duo","price_sgd":88,"code":"GELDUO"}});
    let r = person(
        r#"{"id":"1","email":"w@example.com","first_name":"Wei Ling","consent":{"profiling":true},
        "events":[{"type":"appointment","at":"2037-06-06","outlet":"Tiong Bahru","technician":"Suriani","shade":"Rosewood Nude"}]}"#,
    );
    passes_with(
        &r,
        &c,
        "Hi Wei Ling,\n\nWe hope you're still loving the Rosewood Nude manicure Suriani did for you at our Tiong Bahru outlet. The Gel Duo is S$88 with GELDUO.\n\nLacquer & Lotus",
    );
    // Another outlet named as news, not as where the appointment was.
    passes_with(
        &r,
        &c,
        "Hi Wei Ling,\n\nSuriani is now also taking bookings at our Holland Village outlet. The Gel Duo is S$88 with GELDUO.\n\nLacquer & Lotus",
    );
    let rep = check_with(
        &r,
        c.clone(),
        "Hi Wei Ling,\n\nWe hope you're still loving the Rosewood Nude manicure Suriani did for you at our Holland Village outlet. The Gel Duo is S$88 with GELDUO.\n\nLacquer & Lotus",
    );
    assert!(
        rep.findings
            .iter()
            .any(|f| f.rule == "grounding.swapped" && f.text == "Holland Village"),
        "{:?}",
        kinds(&rep)
    );

    // The same field of another of their events: the room of the earlier stay.
    let c = json!({"now":"2027-11-20","brand":"Casa Almendro","offer":{"name":"Winter Direct","percent":15}});
    let r = person(
        r#"{"id":"2","email":"s@example.com","first_name":"Siobhan","consent":{"profiling":true},
        "events":[{"type":"stay","at":"2027-10-17","room":"Patio Suite","guests":2,"host":"Ines"},
                  {"type":"stay","at":"2026-04-05","room":"Deluxe Double","guests":2}]}"#,
    );
    passes_with(
        &r,
        &c,
        "Hi Siobhan,\n\nInes still talks about your October stay in the Patio Suite. Winter Direct takes 15% off.\n\nCasa Almendro",
    );
    fails_with(
        &r,
        &c,
        "Hi Siobhan,\n\nInes still talks about your October stay in the Deluxe Double. Winter Direct takes 15% off.\n\nCasa Almendro",
    );
}

/// An item the offer excludes, named with another deal of the campaign ("10% off shop tools
/// on the night" at the open evening), kept as it is ("your existing handles"), or looked at
/// ("we also saw you looking at accommodation"), is not said to be in the offer.
#[test]
fn an_excluded_item_named_outside_the_offer() {
    let c = json!({"now":"2071-06-24","brand":"Sugarloaf Cake School",
        "offer":{"name":"Summer Saver","discount_percent":25,"code":"SUGAR25",
            "excludes":"the kids' Saturday club, shop tools and kits, and accommodation",
            "not_combinable_with":"the 10% multi-class booking discount"},
        "event":{"name":"Summer Open Evening","date":"2071-07-02",
            "details":"free; demonstration; 10% off shop tools on the night"}});
    let r = person(
        r#"{"id":"1","email":"o@example.com","first_name":"Seun","consent":{"profiling":true},
        "events":[{"type":"web_visit","at":"2071-06-23","page":"accommodation"}]}"#,
    );
    for body in [
        "Hi Seun,\n\nThe Summer Saver takes 25% off one class with SUGAR25. Come to our Summer Open Evening on 2 July: there's 10% off shop tools on the night too.\n\nSugarloaf",
        "Hi Seun,\n\nThe Summer Saver takes 25% off one class with SUGAR25, and you keep your existing shop tools and kits.\n\nSugarloaf",
        "Hi Seun,\n\nThe Summer Saver takes 25% off one class with SUGAR25. We also saw you looking at accommodation yesterday.\n\nSugarloaf",
    ] {
        passes_with(&r, &c, body);
    }
    for body in [
        "Hi Seun,\n\nThe Summer Saver takes 25% off one class with SUGAR25, and 25% off shop tools too.\n\nSugarloaf",
        "Hi Seun,\n\nThe Summer Saver takes 25% off one class with SUGAR25. I saw you looking at accommodation too. Good news: it's covered by the 25% as well.\n\nSugarloaf",
    ] {
        let rep = check_with(&r, c.clone(), body);
        assert!(
            rep.findings.iter().any(|f| f.rule == "offer.scope"),
            "{body}\n{:?}",
            kinds(&rep)
        );
    }
}

/// A date in a label the campaign writes as a key ("Buttercream Flowers (Saturday,
/// 2071-07-18)": 120) is the campaign's date.
#[test]
fn a_date_in_a_campaign_label_is_the_campaigns() {
    let c = json!({"now":"2071-06-24","brand":"Sugarloaf Cake School",
        "offer":{"name":"Summer Saver","discount_percent":25,"code":"SUGAR25","book_by":"2071-07-05",
            "example_classes_gbp":{"Buttercream Flowers (Saturday, 2071-07-18)":120}}});
    let r = person(r#"{"id":"1","email":"o@example.com","first_name":"Seun"}"#);
    passes_with(
        &r,
        &c,
        "Hi Seun,\n\nThe Summer Saver takes 25% off with SUGAR25: Buttercream Flowers runs on Saturday 18 July and is normally £120, so you'd pay £90. Book by 5 July.\n\nSugarloaf",
    );
    fails_with(
        &r,
        &c,
        "Hi Seun,\n\nThe Summer Saver takes 25% off with SUGAR25: Buttercream Flowers runs on Saturday 25 July and is normally £120, so you'd pay £90. Book by 5 July.\n\nSugarloaf",
    );
}

/// "Weeks run Saturday to Saturday" is a changeover day, not a span of days; "Level 1, July
/// intake" is no date; "Level 2 upgrades are at normal prices" leaves them out of the offer.
#[test]
fn changeover_days_numbered_levels_and_normal_prices() {
    let c = json!({"now":"2071-06-24","brand":"Highline Access",
        "offer":{"name":"Winter Level 1 Intake","price_zar":14500,"code":"WINTERL1","book_by":"2071-07-03",
            "days":"Monday to Thursday","excludes":"Level 2 and Level 3 upgrade courses"}});
    let r = person(r#"{"id":"1","email":"t@example.com","first_name":"Thabo"}"#);
    for body in [
        "Hi Thabo,\n\nOur Winter Level 1 Intake is R14,500 with WINTERL1, Monday to Thursday. Accommodation weeks run Saturday to Saturday. Book by 3 July.\n\nHighline Access",
        "Hi Thabo,\n\nIRATA Level 1, July intake: R14,500 with WINTERL1. Book by 3 July.\n\nHighline Access",
        "Hi Thabo,\n\nThe offer is for Level 1 only - Level 2 and 3 upgrades and our other courses are at normal prices. Use WINTERL1 by 3 July for R14,500.\n\nHighline Access",
    ] {
        passes_with(&r, &c, body);
    }
    fails_with(
        &r,
        &c,
        "Hi Thabo,\n\nOur Winter Level 1 Intake is R14,500 with WINTERL1, Saturday to Sunday. Book by 3 July.\n\nHighline Access",
    );
}

/// An offer the campaign says does not combine with a deal, said to stack with it.
#[test]
fn an_offer_stacked_with_a_deal_it_does_not_combine_with() {
    let c = json!({"now":"2071-08-31","brand":"Bench & Key",
        "offer":{"name":"Desk Setup","percent":15,"code":"DESK15",
            "not_combinable_with":"Bench Club point redemptions"}});
    let r = person(r#"{"id":"1","email":"k@example.com","first_name":"Kai"}"#);
    for body in [
        "Hi Kai,\n\nDESK15 takes 15% off the bundle. It can't be combined with Bench Club point redemptions.\n\nBench & Key",
        "Hi Kai,\n\nDESK15 takes 15% off the bundle, and it replaces your Bench Club points rather than stacking with them.\n\nBench & Key",
        "Hi Kai,\n\nDESK15 takes 15% off the bundle, and the keycaps sit on top of the switches in the box.\n\nBench & Key",
    ] {
        passes_with(&r, &c, body);
    }
    for body in [
        "Hi Kai,\n\nBetter still, DESK15 stacks with your Bench Club points, so you could take another $20 off.\n\nBench & Key",
        "Hi Kai,\n\nDESK15 takes 15% off, and your Bench Club points come off on top.\n\nBench & Key",
    ] {
        let rep = check_with(&r, c.clone(), body);
        assert!(
            rep.findings.iter().any(|f| f.rule == "offer.stacking"),
            "{body}\n{:?}",
            kinds(&rep)
        );
    }
    // The same said inside another value: "...; cannot be combined with the Rampart points".
    let c = json!({"now":"2071-08-31","brand":"Bench & Key",
        "offer":{"name":"Desk Setup","percent":15,"code":"DESK15",
            "limit":"one per customer; cannot be combined with redeeming Rampart points"}});
    passes_with(
        &r,
        &c,
        "Hi Kai,\n\nDESK15 takes 15% off the bundle, one per customer. Rampart points can't be redeemed in the same order.\n\nBench & Key",
    );
    let body = "Hi Kai,\n\nDESK15 takes 15% off. PS: you can redeem your 410 Rampart points in the same order for a further 4.10 off.\n\nBench & Key";
    let rep = check_with(&r, c.clone(), body);
    assert!(
        rep.findings.iter().any(|f| f.rule == "offer.stacking"),
        "{body}\n{:?}",
        kinds(&rep)
    );
}

/// Seen from a Wednesday, "last Saturday" is four days back, not the Saturday before; said
/// on a Tuesday, "last Monday" may still mean the week before's.
#[test]
fn last_weekday_is_the_latest_unless_it_was_a_day_or_two_ago() {
    let c = json!({"now":"2065-10-28","brand":"Gyutto Cycles","offer":{"name":"Battery Swap","percent":10}});
    let check = |at: &str, body: &str| {
        let r = person(&format!(
            r#"{{"id":"1","email":"r@example.com","first_name":"Ren","consent":{{"profiling":true}},"attributes":{{"bike":"Annys"}},
            "events":[{{"type":"battery_check","at":"{at}","mechanic":"Kenji Sato","result_percent":58}}]}}"#
        ));
        check_with(&r, c.clone(), body)
    };
    let body = "Hi Ren,\n\nThanks for bringing your Annys in to Kenji Sato last Saturday. The Battery Swap takes 10% off.\n\nGyutto Cycles";
    let ok = check("2065-10-24", body);
    assert!(ok.passed(), "{:?}", kinds(&ok));
    let rep = check("2065-10-17", body);
    assert!(
        rep.findings.iter().any(|f| f.kind == Kind::WrongTime),
        "{:?}",
        kinds(&rep)
    );
    // Now a Tuesday: the Monday before last is still "last Monday" to many.
    let c2 = json!({"now":"2065-10-27","brand":"Gyutto Cycles","offer":{"name":"Battery Swap","percent":10}});
    let r = person(
        r#"{"id":"1","email":"r@example.com","first_name":"Ren","consent":{"profiling":true},"attributes":{"bike":"Annys"},
        "events":[{"type":"battery_check","at":"2065-10-19","mechanic":"Kenji Sato","result_percent":58}]}"#,
    );
    passes_with(
        &r,
        &c2,
        "Hi Ren,\n\nThanks for bringing your Annys in to Kenji Sato last Monday. The Battery Swap takes 10% off.\n\nGyutto Cycles",
    );
}

/// The words of an event's type name it: "Daniel's search report reached you last
/// Thursday" is the `search_report_sent` event, not Daniel's consultation a week before.
#[test]
fn an_events_type_words_name_it() {
    let c = json!({"now":"2071-10-07","brand":"Harbourmark","offer":{"name":"Brand Starter Pack","price_nzd":690}});
    let r = person(
        r#"{"id":"1","email":"m@example.com","first_name":"Mere","consent":{"profiling":true},
        "events":[{"type":"consultation","at":"2071-09-24","attorney":"Daniel Cho","topic":"new product name NIGHT SHIFT"},
                  {"type":"search_report_sent","at":"2071-10-01","mark":"NIGHT SHIFT"}]}"#,
    );
    passes_with(
        &r,
        &c,
        "Hi Mere,\n\nDaniel's search report on NIGHT SHIFT reached you last Thursday. The Brand Starter Pack is NZD 690.\n\nHarbourmark",
    );
}

/// "next Thursday's Open Workshop Evening" names the day as a possessive: it must still be
/// the evening's.
#[test]
fn a_possessive_weekday_of_a_campaign_event() {
    let c = json!({"now":"2062-10-04","brand":"Kaptafa",
        "event":{"name":"Open Workshop Evening","date":"2062-10-19","time":"18:00-20:30"}});
    let r = person(r#"{"id":"1","email":"a@example.com","first_name":"Anna"}"#);
    fails_with(
        &r,
        &c,
        "Hi Anna,\n\nWe'd love to see you at next Thursday's Open Workshop Evening, 18:00-20:30.\n\nKaptafa",
    );
    passes_with(
        &r,
        &c,
        "Hi Anna,\n\nWe'd love to see you at the Open Workshop Evening on Thursday 19 October, 18:00-20:30.\n\nKaptafa",
    );
}

/// More ways of saying the person has been here before ("you already know your way around
/// the Hall", "you'll know from last time"), or keeps looking at a page.
#[test]
fn knowing_the_place_from_last_time_needs_a_past_visit() {
    let c = json!({"now":"2071-07-29","brand":"Volcano Hall","offer":{"name":"Lab Day","price_jpy":1500}});
    let new = person(
        r#"{"id":"1","email":"d@example.com","first_name":"Daniel","consent":{"profiling":true},
        "events":[{"type":"enquiry","at":"2071-07-20","topic":"lab sessions"}]}"#,
    );
    let visited = person(
        r#"{"id":"1","email":"d@example.com","first_name":"Daniel","consent":{"profiling":true},
        "events":[{"type":"visit","at":"2071-05-02","tickets":2}]}"#,
    );
    for body in [
        "Hi Daniel,\n\nYou already know your way around the Hall, so Lab Day at 1,500 yen will feel easy.\n\nVolcano Hall",
        "Hi Daniel,\n\nAs you'll know from last time, Lab Day at 1,500 yen fills up fast.\n\nVolcano Hall",
    ] {
        passes_with(&visited, &c, body);
        let rep = check_with(&new, c.clone(), body);
        assert!(
            rep.findings.iter().any(|f| f.kind == Kind::ImpliedContext),
            "{body}\n{:?}",
            kinds(&rep)
        );
    }
}

/// A note shouted to someone by name, even after "P.S." ("P.S. NOTE FOR CARLA: confirm the
/// headcount"), is left-in copy; "Note for parents:" is the copy's own heading. "A returning
/// customer" needs a past purchase.
#[test]
fn a_note_shouted_to_a_colleague_and_a_returning_customer() {
    let c = json!({"now":"2071-06-24","brand":"Arc Academy","offer":{"name":"Summer Evenings","code":"ARC150"}});
    let r = person(r#"{"id":"1","email":"w@example.com","first_name":"Wes"}"#);
    passes_with(
        &r,
        &c,
        "Hi Wes,\n\nSummer Evenings starts in July with ARC150.\n\nNote for parents: under-18s need a signed form.\n\nArc Academy",
    );
    let rep = check_with(
        &r,
        c.clone(),
        "Hi Wes,\n\nSummer Evenings starts in July with ARC150.\n\nP.S. NOTE FOR CARLA: confirm the headcount with Raj before this goes out.\n\nArc Academy",
    );
    assert!(
        rep.findings.iter().any(|f| f.kind == Kind::TemplateLeak),
        "{:?}",
        kinds(&rep)
    );
    let rep = check_with(
        &r,
        c.clone(),
        "Hi Wes,\n\nIt's always good to hear from a returning customer. Summer Evenings starts in July with ARC150.\n\nArc Academy",
    );
    assert!(
        rep.findings.iter().any(|f| f.kind == Kind::ImpliedContext),
        "{:?}",
        kinds(&rep)
    );
}

/// A worked price plus a fee the campaign states is the campaign's figure, even when the
/// fee is not written ("$109.65 ... $121.65 delivered" with a $12 delivery fee); the same
/// price plus a fee the campaign does not have is still a wrong amount.
#[test]
fn a_worked_price_plus_a_stated_fee() {
    let c = json!({"now":"2037-03-18","brand":"Paddock & Cleaver","currency":"AUD",
        "offer":{"name":"Slow-Cook Box","regular_price_aud":129.00,"discount_percent":15,
        "code":"SLOWCOOK15","delivery_fee_aud":12}});
    let r = person(r#"{"id":"1","email":"a@example.com","first_name":"Ana"}"#);
    let body = |total: &str| {
        format!(
            "Hi Ana,\n\nWith SLOWCOOK15 the Slow-Cook Box drops from $129.00 to $109.65. A single box is {total} delivered.\n\nPaddock & Cleaver"
        )
    };
    passes_with(&r, &c, &body("$121.65"));
    fails_with(&r, &c, &body("$124.65"));
}

/// Common words capitalized inside a sentence name the event they come from: "the Road Ready
/// details last week" is the click on "Road Ready squad details", not the lesson with the
/// child named in the same sentence three months ago.
#[test]
fn capitalized_common_words_name_an_event() {
    let c = json!({"now":"2072-07-13","brand":"Two Wheels Kids","offer":{"name":"Road Ready","code":"ROAD10"}});
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Anh","attributes":{"child":{"name":"Minh"}},
        "events":[{"type":"private_lesson","at":"2072-04-16","child":"Minh","coach":"Sam Ng"},
        {"type":"newsletter_click","at":"2072-07-06","link":"Road Ready squad details"}]}"#,
    );
    passes_with(
        &r,
        &c,
        "Hi Anh,\n\nYou clicked through to the Road Ready details last week, and we think Minh would be a great fit. Use ROAD10 to book.\n\nTwo Wheels Kids",
    );
    fails_with(
        &r,
        &c,
        "Hi Anh,\n\nYou clicked through to the Road Ready details yesterday, and we think Minh would be a great fit. Use ROAD10 to book.\n\nTwo Wheels Kids",
    );
}

/// What the record shows the person said: an approved account is a new one ("Welcome
/// aboard"), a `moved_in` date is a move, a declared car is something they told us, a sign-up
/// form's interest is something they mentioned, and noted concerns are what they told us
/// about. Without those facts each is still a claim the record does not bear.
#[test]
fn what_forms_and_approvals_show_the_person_said() {
    let c = json!({"now":"2072-05-04","brand":"Marula Pro","offer":{"name":"Winter Stock-Up","code":"COLOUR20"}});
    let cases = [
        (
            r#""events":[{"type":"trade_account_approved","at":"2072-05-02"}]"#,
            "Welcome aboard! Your trade account is open.",
        ),
        (
            r#""attributes":{"city":"Oakville","moved_in":"2072-04-30"},"events":[{"type":"enquiry","at":"2072-04-01"}]"#,
            "Congratulations on the move to Oakville.",
        ),
        (
            r#""attributes":{"vehicle_declared":"Mazda MX-5 (NC)"},"events":[{"type":"newsletter_signup","at":"2072-05-01"}]"#,
            "You told us you drive a Mazda MX-5, so here are the numbers.",
        ),
        (
            r#""events":[{"type":"signup","at":"2072-05-01","interest":"supporter membership"}]"#,
            "You mentioned you're interested in a supporter membership, so here it is.",
        ),
        (
            r#""attributes":{"concerns":"spelling and reading speed"},"events":[{"type":"enquiry","at":"2072-04-20"}]"#,
            "The assessment looks at the spelling and reading-speed difficulties you told us about.",
        ),
    ];
    for (record, line) in cases {
        let body =
            format!("Hi Lerato,\n\n{line} Winter Stock-Up runs with COLOUR20.\n\nMarula Pro");
        let r = person(&format!(
            r#"{{"id":"1","email":"a@example.com","first_name":"Lerato",{record}}}"#
        ));
        passes_with(&r, &c, &body);
        let bare = person(
            r#"{"id":"1","email":"a@example.com","first_name":"Lerato","events":[{"type":"web_visit","at":"2071-01-01","page":"home"}]}"#,
        );
        fails_with(&bare, &c, &body);
    }
}

/// "U10-U16" is a range of age divisions, not a code; "SKATE10" in its place still is one.
#[test]
fn a_range_of_divisions_is_not_a_code() {
    let c = json!({"now":"2072-08-17","brand":"Strathcona Storm","offer":{"name":"Skills Camp","code":"STORM25","ages":"U10 to U16","dates":"2072-08-29 to 2072-09-02"}});
    let r = person(r#"{"id":"1","email":"a@example.com","first_name":"Ava"}"#);
    let body = |x: &str| {
        format!("Hi Ava,\n\nThe Skills Camp for {x} runs August 29 to September 2. Book with STORM25.\n\nStrathcona Storm")
    };
    passes_with(&r, &c, &body("U10-U16"));
    fails_with(&r, &c, &body("U10-U16 with code SKATE10"));
    fails_with(&r, &c, &body("U10-X16"));
}

/// Things that read as claims about the person but are not: a month the record names in a
/// key ("In February we answered 138 calls" for `calls_answered_february`), a perk in
/// "their birthday month", calling into the showroom, "a party your size". Each still fails
/// when it is a claim ("in March", "your birthday month", "you called us", "your size").
#[test]
fn keys_perks_visits_and_idioms_are_not_claims() {
    let c = json!({"now":"2072-03-30","brand":"Callbox","offer":{"name":"Spring Plan","code":"SPRING10"}});
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Martina",
        "attributes":{"plan":"Business","calls_answered_february":138},
        "events":[{"type":"showroom_visit","at":"2072-03-21"},{"type":"web_visit","at":"2072-03-02","page":"plans"}]}"#,
    );
    let body = |line: &str| {
        format!("Hi Martina,\n\n{line} The Spring Plan is yours with SPRING10.\n\nCallbox")
    };
    for (ok, bad) in [
        (
            "In February we answered 138 calls for you.",
            "In January we answered 138 calls for you.",
        ),
        (
            "Members get a free drinks package in their birthday month.",
            "Enjoy a free drinks package in your birthday month.",
        ),
        (
            "It was good to see you when you called into the showroom.",
            "It was good to hear from you when you called us about the showroom.",
        ),
        (
            "The group rate is the way to go for a party your size.",
            "We have the headset in your size.",
        ),
    ] {
        passes_with(&r, &c, &body(ok));
        fails_with(&r, &c, &body(bad));
    }
}

/// Dates worked from the person's own: "four to eight weeks before the wedding" on 18 June is
/// 23 April to 21 May; "It runs for 30 days, until Wednesday 27 April" after "your trial" is
/// the trial's end. Other dates there are still wrong.
#[test]
fn dates_worked_from_the_persons_own() {
    let c = json!({"now":"2072-01-20","brand":"Wedding Paws","offer":{"name":"Meet & Greet Walk","code":"AISLE50","ends":"2072-02-28"}});
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Rhiannon",
        "attributes":{"wedding_date":"2072-06-18","chaperone":"Tom"},
        "events":[{"type":"deposit_paid","at":"2071-10-05"}]}"#,
    );
    let body = |x: &str| {
        format!("Hi Rhiannon,\n\nA walk with Tom comes four to eight weeks before your wedding, so between {x}. Book with AISLE50.\n\nWedding Paws")
    };
    passes_with(&r, &c, &body("23 April and 21 May"));
    fails_with(&r, &c, &body("16 April and 21 May"));

    let c = json!({"now":"2072-03-30","brand":"Kaimai HerdBook","free_trial":"30 days","offer":{"name":"Dry-Off Deal","code":"DRYOFF3","sign_up_by":"2072-04-30"}});
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Kiri",
        "events":[{"type":"trial_signup","at":"2072-03-28","trial_ends":"2072-04-27"}]}"#,
    );
    let body = |x: &str| {
        format!("Kia ora Kiri,\n\nThanks for starting your trial on Monday. It runs for 30 days, until {x}. The Dry-Off Deal with DRYOFF3 is open until 30 April.\n\nKaimai HerdBook")
    };
    passes_with(&r, &c, &body("Wednesday 27 April"));
    fails_with(&r, &c, &body("Thursday 28 April"));
}

/// "Quote FLEETFREE" opens a sentence with a verb and the campaign's code, no name; an offer's
/// condition ("when there are four or more pairs in your basket") claims no basket. A code
/// that is not the campaign's, and a basket said to hold something, still fail.
#[test]
fn a_verb_before_the_code_and_a_basket_condition() {
    let c = json!({"now":"2072-05-04","brand":"Hazel & Tide","offer":{"name":"Build Your Kit","code":"KIT25","discount_percent":25,"ends":"2072-05-29"}});
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Hannah","events":[{"type":"signup","at":"2072-04-01"}]}"#,
    );
    let body = |x: &str| {
        format!("Hi Hannah,\n\nBuild Your Kit takes 25% off until 29 May. {x}\n\nHazel & Tide")
    };
    passes_with(&r, &c, &body("Quote KIT25 at the till."));
    fails_with(&r, &c, &body("Quote KIT30 at the till."));
    passes_with(
        &r,
        &c,
        &body("KIT25 works when there are four or more pairs in your basket."),
    );
    fails_with(&r, &c, &body("The four pairs in your basket are waiting."));
}

/// More ways of saying the person has been with us, each failing for someone whose only
/// record is an enquiry ("You've kept worms with us before", "the same friendly face you're
/// used to", "a familiar name", "your continued trust"); a question or a negation of the same
/// words ("Studied with us before?", "haven't had one with us before") claims nothing.
#[test]
fn more_claims_of_a_history_and_questions_that_ask() {
    let c = json!({"now":"2072-06-08","brand":"Worm Works","offer":{"name":"Winter Worm Bundle","code":"WORMWINTER"}});
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Freya","events":[{"type":"enquiry","at":"2072-06-02"}]}"#,
    );
    let body = |x: &str| {
        format!("Hi Freya,\n\n{x} The Winter Worm Bundle is yours with WORMWINTER.\n\nWorm Works")
    };
    for claim in [
        "You've kept worms with us before, so you know the drill.",
        "Brittany leads your route, so you'll keep the same friendly face you're used to.",
        "It's always good to see a familiar name on our list.",
        "Thank you for your continued trust in Worm Works.",
        "Thanks for sticking with Worm Works for another year.",
    ] {
        fails_with(&r, &c, &body(claim));
    }
    for ask in [
        "Kept worms with us before? Past customers get a free tray.",
        "The bundle is for people who haven't had a worm farm with us before.",
    ] {
        passes_with(&r, &c, &body(ask));
    }
}

/// A model named with another number than the record's ("a quote on a Breezeway 37" for a
/// quote on the "Breezeway 50 fold-down wall clothesline") is a wrong fact; the record's own
/// number or another model set beside it is not. A name after "your" in a Title Case subject
/// is still checked.
#[test]
fn a_model_with_another_number_and_a_name_in_the_subject() {
    let c = json!({"now":"2072-06-08","brand":"Hoist & Peg","products":{"Breezeway 50":{"price_aud":289},"Breezeway 37":{"price_aud":239}},
        "offer":{"name":"Winter Drying Deal","code":"DRYWINTER15"}});
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Bronwyn",
        "events":[{"type":"quote_requested","at":"2072-06-04","item":"Breezeway 50 fold-down wall clothesline","quote_ref":"Q-72-0614"},
        {"type":"term_paid","at":"2072-04-20","term":"Term 2 swimming"}]}"#,
    );
    let body = |x: &str| {
        format!(
            "Hi Bronwyn,\n\n{x} The Winter Drying Deal is yours with DRYWINTER15.\n\nHoist & Peg"
        )
    };
    fails_with(
        &r,
        &c,
        &body("Thanks for asking us to quote on a Breezeway 37 (quote Q-72-0614)."),
    );
    passes_with(
        &r,
        &c,
        &body("Thanks for asking us to quote on a Breezeway 50 (quote Q-72-0614)."),
    );
    passes_with(
        &r,
        &c,
        &body("Your quote Q-72-0614 was for a Breezeway 50; the smaller Breezeway 37 is also on offer."),
    );

    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Nomvula","attributes":{"vehicle":"Toyota Corolla Cross"}}"#,
    );
    let rep = Gate::new().check(
        &Email::new(
            "Nomvula, your Fortuner and the new Panic Button",
            "Hi Nomvula,\n\nThe Winter Drying Deal is yours with DRYWINTER15.\n\nHoist & Peg",
        ),
        &r,
        &Context::from_json(c.clone()).unwrap(),
    );
    assert!(!rep.passed(), "{:?}", kinds(&rep));
    let rep = Gate::new().check(
        &Email::new(
            "Nomvula, your Corolla Cross and the new Panic Button",
            "Hi Nomvula,\n\nThe Winter Drying Deal is yours with DRYWINTER15.\n\nHoist & Peg",
        ),
        &r,
        &Context::from_json(c).unwrap(),
    );
    assert!(rep.passed(), "{:?}", kinds(&rep));
}

/// A `cannot_combine_with` deal named in one sentence and stacked in the next by "it" ("the
/// $50 referral credit you earned. You can use it on top of NEST15") is stacked; the same
/// two sentences saying it cannot be is not.
#[test]
fn a_deal_stacked_by_it_in_the_next_sentence() {
    let c = json!({"now":"2072-07-13","brand":"Safe Nest","referral_credit":"$50 credit for each friend who books",
        "promotion":{"name":"Summer Safe Home","code":"NEST15","cannot_combine_with":"the $50 referral credit"}});
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Jenna","events":[{"type":"referral","at":"2072-05-17","credit_cad":50}]}"#,
    );
    let body = |x: &str| {
        format!("Hi Jenna,\n\nSummer Safe Home is on with NEST15.\n\nP.S. Don't forget the $50 referral credit you earned in May. {x}\n\nSafe Nest")
    };
    fails_with(&r, &c, &body("You can use it on top of NEST15."));
    passes_with(
        &r,
        &c,
        &body("You can't use it on top of NEST15, but it keeps for later."),
    );
}

/// "Collect your bike by 9 January" is the thing the campaign hands over, not one the person
/// has; "We're open until 23 December" before a closure from the 24th is opening hours, not a
/// deadline. A bike said to be serviced already, and "book by 23 December", still fail.
#[test]
fn collecting_what_the_offer_gives_and_open_until_a_closure() {
    let c = json!({"now":"2071-12-16","brand":"Swala E-Boda","lease":{"bike":"Swala S2 electric bike","deposit_kes":6000},
        "offer":{"name":"Sikukuu Deposit","code":"SIKUKUU6","sign_by":"2071-12-31","collect_by":"2072-01-09"},
        "closed":{"from":"2071-12-24","to":"2072-01-03"}});
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Brian","events":[{"type":"enquiry","at":"2071-12-09"}]}"#,
    );
    let body = |x: &str| {
        format!("Hi Brian,\n\nThe Sikukuu Deposit is on with SIKUKUU6. {x}\n\nSwala E-Boda")
    };
    passes_with(
        &r,
        &c,
        &body("Sign by 31 December and collect your bike by 9 January."),
    );
    fails_with(&r, &c, &body("We serviced your bike at the hub last week."));
    passes_with(
        &r,
        &c,
        &body("We're open until 23 December, then closed until 3 January."),
    );
    fails_with(&r, &c, &body("Book by 23 December to get the deposit."));
}

/// "The Winter Worm Bundle is $169" states what the bundle costs: a figure none of the
/// bundle's own gives is a wrong offer, even though the campaign's other figures happen to
/// work out to it ($189 less the $20 workshop). The bundle's price, its price with the
/// upgrade's $30, and two things priced together still pass.
#[test]
fn a_named_things_price_is_one_of_its_own_figures() {
    let c = json!({"now":"2072-06-01","brand":"Wriggle Room",
        "offer":{"name":"Winter Worm Bundle","usual_price_nzd":233,"bundle_price_nzd":189,"code":"WORMWINTER","upgrade_nzd":30},
        "workshop":{"name":"Worm Farming 101","price_nzd":20,"date":"2072-06-18"},
        "tray":{"name":"Spare Worm Tray","price_nzd":49}});
    let r = person(r#"{"id":"1","email":"a@example.com","first_name":"Sione"}"#);
    let body = |x: &str| format!("Hi Sione,\n\n{x} Use code WORMWINTER.\n\nWriggle Room");
    fails_with(&r, &c, &body("The Winter Worm Bundle is $169 this winter."));
    passes_with(&r, &c, &body("The Winter Worm Bundle is $189 this winter."));
    passes_with(
        &r,
        &c,
        &body("The Winter Worm Bundle is $219 with the upgrade."),
    );
    passes_with(
        &r,
        &c,
        &body("A Spare Worm Tray and Worm Farming 101 come to $69 together."),
    );
}

/// "you grabbed the Cubs at Spring Break Night" for a `break_spot` event with its price: a
/// thing paid for was bought. A `quote` with an amount was not, and "you picked up" the
/// person's `usual_order` names their habit, not another product.
#[test]
fn what_was_paid_for_was_bought() {
    let c = json!({"now":"2073-05-24","brand":"Dugout Cards","event":{"name":"Summer Break Night","date":"2073-06-10"}});
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Tyler","attributes":{"collects":"Chicago Cubs rookies","usual_order":"two dozen for the Bible study"},
        "events":[{"type":"break_spot","at":"2073-04-22","event":"Spring Break Night","team":"Chicago Cubs","price_usd":45.0},
                  {"type":"purchase","at":"2073-05-13","item":"Series 2 hobby box","total_usd":119.0},
                  {"type":"quote","at":"2073-05-01","item":"Walnut display case","amount_usd":300.0}]}"#,
    );
    let body =
        |x: &str| format!("Hi Tyler,\n\n{x} Summer Break Night is on June 10.\n\nDugout Cards");
    passes_with(
        &r,
        &c,
        &body("Since you grabbed the Cubs at Spring Break Night in April,"),
    );
    passes_with(
        &r,
        &c,
        &body("Thanks for picking up the Bible study order again."),
    );
    fails_with(&r, &c, &body("Since you bought the Walnut display case,"));
}

/// "through October 15" is a date, judged by the time checks, not a numbered name that the
/// record's "Saturday, October 1" makes wrong; "Site 11" for the person's "Site 14" still is.
#[test]
fn a_month_and_day_is_no_numbered_name() {
    let c = json!({"now":"2072-09-21","brand":"Kubala","offer":{"name":"Freezer Box","code":"FREEZER8","ends":"2072-10-15"}});
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Dwayne","events":[{"type":"page_view","at":"2072-09-15","page":"Rolling Class - Saturday, October 1"},
        {"type":"booking","at":"2072-09-01","pitch":"Site 14"}]}"#,
    );
    let body = |x: &str| format!("Hi Dwayne,\n\n{x}\n\nKubala");
    passes_with(
        &r,
        &c,
        &body("The Freezer Box is yours with FREEZER8 through October 15."),
    );
    fails_with(&r, &c, &body("Your booking for Site 11 is confirmed."));
}

/// "Monday–Thursday, October 31–December 15": a range of weekdays, a dash between, then a
/// range of dates; "Thursday, October 31" when it is a Monday still fails.
#[test]
fn a_weekday_range_written_with_a_dash() {
    let c = json!({"now":"2072-10-26","brand":"Bayou Airboats","offer":{"name":"Weekday Marsh Deal","code":"MARSH25","discount_percent":25,"valid":"Monday-Thursday, 2072-10-31 to 2072-12-15"}});
    let r = person(r#"{"id":"1","email":"a@example.com","first_name":"Greg"}"#);
    let body = |x: &str| {
        format!("Hi Greg,\n\nThe Weekday Marsh Deal takes 25% off, {x}, with code MARSH25.\n\nBayou Airboats")
    };
    passes_with(&r, &c, &body("Monday–Thursday, October 31–December 15"));
    fails_with(&r, &c, &body("from Thursday, October 31"));
}

/// "You mentioned you'll be in New Orleans from November 14 to 17" for a sign-up's
/// `planned_visit`: what the person told us. With no such field it is still a claim.
#[test]
fn a_planned_visit_is_what_the_person_told_us() {
    let c = json!({"now":"2072-10-26","brand":"Bayou Airboats","offer":{"name":"Weekday Marsh Deal","code":"MARSH25"}});
    let told = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Greg","attributes":{"planned_visit":"New Orleans, 2072-11-14 to 2072-11-17"},"events":[{"type":"newsletter_signup","at":"2072-10-24"}]}"#,
    );
    let silent = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Greg","events":[{"type":"newsletter_signup","at":"2072-10-24"}]}"#,
    );
    let body = "Hi Greg,\n\nYou mentioned you'll be in New Orleans soon. The Weekday Marsh Deal is on with MARSH25.\n\nBayou Airboats";
    passes_with(&told, &c, body);
    fails_with(&silent, &c, body);
}

/// `"remaining_debt_usd": {"car loan": 8640}`: a currency code in the key, then a label, is
/// money; "the remaining $8,640" is the person's, and "$8,460" is not.
#[test]
fn money_under_a_label_after_a_currency_key() {
    let c = json!({"now":"2072-11-30","brand":"Tallgrass","offer":{"name":"New Year Reset","code":"RESET40","discount_percent":40}});
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Jasmine","attributes":{"remaining_debt_usd":{"car loan":8640}}}"#,
    );
    let body = |x: &str| {
        format!("Hi Jasmine,\n\nYou planned the payoff for the remaining {x} on your car loan. New Year Reset is on with RESET40.\n\nTallgrass")
    };
    passes_with(&r, &c, &body("$8,640"));
    fails_with(&r, &c, &body("$8,460"));
}

/// "Starts Monday, January 9, then every Monday ... through February 27" for an 8-session
/// weekly programme from January 9: the series' last day. "through March 6" is not.
#[test]
fn the_last_day_of_a_weekly_series() {
    let c = json!({"now":"2072-11-30","brand":"Tallgrass","new_program":{"name":"Debt-Free Sprint","starts":"2073-01-09","schedule":"Mondays 7:00-8:00pm, 8 sessions","price_usd":199}});
    let r = person(r#"{"id":"1","email":"a@example.com","first_name":"Ethan"}"#);
    let body = |x: &str| {
        format!("Hi Ethan,\n\nThe Debt-Free Sprint starts Monday, January 9, then runs every Monday through {x}.\n\nTallgrass")
    };
    passes_with(&r, &c, &body("February 27"));
    fails_with(&r, &c, &body("March 6"));
}

/// "the project caught 1,843 rats" is the campaign's `rats: 1843`, not the person's nine;
/// "you caught 19 rats" still is the person's.
#[test]
fn a_campaign_figure_keyed_by_its_noun() {
    let c = json!({"now":"2073-03-15","brand":"Karamu Creek Trust","rats":1843,"appeal":{"name":"Sponsor a Trap","code":"TRAP60"}});
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Ross","events":[{"type":"trap_report","at":"2073-02-01","rats":9}]}"#,
    );
    let body =
        |x: &str| format!("Hi Ross,\n\n{x} Sponsor a Trap with TRAP60.\n\nKaramu Creek Trust");
    passes_with(
        &r,
        &c,
        &body("Last year, volunteers across the project caught 1,843 rats."),
    );
    fails_with(&r, &c, &body("Last year your trap caught 19 rats."));
}

/// "twelve Coxswain debit orders of R250" for the person's own R250 debit orders is not a
/// spend threshold; "orders of R200 or more" against the campaign's R250 minimum is.
#[test]
fn the_persons_own_amount_is_no_threshold() {
    let c = json!({"now":"2073-03-15","brand":"Sea Rescue","shop":{"free_delivery_min_zar":500},"offer":{"name":"Early Swim","code":"EARLYSWIM"}});
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Annelie","events":[{"type":"debit_order","at":"2073-02-01","amount_zar":250}]}"#,
    );
    let body =
        |x: &str| format!("Hi Annelie,\n\n{x} Early Swim is on with EARLYSWIM.\n\nSea Rescue");
    passes_with(
        &r,
        &c,
        &body("Your certificate went out: twelve debit orders of R250."),
    );
    fails_with(&r, &c, &body("Delivery is free on orders of R400 or more."));
}

/// "If getting your real estate license is on your list", "$150 off your real estate license
/// course" to someone who only looked at the course: what the course leads to, or what the
/// offer is for, not something the person has.
#[test]
fn getting_your_and_off_your_are_ahead() {
    let c = json!({"now":"2073-01-04","brand":"Pine Realty Academy","offer":{"name":"New Year, New License","code":"LICENSE150","discount_usd":150,"ends":"2073-01-31","applies_to":"the 75-hour Broker Prelicensing Course"}});
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Derek","events":[{"type":"web_visit","at":"2073-01-02","page":"New Year, New License offer"}]}"#,
    );
    let check = |subject: &str, x: &str| {
        Gate::new().check(
            &Email::new(
                subject,
                format!("Hi Derek,\n\n{x} Use LICENSE150.\n\nPine Realty Academy"),
            ),
            &r,
            &Context::from_json(c.clone()).unwrap(),
        )
    };
    let rep = check(
        "$150 off your real estate license course, through January 31",
        "If getting your real estate license is on your list, February is a good time to start.",
    );
    assert!(rep.passed(), "{:?}", kinds(&rep));
}

/// "Karibu Faith," opens with a Swahili welcome; "Elsewhere," opens a sentence. Neither is a
/// name the person is addressed by; "Dear Grace," still is.
#[test]
fn welcomes_and_sentence_adverbs_are_no_names() {
    let c = json!({"now":"2072-11-30","brand":"KikundiPlus","offer":{"name":"Chama Start","code":"CHAMA1"}});
    let r = person(r#"{"id":"1","email":"a@example.com","first_name":"Faith"}"#);
    passes_with(
        &r,
        &c,
        "Karibu Faith,\n\nChama Start is on with CHAMA1.\n\nElsewhere, our app now has a new look.\n\nKikundiPlus",
    );
    fails_with(
        &r,
        &c,
        "Dear Grace,\n\nChama Start is on with CHAMA1.\n\nKikundiPlus",
    );
}

/// "Thank you for coming out last Sunday to clear water hyacinth at the inlet" for a
/// `shramadaan` event whose task that is: the event is named a few words on. Thanks for
/// coming to something the record does not hold still fails.
#[test]
fn thanks_for_coming_names_the_event_further_on() {
    let c = json!({"now":"2073-03-15","brand":"Neeralakere Trust","offer":{"name":"Lake Guardian","code":"JALA25"}});
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Kavitha","events":[{"type":"shramadaan","at":"2073-03-12","task":"clearing water hyacinth at the inlet"}]}"#,
    );
    let body = |x: &str| {
        format!("Dear Kavitha,\n\n{x} Lake Guardian is on with JALA25.\n\nNeeralakere Trust")
    };
    passes_with(
        &r,
        &c,
        &body("Thank you for coming out last Sunday to clear water hyacinth at the inlet."),
    );
    fails_with(
        &r,
        &c,
        &body("Thank you for coming out last Sunday to our heritage walk."),
    );
}

/// "22 March is World Water Day": a date of the world's calendar, not a campaign fact made
/// up; "22 March is our open day" with no such date in the campaign still fails.
#[test]
fn a_world_day_is_the_worlds_date() {
    let c = json!({"now":"2073-03-15","brand":"Neeralakere Trust","offer":{"name":"Lake Guardian","code":"JALA25","discount_percent":25,"ends":"2073-03-31"}});
    let r = person(r#"{"id":"1","email":"a@example.com","first_name":"Fathima"}"#);
    let body = |x: &str| {
        format!("Hello Fathima,\n\n{x} Until 31 March, JALA25 takes 25% off a Lake Guardian membership.\n\nNeeralakere Trust")
    };
    passes_with(
        &r,
        &c,
        &body("22 March is World Water Day, and we're marking it."),
    );
    fails_with(
        &r,
        &c,
        &body("22 March is our open day, and we're marking it."),
    );
}

/// "your new place in Waterloo" to someone whose enquiry says "We just bought a 1970s house
/// in Waterloo": the person told us. With an enquiry about something else, it is a claim.
#[test]
fn a_new_home_the_person_wrote_of() {
    let c = json!({"now":"2073-04-19","brand":"Grand River Sump","offer":{"name":"Spring Pump Deal","code":"PUMP150"}});
    let wrote = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Kwame","events":[{"type":"enquiry","at":"2073-04-16","message":"We just bought a 1970s house in Waterloo. What should we do about the old pump?"}]}"#,
    );
    let other = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Kwame","events":[{"type":"enquiry","at":"2073-04-16","message":"What should we do about the old pump?"}]}"#,
    );
    let body = "Hi Kwame,\n\nHere is a sump pump plan for your new place. The Spring Pump Deal is on with PUMP150.\n\nGrand River Sump";
    passes_with(&wrote, &c, body);
    fails_with(&other, &c, body);
}

/// "such a loyal friend of the station", "a loyal part of the Tidewater crowd": loyalty
/// claimed of someone with one enquiry. The same words to a member of years pass.
#[test]
fn a_loyal_friend_needs_a_history() {
    let c = json!({"now":"2073-03-15","brand":"Station 21","course":{"name":"Water Safety Course","code":"SAFE10"}});
    let new = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Sipho","events":[{"type":"enquiry","at":"2073-03-10","question":"course dates"}]}"#,
    );
    let member = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Sipho","attributes":{"member_since":"2064-07-01","membership":"Crew Friend"}}"#,
    );
    let body = "Hi Sipho,\n\nThe Water Safety Course is on with SAFE10.\n\nThank you for being such a loyal friend of the station.\n\nStation 21";
    fails_with(&new, &c, body);
    passes_with(&member, &c, body);
}

/// "your usual 10% comes off on top: $183.60 instead of $240" stacks a deal the offer does
/// not combine with: "instead of" compares prices, it does not turn the deal down. So does
/// "our Member Cashback is paid as well"; "shirts as well as baskets" is a list.
#[test]
fn stacking_said_with_instead_of_a_price_or_as_well() {
    let c = json!({"now":"2073-02-08","brand":"Burntwood","offer":{"name":"Late Winter Rental Sale","code":"STOVEUP15","discount_percent":15,
        "not_combinable_with":"Trail Club 10% member discount, Member Cashback"},"kit_cad":240});
    let r = person(r#"{"id":"1","email":"a@example.com","first_name":"Remy"}"#);
    let body = |x: &str| {
        format!("Hi Remy,\n\nThe Late Winter Rental Sale is on with STOVEUP15. {x}\n\nBurntwood")
    };
    fails_with(
        &r,
        &c,
        &body("Your Trail Club 10% comes off on top: $183.60 instead of $240."),
    );
    fails_with(
        &r,
        &c,
        &body("Our Member Cashback is paid on completion as well."),
    );
    passes_with(
        &r,
        &c,
        &body(
            "We rent stoves as well as tents, and the Member Cashback can't be combined with it.",
        ),
    );
}

/// "gift memberships bought for someone else" is excluded, so "20% off a gift membership"
/// offers an excluded thing; a new membership of one's own is what the offer is for.
#[test]
fn an_exclusion_named_by_its_head() {
    let c = json!({"now":"2073-03-15","brand":"Wreake Valley Trust","offer":{"name":"Spring Joining Offer","code":"LOCK14","discount_percent":20,
        "applies_to":"new Supporter and Family memberships","excludes":"renewals, gift memberships bought for someone else"}});
    let r = person(r#"{"id":"1","email":"a@example.com","first_name":"Ann"}"#);
    let body = |x: &str| {
        format!("Hi Ann,\n\nThe Spring Joining Offer: code LOCK14 takes 20% off {x}.\n\nWreake Valley Trust")
    };
    fails_with(&r, &c, &body("a gift membership"));
    passes_with(&r, &c, &body("a new Family membership"));
}

/// "last month's Distinction", "last week's class": the possessive says the same time as
/// "last month" and "last week", and is judged the same way.
#[test]
fn last_weeks_and_last_months_are_judged() {
    let c = json!({"now":"2073-01-04","brand":"Carelink Academy","course":{"name":"Dementia Care","code":"CARE10"}});
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Aoibheann","events":[{"type":"module_result","at":"2072-11-24","module":"Infection Prevention","grade":"Distinction"}]}"#,
    );
    let body = |x: &str| {
        format!("Hi Aoibheann,\n\nCongratulations on {x} Distinction in Infection Prevention. Dementia Care is next, with CARE10.\n\nCarelink Academy")
    };
    fails_with(&r, &c, &body("last week's"));
    passes_with(&r, &c, &body("your"));
}

/// "You came to our Parents' Tasting Day with both children last year" for a
/// `tasting_day_attended` event a year back: the plural's apostrophe joins the name, whose
/// words name the event by its type, so "last year" is read against that event and not
/// against a payment that mentions the children.
#[test]
fn an_event_named_by_its_type_through_a_plurals_apostrophe() {
    let c = json!({"now":"2073-10-11","brand":"Lunchbox Lagos","event":{"name":"Parents' Tasting Day","date":"2073-10-21"}});
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Ada","attributes":{"children":[{"name":"Chidera"},{"name":"Obinna"}]},
        "events":[{"type":"tasting_day_attended","at":"2072-10-15","note":"came with both children"},
        {"type":"plan_payment","at":"2073-09-08","plan":"first half term (2073-09-11 to 2073-10-20), 2 children","amount_ngn":200000}]}"#,
    );
    let body = |x: &str| {
        format!("Hi Ada,\n\nYou came to our Parents' Tasting Day with both children {x}; this year's is on Saturday, 21 October.\n\nLunchbox Lagos")
    };
    passes_with(&r, &c, &body("last year"));
    fails_with(&r, &c, &body("last month"));
}

/// "happy belated Thanksgiving" is a holiday's greeting, not the person's birthday;
/// "happy belated birthday" still needs a birthday in the record.
#[test]
fn a_belated_holiday_is_not_a_birthday() {
    let c = json!({"now":"2073-10-11","brand":"Brookvale Family Farm","event":{"name":"Moonlit Maze","date":"2073-10-20"}});
    let r = person(r#"{"id":"1","email":"a@example.com","first_name":"Kwame"}"#);
    let body = |x: &str| {
        format!("Hi Kwame,\n\nHappy belated {x}! The Moonlit Maze opens on Friday, October 20.\n\nBrookvale Family Farm")
    };
    passes_with(&r, &c, &body("Thanksgiving"));
    fails_with(&r, &c, &body("birthday"));
}

/// "Thanks for your message" and "as you wrote to us on WhatsApp" to someone whose record
/// holds a `whatsapp` or `feedback` event: what they sent is a contact; with none, a claim.
#[test]
fn whatsapp_and_feedback_messages_are_contacts() {
    let c = json!({"now":"2074-02-28","brand":"Platt's Chippy","new_item":{"name":"pea fritter","price_gbp":1.9}});
    let body = "Hi Malcolm,\n\nThanks for your message on Saturday. The pea fritter is £1.90.\n\nPlatt's Chippy";
    for kind in ["feedback", "whatsapp"] {
        let r = person(&format!(
            r#"{{"id":"1","email":"a@example.com","first_name":"Malcolm","events":[{{"type":"{kind}","at":"2074-02-24","message":"That pea fritter's a belter."}}]}}"#
        ));
        passes_with(&r, &c, body);
    }
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Malcolm","events":[{"type":"order","at":"2074-02-24","items":["pea fritter"]}]}"#,
    );
    fails_with(&r, &c, body);
}

/// "We're so glad the Blue Train caught your eye" to someone who asked about it, or who
/// signed up naming their interest: interest shown, not only browsing. A person with no
/// such fact still fails.
#[test]
fn caught_your_eye_by_an_enquiry_or_a_stated_interest() {
    let c = json!({"now":"2073-11-15","brand":"Jacaranda Gowns","collection":{"name":"Couture 2074","gowns":["Blue Train","Lilac Mist"]}});
    let body = "Hi Naledi,\n\nWe're so glad the Blue Train caught your eye. It is one of our Couture 2074 gowns.\n\nJacaranda Gowns";
    for events in [
        r#"[{"type":"enquiry","at":"2073-11-13","text":"How much is the Blue Train one?"}]"#,
        r#"[{"type":"newsletter_signup","at":"2073-11-13","interest":"Blue Train"}]"#,
    ] {
        let r = person(&format!(
            r#"{{"id":"1","email":"a@example.com","first_name":"Naledi","events":{events}}}"#
        ));
        passes_with(&r, &c, body);
    }
    let r = person(r#"{"id":"1","email":"a@example.com","first_name":"Naledi"}"#);
    fails_with(&r, &c, body);
}

/// "It's been a while since we've seen you" three months after the last session: a reminder
/// we sent since then is not the person coming back.
#[test]
fn a_reminder_we_sent_is_not_the_person_coming_back() {
    let c = json!({"now":"2073-09-06","brand":"Jandakot Dog Club","course":{"name":"Foundations","starts":"2073-10-07"}});
    let body = "Hi Aroha,\n\nIt's been a while since we've seen you and Biscuit. Foundations starts on Saturday 7 October.\n\nJandakot Dog Club";
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Aroha","events":[{"type":"flyball_training","at":"2073-05-27","dog":"Biscuit"},{"type":"membership_reminder_sent","at":"2073-08-30"}]}"#,
    );
    passes_with(&r, &c, body);
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Aroha","events":[{"type":"flyball_training","at":"2073-08-30","dog":"Biscuit"}]}"#,
    );
    fails_with(&r, &c, body);
}

/// "$3.50 off, about 19%" is the share of $18.40 the saving is, rounded; "about 25%" is no
/// share of the sentence's amounts and no discount of the campaign's.
#[test]
fn an_approximate_share_of_two_amounts() {
    let c = json!({"now":"2074-02-28","brand":"Corner Dairy","offer":{"name":"Brekkie Bundle","code":"BREKKIE","price_nzd":14.9,"regular_nzd":18.4}});
    let r = person(r#"{"id":"1","email":"a@example.com","first_name":"Sione"}"#);
    let body = |x: &str| {
        format!("Hi Sione,\n\nThe Brekkie Bundle is $14.90 with code BREKKIE, instead of $18.40 - that's $3.50 off, about {x}.\n\nCorner Dairy")
    };
    passes_with(&r, &c, &body("19%"));
    fails_with(&r, &c, &body("25%"));
}

/// "refundable until 30 days before the farewell, so until 24 January" for a farewell on
/// 23 February: a date the stated days from the record's date; 20 January is not.
#[test]
fn a_deadline_worked_as_days_before_a_date() {
    let c = json!({"now":"2073-11-15","brand":"Jacaranda Gowns","offer":{"name":"Early Bird Farewell Booking","code":"FAREWELL15","discount_percent":15,"book_by":"2073-12-15","deposit_terms":"refundable until 30 days before the farewell"}});
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Lerato","attributes":{"farewell_date":"2074-02-23"}}"#,
    );
    let body = |x: &str| {
        format!("Hi Lerato,\n\nBook by 15 December with code FAREWELL15 for 15% off. Your deposit is refundable until 30 days before your farewell, so until {x}.\n\nJacaranda Gowns")
    };
    passes_with(&r, &c, &body("24 January"));
    fails_with(&r, &c, &body("20 January"));
}

/// "Thursday 1 February - a week tomorrow", said on Wednesday 24 January: eight days on.
#[test]
fn a_week_tomorrow_is_eight_days_on() {
    let c = json!({"now":"2074-01-24","brand":"Hush Concerts","offer":{"name":"Season Six","code":"CIRCLESIX","discount_percent":20,"ends":"2074-02-01"}});
    let r = person(r#"{"id":"1","email":"a@example.com","first_name":"Maeve"}"#);
    let body = |x: &str| {
        format!("Hi Maeve,\n\nCode CIRCLESIX takes 20% off a season ticket. The code closes on Thursday 1 February - {x}.\n\nHush Concerts")
    };
    passes_with(&r, &c, &body("a week tomorrow"));
}

/// "Your hire would run from Friday 16 March to Monday 19 March": days ahead, proposed, are
/// no record of the person's; "Your hire ran from …" on days the record lacks still fails.
#[test]
fn proposed_dates_ahead_are_not_the_records() {
    let c = json!({"now":"2074-01-24","brand":"Tri-Beat Silent Disco","offer":{"name":"Late Summer Party Hire","code":"TRIBEAT15","discount_percent":15,"book_by":"2074-02-11"}});
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Mele","events":[{"type":"chat","at":"2074-01-22","text":"Wedding on 17 March, about 60 guests"}]}"#,
    );
    let body = |x: &str| {
        format!("Hi Mele,\n\nWith code TRIBEAT15 it's 15% off. Your hire {x} from Friday 16 March to Monday 19 March, with a transmitter kit included.\n\nTri-Beat Silent Disco")
    };
    passes_with(&r, &c, &body("would run"));
    fails_with(&r, &c, &body("is booked"));
}

/// "she's in the 21-26 ft tier: $545" is a price band; "Tier: gold" opening a line is a
/// prompt's label left in.
#[test]
fn a_label_is_a_prompts_only_at_a_lines_start() {
    let c = json!({"now":"2073-12-20","brand":"Harbor Shrinkwrap","offer":{"name":"Spring Commissioning Package","code":"LAUNCH100","prices_usd":{"21-26 ft":645},"discount_usd":100}});
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Dan","attributes":{"boat":"Second Wind"}}"#,
    );
    passes_with(&r, &c, "Hi Dan,\n\nSecond Wind is 25 feet, so she's in the 21-26 ft tier: $545 instead of $645 with code LAUNCH100.\n\nHarbor Shrinkwrap");
    fails_with(&r, &c, "Hi Dan,\n\nTier: gold\nSecond Wind is 25 feet: $545 instead of $645 with code LAUNCH100.\n\nHarbor Shrinkwrap");
}

/// "since your birthday falls in January" for `birthday_month: January`, two months ahead:
/// the month said is the record's; "falls in March" is not.
#[test]
fn a_birthday_month_stated_as_the_records() {
    let c = json!({"now":"2073-11-15","brand":"Peony Qipao","offer":{"name":"Bespoke Season","code":"PEONY80","discount_sgd":80}});
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Mei","attributes":{"birthday_month":"January"}}"#,
    );
    let body = |x: &str| {
        format!("Hi Mei,\n\nSince your birthday falls in {x}, note that PEONY80 (S$80 off) can't be used with the birthday voucher.\n\nPeony Qipao")
    };
    passes_with(&r, &c, &body("January"));
    fails_with(&r, &c, &body("March"));
}

/// "See you down South" closes a letter; "our South branch" is a name to check.
#[test]
fn down_south_is_a_set_phrase() {
    let c = json!({"now":"2074-01-24","brand":"Red Levee Juke Joint","event":{"name":"Blues Night","date":"2074-02-01"}});
    let r = person(r#"{"id":"1","email":"a@example.com","first_name":"Dee"}"#);
    passes_with(
        &r,
        &c,
        "Hi Dee,\n\nBlues Night is on 1 February.\n\nSee you down South,\nRed Levee Juke Joint",
    );
    fails_with(
        &r,
        &c,
        "Hi Dee,\n\nBlues Night is on 1 February at our South branch.\n\nRed Levee Juke Joint",
    );
}

/// "Thanks for sticking with us", "riding with us again", "thanks for staying with us": a
/// history a sign-up of three days (an account created, a chat) does not have; a customer of
/// two years with an order does.
#[test]
fn a_fresh_sign_up_has_no_history_to_return_to() {
    let c = json!({"now":"2073-12-20","brand":"Red Pine Snowmobile Tours","offer":{"name":"Full-Day Tour","price_cad":340}});
    let new = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Amrit","attributes":{"signed_up":"2073-12-17"},
        "events":[{"type":"account_created","at":"2073-12-17"},{"type":"chat_enquiry","at":"2073-12-18","message":"Is the full-day tour okay for a beginner?"}]}"#,
    );
    let old = person(
        r#"{"id":"2","email":"b@example.com","first_name":"Amrit","attributes":{"customer_since":"2071-11-02"},
        "events":[{"type":"tour_booking","at":"2072-01-15","tour":"Half-Day Tour","amount_cad":180}]}"#,
    );
    for phrase in [
        "Thanks for sticking with us",
        "Great to have you riding with us again",
        "Thank you for staying with Red Pine",
    ] {
        let body = format!(
            "Hi Amrit,\n\n{phrase}. The Full-Day Tour is $340.\n\nRed Pine Snowmobile Tours"
        );
        fails_with(&new, &c, &body);
        passes_with(&old, &c, &body);
    }
}

/// "Great to hear from you again" reacts to a contact and claims an earlier one; "we'd love
/// to hear from you again" invites one.
#[test]
fn great_to_is_a_reaction_not_an_invitation() {
    let c = json!({"now":"2073-11-15","brand":"Inkline SMP","offer":{"name":"Hairline Package","price_zar":9000}});
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Arjun","events":[{"type":"enquiry","at":"2073-11-14","text":"How many sessions for the hairline?"}]}"#,
    );
    let body = |x: &str| {
        format!(
            "Hi Arjun,\n\n{x}! The Hairline Package is R9,000 for three sessions.\n\nInkline SMP"
        )
    };
    fails_with(&r, &c, &body("Great to hear from you again"));
    passes_with(&r, &c, &body("We'd love to hear from you again"));
}

/// "Since you usually order three kids' fish bites" to someone who did not consent to
/// profiling: a habit read from the orders.
#[test]
fn you_usually_order_is_read_from_the_orders() {
    let c = json!({"now":"2074-02-28","brand":"Platt's Fish Bar","offer":{"name":"Fish Friday Family Deal","code":"FAMFRY","price_gbp":27.5,
        "contents":"two large cod and chips, two kids' fish bites and chips"}});
    let body = "Hi Kerry,\n\nSince you usually order three kids' fish bites, add a third to the Fish Friday Family Deal (£27.50 with code FAMFRY).\n\nPlatt's Fish Bar";
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Kerry","consent":{"profiling":false},
        "events":[{"type":"order","at":"2074-02-23","items":["kids' fish bites and chips x3"],"total_gbp":40.3}]}"#,
    );
    let rep = check_with(&r, c.clone(), body);
    assert!(
        rep.findings
            .iter()
            .any(|f| f.kind == Kind::ConsentViolation),
        "{:?}",
        kinds(&rep)
    );
}

/// "₱3,999 + (36 × ₱3,350) = ₱124,599": a written sum with a bracketed term, after a peso
/// sign; a wrong total is still caught.
#[test]
fn a_written_sum_with_a_bracketed_term() {
    let c = json!({"now":"2073-12-20","brand":"Kalsada Motors","currency":"PHP","units":{"Honda Click 125i":{"srp_php":81900,"monthly_36_months_php":3350}},
        "offer":{"name":"Paskong Pasada Promo","promo_code":"PASADA3999","downpayment_php":3999}});
    let r = person(r#"{"id":"1","email":"a@example.com","first_name":"Paolo"}"#);
    let body = |x: &str| {
        format!("Hi Paolo,\n\nPara sa iyo, ₱3,999 + (36 × ₱3,350) = ₱{x} ang kabuuang babayaran mo sa loob ng tatlong taon.\n\nKalsada Motors")
    };
    passes_with(&r, &c, &body("124,599"));
    fails_with(&r, &c, &body("126,599"));
}

/// "she's 20 months old" of a dog, beside "your membership": an age, not how long the person
/// has been with us; "you've been with us for 20 months" still is.
#[test]
fn months_old_is_an_age_not_a_tenure() {
    let c = json!({"now":"2073-09-06","brand":"Jandakot Dog Club","course":{"name":"Intermediate Handling","price_aud":180}});
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Sharon","attributes":{"member_since":"2066-02-19","dog":{"name":"Tilly","age_months":20}}}"#,
    );
    let body = |x: &str| {
        format!("Hi Sharon,\n\nTilly finished Foundations, {x}, so she can go straight into Intermediate Handling ($180).\n\nJandakot Dog Club")
    };
    passes_with(
        &r,
        &c,
        &body("she's 20 months old and your membership is paid up"),
    );
    fails_with(&r, &c, &body("you've been with us for 20 months"));
}

/// What the people making an email leave for each other, in its usual shapes: an HTML comment
/// from the pipeline, a line about getting the email out, the record's consent field named,
/// the model offering its operator another draft, a length brief, a conditional instruction,
/// a note headed by a cue in capitals, a field's name opening a bracket and a one-word slot.
/// The reader's own versions of the same words still pass.
#[test]
fn production_notes_left_in_the_email() {
    let c = json!({"now":"2074-02-10","brand":"Harbour Pho","offer":{"name":"Winter Broth","code":"BROTH15","discount_percent":15,"ends":"2074-02-28"}});
    let r = person(r#"{"id":"1","email":"a@example.com","first_name":"Thu"}"#);
    let body = |x: &str| {
        format!("Hi Thu,\n\nWarm up this winter with code BROTH15: 15% off dine-in orders until February 28.\n\n{x}\n\nHarbour Pho")
    };
    for (note, rule) in [
        (
            "<!-- personalisation skipped: no data -->",
            "leak.production_note",
        ),
        (
            "Note for Rhiannon: please confirm the dates before this goes out.",
            "leak.production_note",
        ),
        (
            "[Fallback copy used. Check before send.]",
            "leak.production_note",
        ),
        (
            "Thu's profile has profiling consent set to false, so I kept this short.",
            "leak.production_note",
        ),
        (
            "Want me to make this shorter, or add a P.S. about the lunch menu?",
            "leak.production_note",
        ),
        (
            "Our chef Minh joins us this month. [MINH BIO - 2 lines max, check spelling]",
            "leak.production_note",
        ),
        (
            "[If the enquiry mentioned a preferred day, name that course first.]",
            "leak.production_note",
        ),
        ("[TODO Marketing: add a photo of the new bowl]", "leak.note"),
        (
            "[COPY: keep the sentence above only for regulars]",
            "leak.note",
        ),
        (
            "We deliver on [PICKUP_DAY for postcode 3881 - look up in route sheet] each week.",
            "leak.placeholder",
        ),
        (
            "There are new bowls with [FAVOURITEBROTH] every week.",
            "leak.placeholder",
        ),
    ] {
        let rep = check_with(&r, c.clone(), &body(note));
        assert!(
            rep.findings
                .iter()
                .any(|f| f.kind == Kind::TemplateLeak && f.rule == rule),
            "{note}: {:?}",
            kinds(&rep)
        );
    }
    for fine in [
        "Our drafts make one round of revisions before sending you the papers.",
        "We wanted you to hear about it before it goes out wide.",
        "Grab a bowl before this goes out of season.",
        "Would you like me to hold a table for you on Friday?",
        "(Draft beer: ask at the bar.)",
        "Our new blade profiling service starts Monday.",
        "[NEW] Winter Broth is here.",
        "Book your table [here](https://example.com/book).",
    ] {
        passes_with(&r, &c, &body(fine));
    }
}

/// "It's been a while since we set up your smart speaker in January last year": the time since
/// a dated thing of the person's, not an absence; "Coach Daniel will be glad to have you back"
/// is a wish. "It's been a while since we've seen you" to someone seen last week is still
/// caught.
#[test]
fn a_while_since_a_dated_thing_and_a_future_welcome() {
    let c = json!({"now":"2074-09-26","brand":"Brightwire","event":{"name":"Smart Heating Open Evening","date":"2074-10-11"}});
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Nadia","events":[{"type":"install","at":"2073-01-19","product":"smart speaker setup"},{"type":"event_rsvp","at":"2074-09-20","event":"Smart Heating Open Evening"}]}"#,
    );
    let body = |x: &str| {
        format!("Hi Nadia,\n\nSee you at the Smart Heating Open Evening. {x}\n\nBrightwire")
    };
    passes_with(
        &r,
        &c,
        &body("It's been a while since we set up your smart speaker in January last year."),
    );
    passes_with(&r, &c, &body("Callum will be glad to have you back."));
    fails_with(&r, &c, &body("It's been a while since we've seen you."));
    fails_with(&r, &c, &body("We're glad to have you back."));
}

/// "neither the NVQ pathway nor the masterclass is part of the sale" leaves the excluded item
/// out; "the NVQ pathway is 20% off with SKIM20" still puts it in.
#[test]
fn neither_nor_leaves_an_excluded_item_out() {
    let c = json!({"now":"2074-11-14","brand":"Trowel Works","offer":{"name":"January Skills Sale","code":"SKIM20","discount_percent":20,"applies_to":"5-Day Plastering Beginner","excludes":"Bricklaying Foundation, the NVQ pathway and gift vouchers"}});
    let r = person(r#"{"id":"1","email":"a@example.com","first_name":"Dean"}"#);
    let body = |x: &str| format!("Hi Dean,\n\n{x}\n\nTrowel Works");
    passes_with(
        &r,
        &c,
        &body("A heads-up that neither the NVQ pathway nor gift vouchers are part of the January Skills Sale, but the 5-Day Plastering Beginner is 20% off with SKIM20."),
    );
    fails_with(
        &r,
        &c,
        &body("The NVQ pathway is 20% off with SKIM20 in the January Skills Sale."),
    );
}

/// "Bring your licence" to a test-drive day is an instruction, not a claim that the person
/// holds a plan; "your licence renews in May" still needs one.
#[test]
fn bring_your_licence_is_an_instruction() {
    let c = json!({"now":"2074-07-18","brand":"Kerbside","event":{"name":"EV Test-Drive Day","date":"2074-07-28"}});
    let r = person(r#"{"id":"1","email":"a@example.com","first_name":"Jarrah"}"#);
    let body = |x: &str| {
        format!("Hi Jarrah,\n\nCome to our EV Test-Drive Day on Saturday 28 July. {x}\n\nKerbside")
    };
    passes_with(&r, &c, &body("Just bring your licence."));
    fails_with(&r, &c, &body("Your licence is paid up to date."));
}

/// "our new A321 trainer, which opened in November", in a sentence to the person: the month
/// of the campaign's own dated thing; a month the person did something in still needs their
/// date.
#[test]
fn a_month_of_the_campaigns_own_dated_thing() {
    let c = json!({"now":"2074-12-05","brand":"SkyPath Academy","new_facility":{"name":"A321 door and slide trainer","opened":"2074-11-19"},"event":{"name":"Open House","date":"2074-12-15"}});
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Tess","events":[{"type":"event_registration","at":"2074-12-03","event":"Open House"}]}"#,
    );
    let body = |x: &str| {
        format!("Hi Tess,\n\nThanks for registering for the Open House. {x}\n\nSkyPath Academy")
    };
    passes_with(
        &r,
        &c,
        &body("You'll get a walkthrough of our new A321 door and slide trainer, which opened in November."),
    );
    fails_with(
        &r,
        &c,
        &body("You first registered with us in October, so you'll know the way."),
    );
}

/// "Five years in the Grits Club" for `grits_club_member_since` 2069, beside a
/// `customer_since` of 2067: the start of what the sentence names; "eight years in the Grits
/// Club" is still wrong.
#[test]
fn a_tenure_in_what_the_sentence_names() {
    let c = json!({"now":"2074-04-04","brand":"Reedy Fork Mill","offer":{"name":"Spring Stock-Up","code":"STOCKUP20"}});
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"LaToya","attributes":{"customer_since":"2067-11-18","grits_club_member_since":"2069-02-01"}}"#,
    );
    let body = |x: &str| {
        format!("Hi LaToya,\n\n{x} years in the Grits Club - thank you for sticking with us. Code STOCKUP20 is yours.\n\nReedy Fork Mill")
    };
    passes_with(&r, &c, &body("Five"));
    fails_with(&r, &c, &body("Eight"));
}

/// "His cover would start on 1 August, well before the 31 August deadline": a start put as a
/// proposal, not a deadline; "book by 1 August" still is one.
#[test]
fn a_proposed_start_is_not_a_deadline() {
    let c = json!({"now":"2074-07-18","brand":"Kildare Equine","offer":{"name":"Summer Cover","code":"SUMMER15","discount_percent":15,"ends":"2074-08-31"}});
    let r = person(r#"{"id":"1","email":"a@example.com","first_name":"Ciara"}"#);
    let body = |x: &str| {
        format!("Hi Ciara,\n\nWith Summer Cover, code SUMMER15 takes 15% off a new policy. {x}\n\nKildare Equine")
    };
    passes_with(
        &r,
        &c,
        &body("The cover would start on 1 August, comfortably before the 31 August deadline."),
    );
    fails_with(&r, &c, &body("Book by 1 August to get the 15% off."));
}

/// "Fifty pieces of lace at ₦120,000 drop from ₦6,000,000 to ₦5,400,000": a worked example
/// in naira, not the person's count of pieces; "you ordered fifty pieces" still is.
#[test]
fn a_count_worked_in_any_currency_is_an_example() {
    let c = json!({"now":"2074-10-31","brand":"Adire House","currency":"NGN","offer":{"name":"Owambe Season","code":"OWAMBE10","discount_percent":10,"minimum_pieces":30}});
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Emeka","events":[{"type":"celebrant_order","at":"2072-10-03","fabric":"Aso-oke set","pieces":35}]}"#,
    );
    let body = |x: &str| {
        format!("Dear Emeka,\n\nUse code OWAMBE10 for 10% off bulk orders of 30 pieces or more. {x}\n\nAdire House")
    };
    passes_with(
        &r,
        &c,
        &body("Fifty pieces of beaded sequin lace at ₦120,000 drop from ₦6,000,000 to ₦5,400,000."),
    );
    fails_with(
        &r,
        &c,
        &body("You ordered fifty pieces of Aso-oke for your wedding."),
    );
}

/// "since your campus visit two Saturdays ago" to someone who did not consent: one of their
/// recorded acts named by its type; with consent it passes, and a campaign word does not
/// count.
#[test]
fn consent_covers_an_event_named_by_its_type() {
    let c = json!({"now":"2074-12-05","brand":"SkyPath Academy","offer":{"name":"January Intake","code":"JAN15","discount_percent":15}});
    let visit = r#""events":[{"type":"campus_visit","at":"2074-11-24","tour_by":"Joaquin"}]"#;
    let no = person(&format!(
        r#"{{"id":"1","email":"a@example.com","first_name":"Angelica",{visit},"consent":{{"profiling":false}}}}"#
    ));
    let yes = person(&format!(
        r#"{{"id":"1","email":"a@example.com","first_name":"Angelica",{visit},"consent":{{"profiling":true}}}}"#
    ));
    let body = "Hi Angelica,\n\nSince your campus visit, here is JAN15: 15% off the January Intake.\n\nSkyPath Academy";
    passes_with(&yes, &c, body);
    let rep = check_with(&no, c.clone(), body);
    assert!(
        rep.findings
            .iter()
            .any(|f| f.kind == Kind::ConsentViolation),
        "{:?}",
        kinds(&rep)
    );
    passes_with(
        &no,
        &c,
        "Hi Angelica,\n\nBook a campus visit and use JAN15: 15% off the January Intake.\n\nSkyPath Academy",
    );
}

/// "[Sender name - Niamh or Pádraig?]": a question to the team in square brackets; a question
/// in round brackets may be the reader's.
#[test]
fn a_question_to_the_team_in_square_brackets() {
    let c = json!({"now":"2074-04-04","brand":"Achill Salt"});
    let r = person(r#"{"id":"1","email":"a@example.com","first_name":"Maeve"}"#);
    let rep = check_with(
        &r,
        c.clone(),
        "Hi Maeve,\n\nThe spring harvest is in.\n\nWarmly,\n[Sender name - Niamh or Pádraig?]\nAchill Salt",
    );
    assert!(
        rep.findings.iter().any(|f| f.kind == Kind::TemplateLeak),
        "{:?}",
        kinds(&rep)
    );
    passes_with(
        &r,
        &c,
        "Hi Maeve,\n\nThe spring harvest is in (who doesn't love fresh salt?).\n\nAchill Salt",
    );
}

/// "Halimbawa, if your old phone is quoted at ₱5,000" (Filipino, "for example"): a word of a
/// language the gate knows opening a sentence is no name; "Marites, your quote is ready" to
/// Joy still greets someone else.
#[test]
fn a_filipino_word_opening_a_sentence_is_no_name() {
    let c = json!({"now":"2074-09-26","brand":"ReBoot","currency":"PHP","offer":{"name":"Trade-Up Weeks","code":"TRADEUP1500","bonus_php":1500}});
    let r = person(r#"{"id":"1","email":"a@example.com","first_name":"Joy"}"#);
    let body = |x: &str| {
        format!(
            "Hi Joy,\n\nCode TRADEUP1500 adds ₱1,500 on top of our buyback quote. {x}\n\nReBoot"
        )
    };
    passes_with(
        &r,
        &c,
        &body(
            "Halimbawa, if your old phone is quoted at a good price, the code adds ₱1,500 to it.",
        ),
    );
    fails_with(&r, &c, &body("Marites, your quote is ready."));
}

/// "two free months for the new member" (a friend the referral brings) claims nothing of the
/// reader; "as a new member" still does.
#[test]
fn the_new_member_is_someone_else() {
    let c = json!({"now":"2074-06-13","brand":"SwapNest","referral":{"reward":"two free months"}});
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Gillian","attributes":{"member_since":"2066-03-01"}}"#,
    );
    let body = |x: &str| format!("Hi Gillian,\n\n{x}\n\nSwapNest");
    passes_with(
        &r,
        &c,
        &body("Your referral link gives two free months to the new member when a friend joins."),
    );
    fails_with(
        &r,
        &c,
        &body("Since you just joined, you can list your home today."),
    );
}

/// "your first workshop with Ma'am Tess" for `instructor: Tess Villanueva`: an honorific before
/// the name; "with Ma'am Rowena" still names someone the record does not have.
#[test]
fn an_honorific_before_a_name() {
    let c = json!({"now":"2074-12-05","brand":"Bayside Academy"});
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Bea","events":[{"type":"workshop","at":"2071-04-10","workshop":"Grooming and Deportment","instructor":"Tess Villanueva"}]}"#,
    );
    let body = |x: &str| {
        format!("Hi Bea,\n\nIt has been a while since your Grooming and Deportment workshop with {x} in April 2071.\n\nBayside Academy")
    };
    passes_with(&r, &c, &body("Ma'am Tess"));
    fails_with(&r, &c, &body("Ma'am Rowena"));
}

/// "You joined us for the one in October" after a sentence about the Gong Bath: an event the
/// person attended; "You joined us for the one in August" is still a wrong month.
#[test]
fn joined_us_for_an_event() {
    let c = json!({"now":"2075-01-09","brand":"Tidewater Sound","event":{"name":"Full Moon Gong Bath","date":"2075-01-22"}});
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Mia","attributes":{"member_since":"2071-06-04"},"events":[{"type":"event_attended","at":"2074-10-18","event":"Full Moon Gong Bath"}]}"#,
    );
    let body = |m: &str| {
        format!("Hi Mia,\n\nThe next Full Moon Gong Bath is on Tuesday 22 January. You joined us for the one in {m}, so you know what a night it is.\n\nTidewater Sound")
    };
    passes_with(&r, &c, &body("October"));
    fails_with(&r, &c, &body("August"));
}

/// Words the campaign sells, a holiday and a technology are no names and no profiling:
/// "$30 off your annual oil spray" from a campaign selling the Oil Spray, "closed for the
/// Fourth", "Wi-Fi routers".
#[test]
fn the_campaigns_thing_a_holiday_and_wifi() {
    let c = json!({"now":"2075-07-03","brand":"Krown North","offer":{"name":"Summer Oil Spray","code":"EARLYSHIELD","discount_cad":30}});
    let no = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Brent","events":[{"type":"oil_spray","at":"2074-10-02"}],"consent":{"profiling":false}}"#,
    );
    passes_with(
        &no,
        &c,
        "Hi Brent,\n\nTake $30 off your annual oil spray with EARLYSHIELD. We're closed tomorrow for the Fourth. A surge can take out Wi-Fi routers too.\n\nKrown North",
    );
}

/// "Sana can take your order over a video call" and "For your first order, code WELCOME10 takes
/// 10% off", to someone with no order: orders to come; "Thanks for your order" still needs
/// one.
#[test]
fn orders_to_come_are_no_past_order() {
    let c = json!({"now":"2075-05-29","brand":"Pleat Studio","offer":{"name":"Welcome","code":"WELCOME10","discount_percent":10}});
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Rupa","events":[{"type":"account_created","at":"2075-05-27"}]}"#,
    );
    let body = |x: &str| format!("Hi Rupa,\n\n{x}\n\nPleat Studio");
    passes_with(
        &r,
        &c,
        &body("For your first order, code WELCOME10 takes 10% off. Sana can take your order over a video call."),
    );
    fails_with(&r, &c, &body("Thanks for your order last week."));
}

/// "You mentioned on the form that your son is seven" for `signup_form_answer`, and "You
/// mentioned around 50 guests" for `estimated_guests`: what the person told us on a form;
/// with no such answer it is still a claim.
#[test]
fn a_form_answer_is_something_the_person_told_us() {
    let c = json!({"now":"2075-09-11","brand":"Keyes Hurleys"});
    let told = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Kofi","attributes":{"signup_form_answer":"Buying for: my son, aged 7, starting hurling this autumn"}}"#,
    );
    let silent = person(r#"{"id":"1","email":"a@example.com","first_name":"Kofi"}"#);
    let body = "Hi Kofi,\n\nYou mentioned on the form that your son is starting hurling this autumn, so here is a size guide.\n\nKeyes Hurleys";
    passes_with(&told, &c, body);
    fails_with(&silent, &c, body);
}

/// An excluded item denied by the next sentence ("... our new Bambú hurley (€55). It's not
/// part of the Autumn Double."), and the campaign's phrase with one of its words left out
/// ("the Seed Club member discount" for "the Seed Club 10% member discount").
#[test]
fn denied_in_the_next_sentence_and_a_phrase_shortened() {
    let c = json!({"now":"2075-09-11","brand":"Keyes Hurleys","offer":{"name":"Autumn Double","code":"DOUBLE","discount_percent":20,"applies_to":"ash hurleys","excludes":"the Bambú bamboo hurley","not_combinable_with":"the Hurley Club 10% member discount"}});
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Kofi","consent":{"profiling":false}}"#,
    );
    let body = |x: &str| {
        format!("Hi Kofi,\n\nCode DOUBLE takes 20% off ash hurleys. {x}\n\nKeyes Hurleys")
    };
    passes_with(
        &r,
        &c,
        &body("You'll also see our new Bambú bamboo hurley. It's not part of the Autumn Double, and the code can't be combined with the Hurley Club member discount."),
    );
    fails_with(
        &r,
        &c,
        &body("Code DOUBLE also takes 20% off the Bambú bamboo hurley."),
    );
}

/// Season's greetings ("Merry Christmas", "Heri ya Krismasi na Mwaka Mpya") are no names, and
/// "on East Main" is the brand's "2210 E Main St"; "West Main" is still another street.
#[test]
fn season_greetings_and_a_compass_word_written_as_its_letter() {
    let c = json!({"now":"2075-12-25","brand":"Pwani Bridge","address":"2210 E Main St, Fredericksburg, TX 78624"});
    let r = person(r#"{"id":"1","email":"a@example.com","first_name":"Halima"}"#);
    let body = |x: &str| format!("Hi Halima,\n\n{x}\n\nPwani Bridge");
    passes_with(
        &r,
        &c,
        &body("Merry Christmas, and Heri ya Krismasi na Mwaka Mpya from all of us at Pwani Bridge! We're a family-run store on East Main in Fredericksburg."),
    );
    fails_with(
        &r,
        &c,
        &body("We're a family-run store on West Main in Fredericksburg."),
    );
}

/// "our records show its last service here was in November 2069": what the record holds,
/// however old; said to someone with no history it is still a claim.
#[test]
fn our_records_show_needs_a_history_not_recent_activity() {
    let c = json!({"now":"2075-10-16","brand":"Hills Fire Pumps"});
    let owner = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Graeme","events":[{"type":"purchase","at":"2066-01-20","item":"Honda GX160 fire pump"},{"type":"pump_service","at":"2069-11-04","job":"pre-season service"}]}"#,
    );
    let nobody = person(r#"{"id":"2","email":"b@example.com","first_name":"Graeme"}"#);
    passes_with(
        &owner,
        &c,
        "Hi Graeme,\n\nOur records show its last service here was in November 2069, so it is worth a look before the fire season.\n\nHills Fire Pumps",
    );
    fails_with(
        &nobody,
        &c,
        "Hi Graeme,\n\nOur records show your pump is due a service before the fire season.\n\nHills Fire Pumps",
    );
}

/// "the two tins you picked up a fortnight ago": the thing is back in the clause, not "a
/// fortnight"; "you picked up 3 letters" for a `mail_collected` event of 3 items.
#[test]
fn picked_up_a_fortnight_ago_and_a_collection_counted() {
    let c = json!({"now":"2076-03-04","brand":"Kilkivan Whips"});
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Bronte","events":[{"type":"purchase","at":"2076-02-19","item":"whip grease, 100 g tin","qty":2}]}"#,
    );
    let body = "Hi Bronte,\n\nYou'll have plenty of grease from the two tins you picked up a fortnight ago.\n\nKilkivan Whips";
    passes_with(&r, &c, body);
    fails_with(
        &person(r#"{"id":"2","email":"b@example.com","first_name":"Bronte"}"#),
        &c,
        body,
    );
    let c = json!({"now":"2075-12-25","brand":"Ayer Desk"});
    let r = person(
        r#"{"id":"3","email":"c@example.com","first_name":"Rahul","events":[{"type":"mail_collected","at":"2075-12-18","items":3},{"type":"meeting_room_booking","at":"2075-11-06","room":"Telok Room"}]}"#,
    );
    passes_with(
        &r,
        &c,
        "Hi Rahul,\n\nLast Wednesday you picked up 3 letters from reception.\n\nAyer Desk",
    );
}

/// "You told us your goal is to get stronger" for `goal: get stronger`; "Thanks for
/// registering your interest in our new Masters Squad" for a sign-up; "Your free trial of the
/// new Adult batch" from a campaign whose batch has a `trial`; "your ticket is $20" from a
/// campaign that sells tickets.
#[test]
fn a_goal_told_an_interest_registered_a_trial_and_a_ticket_offered() {
    let c = json!({"now":"2076-04-08","brand":"Iron Lift Club","batch":{"name":"Adult Rope Batch","trial":"first class free"},"event":{"name":"Open Night","tickets_usd":20}});
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Emeka","attributes":{"goal":"get stronger"},"events":[{"type":"signup","at":"2076-04-07","form":"Masters Squad interest"}]}"#,
    );
    let body = |x: &str| format!("Hi Emeka,\n\n{x}\n\nIron Lift Club");
    passes_with(&r, &c, &body("You told us your goal is to get stronger."));
    passes_with(
        &r,
        &c,
        &body("Thanks for registering your interest in our new Masters Squad yesterday."),
    );
    passes_with(&r, &c, &body("Your free trial of the new Adult Rope Batch is one class away. For Open Night, your ticket is $20."));
    let bare = json!({"now":"2076-04-08","brand":"Iron Lift Club"});
    fails_with(&r, &bare, &body("Your free trial ends on Friday."));
    fails_with(&r, &bare, &body("We have answered your ticket."));
}

/// "You came to 14 of our shows last year" for `shows_attended_2075: 14`; "serviced on 2 July
/// last year" for a service on that day; "this month the code saves you more" is the offer's
/// month.
#[test]
fn last_year_by_a_yearly_count_or_a_day_and_this_month_of_the_offer() {
    let c = json!({"now":"2076-01-29","brand":"Bright Spark Improv"});
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Georgia","attributes":{"shows_attended_2075":14},"events":[{"type":"jam_attended","at":"2076-01-27","jam":"Monday Jam"}]}"#,
    );
    let body = |x: &str| format!("Hi Georgia,\n\n{x}\n\nBright Spark Improv");
    passes_with(
        &r,
        &c,
        &body("You came to 14 of our shows last year, so a pass might suit you."),
    );
    fails_with(
        &r,
        &c,
        &body("You came to 9 of our shows last year, so a pass might suit you."),
    );
    let c = json!({"now":"2076-06-17","brand":"Kestrel Mobility"});
    let r = person(
        r#"{"id":"2","email":"b@example.com","first_name":"Derek","events":[{"type":"service","at":"2075-07-02","job":"annual service, all 3 adaptations"},{"type":"repair","at":"2076-01-20","job":"boot hoist winch cable replaced"}]}"#,
    );
    let body = |x: &str| format!("Dear Derek,\n\n{x}\n\nKestrel Mobility");
    passes_with(
        &r,
        &c,
        &body("Your boot hoist was last serviced by us on 2 July last year."),
    );
    fails_with(
        &r,
        &c,
        &body("Your boot hoist was last serviced by us on 9 July last year."),
    );
    let c = json!({"now":"2076-03-04","brand":"Little Fork Brooms","offer":{"name":"Spring Sale","code":"SWEEP15","discount_percent":15,"not_combinable_with":"the Broom Club 10% member discount"}});
    let r = person(
        r#"{"id":"3","email":"c@example.com","first_name":"Geneva","attributes":{"broom_club_member":true},"events":[{"type":"order","at":"2076-01-02","item":"hearth broom"}]}"#,
    );
    let body = |x: &str| format!("Hi Geneva,\n\n{x}\n\nLittle Fork Brooms");
    passes_with(
        &r,
        &c,
        &body("SWEEP15 takes 15% off handmade brooms. It can't be stacked with your Broom Club discount, so it's one or the other - and this month the code saves you more."),
    );
    fails_with(
        &r,
        &c,
        &body("You bought a hearth broom from us this month."),
    );
}

/// "your June wedding" for a note "for his wedding on 2074-06-08" however long ago; "you just
/// bring warm layers" is no recency; "your last Saturday Mums Strength class" is the kind of
/// class, held on a Saturday.
#[test]
fn a_month_of_a_noted_day_a_plain_just_and_a_kind_of_day() {
    let c = json!({"now":"2076-03-04","brand":"Little Fork Brooms"});
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Tobias","events":[{"type":"order","at":"2074-05-11","item":"wedding besom","note":"for his wedding on 2074-06-08"}]}"#,
    );
    let body = |x: &str| format!("Hi Tobias,\n\n{x}\n\nLittle Fork Brooms");
    passes_with(
        &r,
        &c,
        &body("It's been nearly two years since we made the wedding besom for your June wedding."),
    );
    fails_with(
        &r,
        &c,
        &body("It's been nearly two years since we made the wedding besom for your July wedding."),
    );
    let c = json!({"now":"2076-06-17","brand":"Mata-Au Jet","kit":"spray jackets and gloves"});
    let r = person(
        r#"{"id":"2","email":"b@example.com","first_name":"Charlotte","events":[{"type":"trip","at":"2075-12-28","trip":"Canyon Run"}],"consent":{"profiling":false}}"#,
    );
    let body = |x: &str| format!("Hi Charlotte,\n\n{x}\n\nMata-Au Jet");
    passes_with(
        &r,
        &c,
        &body("We provide spray jackets and gloves; you just bring warm layers."),
    );
    fails_with(&r, &c, &body("You just booked a Canyon Run with us."));
    let c = json!({"now":"2076-04-08","brand":"Pram Strong Fitness"});
    let r = person(
        r#"{"id":"3","email":"c@example.com","first_name":"Sophie","events":[{"type":"class_attended","at":"2075-11-30","class":"Mums Strength"}]}"#,
    );
    let body = |x: &str| format!("Kia ora Sophie,\n\n{x}\n\nPram Strong Fitness");
    passes_with(&r, &c, &body("It's been a while since your last Saturday Mums Strength class with me back in November."));
    fails_with(&r, &c, &body("It's been a while since your last Sunday Mums Strength class with me back in November."));
}

/// "the shutdown, which we have down as running until 5 January" for `christmas_shutdown:
/// 2075-12-20 to 2076-01-05` is no deadline of the offer; a currency ("JMD 2,500 off") names no
/// deal the offer does not stack with.
#[test]
fn the_persons_own_end_date_and_a_currency_in_a_deal() {
    let c = json!({"now":"2075-12-25","brand":"Swan Coastal","offer":{"name":"Back to Site","code":"BACK2SITE","discount_percent":20,"book_by":"2076-01-17"}});
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Craig","attributes":{"christmas_shutdown":"2075-12-20 to 2076-01-05"}}"#,
    );
    let body =
        |x: &str| format!("Hi Craig,\n\n{x} Book with BACK2SITE by 17 January.\n\nSwan Coastal");
    passes_with(&r, &c, &body("We hope the crew is enjoying the shutdown, which we have down as running until 5 January."));
    fails_with(&r, &c, &body("We hope the crew is enjoying the shutdown, which we have down as running until 7 January."));
    let c = json!({"now":"2076-04-08","brand":"Liguanea Athletics","currency":"JMD","extra_event_jmd":1500,"offer":{"name":"Fast Start","code":"FASTSTART15","discount_percent":15,"not_combinable_with":"the sibling discount (JMD 2,500 off the fee for each additional child)"}});
    let r = person(
        r#"{"id":"2","email":"b@example.com","first_name":"Marcia","consent":{"profiling":false}}"#,
    );
    let body = |x: &str| format!("Hi Marcia,\n\n{x}\n\nLiguanea Athletics");
    passes_with(
        &r,
        &c,
        &body("If you would like to add the 150m as well, each extra event is JMD 1,500."),
    );
    fails_with(
        &r,
        &c,
        &body("Code FASTSTART15 gives 15% off, and you get the sibling discount as well."),
    );
}

/// A note to a colleague after a dash ("[DALE - drop in the bulk corn price here once the
/// truck is confirmed]"), "a fortnight ago" for 25 days, "back for another winter" and "as
/// always you're among the first" to someone new.
#[test]
fn a_dashed_note_a_fortnight_and_another_winter() {
    let c = json!({"now":"2076-06-17","brand":"Mata-Au Jet"});
    let new = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Aroha","events":[{"type":"signup","at":"2076-06-15"}]}"#,
    );
    let body = |x: &str| format!("Kia ora Aroha,\n\n{x}\n\nMata-Au Jet");
    fails_with(&new, &c, &body("Our winter runs start soon.\n\nP.S. [DALE - drop in the bulk corn price here once the truck is confirmed]"));
    fails_with(
        &new,
        &c,
        &body("Good to have you back for another winter on the river."),
    );
    fails_with(
        &new,
        &c,
        &body("As always you're among the first to hear about our sale."),
    );
    let trip = |at: &str| {
        person(&format!(
            r#"{{"id":"2","email":"b@example.com","first_name":"Aroha","events":[{{"type":"trip","at":"{at}","trip":"Canyon Run"}}]}}"#
        ))
    };
    let said = body("It's been a fortnight since your Canyon Run with us.");
    passes_with(&trip("2076-06-03"), &c, &said);
    fails_with(&trip("2076-05-23"), &c, &said);
}

/// "$239++" is Singapore's price before service charge and GST, no spend threshold; "you
/// ordered" a restaurant's dinner.
#[test]
fn plus_plus_prices_and_a_dinner_ordered() {
    let c = json!({"now":"2076-07-22","brand":"Ah Seng Zi Char","feast":{"name":"Family Feast","price_sgd":239,"a_la_carte_sgd":289},"offer":{"name":"Feast","code":"SG111","discount_percent":10,"min_spend_sgd":80}});
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Walt","events":[{"type":"dinner","at":"2076-07-09","items":"chilli crab x1"},{"type":"counter_purchase","at":"2076-07-14","items":"mawa cake x6"}]}"#,
    );
    let body = |x: &str| format!("Hi Walt,\n\n{x}\n\nAh Seng Zi Char");
    passes_with(
        &r,
        &c,
        &body("The Family Feast feeds 6 for $239++ (a la carte it would be $289++)."),
    );
    passes_with(
        &r,
        &c,
        &body("When you came down on July 9, you ordered exactly what's in our weeknight deal."),
    );
    let nobody = person(r#"{"id":"2","email":"b@example.com","first_name":"Walt"}"#);
    fails_with(
        &nobody,
        &c,
        &body("When you came down on July 9, you ordered exactly what's in our weeknight deal."),
    );
}

/// "your fit check", "two sessions left in your package", "your membership enquiry", "you
/// normally get 10% off": an appointment, a package, an enquiry and a member's rate, not a
/// size, a cart, a loyalty claim or a past order.
#[test]
fn a_fit_check_a_package_an_enquiry_and_a_members_rate() {
    let c = json!({"now":"2076-10-01","brand":"Assiniboine Clinic","member_discount":"10%"});
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Harold","attributes":{"package":"6-session package"}}"#,
    );
    let body = |x: &str| format!("Hi Harold,\n\n{x}\n\nAssiniboine Clinic");
    passes_with(
        &r,
        &c,
        &body("When you come in for your fit check, bring your old denture."),
    );
    passes_with(
        &r,
        &c,
        &body("Whatever is left in your package stays yours."),
    );
    passes_with(
        &r,
        &c,
        &body("Thanks for your membership enquiry through the website."),
    );
    passes_with(&r, &c, &body("As a pass holder you normally get 10% off."));
    fails_with(&r, &c, &body("We've saved your fit for next time."));
    fails_with(&r, &c, &body("You left something in your cart."));
}

/// "Spring on the Plains" is no name; "what would suit your
/// whānau" is anyone's family; "your mom" for a policy's `extended_members` mother; "covers
/// you, your spouse and up to six children" is who a plan covers.
#[test]
fn plains_a_whanau_a_covered_mother_and_who_a_plan_covers() {
    let c = json!({"now":"2077-02-17","brand":"Sizwe Family Funeral Plans","plan":"Family Plan"});
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Lindiwe","attributes":{"extended_members":[{"relationship":"mother","name":"Agnes Nkosi"}]}}"#,
    );
    let bare = person(r#"{"id":"2","email":"b@example.com","first_name":"Lindiwe"}"#);
    let body = |x: &str| format!("Hi Lindiwe,\n\n{x}\n\nSizwe Family Funeral Plans");
    passes_with(&r, &c, &body("Your mom is covered on your Family Plan."));
    fails_with(&bare, &c, &body("Your mom is covered on your Family Plan."));
    passes_with(
        &bare,
        &c,
        &body("A Family Plan covers you, your spouse and up to six children."),
    );
    fails_with(
        &bare,
        &c,
        &body("We hope your spouse likes the Family Plan."),
    );
    passes_with(
        &bare,
        &c,
        &body("Spring on the Plains is months away. See what would suit your whānau."),
    );
}

/// Maltese, Visayan and other hellos and sign-offs ("Bonġu Kurt", "Merħba Daniel", "Maayong
/// adlaw", "Amping!") are no names.
#[test]
fn maltese_and_visayan_hellos_and_sign_offs() {
    let c = json!({"now":"2077-09-15","brand":"Għaqda Mużikali Rotunda"});
    let r = person(r#"{"id":"1","email":"a@example.com","first_name":"Kurt"}"#);
    let text = "Our adult class starts in October, and the first term's instruments are lent.";
    passes_with(
        &r,
        &c,
        &format!("Bonġu Kurt,\n\n{text}\n\nGrazzi ħafna,\nThe band club"),
    );
    passes_with(
        &r,
        &c,
        &format!("Merħba Kurt,\n\n{text}\n\nSaħħa,\nThe band club"),
    );
    passes_with(
        &r,
        &c,
        &format!("Maayong adlaw, Kurt!\n\n{text}\n\nAmping!\nThe band club"),
    );
    fails_with(&r, &c, &format!("Bonġu Carmen,\n\n{text}\n\nThe band club"));
}

/// "Thanks for getting in touch last week about training your new staff at Trinity Wharf
/// Tavern": the venue names an old group booking, the verb the enquiry of last week.
#[test]
fn getting_in_touch_names_the_enquiry_among_other_events() {
    let c = json!({"now":"2077-04-28","brand":"Esplanade Hospitality Training"});
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Kirra","events":[
            {"type":"group_booking","at":"2076-10-12","course":"RSA","venue":"Trinity Wharf Tavern"},
            {"type":"enquiry","at":"2077-04-19","topic":"training for new dry-season staff"}]}"#,
    );
    let old = person(
        r#"{"id":"2","email":"b@example.com","first_name":"Kirra","events":[
            {"type":"group_booking","at":"2076-10-12","course":"RSA","venue":"Trinity Wharf Tavern"},
            {"type":"enquiry","at":"2077-01-19","topic":"training for new dry-season staff"}]}"#,
    );
    let body = "G'day Kirra,\n\nThanks for getting in touch last week about training your new staff at Trinity Wharf Tavern.\n\nEsplanade Hospitality Training";
    passes_with(&r, &c, body);
    fails_with(&old, &c, body);
}

/// "booking your first visit" for a booking's `first_visit: true`.
#[test]
fn a_first_visit_flag_on_a_booking() {
    let c = json!({"now":"2077-06-02","brand":"Desert Bloom Hydration"});
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Tomás","events":[
            {"type":"booking_made","at":"2077-05-30","drip":"Hydrate","first_visit":true}]}"#,
    );
    let again = person(
        r#"{"id":"2","email":"b@example.com","first_name":"Tomás","events":[
            {"type":"booking_made","at":"2077-05-30","drip":"Hydrate","first_visit":false}]}"#,
    );
    let body = "Hi Tomás,\n\nThanks for booking your first visit with us. Your Hydrate drip is ready.\n\nDesert Bloom Hydration";
    passes_with(&r, &c, body);
    fails_with(&again, &c, body);
}

/// "a Fan of the Year back in 2074" is an award's title, not a claim of taste.
#[test]
fn a_fan_of_the_year_is_a_title() {
    let c = json!({"now":"2077-07-07","brand":"Paducah River Hounds"});
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Darnell","events":[
            {"type":"award","at":"2074-09-04","award":"River Hounds Fan of the Year 2074"}],
            "attributes":{"favorite_promo":"bobblehead nights"}}"#,
    );
    passes_with(
        &r,
        &c,
        "Hi Darnell,\n\nYou were named a Fan of the Year back in 2074, and we still talk about it.\n\nPaducah River Hounds",
    );
    fails_with(
        &r,
        &c,
        "Hi Darnell,\n\nAs a fan of minor-league fireworks nights, you'll love July.\n\nPaducah River Hounds",
    );
}

/// "as a Queenslander" from a campaign for Queensland residents; "for climbers 16 and over"
/// is an age limit, not a count of the person's climbers; "start DJing" for a DJ course.
#[test]
fn a_queenslander_an_age_limit_and_djing() {
    let c = json!({"now":"2077-09-15","brand":"SpanClimb Brisbane","locals_rate":"15% off for Queensland residents","new":"Beginner DJ Course"});
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Lachlan","events":[
            {"type":"climb","at":"2076-09-26","climb":"Dawn climb","climbers":1},
            {"type":"climb","at":"2075-02-14","climb":"Twilight climb","climbers":2}]}"#,
    );
    let body = |x: &str| format!("Hi Lachlan,\n\n{x}\n\nSpanClimb Brisbane");
    passes_with(
        &r,
        &c,
        &body("As a Queenslander you can use the Locals' Rate."),
    );
    passes_with(&r, &c, &body("The abseil is for climbers 16 and over."));
    passes_with(
        &r,
        &c,
        &body("If a friend wants to start DJing, our Beginner DJ Course is new."),
    );
    fails_with(
        &r,
        &c,
        &body("As a Tasmanian you can use the Locals' Rate."),
    );
    fails_with(&r, &c, &body("Last time you came with climbers 5 in tow."));
}

/// "You joined our Cracker-Making Evening back in 2074" for a workshop of that year: an
/// event, not the person's tenure.
#[test]
fn joined_a_named_event_in_a_year() {
    let c = json!({"now":"2077-11-24","brand":"Snap & Spark Crackers"});
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Hilary","attributes":{"customer_since":"2072-11-20"},"events":[
            {"type":"workshop_attended","at":"2074-12-05","event":"Cracker-Making Evening"}]}"#,
    );
    let body = |x: &str| format!("Hi Hilary,\n\n{x}\n\nSnap & Spark Crackers");
    passes_with(
        &r,
        &c,
        &body("You joined our Cracker-Making Evening back in 2074."),
    );
    fails_with(
        &r,
        &c,
        &body("You joined our Cracker-Making Evening back in 2075."),
    );
}

/// Without consent to profiling: "get your Christmas black cake in early" from a black-cake
/// bakery, and "one of our standard evening walks" from a ghost-walk company, are the
/// campaign's words; "Your Mira Cat-Eye frames" still names the very frame bought.
#[test]
fn campaign_products_said_to_a_no_consent_record() {
    let c = json!({"now":"2077-11-24","brand":"Aunt Pearl's Black Cake Kitchen",
        "type":"Jamaican Christmas black cake bakery with island-wide delivery",
        "prices_jmd":{"Classic Black Cake 1 lb":3600,"Mira Cat-Eye Frame":165},
        "offer":{"name":"Dark Evenings Early Booking","code":"DARKNIGHTS","percent_off":20,
            "applies_to":"standard evening walks (adult, child and family tickets) booked online"}});
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Clive","events":[
            {"type":"order","at":"2074-12-14","item":"Classic Black Cake 1 lb","qty":2},
            {"type":"walk","at":"2077-08-14","walk":"standard evening walk","tickets":3},
            {"type":"purchase","at":"2075-12-03","product":"Mira Cat-Eye Frame"}],"consent":{"profiling":false}}"#,
    );
    let body = "Hi Clive,\n\nChristmas in Jamaica means black cake, and we're taking pre-orders now.\n\nAunt Pearl's";
    passes_with(
        &r,
        &c,
        &format!("Subject: Clive, get your Christmas black cake in early\n\n{body}"),
    );
    passes_with(
        &r,
        &c,
        "Dear Clive,\n\nIf you'd like to get out on one of our standard evening walks before then, the Dark Evenings Early Booking is open now.\n\nAunt Pearl's",
    );
    fails_with(
        &r,
        &c,
        "Dear Clive,\n\nYour Mira Cat-Eye frames are nearly two years old now.\n\nAunt Pearl's",
    );
}

/// "Still thinking about medical coding?" after a brochure download or an enquiry: interest
/// shown. A newsletter sign-up alone shows none.
#[test]
fn still_thinking_about_needs_interest_shown() {
    let c = json!({"now":"2077-04-28","brand":"Sankalp Medical Coding"});
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Anil","events":[
            {"type":"brochure_download","at":"2075-11-21","brochure":"CPC Exam Prep"}]}"#,
    );
    let signed = person(
        r#"{"id":"2","email":"b@example.com","first_name":"Anil","events":[
            {"type":"newsletter_signup","at":"2077-04-20"}]}"#,
    );
    let body = "Subject: Still thinking about medical coding, Anil?\n\nDear Anil,\n\nOur next CPC batch opens in May.\n\nSankalp Medical Coding";
    passes_with(&r, &c, body);
    fails_with(&signed, &c, body);
}

/// "It sits on top of a Care & Hosting plan": one product built on another, not an offer
/// stacked on a deal it does not combine with.
#[test]
fn a_product_that_sits_on_top_of_a_plan() {
    let c = json!({"now":"2077-08-11","brand":"Range Street Digital","offer":{"name":"Spring Site Refresh","code":"REFRESH1490","price_aud":1490,"not_combinable_with":"the Care & Hosting plan discount"},"new":"Quote Request Button"});
    let r = person(r#"{"id":"1","email":"a@example.com","first_name":"Shaz"}"#);
    let body = |x: &str| format!("Hi Shaz,\n\n{x}\n\nRange Street Digital");
    passes_with(
        &r,
        &c,
        &body("Our new Quote Request Button sits on top of a Care & Hosting plan. The Spring Site Refresh is $1,490 with REFRESH1490."),
    );
    fails_with(
        &r,
        &c,
        &body("Use REFRESH1490 on top of your Care & Hosting plan discount."),
    );
}

/// "restart your Annual Maintenance Contract" for a record's `amc`.
#[test]
fn a_name_whose_initials_are_the_records_key() {
    let c = json!({"now":"2077-08-11","brand":"Saathi Power Solutions","amc":{"name":"Annual Maintenance Contract","visits":3}});
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Joseph","attributes":{"amc":"lapsed on 2075-02-18"}}"#,
    );
    let none = person(r#"{"id":"2","email":"b@example.com","first_name":"Joseph"}"#);
    let body = "Dear Joseph,\n\nYou may also like to restart your Annual Maintenance Contract this month.\n\nSaathi Power Solutions";
    passes_with(&r, &c, body);
    fails_with(&none, &c, body);
}

/// "Last year you booked four seats" for a concert booking of 4 tickets.
#[test]
fn seats_booked_are_the_tickets_of_a_booking() {
    let c = json!({"now":"2077-09-15","brand":"Rotunda Band Club","concert":"Kunċert Annwali"});
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Doris","events":[
            {"type":"concert_tickets","at":"2076-09-26","event":"Kunċert Annwali 2076","tickets":4}]}"#,
    );
    let body = |n: &str| {
        format!("Dear Doris,\n\nWe hope to see you at the Kunċert Annwali. Last year you booked {n} seats.\n\nRotunda Band Club")
    };
    passes_with(&r, &c, &body("four"));
    fails_with(&r, &c, &body("six"));
}

/// A staff member named in a sentence about one of the person's events that records someone
/// else: "When Senthil checked your battery on 27 July" for a visit by Murugan, "the Carve
/// Clinic with Liezl" for a clinic with Thabo. Not the one on record, not the campaign's
/// course with its own tutor, and not who will do something next.
#[test]
fn a_staff_member_swapped_for_the_one_on_record() {
    let c = json!({"now":"2077-08-11","brand":"Saathi Power Solutions","staff":{"service_engineer":"Senthil Kumar","technician":"Murugan"},"course":{"name":"Intermediate Carve Clinic","with":"Thabo Mokoena"}});
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Lakshmi","events":[
            {"type":"service_visit","at":"2077-07-27","technician":"Murugan","advice":"replace battery within 1-2 months"},
            {"type":"session","at":"2077-06-19","session":"Intermediate Carve Clinic","instructor":"Thabo Mokoena"},
            {"type":"session","at":"2073-04-08","session":"Beginners' Sandboarding","instructor":"Liezl van Wyk"}]}"#,
    );
    let body = |x: &str| format!("Dear Lakshmi,\n\n{x}\n\nSaathi Power Solutions");
    fails_with(
        &r,
        &c,
        &body("When Senthil checked your battery on 27 July, he advised a replacement."),
    );
    passes_with(
        &r,
        &c,
        &body("When Murugan checked your battery on 27 July, he advised a replacement."),
    );
    fails_with(
        &r,
        &c,
        &body("Great work at the Intermediate Carve Clinic with Liezl in June."),
    );
    passes_with(
        &r,
        &c,
        &body("Great work at the Intermediate Carve Clinic with Thabo in June."),
    );
    passes_with(
        &r,
        &c,
        &body("Senthil will check your battery at the next visit, as Murugan advised on 27 July."),
    );
}

/// "from Rs. 84,000 to Rs. 67,200": a currency written with a point before its amount is no
/// name. (An amount after "Rs." is not read as money yet: a wrong one goes unflagged.)
#[test]
fn rupees_written_with_a_point() {
    let c = json!({"now":"2078-10-05","brand":"Lifeline Cord Bank","plan":{"name":"21-Year Plan","price_inr":84000,"percent_off":20}});
    let r = person(r#"{"id":"1","email":"a@example.com","first_name":"Priya"}"#);
    let body = |x: &str| format!("Dear Priya,\n\n{x}\n\nLifeline Cord Bank");
    passes_with(
        &r,
        &c,
        &body("The 21-Year Plan comes down from Rs. 84,000 to Rs. 67,200."),
    );
    // (Still a name after it: "Rs. 84,000 at our Nashik branch".)
    fails_with(
        &r,
        &c,
        &body("The 21-Year Plan comes down from Rs. 84,000 at our Nashik branch."),
    );
}

/// Where the campaign prices in naira, "N504,000" is an amount (10% off N560,000), read and
/// checked as one, not a name; "N510,000" is not the campaign's price.
#[test]
fn naira_written_with_an_n() {
    let r = person(r#"{"id":"1","email":"a@example.com","first_name":"Emeka"}"#);
    let c = json!({"now":"2079-06-07","brand":"Ayo & Ife Souvenirs","currency":"NGN",
        "prices_per_piece":{"customised ceramic mug":2800},
        "offer":{"name":"Owambe Season Bulk Deal","discount_percent":10,"code":"OWAMBE10",
        "applies_to":"orders of 200 pieces or more"}});
    let body = |x: &str| format!("Dear Emeka,\n\n{x}\n\nAyo & Ife Souvenirs");
    passes_with(
        &r,
        &c,
        &body("With OWAMBE10, 200 customised mugs would come to N504,000 instead of N560,000."),
    );
    fails_with(
        &r,
        &c,
        &body("With OWAMBE10, 200 customised mugs would come to N510,000 instead of N560,000."),
    );
}

/// "You told us you drive a 2078 Isuzu D-Max" where a quote form's answer is on the record
/// (`vehicle_from_form`, `vehicle_from_signup_form`), and "you told us your wedding is
/// on ..." with the guest estimate the person gave: the person did tell us. Without any of
/// them it is still an implied conversation.
#[test]
fn told_us_on_a_form() {
    let c = json!({"now":"2079-05-03","brand":"Hilltop Canopies"});
    let says = "Hi Lerato,\n\nThanks for getting in touch. You told us you drive a 2078 Isuzu D-Max extra cab, so here are the numbers you need.\n\nHilltop Canopies";
    let form = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Lerato","attributes":{"vehicle_from_form":"2078 Isuzu D-Max extra cab"}}"#,
    );
    passes_with(&form, &c, says);
    let signup = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Lerato","attributes":{"vehicle_from_signup_form":"2078 Isuzu D-Max extra cab"},"events":[{"type":"web_signup","at":"2079-05-02","form":"Get a Quote"}]}"#,
    );
    passes_with(&signup, &c, says);
    let plain = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Lerato","attributes":{"vehicle":"2078 Isuzu D-Max extra cab"},"events":[{"type":"web_signup","at":"2079-05-02"}]}"#,
    );
    fails_with(&plain, &c, says);
    let wedding = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Noah","attributes":{"wedding_date":"2079-09-23","guest_estimate":120},"events":[{"type":"newsletter_signup","at":"2079-04-30"}]}"#,
    );
    passes_with(
        &wedding,
        &c,
        "Hi Noah,\n\nYou told us your wedding is on Saturday, September 23, with about 120 guests, so here is something worth knowing.\n\nHilltop Canopies",
    );
}

/// "free when your order comes to over €100" and "at 250 pieces, your order is above our
/// 200-piece threshold": an order to come, on the offer's terms, not a past one.
#[test]
fn an_order_to_come_on_the_terms() {
    let c = json!({"now":"2079-06-07","brand":"Nore Valley Hampers","delivery":"EUR 8.95, free over EUR 100"});
    let r = person(r#"{"id":"1","email":"a@example.com","first_name":"Eoin"}"#);
    let body = |x: &str| format!("Hi Eoin,\n\n{x}\n\nNore Valley Hampers");
    passes_with(
        &r,
        &c,
        &body("Delivery is €8.95, or free when your order comes to over €100."),
    );
    passes_with(
        &r,
        &c,
        &body("At 250 pieces, your order is above our 200-piece threshold."),
    );
    fails_with(&r, &c, &body("We hope your order arrived safely."));
}

/// "right in your neighbourhood" for a `home_neighbourhood`, "your area" for an `area`; and
/// "Welcome aboard" the day after a beauty quiz the person signed up through.
#[test]
fn neighbourhoods_and_quiz_sign_ups() {
    let c = json!({"now":"2079-01-18","brand":"Red River Broomball","event":{"name":"Bonfire Night","place":"St. Vital Park outdoor rink"}});
    let body = "Hi Tanis,\n\nThe outdoor rink at St. Vital Park is right in your neighbourhood.\n\nRed River Broomball";
    let home = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Tanis","attributes":{"home_neighbourhood":"St. Vital"}}"#,
    );
    passes_with(&home, &c, body);
    let none = person(r#"{"id":"1","email":"a@example.com","first_name":"Tanis"}"#);
    fails_with(&none, &c, body);
    let c = json!({"now":"2078-12-14","brand":"Dewdrop Box"});
    let welcome = "Hi Zara,\n\nThanks for taking our beauty quiz yesterday. Your first box ships next week.\n\nWelcome aboard,\nDewdrop Box";
    let quiz = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Zara","events":[{"type":"beauty_quiz_completed","at":"2078-12-13"}]}"#,
    );
    passes_with(&quiz, &c, welcome);
}

/// "WhatsApp Nikhil sir on [ADULT BATCH WHATSAPP NO. - Sunanda to confirm]": a slot's name in
/// capitals with a note to the team after it. ("[NEW - limited run]" opening a subject is a
/// label of one word.)
#[test]
fn a_slot_in_capitals_with_a_note() {
    let c = json!({"now":"2076-04-08","brand":"Samartha Mallakhamb Kendra","staff":["Nikhil Sawant (coach)"],"whatsapp":"+91 98200 41762"});
    let r = person(r#"{"id":"1","email":"a@example.com","first_name":"Ketaki"}"#);
    let bad = check_with(&r, c.clone(), "Hi Ketaki,\n\nTo book your free trial, WhatsApp Nikhil sir on [ADULT BATCH WHATSAPP NO. - Sunanda to confirm] or visit the office.\n\nSamartha Mallakhamb Kendra");
    assert!(
        bad.findings
            .iter()
            .any(|f| f.rule == "leak.placeholder" && f.text.starts_with("[ADULT")),
        "{:?}",
        bad.findings
    );
    passes_with(&r, &c, "Hi Ketaki,\n\nTo book your free trial, WhatsApp Nikhil sir on +91 98200 41762 or visit the office.\n\nSamartha Mallakhamb Kendra");
}

/// "you picked up Volume 22 of the Journal" where a back issue bought is "Slaney Valley
/// Journal Vol. 22", while the journal collected was volume 40: the figure is in one of the
/// person's values, with the key's abbreviation. "Volume 23" is in none.
#[test]
fn a_figure_in_another_value_of_the_person() {
    let c = json!({"now":"2079-03-29","brand":"Slaney Valley Historical Society","journal":{"name":"Slaney Valley Journal","back_issues":"Volumes 1 to 40, EUR 12 each"}});
    let r = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Gerard","events":[{"type":"journal_collected","at":"2078-11-25","volume":40},{"type":"back_issue_purchase","at":"2079-02-23","item":"Slaney Valley Journal Vol. 22","amount_eur":12.00}]}"#,
    );
    let body = |x: &str| format!("Dear Gerard,\n\n{x}\n\nSlaney Valley Historical Society");
    passes_with(
        &r,
        &c,
        &body("At the lecture you also picked up Volume 22 of the Journal."),
    );
    fails_with(
        &r,
        &c,
        &body("At the lecture you also picked up Volume 23 of the Journal."),
    );
}

/// "Pune–Goa (4 days / 3 nights)" with a dash, for a route the campaign prices as "Pune-Goa
/// 4D/3N": the places a hyphen joins are the campaign's on their own too. "Pune–Kochi" is
/// not one of its routes.
#[test]
fn places_joined_by_a_hyphen() {
    let c = json!({"now":"2079-05-03","brand":"Sahyadri Wheels","fares_inr":{"Pune-Goa 4D/3N, 17-seater":52000}});
    let r = person(r#"{"id":"1","email":"a@example.com","first_name":"Rohan"}"#);
    let body = |x: &str| format!("Hi Rohan,\n\n{x}\n\nSahyadri Wheels");
    passes_with(
        &r,
        &c,
        &body("Pune–Goa (4 days / 3 nights, 17-seater) is ₹52,000."),
    );
    fails_with(
        &r,
        &c,
        &body("Pune–Kochi (4 days / 3 nights, 17-seater) is ₹52,000."),
    );
}

/// "You mentioned a 2072 Honda Accord on your sign-up form" for `vehicle_from_signup_form`,
/// and "you mentioned you've never played organized flag football" for the `experience` a
/// new player gave: what a form asked is something the person said.
#[test]
fn mentioned_on_a_form() {
    let c = json!({"now":"2079-05-03","brand":"GenuineFit Auto Spares"});
    let body = |x: &str| format!("Hi Ngozi,\n\n{x}\n\nGenuineFit Auto Spares");
    let form = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Ngozi","attributes":{"vehicle_from_signup_form":"2072 Honda Accord"},"events":[{"type":"newsletter_signup","at":"2079-04-30"}]}"#,
    );
    passes_with(&form, &c, &body("You mentioned a 2072 Honda Accord on your sign-up form, so here is what our offer means for you."));
    let plain = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Ngozi","attributes":{"vehicle":"2072 Honda Accord"},"events":[{"type":"newsletter_signup","at":"2079-04-30"}]}"#,
    );
    fails_with(&plain, &c, &body("You mentioned a 2072 Honda Accord on your sign-up form, so here is what our offer means for you."));
    let player = person(
        r#"{"id":"1","email":"a@example.com","first_name":"Ngozi","attributes":{"experience":"has never played organized flag football","division_interest":"Women's 5v5"},"events":[{"type":"account_created","at":"2079-04-30"}]}"#,
    );
    passes_with(&player, &c, &body("You mentioned you've never played organized flag football, so the new division suits you."));
}

/// "Here's a warmer, more personal version of the email for Orla, as requested:" left at the
/// top of the body: the model talking to whoever asked for a rewrite.
#[test]
fn a_rewrite_announced_to_the_operator() {
    let c = json!({"now":"2079-03-29","brand":"Laggan Park Games","games_day":"2079-08-12"});
    let r = person(r#"{"id":"1","email":"a@example.com","first_name":"Orla"}"#);
    let bad = check_with(&r, c.clone(), "Here's a warmer, more personal version of the email for Orla, as requested:\n\nHi Orla,\n\nThe Games are on 12 August.\n\nLaggan Park Games");
    assert!(
        bad.findings.iter().any(|f| f.kind == Kind::TemplateLeak),
        "{:?}",
        bad.findings
    );
    passes_with(
        &r,
        &c,
        "Hi Orla,\n\nThe Games are on 12 August.\n\nLaggan Park Games",
    );
}
