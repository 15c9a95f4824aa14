//! `candor init DIR`: a complete, commented example campaign, candor.toml and sample recipients.

use std::path::Path;

use anyhow::Context;
use candor_engine::assets::{EXAMPLE_CAMPAIGN, EXAMPLE_SETTINGS};
use candor_engine::demo_data::{self, OutFormat};

use crate::cli::InitArgs;
use crate::exit::UserError;

pub fn run(args: InitArgs) -> anyhow::Result<()> {
    std::fs::create_dir_all(&args.dir)
        .with_context(|| format!("cannot create `{}`", args.dir.display()))?;
    let send_date = candor_domain::Campaign::from_toml(EXAMPLE_CAMPAIGN)
        .map(|c| c.send_date)
        .map_err(|e| anyhow::anyhow!("shipped example campaign is invalid: {e}"))?;
    let mut recipients = Vec::new();
    demo_data::write(&mut recipients, 200, 1, send_date, OutFormat::Jsonl)?;
    let files: [(&str, &[u8]); 3] = [
        ("campaign.toml", EXAMPLE_CAMPAIGN.as_bytes()),
        ("candor.toml", EXAMPLE_SETTINGS.as_bytes()),
        ("recipients.jsonl", &recipients),
    ];
    if !args.force {
        for (name, _) in &files {
            let p = args.dir.join(name);
            if p.exists() {
                return Err(UserError::new(format!("`{}` already exists", p.display()))
                    .hint("pass --force to overwrite, or choose another directory")
                    .into());
            }
        }
    }
    for (name, body) in &files {
        write(&args.dir.join(name), body)?;
    }
    let d = args.dir.display();
    eprintln!(
        "wrote {d}/campaign.toml, {d}/candor.toml and {d}/recipients.jsonl (200 sample recipients)"
    );
    eprintln!("next: candor estimate {d}/campaign.toml --recipients {d}/recipients.jsonl");
    Ok(())
}

fn write(path: &Path, body: &[u8]) -> anyhow::Result<()> {
    std::fs::write(path, body).with_context(|| format!("cannot write `{}`", path.display()))
}
