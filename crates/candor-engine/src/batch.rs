//! Provider batch APIs in a run: which calls go into a batch, and the outbox's record of every
//! batch so that a killed run picks its batches up again.
//!
//! How a run uses them (`batch_api = true`, see [`crate::run`]): before the main pass, it
//! goes over the list in *collect* rounds. In a round every recipient is processed as usual,
//! except that a call a provider batch can carry is not made: answered from the response cache
//! if it was answered before, else its worst case is reserved at batch prices and the request
//! is held here ([`Collector`]), and the recipient stops for this round. The held requests go to
//! their providers as batches; when the batches end, each answer is settled, recorded and
//! cached. The next round gets one step further for each recipient (a multi-stage tier's next
//! stage, a retry after a gate finding), until a round holds nothing. The main pass then
//! finds every batched answer in the cache and writes the outbox; whatever a batch did not
//! answer is called synchronously there.
//!
//! Invariants:
//! - A request is held at most once per round (by its cache key), so recipients sharing a
//!   prompt (segment copy) share one batched request.
//! - A batch's requests are in `.batches.jsonl` before it is submitted, and its provider id
//!   right after. A run that finds a batch recorded as submitted collects its results instead of
//!   sending the requests again; one recorded only as prepared (the process died during the
//!   submission, which may or may not have reached the provider) is charged at its reserved
//!   worst case, as any call lost in flight is, and its requests are held again.
//! - What each answer cost is recorded with the batch once settled, so the records of the
//!   recipients it served carry the cost even after a restart.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use candor_domain::{ChatMessage, ChatRequest, Money, Role, TokenCount};
use candor_governor::{CallContext, Held};
use candor_store::{Attribution, CacheKey, RecipientKey, ReservationId};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The outbox file that records every batch of a run.
pub const BATCHES_FILE: &str = ".batches.jsonl";

/// Requests per batch at most, whatever the provider allows: a batch is built in memory when it
/// is submitted, and smaller batches run side by side at the provider anyway.
pub const MAX_PART_REQUESTS: usize = 10_000;

/// How long a batched request's reservation stays open: the providers' 24 h completion window,
/// with room for the run to collect the results.
pub const HOLD_TTL: Duration = Duration::from_secs(30 * 3600);

/// The requests held in one collect round, per batch.
pub struct Collector {
    round: String,
    campaign: String,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    keys: HashSet<CacheKey>,
    held: Vec<(Held, Compact)>,
    /// Every message text held, once: a campaign's static prefix and a segment's block are the
    /// same in thousands of requests.
    texts: HashSet<Arc<str>>,
    /// Per provider: the current part of the round's batch (a new part when the per-batch cap
    /// or the provider's size limits are reached), and the requests and bytes given to it.
    parts: HashMap<String, Part>,
}

#[derive(Clone, Copy)]
struct Part {
    n: u32,
    requests: usize,
    bytes: usize,
}

impl Default for Part {
    fn default() -> Part {
        Part {
            n: 1,
            requests: 0,
            bytes: 0,
        }
    }
}

/// A held request with its message texts shared (see `Inner::texts`): a round of 100,000
/// requests keeps each static prefix once, not 100,000 times.
pub struct Compact {
    model: String,
    messages: Vec<(Role, Arc<str>)>,
    max_output_tokens: u32,
    temperature: Option<f32>,
    seed: Option<u64>,
    stop: Vec<String>,
    cacheable_prefix_messages: usize,
}

impl Compact {
    /// The request again, to send.
    pub fn request(&self) -> ChatRequest {
        ChatRequest {
            model: self.model.clone(),
            messages: self
                .messages
                .iter()
                .map(|(role, text)| ChatMessage {
                    role: *role,
                    content: text.to_string(),
                })
                .collect(),
            max_output_tokens: self.max_output_tokens,
            temperature: self.temperature,
            seed: self.seed,
            stop: self.stop.clone(),
            cacheable_prefix_messages: self.cacheable_prefix_messages,
        }
    }
}

