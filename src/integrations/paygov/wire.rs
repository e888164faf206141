//! The payment platform's messages (reference/integrations.md §A1, version 1.0.6) and their
//! signatures, shared by our client and by `paygov-sim`: `INIT`, `CONFIRM` (+ its
//! acknowledgement), `QUERY`, `GET_BILL`, and our own `DOI_SOAT` (the gateway's list of a day's
//! transactions, for reconciliation).
//!
//! A signature (`MaXacThuc`) is the lowercase hex SHA-256 of the signed fields joined by `|`, the
//! shared secret appended as the last field (plain SHA-256 as the platform does, not HMAC).
//! Hardening of §A5: a signed field that contains `|` could shift the fields after it, so such a
//! message never verifies; signatures are compared in constant time; times are
//! `yyyyMMddHHmmss` in Asia/Ho_Chi_Minh with a 24-hour clock.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Asia::Ho_Chi_Minh;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// `PhienBan`.
pub const VERSION: &str = "1.0.6";
/// `MaTienTe`: the only currency.
pub const CURRENCY: &str = "VND";
/// `MaLoi` of success (and of a repeated message acknowledged again).
pub const OK: &str = "00";
/// `MaLoi`: no such transaction.
pub const UNKNOWN_REFERENCE: &str = "01";
/// `MaLoi`: the amount or the currency differs from the transaction's.
pub const WRONG_AMOUNT: &str = "04";
/// `MaLoi`: not our partner code.
pub const WRONG_PARTNER: &str = "05";
/// `MaLoi`: the transaction already has a different outcome (e.g. failed after paid).
pub const CONFLICT: &str = "06";
/// `MaLoi`: the signature does not verify (or a signed field is missing or holds `|`).
pub const BAD_SIGNATURE: &str = "97";
/// `MaLoi`: `ThoiGianGD` outside the accepted window.
pub const BAD_TIME: &str = "98";
/// `MaLoi`: anything else (malformed message).
pub const OTHER: &str = "99";
/// `TrangThaiGD` of a paid transaction.
pub const STATE_PAID: &str = "1";
/// `TrangThaiGD` of a transaction whose outcome the platform does not know yet.
pub const STATE_PENDING: &str = "3";
/// `TrangThaiGD` of a failed one.
pub const STATE_FAILED: &str = "4";

/// `yyyyMMddHHmmss` in Vietnam's time.
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.with_timezone(&Ho_Chi_Minh).format("%Y%m%d%H%M%S").to_string()
}

/// Parses a [`timestamp`].
pub fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    if text.len() != 14 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let local = NaiveDateTime::parse_from_str(text, "%Y%m%d%H%M%S").ok()?;
    Ho_Chi_Minh.from_local_datetime(&local).single().map(|t| t.with_timezone(&Utc))
}

/// The signature of `fields` under `secret`.
pub fn sign(fields: &[&str], secret: &str) -> String {
    let mut hash = Sha256::new();
    for f in fields {
        hash.update(f.as_bytes());
        hash.update(b"|");
    }
    hash.update(secret.as_bytes());
    hex::encode(hash.finalize())
}

/// Whether `given` is the signature of `fields`: false when a field contains the separator, and
/// compared in constant time.
pub fn verify(fields: &[&str], secret: &str, given: &str) -> bool {
    if fields.iter().any(|f| f.contains('|')) {
        return false;
    }
    let expected = sign(fields, secret);
    expected.as_bytes().ct_eq(given.trim().to_ascii_lowercase().as_bytes()).into()
}

/// A message with a signature over some of its fields.
pub trait Signed {
    /// The signed fields, in the contract's order.
    fn signed_fields(&self) -> Vec<String>;
    /// `MaXacThuc`.
    fn signature(&self) -> &str;
    /// Sets `MaXacThuc`.
    fn set_signature(&mut self, signature: String);

