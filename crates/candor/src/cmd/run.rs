//! `candor run`.

use crate::cli::RunArgs;

pub fn run(_args: RunArgs) -> anyhow::Result<()> {
    anyhow::bail!("`candor run` is not implemented yet")
}
