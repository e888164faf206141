//! Identifiers of citizens and businesses, parsed from what people type: the 12-digit citizen
//! ID (CCCD), Vietnamese mobile numbers, e-mail addresses and tax codes.

use super::fold::clean;
use chrono::{Datelike, NaiveDate};

/// The province codes that open a CCCD number: the codes of the 63 provinces before the 2025
/// reform, with a leading zero (Circular 07/2016/TT-BCA, Art. 7; Circular 59/2021/TT-BCA keeps
/// them for numbers already issued and for the place of birth registration).
const CCCD_PROVINCES: [u16; 63] = [
    1, 2, 4, 6, 8, 10, 11, 12, 14, 15, 17, 19, 20, 22, 24, 25, 26, 27, 30, 31, 33, 34, 35, 36, 37, 38, 40, 42, 44, 45,
    46, 48, 49, 51, 52, 54, 56, 58, 60, 62, 64, 66, 67, 68, 70, 72, 74, 75, 77, 79, 80, 82, 83, 84, 86, 87, 89, 91, 92,
    93, 94, 95, 96,
];

/// A 12-digit personal identification number (số định danh cá nhân / CCCD).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CitizenId(String);

/// Why an input is not a valid identifier; each has a Vietnamese message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdError {
    /// Nothing typed.
    Empty,
    /// Not 12 digits.
    Length,
    /// Letters or symbols.
    NotDigits,
    /// Unknown province of birth registration.
    Province,
    /// The century/gender digit and the year give a birth year in the future or too long ago.
    BirthYear,
}

impl IdError {
    /// The message shown beside the field.
    pub fn message(self) -> &'static str {
        match self {
            IdError::Empty => "Vui lòng nhập số định danh cá nhân (số CCCD).",
            IdError::Length => "Số định danh cá nhân gồm đúng 12 chữ số.",
            IdError::NotDigits => "Số định danh cá nhân chỉ gồm chữ số.",
            IdError::Province => "Ba chữ số đầu của số định danh cá nhân không phải mã tỉnh hợp lệ.",
            IdError::BirthYear => "Chữ số thứ 4 đến thứ 6 (thế kỷ, giới tính, năm sinh) không hợp lệ.",
        }
    }
}

/// The digits of an input with spaces, dots and dashes removed.
fn digits_only(input: &str) -> String {
    input.chars().filter(|c| !matches!(c, ' ' | '.' | '-' | '\u{a0}')).collect()
}

impl CitizenId {
    /// Parses a CCCD number: 12 digits; digits 1–3 a province code; digit 4 the century and
    /// sex (0/1 → 1900s, 2/3 → 2000s, 4/5 → 2100s …); digits 5–6 the year of birth, which
    /// must not be after `today` nor more than 130 years before it.
    pub fn parse(input: &str, today: NaiveDate) -> Result<CitizenId, IdError> {
        let s = digits_only(input);
        if s.is_empty() {
            return Err(IdError::Empty);
        }
        if !s.chars().all(|c| c.is_ascii_digit()) {
            return Err(IdError::NotDigits);
        }
        if s.len() != 12 {
            return Err(IdError::Length);
        }
        let num = |a: usize, b: usize| s[a..b].parse::<i32>().unwrap_or(-1);
        let province = u16::try_from(num(0, 3)).unwrap_or(0);
        if !CCCD_PROVINCES.contains(&province) {
            return Err(IdError::Province);
        }
        let century = num(3, 4) / 2;
        let year = 1900 + century * 100 + num(4, 6);
        if year > today.year() || year < today.year() - 130 {
            return Err(IdError::BirthYear);
        }
        Ok(CitizenId(s))
    }

    /// The 12 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Year of birth encoded in the number.
    pub fn birth_year(&self) -> i32 {
        let century = self.0[3..4].parse::<i32>().unwrap_or(0) / 2;
        1900 + century * 100 + self.0[4..6].parse::<i32>().unwrap_or(0)
    }

    /// The number with all but the last 3 digits hidden, for display on shared screens.
    pub fn masked(&self) -> String {
        format!("*********{}", &self.0[9..])
    }
}