    /// Signs the message with `secret`.
    fn sign(mut self, secret: &str) -> Self
    where
        Self: Sized,
    {
        let fields = self.signed_fields();
        let refs: Vec<&str> = fields.iter().map(String::as_str).collect();
        self.set_signature(sign(&refs, secret));
        self
    }

    /// Whether the signature verifies under `secret`.
    fn verifies(&self, secret: &str) -> bool {
        let fields = self.signed_fields();
        let refs: Vec<&str> = fields.iter().map(String::as_str).collect();
        verify(&refs, secret, self.signature())
    }
}

macro_rules! signed {
    ($t:ty, |$m:ident| $fields:expr) => {
        impl Signed for $t {
            fn signed_fields(&self) -> Vec<String> {
                let $m = self;
                $fields.into_iter().map(|f: &str| f.to_owned()).collect()
            }
            fn signature(&self) -> &str {
                &self.ma_xac_thuc
            }
            fn set_signature(&mut self, signature: String) {
                self.ma_xac_thuc = signature;
            }
        }
    };
}

/// One fee on the receipt (`PhiLePhi[]`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeItem {
    /// `1` phí, `2` lệ phí.
    #[serde(rename = "LoaiPhiLePhi")]
    pub loai_phi_le_phi: String,
    /// Our code of the fee line.
    #[serde(rename = "MaPhiLePhi")]
    pub ma_phi_le_phi: String,
    /// Its description.
    #[serde(rename = "TenPhiLePhi")]
    pub ten_phi_le_phi: String,
    /// Its amount.
    #[serde(rename = "SoTien")]
    pub so_tien: i64,
}

/// `ThongTinBienLai`: what the e-receipt says.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptInfo {
    /// `2`: fees and charges of a public service.
    #[serde(rename = "MaDichVu")]
    pub ma_dich_vu: String,
    /// The procedure's national code.
    #[serde(rename = "MaTTHC")]
    pub ma_tthc: String,
    /// Its name (at most 250 characters).
    #[serde(rename = "TenTTHC")]
    pub ten_tthc: String,
    /// The agency's code.
    #[serde(rename = "MaDonVi")]
    pub ma_don_vi: String,
    /// Its name.
    #[serde(rename = "TenDonVi")]
    pub ten_don_vi: String,
    /// The dossier code.
    #[serde(rename = "MaHoSo")]
    pub ma_ho_so: String,
    /// Beneficiary account number.
    #[serde(rename = "TKThuHuong")]
    pub tk_thu_huong: String,
    /// Beneficiary bank code.
    #[serde(rename = "MaNHThuHuong")]
    pub ma_nh_thu_huong: String,
    /// Beneficiary account name.
    #[serde(rename = "TenTKThuHuong")]
    pub ten_tk_thu_huong: String,
    /// What is paid for.
    #[serde(rename = "NoiDungThanhToan")]
    pub noi_dung_thanh_toan: String,
    /// The payer's name (printed on the receipt; nothing else about them is sent).
    #[serde(rename = "HoTenNguoiNop")]
    pub ho_ten_nguoi_nop: String,
    /// The fee lines.
    #[serde(rename = "PhiLePhi")]
    pub phi_le_phi: Vec<FeeItem>,
}

