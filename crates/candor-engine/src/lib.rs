//! candor-engine (work in progress).
