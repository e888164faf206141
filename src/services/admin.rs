//! Administration: agencies, staff and roles, the procedure catalogue and holidays. Every change
//! is written together with its audit entry (who, when, before, after) in one transaction.

pub mod agencies;
pub mod audit;
pub mod holidays;
pub mod operations;
pub mod procedures;
pub mod staff;

use crate::domain::citizen::Email;
use crate::domain::fold::{clean, fold};
use std::collections::BTreeMap;

/// Form errors: `(field, Vietnamese message)` in form order.
pub type Errors = Vec<(String, String)>;

/// Adds an error for a field.
pub fn push(errors: &mut Errors, field: &str, message: impl Into<String>) {
    errors.push((field.to_owned(), message.into()));
}

/// A submitted form as its `(name, value)` pairs: forms with checkboxes sharing a name, or with
/// repeated rows, cannot be read into a struct.
#[derive(Clone, Debug, Default)]
pub struct Pairs(pub Vec<(String, String)>);

impl Pairs {
    /// The last value of a field, or "".
    pub fn get(&self, name: &str) -> &str {
        self.0.iter().rev().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
    }

    /// Every value of a field, in order.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str()).collect()
    }

    /// Whether the button or action `name` was used.
    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }

    /// The last value of every field (to re-show a form).
    pub fn values(&self) -> BTreeMap<String, String> {
        self.0.iter().cloned().collect()
    }
}

/// Required text, cleaned (NFC, one space between words), at most `max` characters.
pub fn required(errors: &mut Errors, field: &str, input: &str, max: usize, missing: &str) -> String {
    let value = clean(input);
    if value.is_empty() {
        push(errors, field, missing);
    } else if value.chars().count() > max {
        push(errors, field, format!("Nội dung dài tối đa {max} ký tự."));
    }
    value
}

/// Optional text, cleaned, at most `max` characters; `None` when empty.
pub fn optional(errors: &mut Errors, field: &str, input: &str, max: usize) -> Option<String> {
    let value = clean(input);
    if value.chars().count() > max {
        push(errors, field, format!("Nội dung dài tối đa {max} ký tự."));
    }
    Some(value).filter(|v| !v.is_empty())
}

/// An optional office phone (landline or mobile): 8–15 digits, with spaces, dots, dashes,
/// brackets or a leading `+` allowed.
pub fn office_phone(errors: &mut Errors, field: &str, input: &str) -> Option<String> {
    let value = clean(input);
    if value.is_empty() {
        return None;
    }
    let digits = value.chars().filter(char::is_ascii_digit).count();
    let shape = value.chars().all(|c| c.is_ascii_digit() || matches!(c, ' ' | '.' | '-' | '(' | ')' | '+'));
    if !shape || !(8..=15).contains(&digits) {
        push(
            errors,
            field,
            "Số điện thoại gồm 8–15 chữ số (có thể có dấu cách, dấu chấm, gạch ngang), ví dụ 0237 3852 111.",
        );
    }
    Some(value)
}

/// An optional e-mail address.
pub fn optional_email(errors: &mut Errors, field: &str, input: &str) -> Option<String> {
    if input.trim().is_empty() {
        return None;
    }
    match Email::parse(input) {
        Ok(e) => Some(e.as_str().to_owned()),
        Err(m) => {
            push(errors, field, m);
            None
        }
    }
}

/// The longest search text accepted on the administration lists.
pub const MAX_SEARCH_CHARS: usize = 100;

/// The folded words of a search box (accent-free: "Hóa" finds "hoa"), at most eight.
pub fn search_words(q: &str) -> Vec<String> {
    let q: String = q.chars().take(MAX_SEARCH_CHARS).collect();
    fold(&q).split(' ').filter(|w| !w.is_empty()).take(8).map(str::to_owned).collect()
}

/// One page of a list.
#[derive(Clone, Debug)]
pub struct Paged<T> {
    /// The rows of this page.
    pub items: Vec<T>,
    /// How many rows in all.
    pub total: i64,
    /// This page, from 1.
    pub page: i64,
    /// Rows per page.
    pub per_page: i64,
}

impl<T> Paged<T> {
    /// How many pages in all (at least 1).
    pub fn pages(&self) -> i64 {
        ((self.total + self.per_page - 1) / self.per_page.max(1)).max(1)
    }
}

/// The offset of a page (from 1).
pub fn offset(page: i64, per_page: i64) -> i64 {
    page.clamp(1, 100_000).saturating_sub(1).saturating_mul(per_page)
}

/// A new row id (UUID v7).
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_words_are_folded() {
        assert_eq!(search_words("  Thanh  Hóa "), vec!["thanh", "hoa"]);
        assert_eq!(search_words("Đông"), vec!["dong"]);
        assert!(search_words("%_").is_empty());
    }

    #[test]
    fn office_phones_accept_landlines() {
        let mut e = Errors::new();
        assert_eq!(office_phone(&mut e, "p", "0237 3852 111").as_deref(), Some("0237 3852 111"));
        assert!(e.is_empty());
        office_phone(&mut e, "p", "12ab");
        assert_eq!(e.len(), 1);
    }
}