/// `INIT`: the portal asks the gateway to open a transaction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InitRequest {
    /// `INIT`.
    #[serde(rename = "LoaiBanTin")]
    pub loai_ban_tin: String,
    /// [`VERSION`].
    #[serde(rename = "PhienBan")]
    pub phien_ban: String,
    /// Partner code.
    #[serde(rename = "MaDoiTac")]
    pub ma_doi_tac: String,
    /// Our unique reference of this attempt.
    #[serde(rename = "MaThamChieu")]
    pub ma_tham_chieu: String,
    /// Amount in VND, digits.
    #[serde(rename = "SoTien")]
    pub so_tien: String,
    /// `PAY`.
    #[serde(rename = "LoaiHinhThanhToan")]
    pub loai_hinh_thanh_toan: String,
    /// `1`.
    #[serde(rename = "MaKenhThanhToan")]
    pub ma_kenh_thanh_toan: String,
    /// `1`.
    #[serde(rename = "MaThietBi")]
    pub ma_thiet_bi: String,
    /// `vi-VN`.
    #[serde(rename = "NgonNgu")]
    pub ngon_ngu: String,
    /// [`CURRENCY`].
    #[serde(rename = "MaTienTe")]
    pub ma_tien_te: String,
    /// `PAYMENT`: the citizen chooses the bank on the gateway.
    #[serde(rename = "MaNganHang")]
    pub ma_ngan_hang: String,
    /// Free text, e.g. `THANH TOAN HO SO <MaHoSo>`.
    #[serde(rename = "ThongTinGiaoDich")]
    pub thong_tin_giao_dich: String,
    /// When (our clock).
    #[serde(rename = "ThoiGianGD")]
    pub thoi_gian_gd: String,
    /// The citizen's IP address.
    #[serde(rename = "Ip")]
    pub ip: String,
    /// The receipt.
    #[serde(rename = "ThongTinBienLai")]
    pub thong_tin_bien_lai: ReceiptInfo,
    /// Our extension: where the gateway sends the citizen's browser back (display only; not
    /// signed, not trusted).
    #[serde(rename = "UrlTraVe", default, skip_serializing_if = "Option::is_none")]
    pub url_tra_ve: Option<String>,
    /// Signature.
    #[serde(rename = "MaXacThuc")]
    pub ma_xac_thuc: String,
}

signed!(InitRequest, |m| [
    m.loai_ban_tin.as_str(),
    &m.phien_ban,
    &m.ma_doi_tac,
    &m.ma_tham_chieu,
    &m.so_tien,
    &m.loai_hinh_thanh_toan,
    &m.ma_kenh_thanh_toan,
    &m.ma_thiet_bi,
    &m.ngon_ngu,
    &m.ma_tien_te,
    &m.ma_ngan_hang,
    &m.thong_tin_giao_dich,
    &m.thoi_gian_gd,
    &m.ip,
]);

/// The gateway's answer to `INIT`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InitAnswer {
    /// [`OK`] or an error code.
    #[serde(rename = "MaLoi")]
    pub ma_loi: String,
    /// What went wrong, in words.
    #[serde(rename = "MoTaLoi", default)]
    pub mo_ta_loi: String,
    /// Where to send the citizen.
    #[serde(rename = "UrlThanhToan", default)]
    pub url_thanh_toan: Option<String>,
}

/// `CONFIRM`: the gateway tells the portal what became of a transaction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confirm {
    /// `CONFIRM`.
    #[serde(rename = "LoaiBanTin")]
    pub loai_ban_tin: String,
    /// [`OK`] when paid; anything else is a failure.
    #[serde(rename = "MaLoi")]
    pub ma_loi: String,
    /// Partner code.
    #[serde(rename = "MaDoiTac")]
    pub ma_doi_tac: String,
    /// Our reference.
    #[serde(rename = "MaThamChieu")]
    pub ma_tham_chieu: String,
    /// Amount in VND.
    #[serde(rename = "SoTien")]
    pub so_tien: i64,
    /// [`CURRENCY`].
    #[serde(rename = "MaTienTe")]
    pub ma_tien_te: String,
    /// The gateway's transaction id.
    #[serde(rename = "MaGiaoDich")]
    pub ma_giao_dich: String,
    /// The bank the citizen paid through.
    #[serde(rename = "MaNganHang")]
    pub ma_ngan_hang: String,
    /// When it was paid (gateway's clock).
    #[serde(rename = "ThoiGianGD")]
    pub thoi_gian_gd: String,
    /// Free text.
    #[serde(rename = "ThongTinGiaoDich")]
    pub thong_tin_giao_dich: String,
    /// Signature.
    #[serde(rename = "MaXacThuc")]
    pub ma_xac_thuc: String,
}

