//! candor-store (work in progress).
