//! Prices and token counts: what a call will cost before it is made, and what it cost after.
//!
//! - [`PriceTable`] reads LiteLLM's `model_prices_and_context_window.json` format (decimal text,
//!   never through a binary float) and ships a dated snapshot. A model with no price is an error.
//! - [`ModelPrice::cost`] prices a normalised [`Usage`] exactly; [`ModelPrice::worst_case`] is the
//!   conservative bound the governor reserves.
//! - [`tokens`] counts tokens before any call; [`caching`] says how much of a prompt prefix a
//!   provider's cache can serve.

pub mod caching;
mod o200k_ascii;
mod prices;
pub mod tokens;

pub use caching::CachePolicy;
pub use prices::{ModelPrice, PriceOverride, PriceTable, PricingError, TOKENS_PER_MTOK};