signed!(Confirm, |m| [
    m.loai_ban_tin.as_str(),
    &m.ma_loi,
    &m.ma_doi_tac,
    &m.ma_tham_chieu,
    &m.so_tien.to_string(),
    &m.ma_tien_te,
    &m.ma_giao_dich,
    &m.ma_ngan_hang,
    &m.thoi_gian_gd,
    &m.thong_tin_giao_dich,
]);

/// The portal's answer to `CONFIRM`, signed so the gateway knows it reached us.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfirmAck {
    /// [`OK`] when recorded (also for a repeat); otherwise why it was refused.
    #[serde(rename = "MaLoi")]
    pub ma_loi: String,
    /// In words.
    #[serde(rename = "MoTaLoi")]
    pub mo_ta_loi: String,
    /// Partner code (ours).
    #[serde(rename = "MaDoiTac")]
    pub ma_doi_tac: String,
    /// The reference the callback named.
    #[serde(rename = "MaThamChieu")]
    pub ma_tham_chieu: String,
    /// When we answered.
    #[serde(rename = "ThoiGianGD")]
    pub thoi_gian_gd: String,
    /// Signature.
    #[serde(rename = "MaXacThuc")]
    pub ma_xac_thuc: String,
}

signed!(ConfirmAck, |m| [m.ma_loi.as_str(), &m.ma_doi_tac, &m.ma_tham_chieu, &m.thoi_gian_gd]);

/// `QUERY`, and `GET_BILL` (same fields, `LoaiBanTin = GET_BILL`; the answer is the PDF).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryRequest {
    /// `QUERY` or `GET_BILL`.
    #[serde(rename = "LoaiBanTin")]
    pub loai_ban_tin: String,
    /// [`VERSION`].
    #[serde(rename = "PhienBan")]
    pub phien_ban: String,
    /// Partner code.
    #[serde(rename = "MaDoiTac")]
    pub ma_doi_tac: String,
    /// Our reference.
    #[serde(rename = "MaThamChieu")]
    pub ma_tham_chieu: String,
    /// The `ThoiGianGD` of the `INIT`.
    #[serde(rename = "ThoiGianGD")]
    pub thoi_gian_gd: String,
    /// Signature.
    #[serde(rename = "MaXacThuc")]
    pub ma_xac_thuc: String,
}

signed!(QueryRequest, |m| [m.loai_ban_tin.as_str(), &m.phien_ban, &m.ma_doi_tac, &m.ma_tham_chieu, &m.thoi_gian_gd,]);

/// The answer to `QUERY`: the `CONFIRM` fields plus the state, signed (we act on it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryAnswer {
    /// [`OK`] if the transaction is known; [`UNKNOWN_REFERENCE`] otherwise.
    #[serde(rename = "MaLoi")]
    pub ma_loi: String,
    /// In words.
    #[serde(rename = "MoTaLoi", default)]
    pub mo_ta_loi: String,
    /// Partner code.
    #[serde(rename = "MaDoiTac")]
    pub ma_doi_tac: String,
    /// Our reference.
    #[serde(rename = "MaThamChieu")]
    pub ma_tham_chieu: String,
    /// Amount in VND.
    #[serde(rename = "SoTien")]
    pub so_tien: i64,
    /// [`CURRENCY`].
    #[serde(rename = "MaTienTe")]
    pub ma_tien_te: String,
    /// The gateway's transaction id (empty while pending).
    #[serde(rename = "MaGiaoDich", default)]
    pub ma_giao_dich: String,
    /// The bank (empty while pending).
    #[serde(rename = "MaNganHang", default)]
    pub ma_ngan_hang: String,
    /// When it was settled (or initiated, while pending).
    #[serde(rename = "ThoiGianGD")]
    pub thoi_gian_gd: String,
    /// [`STATE_PAID`], [`STATE_PENDING`] or [`STATE_FAILED`].
    #[serde(rename = "TrangThaiGD")]
    pub trang_thai_gd: String,
    /// Signature.
    #[serde(rename = "MaXacThuc")]
    pub ma_xac_thuc: String,
}

