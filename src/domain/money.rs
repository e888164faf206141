//! Money in whole Vietnamese đồng: an integer, never a float.

use std::fmt;

/// An amount in VND.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct Vnd(pub i64);

impl fmt::Display for Vnd {
    /// `1.250.000 đ`, the Vietnamese convention (dot as thousands separator).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.0.unsigned_abs().to_string();
        let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, d) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push('.');
            }
            grouped.push(d);
        }
        let sign = if self.0 < 0 { "-" } else { "" };
        write!(f, "{sign}{grouped} đ")
    }
}

#[cfg(test)]
mod tests {
    use super::Vnd;

    #[test]
    fn formats_with_dots() {
        assert_eq!(Vnd(0).to_string(), "0 đ");
        assert_eq!(Vnd(999).to_string(), "999 đ");
        assert_eq!(Vnd(1_000).to_string(), "1.000 đ");
        assert_eq!(Vnd(1_250_000).to_string(), "1.250.000 đ");
        assert_eq!(Vnd(-20_000).to_string(), "-20.000 đ");
    }
}
