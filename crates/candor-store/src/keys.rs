//! Keys that stand in for things the store must not hold in the clear, or must find exactly.
//!
//! Invariants: a [`RecipientKey`] can only be made by hashing an address with a salt (or by
//! reading one back from the store), so a raw email address cannot reach the ledger by mistake;
//! a [`CacheKey`] covers the provider, the model, every message and every parameter of a request,
//! so two requests share a key only if they would be the same call.

use std::fmt;

use candor_domain::{ChatRequest, EmailAddress};
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
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct CacheKey([u8; 32]);

impl CacheKey {
    pub fn for_request(provider: &str, request: &ChatRequest) -> CacheKey {
        let mut h = Sha256::new();
        h.update(b"candor-cache-v1\0");
        let field = |h: &mut Sha256, bytes: &[u8]| {
            // Length-prefixed so no two different field lists hash the same bytes.
            h.update((bytes.len() as u64).to_le_bytes());
            h.update(bytes);
        };
        field(&mut h, provider.as_bytes());
        // serde_json writes struct fields in declaration order: a stable encoding of every
        // parameter, including ones added to ChatRequest later.
        let encoded = serde_json::to_vec(request).unwrap_or_default();
        field(&mut h, &encoded);
        CacheKey(h.finalize().into())
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    pub fn to_hex(&self) -> String {
        hex(&self.0)
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
        let mut r4 = r;
        r4.messages[1].content.push('!');
        assert_ne!(base, CacheKey::for_request("p", &r4));
    }
}