signed!(QueryAnswer, |m| [
    m.ma_loi.as_str(),
    &m.ma_doi_tac,
    &m.ma_tham_chieu,
    &m.so_tien.to_string(),
    &m.ma_tien_te,
    &m.ma_giao_dich,
    &m.ma_ngan_hang,
    &m.thoi_gian_gd,
    &m.trang_thai_gd,
]);

/// `DOI_SOAT` (our extension): the gateway's transactions of one day (Vietnam's time) for our
/// partner code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementRequest {
    /// `DOI_SOAT`.
    #[serde(rename = "LoaiBanTin")]
    pub loai_ban_tin: String,
    /// [`VERSION`].
    #[serde(rename = "PhienBan")]
    pub phien_ban: String,
    /// Partner code.
    #[serde(rename = "MaDoiTac")]
    pub ma_doi_tac: String,
    /// The day, `yyyyMMdd`.
    #[serde(rename = "Ngay")]
    pub ngay: String,
    /// When we ask.
    #[serde(rename = "ThoiGianGD")]
    pub thoi_gian_gd: String,
    /// Signature.
    #[serde(rename = "MaXacThuc")]
    pub ma_xac_thuc: String,
}

signed!(StatementRequest, |m| [m.loai_ban_tin.as_str(), &m.phien_ban, &m.ma_doi_tac, &m.ngay, &m.thoi_gian_gd]);

/// One transaction of a statement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementEntry {
    /// Our reference.
    #[serde(rename = "MaThamChieu")]
    pub ma_tham_chieu: String,
    /// The gateway's id (empty while pending).
    #[serde(rename = "MaGiaoDich", default)]
    pub ma_giao_dich: String,
    /// Amount.
    #[serde(rename = "SoTien")]
    pub so_tien: i64,
    /// When initiated (or settled).
    #[serde(rename = "ThoiGianGD")]
    pub thoi_gian_gd: String,
    /// [`STATE_PAID`], [`STATE_PENDING`] or [`STATE_FAILED`].
    #[serde(rename = "TrangThaiGD")]
    pub trang_thai_gd: String,
    /// Beneficiary account.
    #[serde(rename = "TKThuHuong", default)]
    pub tk_thu_huong: String,
}

/// The answer to `DOI_SOAT`; signed over the code, partner, day and a digest of the entries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementAnswer {
    /// [`OK`] or an error code.
    #[serde(rename = "MaLoi")]
    pub ma_loi: String,
    /// Partner code.
    #[serde(rename = "MaDoiTac")]
    pub ma_doi_tac: String,
    /// The day, `yyyyMMdd`.
    #[serde(rename = "Ngay")]
    pub ngay: String,
    /// The transactions.
    #[serde(rename = "GiaoDich", default)]
    pub giao_dich: Vec<StatementEntry>,
    /// Signature.
    #[serde(rename = "MaXacThuc")]
    pub ma_xac_thuc: String,
}

impl StatementAnswer {
    /// A digest of the entries, so that the signature covers them.
    pub fn entries_digest(&self) -> String {
        let mut hash = Sha256::new();
        for e in &self.giao_dich {
            for f in [&e.ma_tham_chieu, &e.ma_giao_dich, &e.so_tien.to_string(), &e.thoi_gian_gd, &e.trang_thai_gd] {
                hash.update(f.as_bytes());
                hash.update(b"\x1f");
            }
            hash.update(e.tk_thu_huong.as_bytes());
            hash.update(b"\x1e");
        }
        hex::encode(hash.finalize())
    }
}

signed!(StatementAnswer, |m| [m.ma_loi.as_str(), &m.ma_doi_tac, &m.ngay, &m.entries_digest()]);

#[cfg(test)]
mod tests {
    use super::*;

