//! Catalogue search rules: turning a citizen's query into search terms, and ranking matches so
//! that an exact-diacritic match comes first.

use super::fold::{fold, lower};

/// The longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 200;
/// At most this many words of a query are used.
pub const MAX_TERMS: usize = 12;

/// A parsed search query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Query {
    /// The query as typed, NFC-lowercased (for exact-diacritic matching).
    pub lower: String,
    /// The folded query.
    pub folded: String,
    /// Folded words, each matched as a word prefix, in any order.
    pub terms: Vec<String>,
}

/// Why a query was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueryError {
    /// Longer than [`MAX_QUERY_CHARS`].
    TooLong,
}

impl Query {
    /// Parses what the citizen typed. An empty or punctuation-only query gives `Ok(None)`.
    pub fn parse(input: &str) -> Result<Option<Query>, QueryError> {
        if input.chars().count() > MAX_QUERY_CHARS {
            return Err(QueryError::TooLong);
        }
        let folded = fold(input);
        let terms: Vec<String> =
            folded.split(' ').filter(|t| !t.is_empty()).take(MAX_TERMS).map(str::to_owned).collect();
        if terms.is_empty() {
            return Ok(None);
        }
        Ok(Some(Query { lower: lower(input), folded: terms.join(" "), terms }))
    }

    /// The SQLite FTS5 expression: every term as a quoted prefix, implicitly AND-ed. Terms are
    /// folded to letters and digits only, so nothing in them can escape the quotes.
    pub fn fts5(&self) -> String {
        self.terms.iter().map(|t| format!("\"{t}\"*")).collect::<Vec<_>>().join(" ")
    }

    /// The PostgreSQL `to_tsquery('simple', …)` expression with the same meaning.
    pub fn tsquery(&self) -> String {
        self.terms.iter().map(|t| format!("{t}:*")).collect::<Vec<_>>().join(" & ")
    }

    /// The rank of a match on a name given as [`lower`] and [`fold`] return it (lower is
    /// better): 0 exact with diacritics, 1 the folded phrase, 2 every word in the name, 3 matched
    /// elsewhere (code, field, agency).
    pub fn rank(&self, name_lower: &str, name_folded: &str) -> u8 {
        if name_lower.contains(&self.lower) {
            return 0;
        }
        if name_folded.contains(&self.folded) {
            return 1;
        }
        let words: Vec<&str> = name_folded.split(' ').collect();
        if self.terms.iter().all(|t| words.iter().any(|w| w.starts_with(t.as_str()))) {
            return 2;
        }
        3
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Query {
        Query::parse(s).ok().flatten().unwrap_or_else(|| panic!("no query from {s:?}"))
    }

    #[test]
    fn parses_terms() {
        assert_eq!(q("dang ky khai sinh").terms, ["dang", "ky", "khai", "sinh"]);
        assert_eq!(q("Đăng  KÝ").terms, ["dang", "ky"]);
        assert_eq!(Query::parse("  ,.;  "), Ok(None));
        assert_eq!(Query::parse(&"a".repeat(201)), Err(QueryError::TooLong));
        assert_eq!(q(&"ab ".repeat(60)).terms.len(), MAX_TERMS);
    }

    #[test]
    fn query_expressions_cannot_be_escaped() {
        let q = q("\"x\" OR y* NEAR(a b) -- ;");
        assert_eq!(q.fts5(), "\"x\"* \"or\"* \"y\"* \"near\"* \"a\"* \"b\"*");
        assert_eq!(q.tsquery(), "x:* & or:* & y:* & near:* & a:* & b:*");
    }

    fn rank(query: &str, name: &str) -> u8 {
        q(query).rank(&lower(name), &fold(name))
    }

    #[test]
    fn exact_diacritics_rank_first() {
        assert_eq!(rank("kết hôn", "Đăng ký kết hôn"), 0);
        assert_eq!(rank("kết hôn", "Đăng ký kết hồn"), 1);
        assert_eq!(rank("ket hon", "Đăng ký kết hôn"), 1);
        assert_eq!(rank("sinh khai", "Đăng ký khai sinh"), 2);
        assert_eq!(rank("dang ky sinh", "Đăng ký khai sinh"), 2);
        assert_eq!(rank("ho tich", "Đăng ký khai sinh"), 3);
    }
}
