//! demo_data
