//! Realistic synthetic recipients for demos, tests and benchmarks (`candor demo-data`).
//!
//! Deterministic for a seed (a small SplitMix64 generator, no global state). About a third of
//! the profiles are sparse (email only, or name only); dense ones carry purchases with products,
//! categories and amounts, views, carts, a loyalty tier, a city, a signup date and a birthday.
//! Names include non-ASCII ones; about 5% have `consent.profiling = false`.

use std::io::{self, Write};

use candor_domain::Date;
use serde_json::{json, Map, Value};

/// SplitMix64: tiny, fast, good enough for synthetic data; stable across versions.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next_u64() % n
        }
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
}

/// (product, category, price)
pub const CATALOG: &[(&str, &str, &str)] = &[
    ("Trailblazer 2 Hiking Boot", "boots", "149.00"),
    ("Summit Wool Sock", "socks", "18.00"),
    ("Ridge 45L Backpack", "packs", "189.00"),
    ("Cirrus Rain Jacket", "jackets", "229.00"),
    ("Basecamp 2P Tent", "tents", "349.00"),
    ("Alpine Trekking Poles", "accessories", "89.00"),
    ("Ember Down Vest", "jackets", "159.00"),
    ("Canyon Trail Runner", "shoes", "129.00"),
    ("Glacier Insulated Bottle", "accessories", "35.00"),
    ("Northstar Headlamp", "accessories", "45.00"),
];

/// (first name, last name, ascii local part)
const PEOPLE: &[(&str, &str, &str)] = &[
    ("Ana", "Silva", "ana.silva"),
    ("Zoë", "Martin", "zoe.martin"),
    ("José", "García", "jose.garcia"),
    ("Łukasz", "Nowak", "lukasz.nowak"),
    ("美咲", "佐藤", "misaki.sato"),
    ("Liam", "O'Brien", "liam.obrien"),
    ("Priya", "Raman", "priya.raman"),
    ("Jörg", "Müller", "joerg.mueller"),
    ("Chloé", "Dubois", "chloe.dubois"),
    ("Noah", "Johnson", "noah.johnson"),
    ("Emma", "Williams", "emma.williams"),
    ("Søren", "Jensen", "soeren.jensen"),
    ("Olivia", "Brown", "olivia.brown"),
    ("Mateo", "Rossi", "mateo.rossi"),
    ("Aiko", "Tanaka", "aiko.tanaka"),
    ("Ethan", "Miller", "ethan.miller"),
    ("Fatima", "Haddad", "fatima.haddad"),
    ("Sofia", "Lindqvist", "sofia.lindqvist"),
    ("Kwame", "Mensah", "kwame.mensah"),
    ("Grace", "Kim", "grace.kim"),
    ("Ines", "Ferreira", "ines.ferreira"),
    ("Lucas", "Bernard", "lucas.bernard"),
    ("Hannah", "Schmidt", "hannah.schmidt"),
    ("Dmitri", "Volkov", "dmitri.volkov"),
];

/// (city, locale)
const PLACES: &[(&str, &str)] = &[
    ("Portland", "en-US"),
    ("Denver", "en-US"),
    ("Seattle", "en-US"),
    ("Austin", "en-US"),
    ("Toronto", "en-CA"),
    ("Lyon", "fr-FR"),
    ("München", "de-DE"),
    ("Kraków", "pl-PL"),
    ("São Paulo", "pt-BR"),
    ("Osaka", "ja-JP"),
    ("Zürich", "de-CH"),
    ("Malmö", "sv-SE"),
];

const TIERS: &[&str] = &["Bronze", "Silver", "Gold", "Platinum"];

fn date(now: Date, days_ago: u64) -> String {
    now.add_days(-(days_ago as i64)).unwrap_or(now).to_string()
}

