//! What a form page needs to re-render after an error: the values as typed and the messages per
//! field, in form order (the error summary at the top links to each field).

use crate::domain::fold::nfc;
use std::collections::BTreeMap;

/// Values and errors of a form.
#[derive(Clone, Debug, Default)]
pub struct FormState {
    values: BTreeMap<String, String>,
    errors: Vec<(String, String)>,
}

impl FormState {
    /// A form showing `values` (in NFC), with `errors` as `(field, message)`.
    pub fn new(values: BTreeMap<String, String>, errors: Vec<(String, String)>) -> Self {
        let values = values.into_iter().map(|(k, v)| (k, nfc(&v))).collect();
        FormState { values, errors }
    }

    /// An empty form.
    pub fn empty() -> Self {
        FormState::default()
    }

    /// Sets a value.
    pub fn with(mut self, name: &str, value: &str) -> Self {
        self.values.insert(name.to_owned(), value.to_owned());
        self
    }

    /// The value of a field, or "".
    pub fn value(&self, name: &str) -> &str {
        self.values.get(name).map_or("", String::as_str)
    }

    /// Whether a checkbox or radio has this value.
    pub fn is(&self, name: &str, value: &str) -> bool {
        self.value(name) == value
    }

    /// The first message for a field.
    pub fn error(&self, name: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| f == name).map(|(_, m)| m.as_str())
    }

    /// Whether a field has an error.
    pub fn has_error(&self, name: &str) -> bool {
        self.error(name).is_some()
    }

    /// All errors, in order.
    pub fn errors(&self) -> &[(String, String)] {
        &self.errors
    }

    /// `aria-describedby` for a field: its hint (when `hint` is not empty) and its error.
    pub fn described_by(&self, name: &str, hint: &str) -> String {
        let mut ids = Vec::new();
        if !hint.is_empty() {
            ids.push(format!("{name}-hint"));
        }
        if self.has_error(name) {
            ids.push(format!("{name}-error"));
        }
        ids.join(" ")
    }
}
