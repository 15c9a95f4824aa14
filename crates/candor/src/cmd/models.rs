//! `candor models`.

use crate::cli::ModelsArgs;

pub fn run(_args: ModelsArgs) -> anyhow::Result<()> {
    anyhow::bail!("`candor models` is not implemented yet")
}
