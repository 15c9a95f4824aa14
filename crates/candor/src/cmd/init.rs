//! `candor init`.

use crate::cli::InitArgs;

pub fn run(_args: InitArgs) -> anyhow::Result<()> {
    anyhow::bail!("`candor init` is not implemented yet")
}
