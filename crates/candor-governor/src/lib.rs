//! candor-governor (work in progress).