    fn confirm() -> Confirm {
        Confirm {
            loai_ban_tin: "CONFIRM".into(),
            ma_loi: OK.into(),
            ma_doi_tac: "TH-DVC".into(),
            ma_tham_chieu: "TT20261125A1B2C3D4".into(),
            so_tien: 133_000,
            ma_tien_te: CURRENCY.into(),
            ma_giao_dich: "PG123456".into(),
            ma_ngan_hang: "VCB".into(),
            thoi_gian_gd: "20261125143005".into(),
            thong_tin_giao_dich: "THANH TOAN HO SO".into(),
            ma_xac_thuc: String::new(),
        }
    }

    #[test]
    fn signature_is_sha256_of_fields_and_secret() {
        // Worked out with `printf 'a|b|s' | sha256sum`.
        assert_eq!(sign(&["a", "b"], "s"), "5202900e77742085752962a465278203238c089356902008e521aeea98dd05de");
        assert_eq!(confirm().sign("k").ma_xac_thuc, "97e0dd1dc1641476242df73c86b4a00aee6022d5a179509f1e2d2c52128384c6");
    }

    /// Every message's signature against a vector computed independently with Python:
    /// `hashlib.sha256("INIT|1.0.6|…|k".encode()).hexdigest()`.
    #[test]
    fn every_message_signs_its_fields_in_the_contracts_order() {
        const R: &str = "TT261125ABCDEFGHJK";
        let init = InitRequest {
            loai_ban_tin: "INIT".into(),
            phien_ban: VERSION.into(),
            ma_doi_tac: "TH-DVC".into(),
            ma_tham_chieu: R.into(),
            so_tien: "23000".into(),
            loai_hinh_thanh_toan: "PAY".into(),
            ma_kenh_thanh_toan: "1".into(),
            ma_thiet_bi: "1".into(),
            ngon_ngu: "vi-VN".into(),
            ma_tien_te: CURRENCY.into(),
            ma_ngan_hang: "PAYMENT".into(),
            thong_tin_giao_dich: "THANH TOAN HO SO 000.20.01.H56-261125-00001".into(),
            thoi_gian_gd: "20261125160000".into(),
            ip: "127.0.0.1".into(),
            thong_tin_bien_lai: ReceiptInfo::default(),
            url_tra_ve: Some("https://portal.example/thanh-toan/ket-qua".into()),
            ma_xac_thuc: String::new(),
        }
        .sign("k");
        assert_eq!(init.ma_xac_thuc, "f5e3bbfa36fc62d975d9dacac8f6b0d128beffd7322654170f26278b069456cd");
        let query = |kind: &str| QueryRequest {
            loai_ban_tin: kind.into(),
            phien_ban: VERSION.into(),
            ma_doi_tac: "TH-DVC".into(),
            ma_tham_chieu: R.into(),
            thoi_gian_gd: "20261125160000".into(),
            ma_xac_thuc: String::new(),
        };
        assert_eq!(
            query("QUERY").sign("k").ma_xac_thuc,
            "9487e7da6e556f7caa11a14e078b2783ec7c0e27fbaada0a1af97bd7afb9a9e1"
        );
        assert_eq!(
            query("GET_BILL").sign("k").ma_xac_thuc,
            "3053a20e1df5415d114675a249f685a92ee9c01b22ded5ff8c8e9b7ebb030f51"
        );
        let ack = ConfirmAck {
            ma_loi: OK.into(),
            mo_ta_loi: "Thành công".into(),
            ma_doi_tac: "TH-DVC".into(),
            ma_tham_chieu: R.into(),
            thoi_gian_gd: "20261125160105".into(),
            ma_xac_thuc: String::new(),
        }
        .sign("k");
        assert_eq!(ack.ma_xac_thuc, "028d380bff9a198e0dc501673f2b22d33040b3a16f3c45281058a275f9ad268a");
        let answer = QueryAnswer {
            ma_loi: OK.into(),
            mo_ta_loi: String::new(),
            ma_doi_tac: "TH-DVC".into(),
            ma_tham_chieu: R.into(),
            so_tien: 23_000,
            ma_tien_te: CURRENCY.into(),
            ma_giao_dich: "PG1".into(),
            ma_ngan_hang: "VCB".into(),
            thoi_gian_gd: "20261125160100".into(),
            trang_thai_gd: STATE_PAID.into(),
            ma_xac_thuc: String::new(),
        }
        .sign("k");
        assert_eq!(answer.ma_xac_thuc, "4863b5aced15881501bd88441a1beb014c455228f601c462bdd7fe4e09fa30ba");
        let statement = StatementRequest {
            loai_ban_tin: "DOI_SOAT".into(),
            phien_ban: VERSION.into(),
            ma_doi_tac: "TH-DVC".into(),
            ngay: "20261125".into(),
            thoi_gian_gd: "20261126010000".into(),
            ma_xac_thuc: String::new(),
        }
        .sign("k");
        assert_eq!(statement.ma_xac_thuc, "7c96a957803793b455de0c9b805796825bc2cf52029b33469a020a0d67289f33");
        // UTF-8 text is hashed as its bytes.
        let mut c = confirm();
        c.ma_tham_chieu = "R1".into();
        c.so_tien = 1000;
        c.ma_giao_dich = "G1".into();
        c.thoi_gian_gd = "20261125160100".into();
        c.thong_tin_giao_dich = "Nộp phí hồ sơ".into();
        assert_eq!(c.sign("k").ma_xac_thuc, "bf5eebd5ce2e9f2f4f4539065bee1631798edfaab1725f996e802fdf36a3588e");
    }