/// Mobile network prefixes in use after the 2018 renumbering (10-digit numbers).
const MOBILE_PREFIXES: [&str; 37] = [
    "032", "033", "034", "035", "036", "037", "038", "039", "052", "055", "056", "058", "059", "070", "076", "077",
    "078", "079", "081", "082", "083", "084", "085", "086", "087", "088", "089", "090", "091", "092", "093", "094",
    "095", "096", "097", "098", "099",
];

/// A Vietnamese mobile number, normalised to `0xxxxxxxxx`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    /// Accepts `0912345678`, `0912 345 678`, `0912.345.678`, `+84 912 345 678`, `84912345678`.
    pub fn parse(input: &str) -> Result<Phone, &'static str> {
        let s = digits_only(input);
        if s.is_empty() {
            return Err("Vui lòng nhập số điện thoại di động.");
        }
        let s = s.strip_prefix('+').unwrap_or(&s);
        if !s.chars().all(|c| c.is_ascii_digit()) {
            return Err("Số điện thoại chỉ gồm chữ số (có thể bắt đầu bằng +84).");
        }
        let local = match s.strip_prefix("84") {
            Some(rest) if rest.len() == 9 => format!("0{rest}"),
            _ => s.to_owned(),
        };
        if local.len() != 10 || !local.starts_with('0') {
            return Err("Số điện thoại di động gồm 10 chữ số, bắt đầu bằng 0 (ví dụ 0912345678).");
        }
        let prefix = &local[..3];
        if !MOBILE_PREFIXES.contains(&prefix) {
            return Err("Đầu số điện thoại di động không hợp lệ.");
        }
        Ok(Phone(local))
    }

    /// The normalised number.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `091****678`.
    pub fn masked(&self) -> String {
        format!("{}****{}", &self.0[..3], &self.0[7..])
    }
}

/// An e-mail address, trimmed, with its domain lower-cased.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// A structural check: one `@`, a local part, a dotted domain, no spaces, ≤ 254 chars.
    pub fn parse(input: &str) -> Result<Email, &'static str> {
        let s = input.trim();
        if s.is_empty() {
            return Err("Vui lòng nhập địa chỉ thư điện tử.");
        }
        let invalid = "Địa chỉ thư điện tử không hợp lệ (ví dụ: ten@example.vn).";
        if s.len() > 254
            || s.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';' | '"'))
        {
            return Err(invalid);
        }
        let (local, domain) = s.rsplit_once('@').ok_or(invalid)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
        if local.is_empty() || local.len() > 64 || local.contains('@') || !domain_ok {
            return Err(invalid);
        }
        Ok(Email(format!("{local}@{}", domain.to_ascii_lowercase())))
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A business tax code (mã số doanh nghiệp / mã số thuế): 10 digits, or 10 + `-` + 3 digits
/// for a branch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaxCode(String);

impl TaxCode {
    /// Parses a tax code, checking the check digit of the first ten (weights 31 29 23 19 17 13 7 5 3).
    pub fn parse(input: &str) -> Result<TaxCode, &'static str> {
        let s: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        let (main, branch) = match s.split_once('-') {
            Some((m, b)) => (m.to_owned(), Some(b.to_owned())),
            None if s.len() == 13 => (s[..10].to_owned(), Some(s[10..].to_owned())),
            None => (s.clone(), None),
        };
        let shape = main.len() == 10
            && main.chars().all(|c| c.is_ascii_digit())
            && branch.as_ref().is_none_or(|b| b.len() == 3 && b.chars().all(|c| c.is_ascii_digit()));
        if !shape {
            return Err("Mã số thuế gồm 10 chữ số, hoặc 13 chữ số với chi nhánh (ví dụ 0101234567-001).");
        }
        let d: Vec<u32> = main.chars().filter_map(|c| c.to_digit(10)).collect();
        let weights = [31, 29, 23, 19, 17, 13, 7, 5, 3];
        let sum: u32 = d.iter().zip(weights).map(|(a, w)| a * w).sum();
        if (10 - sum % 11) % 11 != d[9] && !(sum % 11 == 10 && d[9] == 0) {
            return Err("Mã số thuế không đúng (chữ số kiểm tra không khớp).");
        }
        Ok(TaxCode(match branch {
            Some(b) => format!("{main}-{b}"),
            None => main,
        }))
    }

    /// The normalised code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A person's full name: NFC, collapsed spaces, 2–100 characters of letters, spaces and a few
