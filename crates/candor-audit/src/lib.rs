//! candor-audit (work in progress).