    #[test]
    fn tampering_breaks_the_signature() {
        let signed = confirm().sign("k");
        assert!(signed.verifies("k"));
        assert!(!signed.verifies("other"));
        let mut upper = signed.clone();
        upper.ma_xac_thuc = upper.ma_xac_thuc.to_ascii_uppercase();
        assert!(upper.verifies("k"), "hex case does not matter");
        for tamper in [
            |c: &mut Confirm| c.so_tien += 1,
            |c: &mut Confirm| c.ma_loi = "24".into(),
            |c: &mut Confirm| c.ma_tham_chieu.push('X'),
            |c: &mut Confirm| c.ma_xac_thuc.clear(),
        ] {
            let mut c = signed.clone();
            tamper(&mut c);
            assert!(!c.verifies("k"), "{c:?}");
        }
    }

    #[test]
    fn a_separator_inside_a_field_never_verifies() {
        // "A|B" + "C" and "A" + "B|C" join to the same string: refuse both.
        let mut c = confirm();
        c.thong_tin_giao_dich = "X|Y".into();
        let c = c.sign("k");
        assert!(!c.verifies("k"));
        assert!(!verify(&["a|b", "c"], "k", &sign(&["a", "b", "c"], "k")));
    }

    #[test]
    fn timestamps_are_vietnam_time_on_a_24_hour_clock() {
        let at = Utc.with_ymd_and_hms(2026, 11, 25, 7, 30, 5).single().unwrap_or_default();
        assert_eq!(timestamp(at), "20261125143005");
        assert_eq!(parse_timestamp("20261125143005"), Some(at));
        for bad in ["2026112514300", "2026-11-25 14:30", "20261325143005", "2026112514300x"] {
            assert_eq!(parse_timestamp(bad), None, "{bad}");
        }
    }

    #[test]
    fn statement_signature_covers_entries() {
        let mut s = StatementAnswer {
            ma_loi: OK.into(),
            ma_doi_tac: "TH-DVC".into(),
            ngay: "20261125".into(),
            giao_dich: vec![StatementEntry {
                ma_tham_chieu: "R1".into(),
                ma_giao_dich: "G1".into(),
                so_tien: 100,
                thoi_gian_gd: "20261125143005".into(),
                trang_thai_gd: STATE_PAID.into(),
                tk_thu_huong: "123".into(),
            }],
            ma_xac_thuc: String::new(),
        }
        .sign("k");
        assert!(s.verifies("k"));
        s.giao_dich[0].so_tien = 101;
        assert!(!s.verifies("k"));
    }
}
