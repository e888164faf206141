//! The vocabulary of the procedure catalogue: levels, online service levels, time-limit units,
//! fee kinds, submission channels — parsed from their stored codes and named in Vietnamese.

use std::fmt;

/// Declares a closed set of codes stored as TEXT, with parsing and Vietnamese labels.
macro_rules! text_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $code:literal => $label:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vdoc])* $variant),+ }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored code.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The Vietnamese label.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            /// Parses a stored code.
            pub fn parse(code: &str) -> Option<Self> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.label())
            }
        }
    };
}

text_enum! {
    /// Which tier of government implements a procedure (after 01/07/2025: province or commune).
    Level {
        /// Provincial departments.
        Province = "tinh" => "Cấp tỉnh",
        /// Communes, wards and special zones.
        Commune = "xa" => "Cấp xã",
    }
}

text_enum! {
    /// The unit of a procedure's time limit.
    TimeLimitUnit {
        /// Working days (ngày làm việc).
        WorkingDays = "working_days" => "ngày làm việc",
        /// Working hours (giờ làm việc).
        WorkingHours = "working_hours" => "giờ làm việc",
        /// Calendar days (ngày).
        CalendarDays = "calendar_days" => "ngày",
    }
}

text_enum! {
    /// The kind of a fee.
    FeeKind {
        /// Phí: a charge for a service.
        Phi = "phi" => "Phí",
        /// Lệ phí: a state fee.
        LePhi = "le_phi" => "Lệ phí",
    }
}

text_enum! {
    /// How a dossier may be submitted.
    Channel {
        /// At the one-stop desk.
        Counter = "truc-tiep" => "Trực tiếp",
        /// Online through the portal.
        Online = "truc-tuyen" => "Trực tuyến",
        /// By post.
        Post = "buu-chinh" => "Qua dịch vụ bưu chính",
    }
}

text_enum! {
    /// The kind of an agency.
    AgencyKind {
        /// The provincial People's Committee.
        Province = "province" => "UBND tỉnh",
        /// A department (sở, ban, ngành).
        Department = "department" => "Sở, ban, ngành",
        /// A commune, ward or special zone.
        Commune = "commune" => "UBND cấp xã",
    }
}

/// The online public-service level of a procedure (1–4).
///
/// Levels 1–2 provide information and downloadable forms; level 3 is "một phần" (the dossier is
/// submitted online, the result collected in person); level 4 is "toàn trình" (everything,
/// including payment, online) — Decree 42/2022/NĐ-CP, Art. 11.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct OnlineLevel(u8);

impl OnlineLevel {
    /// Every level, lowest first.
    pub const ALL: [OnlineLevel; 4] = [OnlineLevel(1), OnlineLevel(2), OnlineLevel(3), OnlineLevel(4)];

    /// Parses 1–4.
    pub fn new(level: i64) -> Option<Self> {
        u8::try_from(level).ok().filter(|l| (1..=4).contains(l)).map(OnlineLevel)
    }

    /// The number.
    pub fn number(self) -> u8 {
        self.0
    }

    /// The label citizens know.
    pub fn label(self) -> &'static str {
        match self.0 {
            4 => "Dịch vụ công trực tuyến toàn trình",
            3 => "Dịch vụ công trực tuyến một phần",
            2 => "Cung cấp thông tin và biểu mẫu",
            _ => "Cung cấp thông tin",
        }
    }

    /// Whether a dossier can be submitted online.
    pub fn accepts_online_dossiers(self) -> bool {
        self.0 >= 3
    }
}

/// A procedure's legal time limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeLimit {
    /// How many units.
    pub value: u32,
    /// Which unit.
    pub unit: TimeLimitUnit,
}

impl fmt::Display for TimeLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.value, self.unit.label())
    }
}

/// How a required paper is given when the dossier is submitted online.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnlinePaper {
    /// The declaration itself ("Tờ khai…", "Đơn…", "Phiếu yêu cầu…"): the e-form is it
    /// (Decree 45/2020/NĐ-CP, Art. 9: the e-form replaces the paper form).
    EForm,
    /// A paper only shown in person ("… để xuất trình"): checked at the counter, not uploaded.
    ShownInPerson,
    /// A file the citizen uploads.
    Upload,
}

