//! candor-gate (work in progress).
