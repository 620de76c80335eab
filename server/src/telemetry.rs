//! Tracing set-up in one place. `RUST_LOG` filters as usual; tests stay quiet unless
//! `TEST_LOG` is set.

use tracing_subscriber::{fmt, EnvFilter};

pub fn init(default_filter: &str) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    // A second initialisation (several tests in one process) is harmless: keep the first.
    let _ = fmt().with_env_filter(filter).with_target(false).try_init();
}
