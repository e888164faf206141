//! Plausible applicants for the load: Vietnamese names built from common family, middle and
//! given names, 12-digit CCCD numbers (mostly with Thanh Hóa's prefix 038), mobile numbers of
//! the networks in use, addresses in the province's communes and e-mail addresses under the
//! reserved domain example.com (nothing is ever delivered to a real person).

use crate::domain::fold::fold;
use rand::Rng;
use rand::distributions::{Distribution, WeightedIndex};
use std::collections::HashSet;

/// Family names with rough weights (per thousand), Thanh Hóa-flavoured (many Lê and Trịnh, and
/// the Mường and Thái names of the western communes).
const FAMILY: [(&str, u32); 30] = [
    ("Nguyễn", 300),
    ("Lê", 150),
    ("Trần", 80),
    ("Phạm", 70),
    ("Hoàng", 35),
    ("Trịnh", 40),
    ("Vũ", 25),
    ("Đỗ", 25),
    ("Bùi", 30),
    ("Đặng", 20),
    ("Ngô", 18),
    ("Mai", 20),
    ("Đào", 12),
    ("Hà", 15),
    ("Lò", 8),
    ("Lương", 12),
    ("Dương", 10),
    ("Phan", 10),
    ("Hồ", 8),
    ("Đinh", 12),
    ("Cao", 10),
    ("Quách", 8),
    ("Lưu", 8),
    ("Tạ", 5),
    ("Vi", 5),
    ("Cầm", 4),
    ("Thiều", 4),
    ("Tống", 5),
    ("Văn", 4),
    ("Nghiêm", 3),
];

const MIDDLE_MALE: [&str; 20] = [
    "Văn", "Văn", "Văn", "Đức", "Minh", "Quang", "Hữu", "Xuân", "Công", "Ngọc", "Thanh", "Đình", "Trọng", "Bá", "Duy",
    "Tiến", "Mạnh", "Hoàng", "Anh", "Thế",
];

const MIDDLE_FEMALE: [&str; 18] = [
    "Thị", "Thị", "Thị", "Thị", "Thu", "Ngọc", "Thanh", "Minh", "Phương", "Hồng", "Kim", "Thúy", "Diệu", "Mai", "Bích",
    "Hải", "Khánh", "Quỳnh",
];

const GIVEN_MALE: [&str; 40] = [
    "An", "Anh", "Bình", "Cường", "Chiến", "Dũng", "Duy", "Đạt", "Đông", "Giang", "Hải", "Hiếu", "Hoàng", "Hùng",
    "Huy", "Khánh", "Khoa", "Kiên", "Lâm", "Long", "Lực", "Mạnh", "Minh", "Nam", "Nghĩa", "Phong", "Phúc", "Quân",
    "Quang", "Sơn", "Tài", "Thắng", "Thành", "Thịnh", "Toàn", "Trung", "Tuấn", "Tùng", "Việt", "Vinh",
];

const GIVEN_FEMALE: [&str; 40] = [
    "Anh", "Ánh", "Chi", "Dung", "Duyên", "Giang", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa", "Huyền", "Hương", "Lan",
    "Liên", "Linh", "Loan", "Ly", "Mai", "My", "Nga", "Ngân", "Ngọc", "Nhung", "Oanh", "Phương", "Quỳnh", "Tâm",
    "Thảo", "Thu", "Thủy", "Trang", "Tú", "Tuyết", "Uyên", "Vân", "Vy", "Xuân", "Yến", "Nhàn",
];

/// Streets of the city wards (Thanh Hóa city's street names).
const STREETS: [&str; 16] = [
    "Lê Lợi",
    "Trần Phú",
    "Quang Trung",
    "Lê Hoàn",
    "Bà Triệu",
    "Nguyễn Trãi",
    "Hàm Nghi",
    "Phan Chu Trinh",
    "Lý Thường Kiệt",
    "Triệu Quốc Đạt",
    "Hạc Thành",
    "Tống Duy Tân",
    "Đào Duy Từ",
    "Nguyễn Du",
    "Lê Lai",
    "Cao Thắng",
];

/// Mobile prefixes of the networks (Viettel, VinaPhone, MobiFone, Vietnamobile), weighted towards
/// the largest.
const MOBILE_PREFIXES: [&str; 24] = [
    "032", "033", "034", "035", "036", "037", "038", "039", "086", "096", "097", "098", "081", "082", "083", "084",
    "085", "088", "091", "094", "070", "076", "077", "090",
];

/// CCCD province codes of people born elsewhere who live in the province.
const OTHER_BIRTH_PROVINCES: [&str; 6] = ["001", "040", "036", "037", "079", "031"];

/// One applicant.
#[derive(Clone, Debug)]
pub struct Person {
    /// Full name ("Lê Thị Hoa").
    pub name: String,
    /// 12-digit CCCD number.
    pub id_number: String,
    /// `0xxxxxxxxx`.
    pub phone: String,
    /// `…@example.com`, unique.
    pub email: String,
    /// Index of the home commune in the load's commune list.
    pub home: usize,
    /// House number and street, or hamlet.
    pub detail: String,
}

