//! The national portal's dossier-sync messages (reference/integrations.md §B): the envelope of
//! every call, `DongBoHoSoMC` dossier items, `CapNhatTienDoHoSoMC` progress items, the login,
//! the answers, the code lists and the date format. Field names are the portal's (they stay at
//! this boundary); everything else in the crate uses our own names.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Asia::Ho_Chi_Minh;
use serde::{Deserialize, Serialize};

/// `DongBoHoSoMC`: create a dossier, or update it (`isUpdating`).
pub const SYNC_DOSSIER: &str = "DongBoHoSoMC";
/// `CapNhatTienDoHoSoMC`: append progress entries.
pub const PUSH_PROGRESS: &str = "CapNhatTienDoHoSoMC";
/// `TraCuuHoSo`: what the portal holds of one dossier.
pub const LOOKUP: &str = "TraCuuHoSo";

/// `error_code` of success.
pub const OK: &str = "00";
/// The session token is unknown or expired: log in again.
pub const SESSION_EXPIRED: &str = "01";
/// The payload breaks a rule (a missing field, a code outside its list, a date in the wrong
/// format, progress going backwards): sending it again cannot help.
pub const INVALID: &str = "02";
/// Create of a dossier the portal already holds: update instead.
pub const ALREADY_EXISTS: &str = "03";
/// Update or progress of a dossier the portal does not hold: create it first.
pub const NOT_FOUND: &str = "04";
/// The portal failed inside: try again later.
pub const INTERNAL: &str = "99";

/// `KenhThucHien`: at the desk.
pub const CHANNEL_COUNTER: &str = "1";
/// `KenhThucHien`: online.
pub const CHANNEL_ONLINE: &str = "2";
/// `KenhThucHien`: by post.
pub const CHANNEL_POST: &str = "3";
/// `LoaiDoiTuong` of a citizen.
pub const SUBJECT_CITIZEN: &str = "1";
/// `LoaiDoiTuong` of a business.
pub const SUBJECT_BUSINESS: &str = "2";
/// `LoaiDinhDanh` of a 12-digit personal identification number (CCCD).
pub const ID_CCCD: &str = "1";
/// `LoaiDinhDanh` of a 9-digit identity card (CMND).
pub const ID_CMND: &str = "2";
/// `LoaiDinhDanh` of a tax code (ours, for businesses).
pub const ID_TAX_CODE: &str = "3";
/// `DuocThanhToanTrucTuyen`: paid online.
pub const PAID_ONLINE: &str = "1";
/// `DuocThanhToanTrucTuyen`: no online payment (none due, or paid otherwise).
pub const PAID_OTHERWISE: &str = "3";

/// `yyyyMMddHHmmss` in Vietnam's time, of a stored UTC time.
pub fn timestamp(utc: NaiveDateTime) -> String {
    utc.and_utc().with_timezone(&Ho_Chi_Minh).format("%Y%m%d%H%M%S").to_string()
}

/// An optional [`timestamp`]; the portal takes an empty string for "none".
pub fn timestamp_or_empty(utc: Option<NaiveDateTime>) -> String {
    utc.map(timestamp).unwrap_or_default()
}

/// Parses a [`timestamp`] (exactly 14 digits, a real local time).
pub fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    if text.len() != 14 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let local = NaiveDateTime::parse_from_str(text, "%Y%m%d%H%M%S").ok()?;
    Ho_Chi_Minh.from_local_datetime(&local).single().map(|t| t.with_timezone(&Utc))
}

/// `POST /auth`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Login {
    /// The account the portal issued to the province.
    pub username: String,
    /// Its password.
    pub password: String,
}

/// The answer to a login.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LoginAnswer {
    /// The session token for the next calls.
    pub session: String,
    /// [`OK`] or an error.
    pub error_code: String,
    /// What went wrong.
    pub message: String,
}

/// `POST /integration`: every call but the login.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    /// The session token.
    pub session: String,
    /// The identifier of the agency (or province) speaking.
    pub madonvi: String,
    /// [`SYNC_DOSSIER`], [`PUSH_PROGRESS`] or [`LOOKUP`].
    pub service: String,
    /// For [`SYNC_DOSSIER`]: `"True"` to update, `"False"` to create.
    #[serde(rename = "isUpdating", default, skip_serializing_if = "Option::is_none")]
    pub is_updating: Option<String>,
    /// For [`LOOKUP`]: the dossier code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mahoso: Option<String>,
    /// Our idempotency key: the portal answers a repeated key as it answered the first time,
    /// with no second effect (a send repeated after a worker died mid-call).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// The items ([`DossierItem`]s or [`ProgressItem`]s).
    #[serde(default)]
    pub data: serde_json::Value,
}

