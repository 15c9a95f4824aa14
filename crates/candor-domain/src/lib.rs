//! candor's domain: the pure types every other part speaks.
//!
//! Invariants: raw input is parsed once, at the boundary, into these types; a value of a type here
//! is valid by construction. This crate does no I/O and knows no HTTP, SQL or async runtime.

pub mod campaign;
pub mod date;
pub mod email;
pub mod llm;
pub mod money;
pub mod recipient;

pub use campaign::{Budgets, Campaign, CampaignError, CampaignType, Segment, Stage, Targets, Tier};
pub use date::Date;
pub use email::EmailAddress;
pub use llm::{ChatMessage, ChatRequest, Completion, FinishReason, PromptParts, Role, Usage};
pub use money::{Money, MoneyError, TokenCount};
pub use recipient::{
    AttrValue, Consent, Event, FieldValue, Limits, RawRecipient, Recipient, RecipientError,
    RecipientId,
};
