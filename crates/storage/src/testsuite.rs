//! The shared storage test suite (to be written).
