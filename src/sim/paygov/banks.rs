//! The banks a citizen can pay through on the simulated gateway.

/// Code and name of each bank, in the order the payment page lists them.
pub const BANKS: [(&str, &str); 6] = [
    ("VCB", "Vietcombank"),
    ("CTG", "VietinBank"),
    ("BIDV", "BIDV"),
    ("VBA", "Agribank"),
    ("MB", "MB"),
    ("TCB", "Techcombank"),
];

/// The name of the bank `code`, if it is one of [`BANKS`].
pub fn name(code: &str) -> Option<&'static str> {
    BANKS.iter().find(|(c, _)| *c == code).map(|(_, n)| *n)
}

#[cfg(test)]
mod tests {
    #[test]
    fn known_codes_only() {
        assert_eq!(super::name("VBA"), Some("Agribank"));
        assert_eq!(super::name("vcb"), None);
        assert_eq!(super::name(""), None);
    }
}
