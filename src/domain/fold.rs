//! Vietnamese text normalisation: NFC, modern tone placement, and the accent-free fold used by
//! search (`"Đăng ký khai sinh"` → `"dang ky khai sinh"`).

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Normalises to NFC only (input echoed back as typed, but composed).
pub fn nfc(text: &str) -> String {
    text.nfc().collect()
}

/// Normalises to NFC, trims, and collapses runs of whitespace to one space.
pub fn clean(text: &str) -> String {
    let nfc: String = text.nfc().collect();
    nfc.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Folds text for search: NFC → lowercase → strip combining marks → `đ`→`d` → every character
/// that is not a letter or digit becomes a space → runs of spaces collapse.
///
/// The result is already split into words, so SQLite's FTS5 and PostgreSQL's `simple`
/// configuration tokenise it identically; `đ` is folded here because neither FTS5's
/// `remove_diacritics` nor Unicode decomposition does it (U+0111 has no decomposition).
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = true;
    for c in text.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        let c = match c {
            'đ' | 'Đ' | 'ð' | 'Ð' => 'd',
            c => c,
        };
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
            space = false;
        } else if !space {
            out.push(' ');
            space = true;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// Lowercases NFC text and collapses whitespace: the form compared for exact-diacritic matches.
pub fn lower(text: &str) -> String {
    clean(text).to_lowercase()
}

/// Rewrites old-style tone placement to the modern style used in current legal texts
/// ("Hoà" → "Hòa", "Thuỷ" → "Thủy", "khoẻ" → "khỏe"): in an open syllable ending in
/// `oa`, `oe` or `uy` the mark goes on the first vowel. Syllables with a final consonant
/// ("Hoàng", "Thuyết") and `qu` + `y` ("Quý") are left alone, as both styles agree on them.
pub fn modern_tone_placement(text: &str) -> String {
    let chars: Vec<char> = clean(text).chars().collect();
    let mut out = chars.clone();
    for i in 1..chars.len() {
        let first = chars[i - 1];
        let (base, mark) = split_tone(chars[i]);
        let Some(mark) = mark else { continue };
        let pair_ok = matches!(
            (first.to_lowercase().next(), base.to_lowercase().next()),
            (Some('o'), Some('a')) | (Some('o'), Some('e')) | (Some('u'), Some('y'))
        );
        let open = chars.get(i + 1).is_none_or(|c| !c.is_alphabetic());
        let after_q = i >= 2 && matches!(chars[i - 2], 'q' | 'Q');
        if pair_ok && open && !after_q && split_tone(first).1.is_none() {
            out[i - 1] = with_tone(first, mark);
            out[i] = base;
        }
    }
    out.into_iter().collect()
}

/// Splits a precomposed vowel into its base (keeping circumflex/breve/horn) and its tone mark.
fn split_tone(c: char) -> (char, Option<char>) {
    let mut base = String::new();
    let mut tone = None;
    for d in c.nfd() {
        match d {
            '\u{0300}' | '\u{0301}' | '\u{0303}' | '\u{0309}' | '\u{0323}' => tone = Some(d),
            other => base.push(other),
        }
    }
    let base: String = base.nfc().collect();
    let mut it = base.chars();
    match (it.next(), it.next()) {
        (Some(b), None) => (b, tone),
        _ => (c, None),
    }
}

fn with_tone(c: char, tone: char) -> char {
    let s: String = [c, tone].iter().collect::<String>().nfc().collect();
    let mut it = s.chars();
    match (it.next(), it.next()) {
        (Some(x), None) => x,
        _ => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_vietnamese_to_plain_words() {
        let cases = [
            ("Đăng ký khai sinh", "dang ky khai sinh"),
            ("ĐĂNG KÝ KẾT HÔN", "dang ky ket hon"),
            ("Cấp giấy phép xây dựng — Côn Đảo", "cap giay phep xay dung con dao"),
            ("1.001193", "1 001193"),
            ("  nhiều   khoảng\ttrắng ", "nhieu khoang trang"),
            ("Thủy / Thuỷ / Hòa / Hoà", "thuy thuy hoa hoa"),
            ("'; DROP TABLE x; --", "drop table x"),
            ("", ""),
        ];
        for (input, want) in cases {
            assert_eq!(fold(input), want, "{input}");
        }
    }

    #[test]
    fn nfd_input_folds_like_nfc() {
        let nfd: String = "Đăng ký kết hôn".nfd().collect();
        assert_ne!(nfd, "Đăng ký kết hôn");
        assert_eq!(fold(&nfd), "dang ky ket hon");
        assert_eq!(clean(&nfd), "Đăng ký kết hôn");
    }

    #[test]
    fn moves_tone_marks_to_the_modern_place() {
        let cases = [
            ("Tỉnh Thanh Hoá", "Tỉnh Thanh Hóa"),
            ("Xã Thuỷ Bằng", "Xã Thủy Bằng"),
            ("Phường Hoà Khánh", "Phường Hòa Khánh"),
            ("khoẻ", "khỏe"),
            ("Hoàng Hoá", "Hoàng Hóa"),
            ("Quý", "Quý"),
            ("Thuyết", "Thuyết"),
            ("Hòa", "Hòa"),
            ("Xã Quảng Hoà", "Xã Quảng Hòa"),
        ];
        for (input, want) in cases {
            assert_eq!(modern_tone_placement(input), want, "{input}");
        }
    }
}
