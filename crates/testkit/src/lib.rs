//! Test support shared by several crates' integration tests. Only ever a dev-dependency.
//!
//! - [`browser`]: chromedriver on a free port and headless Chromium sessions through it
//!   ([`browser::start_driver`], [`browser::browser`], [`browser::BrowserOptions`] for extra
//!   Chromium options such as device emulation). Dropping the [`browser::Driver`] ends
//!   chromedriver and any Chromium it started.
//! - [`postgres`]: a new, uniquely named PostgreSQL database per test
//!   ([`postgres::TestDatabase::create`]), dropped `WITH (FORCE)` when the guard goes, passed
//!   or failed.
//!
//! Failures here panic with a message that says what to install or start: these are tests'
//! preconditions, and a test must fail rather than skip when they are missing.

pub mod browser;
pub mod postgres;
