//! Logging set-up. What never goes into a log field: citizen ID numbers, phone numbers, e-mail
//! addresses, names, passwords, tokens, query strings and request bodies. Log a message with
//! structured fields that identify things by code or id only.

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber (the binary only; tests install their own or none).
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,actix_server=warn"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_target(false).with_ansi(ansi).try_init();
}
