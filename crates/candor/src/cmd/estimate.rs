//! `candor estimate`.

use crate::cli::EstimateArgs;

pub fn run(_args: EstimateArgs) -> anyhow::Result<()> {
    anyhow::bail!("`candor estimate` is not implemented yet")
}