/// The answer to an [`Envelope`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Answer {
    /// [`OK`] or an error code.
    pub error_code: String,
    /// Vietnamese text; on [`INVALID`], which field and why (never a value).
    pub message: String,
    /// For [`LOOKUP`]: what the portal holds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<serde_json::Value>,
}

/// One identification of the dossier's owner.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Identification {
    /// [`ID_CCCD`], [`ID_CMND`] or [`ID_TAX_CODE`].
    pub loai_dinh_danh: String,
    /// The number.
    pub so_dinh_danh: String,
}

/// A submitted paper, as a URL the portal fetches.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SubmittedFile {
    /// Our attachment id.
    pub tep_dinh_kem_id: String,
    /// The file name.
    pub ten_tep_dinh_kem: String,
    /// Always false: we never delete a submitted paper.
    pub is_deleted: bool,
    /// The paper's position in the procedure's list.
    pub ma_thanh_phan_ho_so: String,
    /// A signed, expiring download URL.
    pub duong_dan_tai_tep_tin: String,
}

/// A result document, as a URL the portal fetches.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResultFile {
    /// The file name.
    pub ten_giay_to: String,
    /// Our attachment id.
    pub giay_to_id: String,
    /// A signed, expiring download URL.
    pub duong_dan_tep_tin_ket_qua: String,
}

/// A fee of the dossier.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Fee {
    /// What it is.
    pub ten_phi_le_phi: String,
    /// Whole đồng.
    pub gia: i64,
    /// `"1"` phí, `"2"` lệ phí.
    pub loai_phi_le_phi: String,
    /// `"1"` online, `"2"` at the desk, `""` not paid yet.
    pub hinh_thuc_thu: String,
}

/// A `DongBoHoSoMC` item: the dossier as it stood after one step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DossierItem {
    /// `<agency identifier>-<yyMMdd>-<nnnnn>`.
    pub ma_ho_so: String,
    /// The procedure's national code.
    #[serde(rename = "MaTTHC")]
    pub ma_tthc: String,
    /// Its name.
    #[serde(rename = "TenTTHC")]
    pub ten_tthc: String,
    /// The field's code.
    pub ma_linh_vuc: String,
    /// The field's name.
    pub ten_linh_vuc: String,
    /// [`CHANNEL_COUNTER`], [`CHANNEL_ONLINE`] or [`CHANNEL_POST`].
    pub kenh_thuc_hien: String,
    /// The owner's name.
    pub chu_ho_so: String,
    /// [`SUBJECT_CITIZEN`] or [`SUBJECT_BUSINESS`].
    pub loai_doi_tuong: String,
    /// The owner's identification number.
    pub so_giay_to_chu_ho_so: String,
    /// The owner's identifications.
    #[serde(rename = "DinhDanhCHS")]
    pub dinh_danh_chs: Vec<Identification>,
    /// The owner's e-mail, if given.
    pub email: String,
    /// The owner's phone.
    pub so_dien_thoai: String,
    /// What the dossier asks for (at most 1,000 characters).
    pub trich_yeu_ho_so: String,
    /// Submission.
    pub ngay_nop_ho_so: String,
    /// Reception (empty before).
    pub ngay_tiep_nhan: String,
    /// The due date after this step (empty before reception).
    pub ngay_hen_tra: String,
    /// `TrangThaiHoSo` 1–10 after this step.
    pub trang_thai_ho_so: String,
    /// When the result was returned (state 10).
    pub ngay_tra: String,
    /// When processing ended (state 9).
    pub ngay_ket_thuc_xu_ly: String,
    /// When it was refused at intake (state 3).
    pub ngay_tu_choi: String,
    /// The receiving agency's identifier.
    pub don_vi_xu_ly: String,
    /// The reason of a refusal, withdrawal or stop.
    pub ghi_chu: String,
    /// [`PAID_ONLINE`] or [`PAID_OTHERWISE`].
    pub duoc_thanh_toan_truc_tuyen: String,
    /// The submitted papers.
    pub tai_lieu_nop: Vec<SubmittedFile>,
    /// The fees.
    pub danh_sach_le_phi: Vec<Fee>,
    /// The result documents.
    pub danh_sach_giay_to_ket_qua: Vec<ResultFile>,
}

