//! Files candor ships: the commented example campaign and `candor.toml`, written by
//! `candor init` and used by `candor demo`.

/// The example campaign (TOML).
pub const EXAMPLE_CAMPAIGN: &str = include_str!("../assets/campaign.toml");
/// The example `candor.toml`.
pub const EXAMPLE_SETTINGS: &str = include_str!("../assets/candor.toml");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_examples_are_valid() {
        let c = candor_domain::Campaign::from_toml(EXAMPLE_CAMPAIGN).unwrap();
        assert_eq!(c.ladder.len(), 4);
        assert_eq!(c.segments.len(), 4);
        crate::settings::Settings::from_toml(EXAMPLE_SETTINGS, std::path::Path::new(".")).unwrap();
    }
}
