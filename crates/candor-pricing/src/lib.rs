//! candor-pricing (work in progress).
