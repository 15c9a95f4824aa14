//! `candor demo-data`.

use crate::cli::DemoDataArgs;

pub fn run(_args: DemoDataArgs) -> anyhow::Result<()> {
    anyhow::bail!("`candor demo-data` is not implemented yet")
}
