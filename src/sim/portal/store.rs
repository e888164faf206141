//! What portal-sim holds: the dossiers it accepted (the last `DongBoHoSoMC` item of each), their
//! progress lists, the answers given per idempotency key, the files it fetched, and counters —
//! the judge of the sync tests. Also the checks the real portal makes on what it receives.

use crate::integrations::portal::wire::{self, DossierItem, ProgressItem};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// A file the simulator fetched from a URL it was given.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Fetched {
    /// The file's id in the item.
    pub id: String,
    /// HTTP status of the fetch (0: not reachable).
    pub status: u16,
    /// Bytes received.
    pub size: usize,
    /// SHA-256 of the bytes, hex.
    pub sha256: String,
}

/// One dossier as the simulator holds it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Held {
    /// The last accepted item.
    pub dossier: DossierItem,
    /// The accepted progress entries, in order of arrival.
    pub progress: Vec<ProgressItem>,
    /// How many creates and updates were accepted.
    pub creates: u32,
    /// How many updates.
    pub updates: u32,
    /// The files fetched, by file id.
    pub files: BTreeMap<String, Fetched>,
}

/// Counters over the simulator's life.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counters {
    /// Logins.
    pub logins: u64,
    /// Calls that changed the store.
    pub accepted: u64,
    /// Calls answered from the idempotency record, with no effect.
    pub duplicates: u64,
    /// Calls refused as invalid.
    pub rejected: u64,
    /// Calls refused for an unknown or expired session.
    pub expired: u64,
}

#[derive(Default)]
struct Inner {
    dossiers: BTreeMap<String, Held>,
    answers: HashMap<String, wire::Answer>,
    counters: Counters,
}

/// The store, shared by the handlers.
#[derive(Default)]
pub struct Store {
    inner: Mutex<Inner>,
}

