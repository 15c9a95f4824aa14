//! `candor demo`.

use crate::cli::DemoArgs;

pub fn run(_args: DemoArgs) -> anyhow::Result<()> {
    anyhow::bail!("`candor demo` is not implemented yet")
}