/// marks.
pub fn parse_full_name(input: &str) -> Result<String, &'static str> {
    let name = clean(input);
    if name.is_empty() {
        return Err("Vui lòng nhập họ, chữ đệm và tên.");
    }
    if name.chars().count() > 100 {
        return Err("Họ và tên dài tối đa 100 ký tự.");
    }
    if !name.chars().all(|c| c.is_alphabetic() || matches!(c, ' ' | '\'' | '-' | '.')) {
        return Err("Họ và tên chỉ gồm chữ cái và khoảng trắng.");
    }
    if name.chars().filter(|c| c.is_alphabetic()).count() < 2 {
        return Err("Họ và tên quá ngắn.");
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default()
    }

    #[test]
    fn citizen_ids() {
        assert_eq!(CitizenId::parse("038 090 012345", today()).map(|c| c.birth_year()), Ok(1990));
        assert_eq!(CitizenId::parse("001203012345", today()).map(|c| c.birth_year()), Ok(2003));
        assert_eq!(CitizenId::parse("", today()), Err(IdError::Empty));
        assert_eq!(CitizenId::parse("03809001234", today()), Err(IdError::Length));
        assert_eq!(CitizenId::parse("03809001234a", today()), Err(IdError::NotDigits));
        assert_eq!(CitizenId::parse("003090012345", today()), Err(IdError::Province), "003 is no province");
        assert_eq!(CitizenId::parse("099090012345", today()), Err(IdError::Province));
        assert_eq!(CitizenId::parse("038230012345", today()), Err(IdError::BirthYear), "born 2030");
        assert_eq!(CitizenId::parse("038490012345", today()), Err(IdError::BirthYear), "born 2190");
        assert_eq!(CitizenId::parse("038090012345", today()).map(|c| c.masked()), Ok("*********345".to_owned()));
    }

    #[test]
    fn phones() {
        for ok in ["0912345678", "0912 345 678", "0912.345.678", "+84 912 345 678", "84912345678", "0356-123-456"] {
            assert!(Phone::parse(ok).is_ok(), "{ok}");
        }
        assert_eq!(Phone::parse("+84912345678").map(|p| p.as_str().to_owned()), Ok("0912345678".to_owned()));
        for bad in ["", "091234567", "09123456789", "0112345678", "02373852005", "abc"] {
            assert!(Phone::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Phone::parse("0912345678").map(|p| p.masked()), Ok("091****678".to_owned()));
    }

    #[test]
    fn emails() {
        assert_eq!(
            Email::parse(" An.Nguyen@Example.VN ").map(|e| e.as_str().to_owned()),
            Ok("An.Nguyen@example.vn".to_owned())
        );
        for bad in ["", "a", "a@b", "a@@b.vn", "a b@c.vn", "<x>@c.vn", "a@.vn", "a@b..vn", "a@b.vn."] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn tax_codes() {
        // 0100109106 (a well-known state enterprise code) has a valid check digit.
        assert_eq!(TaxCode::parse("0100109106").map(|t| t.as_str().to_owned()), Ok("0100109106".to_owned()));
        assert_eq!(TaxCode::parse("0100109106-001").map(|t| t.as_str().to_owned()), Ok("0100109106-001".to_owned()));
        assert!(TaxCode::parse("0100109107").is_err());
        assert!(TaxCode::parse("01001091").is_err());
    }

    #[test]
    fn full_names() {
        assert_eq!(parse_full_name("  nguyễn   văn   an "), Ok("nguyễn văn an".to_owned()));
        assert!(parse_full_name("").is_err());
        assert!(parse_full_name("<script>").is_err());
        assert!(parse_full_name(&"a".repeat(101)).is_err());
    }
}
