//! Password rules: long enough, not common, not made of the person's own identifiers
//! (NIST SP 800-63B §5.1.1.2: length and a blocklist, no composition rules).

/// Shortest password accepted.
pub const MIN_LEN: usize = 8;
/// Longest password accepted (argon2 takes any length; this bounds the work).
pub const MAX_LEN: usize = 128;

/// Passwords seen most often in leaks, plus Vietnamese favourites; compared case-insensitively.
const COMMON: &[&str] = &[
    "12345678",
    "123456789",
    "1234567890",
    "123123123",
    "12341234",
    "11111111",
    "00000000",
    "88888888",
    "66666666",
    "99999999",
    "22222222",
    "87654321",
    "11223344",
    "12344321",
    "147258369",
    "123654789",
    "987654321",
    "password",
    "password1",
    "password123",
    "passw0rd",
    "p@ssw0rd",
    "qwertyui",
    "qwerty123",
    "qwertyuiop",
    "asdfghjk",
    "zxcvbnm1",
    "1q2w3e4r",
    "1qaz2wsx",
    "abc12345",
    "abcd1234",
    "a1234567",
    "iloveyou",
    "admin123",
    "administrator",
    "welcome1",
    "sunshine",
    "princess",
    "football",
    "baseball",
    "dragon12",
    "monkey12",
    "letmein1",
    "trustno1",
    "superman",
    "matkhau",
    "matkhau1",
    "matkhau123",
    "matkhau@123",
    "anhyeuem",
    "anhyeuem1",
    "emyeuanh",
    "yeuemmaimai",
    "vietnam1",
    "vietnam123",
    "hanoi123",
    "saigon123",
    "thanhhoa",
    "thanhhoa123",
    "dichvucong",
    "dichvucong1",
    "dichvucong123",
    "congdan123",
    "hoilamgi",
    "khongbiet",
    "minhanh123",
    "ngocanh123",
    "zaq12wsx",
    "qazwsxedc",
    "1234qwer",
    "qwer1234",
    "123456a@",
    "123456aa",
    "a123456789",
    "abc123456",
    "12345678a",
    "12345abc",
    "Aa123456",
    "Aa@123456",
    "Abc@1234",
];

/// Checks a new password; `personal` holds the person's own identifiers (e-mail local part,
/// phone, ID number, name words) that must not make up the password.
pub fn check(password: &str, personal: &[&str]) -> Result<(), &'static str> {
    let len = password.chars().count();
    if len < MIN_LEN {
        return Err("Mật khẩu phải có ít nhất 8 ký tự.");
    }
    if len > MAX_LEN {
        return Err("Mật khẩu dài tối đa 128 ký tự.");
    }
    let lower = password.to_lowercase();
    if COMMON.iter().any(|c| c.eq_ignore_ascii_case(&lower)) {
        return Err("Mật khẩu này quá phổ biến và dễ bị đoán. Vui lòng chọn mật khẩu khác.");
    }
    let distinct: std::collections::HashSet<char> = lower.chars().collect();
    if distinct.len() < 4 {
        return Err("Mật khẩu quá đơn giản (quá ít ký tự khác nhau). Vui lòng chọn mật khẩu khác.");
    }
    if personal.iter().map(|p| p.to_lowercase()).filter(|p| p.chars().count() >= 4).any(|p| lower.contains(&p)) {
        return Err("Mật khẩu không được chứa số điện thoại, số định danh hay địa chỉ thư điện tử của bạn.");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn accepts_long_unusual_passwords() {
        assert_eq!(check("mây trắng bay qua đồi", &[]), Ok(()));
        assert_eq!(check("Tr0ng-Xanh!Lua", &["an.nguyen", "0912345678"]), Ok(()));
    }

    #[test]
    fn refuses_short_common_and_personal_passwords() {
        assert!(check("abc123", &[]).is_err());
        assert!(check("MatKhau123", &[]).is_err());
        assert!(check("PASSWORD", &[]).is_err());
        assert!(check("aaaaaaaaaaaa", &[]).is_err());
        assert!(check("xx0912345678", &["0912345678"]).is_err());
        assert!(check("an.nguyen2026", &["an.nguyen"]).is_err());
        assert!(check(&"x1".repeat(70), &[]).is_err());
    }
}