/// About what a request adds to a batch's file: its text plus the JSON around it.
pub fn request_bytes(r: &ChatRequest) -> usize {
    512 + r
        .messages
        .iter()
        .map(|m| m.content.len() + 64)
        .sum::<usize>()
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Collector {
    /// `round` names the round uniquely across runs of the campaign.
    pub fn new(campaign: &str, round: &str) -> Collector {
        Collector {
            round: round.to_string(),
            campaign: campaign.to_string(),
            inner: Mutex::new(Inner::default()),
        }
    }

    /// Whether this round already holds the request.
    pub fn holds(&self, key: &CacheKey) -> bool {
        lock(&self.inner).keys.contains(key)
    }

    /// The batch a provider's next request (of `bytes`) goes into,
    /// `campaign:provider:rROUND.PART`: a new part when this one is full under `limits`.
    pub fn batch_key(
        &self,
        provider: &str,
        bytes: usize,
        limits: candor_providers::BatchLimits,
    ) -> String {
        let mut inner = lock(&self.inner);
        let part = inner.parts.entry(provider.to_string()).or_default();
        if part.requests > 0
            && (part.requests >= limits.max_requests || part.bytes + bytes > limits.max_bytes)
        {
            *part = Part {
                n: part.n + 1,
                ..Part::default()
            };
        }
        part.requests += 1;
        part.bytes += bytes;
        format!("{}:{provider}:r{}.{}", self.campaign, self.round, part.n)
    }

    /// The per-batch cap refused `key`'s batch: later requests go into a new part.
    pub fn next_part(&self, provider: &str, key: &str) {
        let mut inner = lock(&self.inner);
        let part = inner.parts.entry(provider.to_string()).or_default();
        if format!("{}:{provider}:r{}.{}", self.campaign, self.round, part.n) == key {
            *part = Part {
                n: part.n + 1,
                ..Part::default()
            };
        }
    }

    /// Keep a held request. False (and nothing kept) if the round already holds it: the caller
    /// releases the second reservation.
    pub fn push(&self, held: Held, request: ChatRequest) -> bool {
        let mut inner = lock(&self.inner);
        if !inner.keys.insert(held.key) {
            return false;
        }
        let ChatRequest {
            model,
            messages,
            max_output_tokens,
            temperature,
            seed,
            stop,
            cacheable_prefix_messages,
        } = request;
        let messages = messages
            .into_iter()
            .map(|m| {
                let text = match inner.texts.get(m.content.as_str()) {
                    Some(t) => Arc::clone(t),
                    None => {
                        let t: Arc<str> = Arc::from(m.content);
                        inner.texts.insert(Arc::clone(&t));
                        t
                    }
                };
                (m.role, text)
            })
            .collect();
        inner.held.push((
            held,
            Compact {
                model,
                messages,
                max_output_tokens,
                temperature,
                seed,
                stop,
                cacheable_prefix_messages,
            },
        ));
        true
    }

    /// The held requests by batch key, in the order they were held.
    pub fn take(&self) -> BTreeMap<String, Vec<(Held, Compact)>> {
        let mut out: BTreeMap<String, Vec<(Held, Compact)>> = BTreeMap::new();
        let held = {
            let mut inner = lock(&self.inner);
            inner.texts.clear();
            std::mem::take(&mut inner.held)
        };
        for (h, r) in held {
            let key = h.ctx.attribution.batch_id.clone().unwrap_or_default();
            out.entry(key).or_default().push((h, r));
        }
        out
    }
}

/// Cut a torn last line (a crash mid-write) so the next event starts on a line of its own.
fn repair_tail(path: &Path) -> std::io::Result<()> {
    let Ok(bytes) = std::fs::read(path) else {
        return Ok(());
    };
    if bytes.last().is_none_or(|&b| b == b'\n') {
        return Ok(());
    }
    let keep = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    OpenOptions::new()
        .write(true)
        .open(path)?
        .set_len(keep as u64)
}

/// Whether `batch_id` is a batch key this outbox made (`campaign:provider:rTAG.…`).
pub fn is_own(batch_id: &str, campaign: &str, tag: &str) -> bool {
    batch_id
        .strip_prefix(campaign)
        .and_then(|r| r.strip_prefix(':'))
        .and_then(|r| r.split_once(':'))
        .is_some_and(|(_, rest)| rest.starts_with(&format!("r{tag}.")))
}

/// One held request as the batches file keeps it: enough to settle it from a later process.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ItemState {
    /// The request's cache key (hex); also its `custom_id` in the batch.
    pub id: String,
    pub reservation: i64,
    pub worst: Money,
    pub prompt_tokens: u64,
    pub attribution: Attribution,
    pub tier: String,
    pub stage: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient: Option<String>,
    pub provider: String,
    pub model: String,
}

impl ItemState {
    pub fn of(h: &Held) -> ItemState {
        ItemState {
            id: h.key.to_hex(),
            reservation: h.reservation.0,
            worst: h.worst,
            prompt_tokens: h.prompt_tokens.0,
            attribution: h.ctx.attribution.clone(),
            tier: h.ctx.tier.clone(),
            stage: h.ctx.stage.clone(),
            recipient: h.ctx.recipient.as_ref().map(|k| k.as_str().to_string()),
            provider: h.provider.clone(),
            model: h.model.clone(),
        }
    }

