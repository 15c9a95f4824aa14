//! `candor audit`.

use crate::cli::AuditArgs;

pub fn run(_args: AuditArgs) -> anyhow::Result<()> {
    anyhow::bail!("`candor audit` is not implemented yet")
}
