//! `candor demo-data`: realistic synthetic recipients, deterministic for a seed.

use std::io::{BufWriter, Write};

use anyhow::Context;
use candor_domain::Date;
use candor_engine::demo_data::{self, OutFormat};

use crate::cli::{DataFormat, DemoDataArgs};
use crate::exit::UserError;

pub fn run(args: DemoDataArgs) -> anyhow::Result<()> {
    let now = Date::parse(&args.now).map_err(|e| UserError::new(format!("--now: {e}")))?;
    let format = match args.format {
        DataFormat::Jsonl => OutFormat::Jsonl,
        DataFormat::Csv => OutFormat::Csv,
    };
    match &args.out {
        Some(p) => {
            let f = std::fs::File::create(p)
                .with_context(|| format!("cannot create `{}`", p.display()))?;
            let mut w = BufWriter::with_capacity(1 << 20, f);
            demo_data::write(&mut w, args.recipients, args.seed, now, format)?;
            w.flush()?;
        }
        None => {
            let mut w = BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
            demo_data::write(&mut w, args.recipients, args.seed, now, format)?;
            w.flush()?;
        }
    }
    Ok(())
}