/// One synthetic recipient as a canonical JSON record.
pub fn recipient(rng: &mut Rng, index: u64, now: Date) -> Value {
    let (first, last, local) = *rng.pick(PEOPLE);
    let (city, locale) = *rng.pick(PLACES);
    let mut rec = Map::new();
    rec.insert("id".into(), json!(format!("r{index:07}")));
    rec.insert(
        "email".into(),
        json!(format!("{local}.{index}@example.com")),
    );
    let roll = rng.below(100);
    // ~15% email only, ~18% name only (sparse); the rest dense.
    if roll < 15 {
        return Value::Object(rec);
    }
    rec.insert("first_name".into(), json!(first));
    if rng.chance(70) {
        rec.insert("last_name".into(), json!(last));
    }
    if roll < 33 {
        if rng.chance(50) {
            rec.insert("locale".into(), json!(locale));
        }
        return Value::Object(rec);
    }
    rec.insert("locale".into(), json!(locale));
    let mut attrs = Map::new();
    attrs.insert("city".into(), json!(city));
    let signup_days = 30 + rng.below(365 * 6);
    attrs.insert("signup_date".into(), json!(date(now, signup_days)));
    if rng.chance(60) {
        attrs.insert("loyalty_tier".into(), json!(*rng.pick(TIERS)));
    }
    if rng.chance(40) {
        let bday = Date::from_ymd(
            1960 + rng.below(45) as i32,
            1 + rng.below(12) as u8,
            1 + rng.below(28) as u8,
        );
        if let Some(b) = bday {
            attrs.insert("birthday".into(), json!(b.to_string()));
        }
    }
    let mut events = Vec::new();
    let purchases = rng.below(5);
    let mut total = 0u64;
    for _ in 0..purchases {
        let (p, cat, price) = *rng.pick(CATALOG);
        let ago = rng.below(signup_days.min(700));
        events.push(json!({"type": "purchase", "at": date(now, ago), "product": p, "category": cat, "amount": price.parse::<f64>().unwrap_or(0.0)}));
        total += price
            .split('.')
            .next()
            .and_then(|d| d.parse::<u64>().ok())
            .unwrap_or(0);
    }
    if purchases > 0 {
        attrs.insert("orders".into(), json!(purchases));
        attrs.insert("lifetime_value".into(), json!(total));
    }
    for _ in 0..rng.below(4) {
        let (p, cat, _) = *rng.pick(CATALOG);
        events.push(
            json!({"type": "view", "at": date(now, rng.below(120)), "product": p, "category": cat}),
        );
    }
    if rng.chance(15) {
        let (p, _, price) = *rng.pick(CATALOG);
        events.push(json!({"type": "cart", "at": date(now, rng.below(21)), "product": p, "amount": price.parse::<f64>().unwrap_or(0.0)}));
    }
    rec.insert("attributes".into(), Value::Object(attrs));
    if !events.is_empty() {
        rec.insert("events".into(), Value::Array(events));
    }
    if rng.chance(5) {
        rec.insert("consent".into(), json!({"profiling": false}));
    } else if rng.chance(50) {
        rec.insert("consent".into(), json!({"profiling": true}));
    }
    Value::Object(rec)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutFormat {
    Jsonl,
    Csv,
}

/// Write `n` recipients for `seed` to `out`.
pub fn write(
    out: &mut dyn Write,
    n: u64,
    seed: u64,
    now: Date,
    format: OutFormat,
) -> io::Result<()> {
    let mut rng = Rng::new(seed);
    match format {
        OutFormat::Jsonl => {
            for i in 0..n {
                let v = recipient(&mut rng, i, now);
                serde_json::to_writer(&mut *out, &v)?;
                out.write_all(b"\n")?;
            }
        }
        OutFormat::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record([
                "id",
                "email",
                "first_name",
                "last_name",
                "locale",
                "city",
                "loyalty_tier",
                "signup_date",
                "birthday",
                "orders",
                "lifetime_value",
                "events",
                "consent_profiling",
            ])?;
            for i in 0..n {
                let v = recipient(&mut rng, i, now);
                let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
                let a = |k: &str| match v.get("attributes").and_then(|a| a.get(k)) {
                    Some(Value::String(s)) => s.clone(),
                    Some(other) => other.to_string(),
                    None => String::new(),
                };
                let events = v.get("events").map(Value::to_string).unwrap_or_default();
                let consent = v
                    .get("consent")
                    .and_then(|c| c.get("profiling"))
                    .and_then(Value::as_bool)
                    .map(|b| b.to_string())
                    .unwrap_or_default();
                w.write_record([
                    s("id"),
                    s("email"),
                    s("first_name"),
                    s("last_name"),
                    s("locale"),
                    a("city"),
                    a("loyalty_tier"),
                    a("signup_date"),
                    a("birthday"),
                    a("orders"),
                    a("lifetime_value"),
                    events,
                    consent,
                ])?;
            }
            w.flush()?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use candor_domain::recipient::Limits;
    use candor_domain::Recipient;

    #[test]
    fn deterministic_valid_and_varied() {
        let now = Date::from_ymd(2026, 12, 1).unwrap();
        let mut a = Vec::new();
        let mut b = Vec::new();
        write(&mut a, 600, 7, now, OutFormat::Jsonl).unwrap();
        write(&mut b, 600, 7, now, OutFormat::Jsonl).unwrap();
        assert_eq!(a, b);
        let mut c = Vec::new();
        write(&mut c, 600, 8, now, OutFormat::Jsonl).unwrap();
        assert_ne!(a, c);
        let text = String::from_utf8(a).unwrap();
        let rs: Vec<Recipient> = text
            .lines()
            .map(|l| Recipient::from_json(l, &Limits::default()).unwrap())
            .collect();
        let sparse = rs
            .iter()
            .filter(|r| r.events.is_empty() && r.attributes.is_empty())
            .count();
        assert!(
            (150..=260).contains(&sparse),
            "about a third sparse: {sparse}"
        );
        assert!(rs.iter().any(|r| !r.profiling_allowed()));
        assert!(rs
            .iter()
            .any(|r| r.first_name.as_deref().is_some_and(|n| !n.is_ascii())));
        assert!(rs.iter().any(|r| r.events_of("purchase").next().is_some()));
        assert!(rs.iter().all(|r| r.events.iter().all(|e| e.at <= now)));
    }

    #[test]
    fn csv_round_trips_through_the_importer() {
        let now = Date::from_ymd(2026, 12, 1).unwrap();
        let mut out = Vec::new();
        write(&mut out, 200, 3, now, OutFormat::Csv).unwrap();
        let r = crate::ingest::RecipientReader::from_reader(
            Box::new(std::io::Cursor::new(out)),
            crate::ingest::Format::Csv,
            std::path::Path::new("demo.csv"),
            None,
        )
        .unwrap();
        let mut r = r;
        assert_eq!(r.by_ref().count(), 200);
        assert_eq!(r.stats().quarantined, 0);
    }
}