    /// The held call back, or `None` if the line was damaged.
    pub fn held(&self) -> Option<Held> {
        Some(Held {
            key: CacheKey::from_hex(&self.id)?,
            reservation: ReservationId(self.reservation),
            worst: self.worst,
            prompt_tokens: TokenCount(self.prompt_tokens),
            ctx: CallContext {
                attribution: self.attribution.clone(),
                tier: self.tier.clone(),
                stage: self.stage.clone(),
                recipient: self.recipient.as_deref().and_then(RecipientKey::from_hex),
                batch_pricing: true,
                prompt_tokens: None,
            },
            provider: self.provider.clone(),
            model: self.model.clone(),
        })
    }
}

/// One line of the batches file.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// The file's first line: this outbox's tag, part of every batch key it makes, so that a
    /// reservation held for one of its batches is known as its own.
    Outbox { tag: String },
    /// Reserved and about to be submitted.
    Prepared {
        key: String,
        provider: String,
        items: Vec<ItemState>,
    },
    /// The provider accepted it under `batch_id`.
    Submitted { key: String, batch_id: String },
    /// Every request settled; `costs` by request id (answered ones only), and their ledger
    /// rows (for the gate's verdict on the email each one wrote).
    Settled {
        key: String,
        costs: BTreeMap<String, Money>,
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        ledger: BTreeMap<String, i64>,
    },
    /// Never confirmed submitted: charged at the worst case.
    Abandoned { key: String },
}

impl Event {
    fn key(&self) -> &str {
        match self {
            Event::Outbox { .. } => "",
            Event::Prepared { key, .. }
            | Event::Submitted { key, .. }
            | Event::Settled { key, .. }
            | Event::Abandoned { key } => key,
        }
    }
}

/// Where one batch of the file stands.
#[derive(Clone, Debug, Default)]
pub struct BatchEntry {
    pub provider: String,
    pub items: Vec<ItemState>,
    pub batch_id: Option<String>,
    pub costs: Option<BTreeMap<String, Money>>,
    pub ledger: BTreeMap<String, i64>,
    pub abandoned: bool,
}

/// The batches file of an outbox.
pub struct Journal {
    path: PathBuf,
    file: File,
    sync: bool,
    tag: String,
}

impl Journal {
    /// Open (creating) the file and read what it holds, by batch key in first-seen order.
    /// A torn last line (a crash mid-write) is ignored: its event did not happen.
    pub fn open(dir: &Path, sync: bool) -> std::io::Result<(Journal, Vec<(String, BatchEntry)>)> {
        let path = dir.join(BATCHES_FILE);
        let mut entries: Vec<(String, BatchEntry)> = Vec::new();
        let mut tag = None;
        if let Ok(f) = File::open(&path) {
            for line in BufReader::new(f).lines() {
                let Ok(ev) = serde_json::from_str::<Event>(&line?) else {
                    continue;
                };
                if let Event::Outbox { tag: t } = &ev {
                    tag.get_or_insert_with(|| t.clone());
                    continue;
                }
                let i = match entries.iter().position(|(k, _)| k == ev.key()) {
                    Some(i) => i,
                    None => {
                        entries.push((ev.key().to_string(), BatchEntry::default()));
                        entries.len() - 1
                    }
                };
                let e = &mut entries[i].1;
                match ev {
                    // A key prepared again after it was abandoned (journals written before
                    // keys were unique per run could reuse one within a second) is a new
                    // attempt: what the last one left is what stands.
                    Event::Prepared {
                        provider, items, ..
                    } => {
                        *e = BatchEntry::default();
                        e.provider = provider;
                        e.items = items;
                    }
                    Event::Submitted { batch_id, .. } => e.batch_id = Some(batch_id),
                    Event::Settled { costs, ledger, .. } => {
                        e.costs = Some(costs);
                        e.ledger = ledger;
                    }
                    Event::Abandoned { .. } => e.abandoned = true,
                    Event::Outbox { .. } => {}
                }
            }
        }
        repair_tail(&path)?;
        let file = OpenOptions::new().create(true).append(true).open(&path)?;
        let mut j = Journal {
            path,
            file,
            sync,
            tag: String::new(),
        };
        j.tag = match tag {
            Some(t) => t,
            None => {
                let t = format!(
                    "{:x}{:x}",
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map(|d| d.as_nanos() as u64)
                        .unwrap_or(0),
                    std::process::id()
                );
                j.write(&Event::Outbox { tag: t.clone() })?;
                t
            }
        };
        Ok((j, entries))
    }

