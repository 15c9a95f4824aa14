//! candor's engine: planning and running a campaign.
//!
//! Module owners while the engine is being built (one writer per file):
//! ingest, prompt, plan, estimate, demo_data — foundation; outbox, template, run, progress — engine.

pub mod assets;
pub mod batch;
pub mod compose;
pub mod demo_data;
pub mod estimate;
pub mod ingest;
pub mod outbox;
pub mod plan;
pub mod progress;
pub mod prompt;
pub mod run;
pub mod settings;
pub mod template;