/// Draws people; keeps the ID numbers and e-mail addresses unique (also against `taken`).
pub struct PeopleMaker {
    family: WeightedIndex<u32>,
    ids: HashSet<String>,
    emails: HashSet<String>,
}

impl PeopleMaker {
    /// A maker that avoids the ID numbers and addresses already in the database.
    pub fn new(taken_ids: HashSet<String>, taken_emails: HashSet<String>) -> anyhow::Result<Self> {
        Ok(PeopleMaker {
            family: WeightedIndex::new(FAMILY.iter().map(|(_, w)| *w))?,
            ids: taken_ids,
            emails: taken_emails,
        })
    }

    /// A full name: family, middle and given name of the drawn sex.
    pub fn name(&self, rng: &mut impl Rng, male: bool) -> String {
        let family = FAMILY[self.family.sample(rng)].0;
        let (middle, given) = if male {
            (pick(rng, &MIDDLE_MALE), pick(rng, &GIVEN_MALE))
        } else {
            (pick(rng, &MIDDLE_FEMALE), pick(rng, &GIVEN_FEMALE))
        };
        // A quarter of women's names have two middle names, "Thị" and another ("Nguyễn Thị Thu Hà").
        if !male && rng.gen_bool(0.25) {
            let second = pick(rng, &MIDDLE_FEMALE[4..]);
            if second != given {
                return format!("{family} Thị {second} {given}");
            }
        }
        if middle == given {
            return format!("{family} {} {given}", if male { "Văn" } else { "Thị" });
        }
        format!("{family} {middle} {given}")
    }

    /// One adult living in the commune `home` (a ward when `ward`), born between 1945 and
    /// `year - 18`.
    pub fn person(&mut self, rng: &mut impl Rng, year: i32, home: usize, ward: bool) -> Person {
        let male = rng.gen_bool(0.5);
        let name = self.name(rng, male);
        let birth_year = rng.gen_range(1945..=year - 18);
        let id_number = loop {
            let province = if rng.gen_bool(0.93) { "038" } else { pick(rng, &OTHER_BIRTH_PROVINCES) };
            // Digit 4: the century and sex (0/1 born in the 1900s, 2/3 in the 2000s; even: male).
            let century = if birth_year >= 2000 { 2 } else { 0 } + u8::from(!male);
            let id = format!("{province}{century}{:02}{:06}", birth_year % 100, rng.gen_range(0..1_000_000));
            if self.ids.insert(id.clone()) {
                break id;
            }
        };
        let phone = format!("{}{:07}", pick(rng, &MOBILE_PREFIXES), rng.gen_range(0..10_000_000));
        let words: Vec<String> = fold(&name).split(' ').map(str::to_owned).collect();
        let given = words.last().cloned().unwrap_or_default();
        let initials: String =
            words.iter().take(words.len().saturating_sub(1)).filter_map(|w| w.chars().next()).collect();
        let mut email = format!("{given}{initials}{:02}@example.com", birth_year % 100);
        let mut n = 1;
        while !self.emails.insert(email.clone()) {
            n += 1;
            email = format!("{given}{initials}{:02}.{n}@example.com", birth_year % 100);
        }
        let detail = if ward {
            format!("Số {} đường {}", rng.gen_range(1..=250), pick(rng, &STREETS))
        } else {
            format!("Thôn {}", rng.gen_range(1..=14))
        };
        Person { name, id_number, phone, email, home, detail }
    }
}

/// A uniformly drawn element.
pub fn pick<'a>(rng: &mut impl Rng, items: &[&'a str]) -> &'a str {
    items[rng.gen_range(0..items.len())]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::citizen::{CitizenId, Phone};
    use rand::SeedableRng;

    #[test]
    fn people_are_valid_and_unique() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let mut maker = PeopleMaker::new(HashSet::new(), HashSet::new()).unwrap_or_else(|e| panic!("{e}"));
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default();
        let people: Vec<Person> = (0..5000).map(|i| maker.person(&mut rng, 2026, i % 7, i % 2 == 0)).collect();
        for p in &people {
            assert!(CitizenId::parse(&p.id_number, today).is_ok(), "{}", p.id_number);
            assert!(Phone::parse(&p.phone).is_ok(), "{}", p.phone);
            assert!(p.name.split(' ').count() >= 3, "{}", p.name);
            assert!(p.email.ends_with("@example.com") && p.email.is_ascii(), "{}", p.email);
        }
        let ids: HashSet<_> = people.iter().map(|p| &p.id_number).collect();
        let emails: HashSet<_> = people.iter().map(|p| &p.email).collect();
        assert_eq!((ids.len(), emails.len()), (5000, 5000));
        assert!(people.iter().filter(|p| p.id_number.starts_with("038")).count() > 4000);
    }
}