    /// This outbox's tag (see [`Event::Outbox`]).
    pub fn tag(&self) -> &str {
        &self.tag
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Append one event, durably when the outbox is durable.
    pub fn write(&mut self, ev: &Event) -> std::io::Result<()> {
        let mut line = serde_json::to_vec(ev).map_err(std::io::Error::other)?;
        line.push(b'\n');
        self.file.write_all(&line)?;
        if self.sync {
            self.file.sync_data()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candor_providers::BatchLimits;

    #[test]
    fn a_full_batch_rolls_over_to_the_next_part() {
        let c = Collector::new("camp", "x.1");
        let by_count = BatchLimits {
            max_requests: 2,
            max_bytes: usize::MAX,
        };
        let keys: Vec<String> = (0..5)
            .map(|_| c.batch_key("openai", 10, by_count))
            .collect();
        assert_eq!(
            keys,
            [
                "camp:openai:rx.1.1",
                "camp:openai:rx.1.1",
                "camp:openai:rx.1.2",
                "camp:openai:rx.1.2",
                "camp:openai:rx.1.3"
            ]
        );
        // Providers count apart; by size, a request that alone is over the limit still goes.
        let by_size = BatchLimits {
            max_requests: 100,
            max_bytes: 1_000,
        };
        assert_eq!(
            c.batch_key("anthropic", 600, by_size),
            "camp:anthropic:rx.1.1"
        );
        assert_eq!(
            c.batch_key("anthropic", 600, by_size),
            "camp:anthropic:rx.1.2"
        );
        assert_eq!(
            c.batch_key("anthropic", 5_000, by_size),
            "camp:anthropic:rx.1.3"
        );
        // The per-batch cap moves on from the part it refused, not from a later one.
        c.next_part("anthropic", "camp:anthropic:rx.1.1");
        assert_eq!(
            c.batch_key("anthropic", 1, by_size),
            "camp:anthropic:rx.1.4"
        );
        c.next_part("anthropic", "camp:anthropic:rx.1.4");
        assert_eq!(
            c.batch_key("anthropic", 1, by_size),
            "camp:anthropic:rx.1.5"
        );
    }
}

#[cfg(test)]
mod journal_tests {
    use super::*;

    #[test]
    fn own_batch_keys_are_told_by_campaign_and_tag() {
        assert!(is_own("camp:openai:rT1.x.1.2", "camp", "T1"));
        assert!(is_own("a:b:c:anthropic:rT1.x.1.1", "a:b:c", "T1"));
        assert!(!is_own("camp:openai:rT2.x.1.2", "camp", "T1"));
        assert!(!is_own("camp:openai:rT10.x.1.2", "camp", "T1"));
        assert!(!is_own("other:openai:rT1.x.1.2", "camp", "T1"));
    }

    #[test]
    fn the_journal_keeps_its_tag_and_drops_a_torn_last_line() {
        let dir = tempfile::tempdir().unwrap();
        let (mut j, entries) = Journal::open(dir.path(), false).unwrap();
        assert!(entries.is_empty());
        let tag = j.tag().to_string();
        j.write(&Event::Submitted {
            key: "k1".into(),
            batch_id: "b1".into(),
        })
        .unwrap();
        drop(j);
        let path = dir.path().join(BATCHES_FILE);
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(br#"{"event":"submitted","key":"k2","bat"#)
            .unwrap();
        drop(f);
        let (mut j, entries) = Journal::open(dir.path(), false).unwrap();
        assert_eq!(j.tag(), tag);
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].1.batch_id.as_deref(), Some("b1"));
        j.write(&Event::Abandoned { key: "k3".into() }).unwrap();
        drop(j);
        let (_, entries) = Journal::open(dir.path(), false).unwrap();
        let keys: Vec<&str> = entries.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["k1", "k3"], "the event after the torn line was read");
    }

    /// A batch key abandoned by one run and prepared and submitted again by the next is the
    /// later attempt: submitted, to be collected, not skipped as abandoned (skipping it sent
    /// its requests in a second batch, paid twice).
    #[test]
    fn a_key_prepared_again_after_it_was_abandoned_is_the_new_attempt() {
        let dir = tempfile::tempdir().unwrap();
        let (mut j, _) = Journal::open(dir.path(), false).unwrap();
        let prepared = || Event::Prepared {
            key: "k".into(),
            provider: "openai".into(),
            items: Vec::new(),
        };
        j.write(&prepared()).unwrap();
        j.write(&Event::Abandoned { key: "k".into() }).unwrap();
        j.write(&prepared()).unwrap();
        j.write(&Event::Submitted {
            key: "k".into(),
            batch_id: "b2".into(),
        })
        .unwrap();
        drop(j);
        let (_, entries) = Journal::open(dir.path(), false).unwrap();
        assert_eq!(entries.len(), 1);
        assert!(!entries[0].1.abandoned);
        assert_eq!(entries[0].1.batch_id.as_deref(), Some("b2"));
    }
}