/// A refusal: the error code and the message.
pub type Refusal = (&'static str, String);

impl Store {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The answer already given to `key`, counted as a duplicate.
    pub fn answered(&self, key: &str) -> Option<wire::Answer> {
        let mut inner = self.lock();
        let answer = inner.answers.get(key).cloned();
        if answer.is_some() {
            inner.counters.duplicates += 1;
        }
        answer
    }

    /// Keeps the answer given to `key`.
    pub fn remember(&self, key: &str, answer: &wire::Answer) {
        self.lock().answers.insert(key.to_owned(), answer.clone());
    }

    /// Counts a login or a refused session.
    pub fn count_login(&self) {
        self.lock().counters.logins += 1;
    }

    /// Counts a call refused for its session.
    pub fn count_expired(&self) {
        self.lock().counters.expired += 1;
    }

    /// Counts a call refused as invalid.
    pub fn count_rejected(&self) {
        self.lock().counters.rejected += 1;
    }

    /// Creates or updates dossiers; all or nothing.
    pub fn sync(&self, items: Vec<DossierItem>, updating: bool) -> Result<(), Refusal> {
        let mut inner = self.lock();
        for item in &items {
            let held = inner.dossiers.contains_key(&item.ma_ho_so);
            if updating && !held {
                return Err((wire::NOT_FOUND, format!("Hồ sơ {} chưa có trên Cổng", item.ma_ho_so)));
            }
            if !updating && held {
                return Err((wire::ALREADY_EXISTS, format!("Hồ sơ {} đã tồn tại", item.ma_ho_so)));
            }
        }
        for item in items {
            match inner.dossiers.get_mut(&item.ma_ho_so) {
                Some(h) => {
                    h.dossier = item;
                    h.updates += 1;
                }
                None => {
                    let code = item.ma_ho_so.clone();
                    inner.dossiers.insert(
                        code,
                        Held { dossier: item, progress: vec![], creates: 1, updates: 0, files: BTreeMap::new() },
                    );
                }
            }
        }
        inner.counters.accepted += 1;
        Ok(())
    }

    /// Appends progress entries; all or nothing. Each dossier must be held, and its entries may
    /// not go back in time.
    pub fn progress(&self, items: Vec<ProgressItem>) -> Result<(), Refusal> {
        let mut inner = self.lock();
        let mut last: HashMap<String, String> = HashMap::new();
        for item in &items {
            let Some(held) = inner.dossiers.get(&item.ma_ho_so) else {
                return Err((wire::NOT_FOUND, format!("Hồ sơ {} chưa có trên Cổng", item.ma_ho_so)));
            };
            let previous = last
                .get(&item.ma_ho_so)
                .cloned()
                .or_else(|| held.progress.last().map(|p| p.thoi_diem_xu_ly.clone()))
                .unwrap_or_default();
            // Same-format timestamps compare as text.
            if item.thoi_diem_xu_ly < previous {
                return Err((
                    wire::INVALID,
                    format!(
                        "ThoiDiemXuLy của hồ sơ {} sớm hơn tiến độ đã nhận ({} < {previous})",
                        item.ma_ho_so, item.thoi_diem_xu_ly
                    ),
                ));
            }
            last.insert(item.ma_ho_so.clone(), item.thoi_diem_xu_ly.clone());
        }
        for item in items {
            if let Some(h) = inner.dossiers.get_mut(&item.ma_ho_so) {
                h.progress.push(item);
            }
        }
        inner.counters.accepted += 1;
        Ok(())
    }

    /// Records a fetched file.
    pub fn record_fetch(&self, code: &str, fetched: Fetched) {
        if let Some(h) = self.lock().dossiers.get_mut(code) {
            h.files.insert(fetched.id.clone(), fetched);
        }
    }

    /// Whether the file `id` of `code` was already fetched successfully.
    pub fn has_fetched(&self, code: &str, id: &str) -> bool {
        self.lock().dossiers.get(code).and_then(|h| h.files.get(id)).is_some_and(|f| f.status == 200)
    }

    /// One dossier.
    pub fn get(&self, code: &str) -> Option<Held> {
        self.lock().dossiers.get(code).cloned()
    }

    /// Every dossier, by code.
    pub fn all(&self) -> BTreeMap<String, Held> {
        self.lock().dossiers.clone()
    }

    /// How many dossiers and progress entries are held.
    pub fn sizes(&self) -> (usize, usize) {
        let inner = self.lock();
        (inner.dossiers.len(), inner.dossiers.values().map(|h| h.progress.len()).sum())
    }

    /// The counters.
    pub fn counters(&self) -> Counters {
        self.lock().counters.clone()
    }

    /// Forgets a dossier (as if the portal lost it).
    pub fn remove(&self, code: &str) -> bool {
        self.lock().dossiers.remove(code).is_some()
    }
}

/// Checks a dossier item as the portal does: required fields, code lists, date formats.
pub fn validate_dossier(item: &DossierItem) -> Result<(), String> {
    let required = [
        ("MaHoSo", &item.ma_ho_so),
        ("MaTTHC", &item.ma_tthc),
        ("TenTTHC", &item.ten_tthc),
        ("KenhThucHien", &item.kenh_thuc_hien),
        ("ChuHoSo", &item.chu_ho_so),
        ("LoaiDoiTuong", &item.loai_doi_tuong),
        ("NgayNopHoSo", &item.ngay_nop_ho_so),
        ("TrangThaiHoSo", &item.trang_thai_ho_so),
        ("DonViXuLy", &item.don_vi_xu_ly),
    ];
    for (name, value) in required {
        if value.trim().is_empty() {
            return Err(format!("Thiếu trường bắt buộc {name}"));
        }
    }
    if !valid_dossier_code(&item.ma_ho_so) {
        return Err("MaHoSo không đúng dạng <mã đơn vị>-<yyMMdd>-<số thứ tự>".into());
    }
    if !crate::domain::catalogue::is_procedure_code(&item.ma_tthc) {
        return Err("MaTTHC không phải mã thủ tục quốc gia".into());
    }
    one_of("KenhThucHien", &item.kenh_thuc_hien, &["1", "2", "3"])?;
    one_of("LoaiDoiTuong", &item.loai_doi_tuong, &["1", "2", "3", "4"])?;
    state("TrangThaiHoSo", &item.trang_thai_ho_so)?;
    one_of("DuocThanhToanTrucTuyen", &item.duoc_thanh_toan_truc_tuyen, &["1", "3"])?;
    for id in &item.dinh_danh_chs {
        one_of("LoaiDinhDanh", &id.loai_dinh_danh, &["1", "2", "3"])?;
    }
    date("NgayNopHoSo", &item.ngay_nop_ho_so, true)?;
    for (name, value) in [
        ("NgayTiepNhan", &item.ngay_tiep_nhan),
        ("NgayHenTra", &item.ngay_hen_tra),
        ("NgayTra", &item.ngay_tra),
        ("NgayKetThucXuLy", &item.ngay_ket_thuc_xu_ly),
        ("NgayTuChoi", &item.ngay_tu_choi),
    ] {
        date(name, value, false)?;
    }
    let status: u8 = item.trang_thai_ho_so.parse().unwrap_or(0);
    // Received, in processing, resolved or returned: it went through reception. (A supplement
    // or a fee may be asked, and a dossier withdrawn, before reception.)
    if matches!(status, 2 | 4 | 9 | 10) && item.ngay_tiep_nhan.is_empty() {
        return Err("Hồ sơ đã tiếp nhận phải có NgayTiepNhan".into());
    }
    if item.trich_yeu_ho_so.chars().count() > 1000 {
        return Err("TrichYeuHoSo dài quá 1000 ký tự".into());
    }
    for f in &item.tai_lieu_nop {
        url("DuongDanTaiTepTin", &f.duong_dan_tai_tep_tin)?;
    }
    for f in &item.danh_sach_giay_to_ket_qua {
        url("DuongDanTepTinKetQua", &f.duong_dan_tep_tin_ket_qua)?;
    }
    Ok(())
}

/// Checks a progress item.
pub fn validate_progress(item: &ProgressItem) -> Result<(), String> {
    for (name, value) in [
        ("MaHoSo", &item.ma_ho_so),
        ("ThoiDiemXuLy", &item.thoi_diem_xu_ly),
        ("TrangThai", &item.trang_thai),
        ("NoiDungXuLy", &item.noi_dung_xu_ly),
    ] {
        if value.trim().is_empty() {
            return Err(format!("Thiếu trường bắt buộc {name}"));
        }
    }
    if item.nguoi_xu_ly.chars().count() > 50 {
        return Err("NguoiXuLy dài quá 50 ký tự".into());
    }
    state("TrangThai", &item.trang_thai)?;
    date("ThoiDiemXuLy", &item.thoi_diem_xu_ly, true)?;
    date("NgayBatDau", &item.ngay_bat_dau, false)?;
    date("NgayKetThucTheoQuyDinh", &item.ngay_ket_thuc_theo_quy_dinh, false)
}

fn valid_dossier_code(code: &str) -> bool {
    let parts: Vec<&str> = code.rsplitn(3, '-').collect();
    matches!(parts.as_slice(), [seq, day, agency]
        if seq.len() == 5 && seq.bytes().all(|b| b.is_ascii_digit())
        && day.len() == 6 && day.bytes().all(|b| b.is_ascii_digit())
        && crate::domain::catalogue::is_agency_code(agency))
}

fn one_of(name: &str, value: &str, allowed: &[&str]) -> Result<(), String> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(format!("{name} không thuộc danh mục ({})", allowed.join(", ")))
    }
}