/// Classifies a paper by its catalogue name.
pub fn online_paper(name: &str) -> OnlinePaper {
    let folded = super::fold::fold(name);
    let declaration =
        ["to khai", "don de nghi", "don xin", "don dang ky", "phieu yeu cau", "giay de nghi", "van ban de nghi"]
            .iter()
            .any(|p| folded.starts_with(p));
    if declaration {
        OnlinePaper::EForm
    } else if folded.contains("xuat trinh") {
        OnlinePaper::ShownInPerson
    } else {
        OnlinePaper::Upload
    }
}

/// National procedure codes look like `1.001193` (a digit, a dot, six digits), optionally with
/// a locality suffix such as `.000.00.00.H56`.
pub fn is_procedure_code(code: &str) -> bool {
    let bytes = code.as_bytes();
    code.len() <= 40
        && bytes.len() >= 8
        && bytes[0].is_ascii_digit()
        && bytes[1] == b'.'
        && bytes[2..8].iter().all(u8::is_ascii_digit)
        && bytes[8..].iter().all(|b| b.is_ascii_alphanumeric() || *b == b'.')
}

/// National agency identifiers look like `000.00.01.H56`.
pub fn is_agency_code(code: &str) -> bool {
    let parts: Vec<&str> = code.split('.').collect();
    matches!(parts.as_slice(), [a, b, c, h]
        if a.len() == 3 && b.len() == 2 && c.len() == 2
            && [a, b, c].iter().all(|p| p.bytes().all(|x| x.is_ascii_digit()))
            && h.len() == 3 && h.starts_with(['H', 'G', 'A']) && h[1..].bytes().all(|x| x.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for unit in TimeLimitUnit::ALL {
            assert_eq!(TimeLimitUnit::parse(unit.code()), Some(*unit));
        }
        assert_eq!(Level::parse("xa"), Some(Level::Commune));
        assert_eq!(Level::parse("huyen"), None);
        assert_eq!(Channel::parse("truc-tuyen").map(Channel::label), Some("Trực tuyến"));
    }

    #[test]
    fn online_levels() {
        assert_eq!(OnlineLevel::new(0), None);
        assert_eq!(OnlineLevel::new(5), None);
        assert!(OnlineLevel::new(3).is_some_and(OnlineLevel::accepts_online_dossiers));
        assert!(!OnlineLevel::new(2).is_some_and(OnlineLevel::accepts_online_dossiers));
    }

    #[test]
    fn time_limits_read_naturally() {
        let t = TimeLimit { value: 3, unit: TimeLimitUnit::WorkingDays };
        assert_eq!(t.to_string(), "3 ngày làm việc");
    }

    #[test]
    fn papers_online() {
        assert_eq!(online_paper("Tờ khai đăng ký khai sinh theo mẫu"), OnlinePaper::EForm);
        assert_eq!(online_paper("Giấy đề nghị đăng ký hộ kinh doanh"), OnlinePaper::EForm);
        assert_eq!(online_paper("Phiếu yêu cầu chứng thực"), OnlinePaper::EForm);
        assert_eq!(
            online_paper("Giấy tờ tùy thân có ảnh còn giá trị (thẻ Căn cước) để xuất trình"),
            OnlinePaper::ShownInPerson
        );
        assert_eq!(online_paper("Giấy chứng sinh"), OnlinePaper::Upload);
        assert_eq!(online_paper("Bản sao Tờ khai lệ phí trước bạ"), OnlinePaper::Upload);
    }

    #[test]
    fn recognises_national_codes() {
        assert!(is_procedure_code("1.001193"));
        assert!(is_procedure_code("2.000488.000.00.00.H56"));
        assert!(!is_procedure_code("1001193"));
        assert!(!is_procedure_code("1.00119"));
        assert!(!is_procedure_code("1.001193/../x"));
        assert!(is_agency_code("000.00.01.H56"));
        assert!(!is_agency_code("000.00.01"));
        assert!(!is_agency_code("000.0a.01.H56"));
    }
}