/// A `CapNhatTienDoHoSoMC` item: one step of the dossier's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProgressItem {
    /// The dossier.
    pub ma_ho_so: String,
    /// Who acted (at most 50 characters).
    pub nguoi_xu_ly: String,
    /// In which capacity.
    pub chuc_danh: String,
    /// When.
    pub thoi_diem_xu_ly: String,
    /// The acting agency's name.
    pub phong_ban_xu_ly: String,
    /// What was done.
    pub noi_dung_xu_ly: String,
    /// `TrangThaiHoSo` after the step.
    pub trang_thai: String,
    /// When the step began.
    pub ngay_bat_dau: String,
    /// The due date after the step.
    pub ngay_ket_thuc_theo_quy_dinh: String,
}

/// Cuts `text` to at most `max` characters (the portal's limits count characters).
pub fn cut(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn utc(y: i32, m: u32, d: u32, h: u32, mi: u32, s: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d).and_then(|d| d.and_hms_opt(h, mi, s)).unwrap_or_default()
    }

    #[test]
    fn timestamps_are_vietnam_time_on_a_24_hour_clock() {
        // 02:00 UTC is 09:00 in Hà Nội; 16:30 UTC is 23:30 the same day; 18:00 UTC is the next day.
        assert_eq!(timestamp(utc(2026, 11, 25, 2, 0, 0)), "20261125090000");
        assert_eq!(timestamp(utc(2026, 11, 25, 16, 30, 5)), "20261125233005");
        assert_eq!(timestamp(utc(2026, 12, 31, 18, 0, 0)), "20270101010000");
        assert_eq!(timestamp_or_empty(None), "");
        let back = parse_timestamp("20261125233005").map(|t| t.naive_utc());
        assert_eq!(back, Some(utc(2026, 11, 25, 16, 30, 5)));
    }

    #[test]
    fn bad_timestamps_do_not_parse() {
        for bad in [
            "",
            "2026112509000",
            "202611250900000",
            "2026-11-25 09:0",
            "20261325090000",
            "20261125250000",
            "2026112509000a",
        ] {
            assert_eq!(parse_timestamp(bad), None, "{bad}");
        }
    }

    #[test]
    fn items_carry_the_portals_field_names() {
        let item = ProgressItem {
            ma_ho_so: "000.00.01.H56-261125-00001".into(),
            nguoi_xu_ly: "Lê Văn Một".into(),
            chuc_danh: "Cán bộ một cửa".into(),
            thoi_diem_xu_ly: "20261125090000".into(),
            phong_ban_xu_ly: "Sở Tư pháp".into(),
            noi_dung_xu_ly: "Tiếp nhận hồ sơ".into(),
            trang_thai: "2".into(),
            ngay_bat_dau: "20261125090000".into(),
            ngay_ket_thuc_theo_quy_dinh: "20261130090000".into(),
        };
        let json = serde_json::to_value(&item).unwrap_or_default();
        for key in [
            "MaHoSo",
            "NguoiXuLy",
            "ChucDanh",
            "ThoiDiemXuLy",
            "PhongBanXuLy",
            "NoiDungXuLy",
            "TrangThai",
            "NgayBatDau",
            "NgayKetThucTheoQuyDinh",
        ] {
            assert!(json.get(key).is_some(), "{key} missing in {json}");
        }
        let envelope = Envelope {
            session: "s".into(),
            madonvi: "000.00.01.H56".into(),
            service: SYNC_DOSSIER.into(),
            is_updating: Some("False".into()),
            mahoso: None,
            request_id: Some("r".into()),
            data: serde_json::Value::Array(vec![]),
        };
        let json = serde_json::to_string(&envelope).unwrap_or_default();
        assert!(json.contains(r#""isUpdating":"False""#) && !json.contains("mahoso"), "{json}");
    }

    #[test]
    fn cut_counts_characters_not_bytes() {
        assert_eq!(cut("Nguyễn Thị Hằng", 6), "Nguyễn");
        assert_eq!(cut("ab", 50), "ab");
    }
}