fn state(name: &str, value: &str) -> Result<(), String> {
    match value.parse::<u8>() {
        Ok(1..=10) if !value.starts_with('0') => Ok(()),
        _ => Err(format!("{name} không thuộc danh mục TrangThaiHoSo (1–10)")),
    }
}

fn date(name: &str, value: &str, required: bool) -> Result<(), String> {
    if value.is_empty() && !required {
        return Ok(());
    }
    match wire::parse_timestamp(value) {
        Some(_) => Ok(()),
        None => Err(format!("{name} không đúng định dạng yyyyMMddHHmmss")),
    }
}

fn url(name: &str, value: &str) -> Result<(), String> {
    if value.starts_with("http://") || value.starts_with("https://") {
        Ok(())
    } else {
        Err(format!("{name} không phải đường dẫn tải tệp"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::integrations::portal::wire::Identification;

    fn item() -> DossierItem {
        DossierItem {
            ma_ho_so: "000.20.01.H56-261125-00001".into(),
            ma_tthc: "1.001022".into(),
            ten_tthc: "Đăng ký nhận cha, mẹ, con".into(),
            ma_linh_vuc: "ho-tich".into(),
            ten_linh_vuc: "Hộ tịch".into(),
            kenh_thuc_hien: "2".into(),
            chu_ho_so: "Nguyễn Thị Lan".into(),
            loai_doi_tuong: "1".into(),
            so_giay_to_chu_ho_so: "038190012345".into(),
            dinh_danh_chs: vec![Identification { loai_dinh_danh: "1".into(), so_dinh_danh: "038190012345".into() }],
            email: String::new(),
            so_dien_thoai: "0912345678".into(),
            trich_yeu_ho_so: "x".into(),
            ngay_nop_ho_so: "20261125090000".into(),
            ngay_tiep_nhan: String::new(),
            ngay_hen_tra: String::new(),
            trang_thai_ho_so: "1".into(),
            ngay_tra: String::new(),
            ngay_ket_thuc_xu_ly: String::new(),
            ngay_tu_choi: String::new(),
            don_vi_xu_ly: "000.20.01.H56".into(),
            ghi_chu: String::new(),
            duoc_thanh_toan_truc_tuyen: "3".into(),
            tai_lieu_nop: vec![],
            danh_sach_le_phi: vec![],
            danh_sach_giay_to_ket_qua: vec![],
        }
    }

    fn progress(at: &str) -> ProgressItem {
        ProgressItem {
            ma_ho_so: "000.20.01.H56-261125-00001".into(),
            nguoi_xu_ly: "Lê Thị Hoa".into(),
            chuc_danh: "Cán bộ một cửa".into(),
            thoi_diem_xu_ly: at.into(),
            phong_ban_xu_ly: "UBND xã".into(),
            noi_dung_xu_ly: "Tiếp nhận hồ sơ".into(),
            trang_thai: "2".into(),
            ngay_bat_dau: at.into(),
            ngay_ket_thuc_theo_quy_dinh: String::new(),
        }
    }

    /// A change that breaks one rule, and the field the refusal must name.
    type Breakage = (fn(&mut DossierItem), &'static str);

    #[test]
    fn a_good_item_passes_and_each_broken_rule_is_named() {
        assert_eq!(validate_dossier(&item()), Ok(()));
        let cases: Vec<Breakage> = vec![
            (|i| i.chu_ho_so.clear(), "ChuHoSo"),
            (|i| i.kenh_thuc_hien = "9".into(), "KenhThucHien"),
            (|i| i.trang_thai_ho_so = "11".into(), "TrangThaiHoSo"),
            (|i| i.trang_thai_ho_so = "02".into(), "TrangThaiHoSo"),
            (|i| i.ngay_nop_ho_so = "25/11/2026".into(), "NgayNopHoSo"),
            (|i| i.ngay_hen_tra = "2026112509".into(), "NgayHenTra"),
            (|i| i.ma_tthc = "TT-01".into(), "MaTTHC"),
            (|i| i.ma_ho_so = "HS-1".into(), "MaHoSo"),
            (|i| i.trang_thai_ho_so = "4".into(), "NgayTiepNhan"),
            (|i| i.dinh_danh_chs[0].loai_dinh_danh = "7".into(), "LoaiDinhDanh"),
        ];
        for (breaks, field) in cases {
            let mut i = item();
            breaks(&mut i);
            let e = validate_dossier(&i).err().unwrap_or_default();
            assert!(e.contains(field), "{field}: {e}");
            assert!(!e.contains("Nguyễn"), "no value in the message: {e}");
        }
    }

    #[test]
    fn progress_must_follow_its_dossier_and_never_go_back() {
        let store = Store::default();
        assert_eq!(store.progress(vec![progress("20261125090000")]).map_err(|e| e.0), Err(wire::NOT_FOUND));
        assert_eq!(store.sync(vec![item()], true).map_err(|e| e.0), Err(wire::NOT_FOUND));
        assert_eq!(store.sync(vec![item()], false), Ok(()));
        assert_eq!(store.sync(vec![item()], false).map_err(|e| e.0), Err(wire::ALREADY_EXISTS));
        assert_eq!(store.progress(vec![progress("20261125090000"), progress("20261125090000")]), Ok(()));
        assert_eq!(store.progress(vec![progress("20261125085959")]).map_err(|e| e.0), Err(wire::INVALID));
        // All or nothing: a batch whose second entry goes back adds nothing.
        let refused = store.progress(vec![progress("20261126090000"), progress("20261125100000")]);
        assert_eq!(refused.map_err(|e| e.0), Err(wire::INVALID));
        assert_eq!(store.sizes(), (1, 2));
        assert_eq!(validate_progress(&progress("20261125090000")), Ok(()));
        assert!(validate_progress(&ProgressItem { trang_thai: "0".into(), ..progress("20261125090000") }).is_err());
    }
}
