//! `candor models`: the local tier's models, pinned by sha256, in the cache directory.

use std::io::Write;

use anyhow::Context;
use candor_local::registry::{self, StderrProgress};

use crate::cli::{ModelsArgs, ModelsCommand};
use crate::exit::UserError;

pub fn run(args: ModelsArgs) -> anyhow::Result<()> {
    let dir = registry::default_models_dir()
        .map_err(|e| UserError::new(e.to_string()).hint("set CANDOR_CACHE_DIR"))?;
    match args.command {
        ModelsCommand::List => {
            let mut out = std::io::stdout().lock();
            writeln!(
                out,
                "{:<38} {:>9}  {:<8} description",
                "name", "size", "status"
            )?;
            for m in registry::MODELS {
                let status = if m.is_present(&dir) { "present" } else { "-" };
                let default = if m.name == registry::DEFAULT_MODEL {
                    " [default]"
                } else {
                    ""
                };
                writeln!(
                    out,
                    "{:<38} {:>6} MB  {:<8} {}{default}",
                    m.name,
                    m.size_bytes / 1_000_000,
                    status,
                    m.description
                )?;
            }
            writeln!(out, "cache: {}", dir.display())?;
            Ok(())
        }
        ModelsCommand::Pull { name } => {
            let Some(spec) = registry::find_model(&name) else {
                let known: Vec<&str> = registry::MODELS.iter().map(|m| m.name).collect();
                return Err(UserError::new(format!("unknown model `{name}`"))
                    .hint(format!("known models: {}", known.join(", ")))
                    .into());
            };
            let path = registry::ensure_model(spec, &dir, &mut StderrProgress::default())
                .with_context(|| format!("pulling model `{name}`"))?;
            eprintln!("{} verified (sha256 {})", spec.name, spec.sha256);
            writeln!(std::io::stdout().lock(), "{}", path.display())?;
            Ok(())
        }
    }
}
