//! `candor check`.

use crate::cli::CheckArgs;

pub fn run(_args: CheckArgs) -> anyhow::Result<()> {
    anyhow::bail!("`candor check` is not implemented yet")
}
