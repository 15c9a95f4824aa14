//! candor-local (work in progress).
