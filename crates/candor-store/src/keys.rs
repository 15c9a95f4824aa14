//! Keys that stand in for things the store must not hold in the clear, or must find exactly.
//!
//! Invariants: a [`RecipientKey`] can only be made by hashing an address with a salt (or by
//! reading one back from the store), so a raw email address cannot reach the ledger by mistake;
//! a [`CacheKey`] covers the provider, the model, every message and every parameter of a request,
//! so two requests share a key only if they would be the same call.

use std::fmt;

use candor_domain::{ChatMessage, ChatRequest, EmailAddress, Role};
use sha2::{Digest, Sha256};

/// A salted SHA-256 of a recipient's address, hex. The salt is the installation's secret: without
/// it a ledger cannot be joined back to a mailing list by hashing guesses.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct RecipientKey(String);

impl RecipientKey {
    pub fn derive(salt: &[u8], address: &EmailAddress) -> RecipientKey {
        let mut h = Sha256::new();
        h.update(b"candor-recipient-v1\0");
        h.update((salt.len() as u64).to_le_bytes());
        h.update(salt);
        h.update(address.as_str().to_ascii_lowercase().as_bytes());
        RecipientKey(hex(&h.finalize()))
    }

    /// Accept a key read back from storage: exactly 64 lowercase hex digits.
    pub fn from_hex(s: &str) -> Option<RecipientKey> {
        (s.len() == 64
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
        .then(|| RecipientKey(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for RecipientKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RecipientKey({}…)", &self.0[..12.min(self.0.len())])
    }
}

/// The exact response cache's key: SHA-256 over a versioned, unambiguous encoding of the provider
/// name and the whole request (model, messages, output cap, temperature, seed, stop sequences,
/// cache layout).
///
/// The encoding is binary and field by field: every string is length-prefixed, every optional
/// value and the message list are tagged, so no two different requests encode the same bytes.
/// The leading fields (provider, model, first message) are the ones every call of a campaign
/// shares, so the hash state after them is remembered per thread and only the rest is hashed
/// per call. (Version 1 hashed the request's JSON: a campaign's static prefix, several
/// kilobytes, was encoded and hashed again for every call.)
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct CacheKey([u8; 32]);

/// Hash states after a shared first message, by provider, model, role and content.
struct PrefixState {
    provider: String,
    model: String,
    role: Role,
    content: String,
    state: Sha256,
}

/// Only first messages at least this long are remembered: shorter ones hash as fast as they
/// compare.
const PREFIX_MEMO_MIN: usize = 256;
/// Prefixes remembered per thread (a campaign has one per model, at most a few).
const PREFIX_MEMO_MAX: usize = 8;

thread_local! {
    static PREFIX_MEMO: std::cell::RefCell<Vec<PrefixState>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn field(h: &mut Sha256, bytes: &[u8]) {
    h.update((bytes.len() as u64).to_le_bytes());
    h.update(bytes);
}

fn role_tag(role: Role) -> &'static [u8] {
    match role {
        Role::System => b"system",
        Role::User => b"user",
        Role::Assistant => b"assistant",
    }
}

/// The hash state after the tag, the provider, the model and the first message (marker, role,
/// content).
fn head_state(provider: &str, model: &str, first: Option<&ChatMessage>) -> Sha256 {
    let mut h = Sha256::new();
    h.update(b"candor-cache-v2\0");
    field(&mut h, provider.as_bytes());
    field(&mut h, model.as_bytes());
    if let Some(m) = first {
        h.update([1u8]);
        field(&mut h, role_tag(m.role));
        field(&mut h, m.content.as_bytes());
    }
    h
}

fn remembered_head(provider: &str, model: &str, first: &ChatMessage) -> Sha256 {
    PREFIX_MEMO.with(|memo| {
        let mut memo = memo.borrow_mut();
        if let Some(p) = memo.iter().find(|p| {
            p.role == first.role
                && p.content == first.content
                && p.model == model
                && p.provider == provider
        }) {
            return p.state.clone();
        }
        let state = head_state(provider, model, Some(first));
        if memo.len() >= PREFIX_MEMO_MAX {
            memo.remove(0);
        }
        memo.push(PrefixState {
            provider: provider.to_string(),
            model: model.to_string(),
            role: first.role,
            content: first.content.clone(),
            state: state.clone(),
        });
        state
    })
}

impl CacheKey {
    pub fn for_request(provider: &str, request: &ChatRequest) -> CacheKey {
        // Destructured without `..`: a field added to ChatRequest must be added here too.
        let ChatRequest {
            model,
            messages,
            max_output_tokens,
            temperature,
            seed,
            stop,
            cacheable_prefix_messages,
        } = request;
        let first = messages.first();
        let mut h = match first {
            Some(m) if m.content.len() >= PREFIX_MEMO_MIN => remembered_head(provider, model, m),
            _ => head_state(provider, model, first),
        };
        for m in messages.iter().skip(1) {
            h.update([1u8]);
            field(&mut h, role_tag(m.role));
            field(&mut h, m.content.as_bytes());
        }
        h.update([0u8]); // end of messages
        h.update(max_output_tokens.to_le_bytes());
        match temperature {
            Some(t) => {
                h.update([1u8]);
                h.update(t.to_bits().to_le_bytes());
            }
            None => h.update([0u8]),
        }
        match seed {
            Some(s) => {
                h.update([1u8]);
                h.update(s.to_le_bytes());
            }
            None => h.update([0u8]),
        }
        h.update((stop.len() as u64).to_le_bytes());
        for s in stop {
            field(&mut h, s.as_bytes());
        }
        h.update((*cacheable_prefix_messages as u64).to_le_bytes());
        CacheKey(h.finalize().into())
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    pub fn to_hex(&self) -> String {
        hex(&self.0)
    }

    /// The key back from [`CacheKey::to_hex`].
    pub fn from_hex(s: &str) -> Option<CacheKey> {
        if s.len() != 64 {
            return None;
        }
        let mut out = [0u8; 32];
        for (i, pair) in s.as_bytes().chunks(2).enumerate() {
            let d = |c: u8| (c as char).to_digit(16);
            out[i] = (d(pair[0])? * 16 + d(pair[1])?) as u8;
        }
        Some(CacheKey(out))
    }
}

impl fmt::Debug for CacheKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CacheKey({})", &self.to_hex()[..16])
    }
}

fn hex(bytes: &[u8]) -> String {
    const D: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(D[(b >> 4) as usize] as char);
        s.push(D[(b & 15) as usize] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use candor_domain::PromptParts;

    #[test]
    fn recipient_key_is_salted_and_never_the_address() {
        let a = EmailAddress::parse("Ada@Example.com").unwrap();
        let k1 = RecipientKey::derive(b"salt-1", &a);
        let k2 = RecipientKey::derive(b"salt-2", &a);
        assert_ne!(k1, k2);
        assert!(!k1.as_str().contains("example"));
        assert_eq!(RecipientKey::from_hex(k1.as_str()), Some(k1.clone()));
        assert_eq!(RecipientKey::from_hex("ada@example.com"), None);
    }

    #[test]
    fn cache_key_hex_round_trips() {
        let r = ChatRequest::from_parts(
            "m",
            &PromptParts {
                static_prefix: "a".into(),
                segment_block: "b".into(),
                recipient_block: "c".into(),
            },
            10,
        );
        let k = CacheKey::for_request("p", &r);
        assert_eq!(CacheKey::from_hex(&k.to_hex()), Some(k));
        assert_eq!(CacheKey::from_hex(&k.to_hex()[1..]), None);
        assert_eq!(CacheKey::from_hex(&"g".repeat(64)), None);
    }

    #[test]
    fn cache_key_changes_with_every_parameter() {
        let parts = PromptParts {
            static_prefix: "a".into(),
            segment_block: "b".into(),
            recipient_block: "c".into(),
        };
        let r = ChatRequest::from_parts("m", &parts, 10);
        let base = CacheKey::for_request("p", &r);
        assert_eq!(base, CacheKey::for_request("p", &r.clone()));
        assert_ne!(base, CacheKey::for_request("q", &r));
        let mut r2 = r.clone();
        r2.max_output_tokens = 11;
        assert_ne!(base, CacheKey::for_request("p", &r2));
        let mut r3 = r.clone();
        r3.temperature = Some(0.5);
        assert_ne!(base, CacheKey::for_request("p", &r3));
        let mut r4 = r.clone();
        r4.messages[1].content.push('!');
        assert_ne!(base, CacheKey::for_request("p", &r4));
        let mut r5 = r.clone();
        r5.seed = Some(1);
        assert_ne!(base, CacheKey::for_request("p", &r5));
        let mut r6 = r.clone();
        r6.stop = vec!["x".into()];
        assert_ne!(base, CacheKey::for_request("p", &r6));
        let mut r7 = r.clone();
        r7.cacheable_prefix_messages = 2;
        assert_ne!(base, CacheKey::for_request("p", &r7));
        let mut r8 = r.clone();
        r8.messages[0].role = Role::User;
        assert_ne!(base, CacheKey::for_request("p", &r8));
        let mut r9 = r.clone();
        r9.model = "m2".into();
        assert_ne!(base, CacheKey::for_request("p", &r9));
        let mut r10 = r;
        r10.temperature = None;
        assert_ne!(base, CacheKey::for_request("p", &r10));
    }

    fn request(messages: &[(&str, Role)]) -> ChatRequest {
        let parts = PromptParts::default();
        let mut r = ChatRequest::from_parts("m", &parts, 10);
        r.messages = messages
            .iter()
            .map(|(c, role)| ChatMessage {
                role: *role,
                content: c.to_string(),
            })
            .collect();
        r
    }

    #[test]
    fn cache_key_boundaries_are_unambiguous() {
        let key = |m: &[(&str, Role)]| CacheKey::for_request("p", &request(m));
        let (s, u) = (Role::System, Role::User);
        let mut keys = vec![
            key(&[]),
            key(&[("", s)]),
            key(&[("", s), ("", u)]),
            key(&[("ab", s), ("c", u)]),
            key(&[("a", s), ("bc", u)]),
            key(&[("abc", s)]),
            key(&[("a", s), ("b", u), ("c", u)]),
        ];
        // A stop sequence is not a message, nor is the provider part of the model.
        let mut r = request(&[("a", s)]);
        r.stop = vec!["b".into()];
        keys.push(CacheKey::for_request("p", &r));
        keys.push(CacheKey::for_request("p", &request(&[("a", s), ("b", u)])));
        let mut r = request(&[("a", s)]);
        r.model = "xm".into();
        keys.push(CacheKey::for_request("p", &r));
        keys.push(CacheKey::for_request("px", &request(&[("a", s)])));
        let n = keys.len();
        keys.sort_by_key(|k| k.0);
        keys.dedup();
        assert_eq!(keys.len(), n, "every request has its own key");
    }

    #[test]
    fn a_remembered_prefix_gives_the_same_key_as_hashing_it_afresh() {
        let long = |c: char| c.to_string().repeat(PREFIX_MEMO_MIN + 10);
        let req = |prefix: &str, rest: &str, model: &str| {
            let mut r = request(&[(prefix, Role::System), (rest, Role::User)]);
            r.model = model.into();
            r
        };
        // Keys computed on a fresh thread (nothing remembered) are the reference.
        let cases: Vec<(String, String, String)> = (0..PREFIX_MEMO_MAX + 3)
            .flat_map(|i| {
                let prefix = long(char::from(b'a' + i as u8));
                [
                    (prefix.clone(), "one".to_string(), "m".to_string()),
                    (prefix.clone(), "two".to_string(), "m".to_string()),
                    (prefix, "one".to_string(), "other".to_string()),
                ]
            })
            .collect();
        let fresh: Vec<CacheKey> = cases
            .iter()
            .map(|(p, r, m)| {
                let rq = req(p, r, m);
                std::thread::spawn(move || CacheKey::for_request("p", &rq))
                    .join()
                    .unwrap()
            })
            .collect();
        // On one thread, twice over: the memo fills, evicts and hits.
        for _ in 0..2 {
            for ((p, r, m), want) in cases.iter().zip(&fresh) {
                assert_eq!(CacheKey::for_request("p", &req(p, r, m)), *want);
                assert_ne!(CacheKey::for_request("q", &req(p, r, m)), *want);
            }
        }
        let mut distinct = fresh.clone();
        distinct.sort_by_key(|k| k.0);
        distinct.dedup();
        assert_eq!(distinct.len(), fresh.len());
    }
}
