//! Assertions on pages through CSS selectors.

use scraper::{Html, Selector};

/// A parsed page.
pub struct Doc(Html);

impl Doc {
    /// Parses HTML.
    pub fn parse(text: &str) -> Doc {
        Doc(Html::parse_document(text))
    }

    fn sel(css: &str) -> Selector {
        Selector::parse(css).unwrap_or_else(|e| panic!("bad selector {css}: {e}"))
    }

    /// The text of every element matching `css`, whitespace collapsed.
    pub fn texts(&self, css: &str) -> Vec<String> {
        self.0
            .select(&Self::sel(css))
            .map(|e| e.text().collect::<Vec<_>>().join(" ").split_whitespace().collect::<Vec<_>>().join(" "))
            .collect()
    }

    /// The text of the first match, or a panic naming the selector.
    pub fn text(&self, css: &str) -> String {
        self.texts(css).into_iter().next().unwrap_or_else(|| panic!("nothing matches {css}"))
    }

    /// An attribute of every match.
    pub fn attrs(&self, css: &str, attr: &str) -> Vec<String> {
        self.0.select(&Self::sel(css)).filter_map(|e| e.value().attr(attr).map(str::to_owned)).collect()
    }

    /// How many elements match.
    pub fn count(&self, css: &str) -> usize {
        self.0.select(&Self::sel(css)).count()
    }
}
