//! The e-receipt of a paid transaction, as `GET_BILL` returns it: a one-page A4 PDF, "BIÊN LAI
//! THU PHÍ, LỆ PHÍ", with DejaVu Sans embedded (subset) for the Vietnamese diacritics.

use super::banks;
use super::store::SimTransaction;
use crate::domain::money::Vnd;
use anyhow::{Context, anyhow};
use chrono::{DateTime, Datelike, Timelike, Utc};
use chrono_tz::Asia::Ho_Chi_Minh;
use krilla::Document;
use krilla::geom::{PathBuilder, Point};
use krilla::metadata::{DateTime as PdfDateTime, Metadata};
use krilla::page::PageSettings;
use krilla::paint::Stroke;
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use std::sync::OnceLock;

/// DejaVu Sans (licence: `static/fonts/DejaVuSans.LICENSE`).
static DEJAVU_SANS: &[u8] = include_bytes!("../../../static/fonts/DejaVuSans.ttf");

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const LEFT: f32 = 56.0;
const RIGHT: f32 = PAGE_W - 56.0;
const VALUE_X: f32 = 200.0;
const SIZE: f32 = 10.5;
const LINE: f32 = 16.0;

fn font() -> anyhow::Result<Font> {
    static FONT: OnceLock<Option<Font>> = OnceLock::new();
    FONT.get_or_init(|| Font::new(DEJAVU_SANS.into(), 0))
        .clone()
        .ok_or_else(|| anyhow!("the embedded font does not load"))
}

/// `dd/mm/yyyy HH:MM:SS`, Vietnam time.
pub fn local_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&Ho_Chi_Minh).format("%d/%m/%Y %H:%M:%S").to_string()
}

/// About how wide `text` is at `size` in DejaVu Sans (digits, dots and spaces exactly; others
/// at a generous average, which is enough to wrap and right-align).
fn width(text: &str, size: f32) -> f32 {
    let em: f32 = text
        .chars()
        .map(|c| match c {
            '0'..='9' => 0.636,
            '.' | ',' | ' ' | ':' | '(' | ')' => 0.3179,
            'i' | 'l' | 'j' | 'I' | 'í' | 'ì' | 'ỉ' | 'ĩ' | 'ị' | 'Í' | 'Ì' | 'Ỉ' | 'Ĩ' | 'Ị' => 0.28,
            'f' | 't' | 'r' => 0.4,
            'm' | 'w' | 'M' | 'W' | '—' => 0.95,
            'A'..='Z' | 'Đ' | 'À'..='Ỹ' => 0.72,
            _ => 0.6,
        })
        .sum();
    em * size
}

/// Splits `text` into lines no wider than `max` at `size`.
fn wrap(text: &str, size: f32, max: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() { word.to_owned() } else { format!("{line} {word}") };
        if width(&candidate, size) > max && !line.is_empty() {
            lines.push(std::mem::replace(&mut line, word.to_owned()));
        } else {
            line = candidate;
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

struct Pen<'a, 'b> {
    surface: &'a mut Surface<'b>,
    font: Font,
    y: f32,
}

impl Pen<'_, '_> {
    fn text(&mut self, x: f32, y: f32, size: f32, text: &str) {
        self.surface.draw_text(Point::from_xy(x, y), self.font.clone(), size, text, false, TextDirection::Auto);
    }

    fn centred(&mut self, size: f32, text: &str) {
        let x = (PAGE_W - width(text, size)) / 2.0;
        self.text(x.max(LEFT), self.y, size, text);
        self.y += size * 1.6;
    }

    fn rule(&mut self) {
        let mut path = PathBuilder::new();
        path.move_to(LEFT, self.y);
        path.line_to(RIGHT, self.y);
        if let Some(path) = path.finish() {
            self.surface.set_fill(None);
            self.surface.set_stroke(Some(Stroke { width: 0.6, ..Stroke::default() }));
            self.surface.draw_path(&path);
            self.surface.set_stroke(None);
            self.surface.set_fill(Some(krilla::paint::Fill::default()));
        }
        self.y += LINE;
    }

    /// A label and its value, the value wrapped in its column.
    fn field(&mut self, label: &str, value: &str) {
        self.text(LEFT, self.y, SIZE, label);
        for line in wrap(value, SIZE, RIGHT - VALUE_X) {
            self.text(VALUE_X, self.y, SIZE, &line);
            self.y += LINE;
        }
    }

    /// A fee line: its number, description (wrapped) and amount (right-aligned).
    fn fee(&mut self, number: &str, description: &str, amount: &str) {
        let amount_x = RIGHT - width(amount, SIZE);
        self.text(LEFT, self.y, SIZE, number);
        self.text(amount_x, self.y, SIZE, amount);
        for line in wrap(description, SIZE, amount_x - 20.0 - (LEFT + 30.0)) {
            self.text(LEFT + 30.0, self.y, SIZE, &line);
            self.y += LINE;
        }
    }
}

/// The receipt of a paid transaction.
pub fn render(t: &SimTransaction) -> anyhow::Result<Vec<u8>> {
    let font = font()?;
    let paid_at = t.settled_at.context("the transaction is not settled")?;
    let gateway_id = t.gateway_id.clone().unwrap_or_default();
    let r = &t.receipt;
    let mut document = Document::new();
    let local = paid_at.with_timezone(&Ho_Chi_Minh);
    let created = PdfDateTime::new(u16::try_from(local.year()).unwrap_or(2000))
        .month(u8::try_from(local.month()).unwrap_or(1))
        .day(u8::try_from(local.day()).unwrap_or(1))
        .hour(u8::try_from(local.hour()).unwrap_or(0))
        .minute(u8::try_from(local.minute()).unwrap_or(0))
        .second(u8::try_from(local.second()).unwrap_or(0))
        .utc_offset_hour(7);
    document.set_metadata(
        Metadata::new()
            .title(format!("Biên lai thu phí, lệ phí — {}", t.reference))
            .keywords(vec![format!("MaThamChieu={}", t.reference), format!("MaGiaoDich={gateway_id}")])
            .language("vi".into())
            .creator("paygov-sim".into())
            .creation_date(created),
    );
    let settings = PageSettings::from_wh(PAGE_W, PAGE_H).context("page size")?;
    let mut page = document.start_page_with(settings);
    let mut surface = page.surface();
    let mut pen = Pen { surface: &mut surface, font, y: 70.0 };
    pen.centred(9.0, "CỔNG THANH TOÁN MÔ PHỎNG — KHÔNG CÓ GIÁ TRỊ THANH TOÁN");
    pen.y += 10.0;
    pen.centred(17.0, "BIÊN LAI THU PHÍ, LỆ PHÍ");
    pen.centred(SIZE, &format!("Mã giao dịch: {gateway_id}"));
    pen.y += 6.0;
    pen.rule();
    pen.field("Mã tham chiếu:", &t.reference);
    pen.field("Mã hồ sơ:", &r.ma_ho_so);
    pen.field("Thủ tục:", &r.ten_tthc);
    pen.field("Cơ quan thu:", &r.ten_don_vi);
    let mut beneficiary = [r.tk_thu_huong.as_str(), &r.ten_tk_thu_huong]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" — ");
    if !r.ma_nh_thu_huong.is_empty() {
        beneficiary.push_str(&format!(" ({})", r.ma_nh_thu_huong));
    }
    pen.field("Tài khoản thụ hưởng:", &beneficiary);
    pen.field("Người nộp:", &r.ho_ten_nguoi_nop);
    pen.field("Nội dung:", if r.noi_dung_thanh_toan.is_empty() { &t.info } else { &r.noi_dung_thanh_toan });
    pen.y += 4.0;
    pen.rule();
    pen.fee("STT", "Khoản phí, lệ phí", "Số tiền");
    for (i, fee) in r.phi_le_phi.iter().enumerate() {
        let kind = if fee.loai_phi_le_phi == "2" { "Lệ phí" } else { "Phí" };
        pen.fee(&(i + 1).to_string(), &format!("{kind}: {}", fee.ten_phi_le_phi), &Vnd(fee.so_tien).to_string());
    }
    pen.rule();
    pen.fee("", "Tổng cộng", &Vnd(t.amount).to_string());
    pen.y += 8.0;
    pen.field("Thời gian thanh toán:", &local_time(paid_at));
    let bank = t.bank.as_deref().unwrap_or_default();
    pen.field("Ngân hàng:", &format!("{} ({bank})", banks::name(bank).unwrap_or(bank)));
    pen.y += 12.0;
    pen.centred(9.0, "Biên lai điện tử do cổng thanh toán mô phỏng (paygov-sim) lập.");
    surface.finish();
    page.finish();
    document.finish().map_err(|e| anyhow!("PDF: {e:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn wraps_long_text_and_keeps_short_text_whole() {
        assert_eq!(wrap("Cấp bản sao", SIZE, 300.0), vec!["Cấp bản sao".to_owned()]);
        let long = "Thủ tục cấp giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản khác gắn liền với đất";
        let lines = wrap(long, SIZE, 200.0);
        assert!(lines.len() > 1 && lines.iter().all(|l| width(l, SIZE) <= 200.0), "{lines:?}");
        assert_eq!(lines.join(" "), long);
    }

    #[test]
    fn a_paid_transaction_has_a_one_page_pdf() {
        let at = Utc.with_ymd_and_hms(2026, 11, 25, 7, 30, 5).single().unwrap_or_default();
        assert_eq!(local_time(at), "25/11/2026 14:30:05");
        let t = crate::sim::paygov::receipt_fixture();
        let pdf = render(&t).unwrap_or_else(|e| panic!("{e:#}"));
        assert!(pdf.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&pdf);
        let pages = text.match_indices("/Type/Page").filter(|(i, _)| !text[i + 10..].starts_with('s')).count();
        assert!(pages == 1 && text.contains("/Count 1"), "one page");
        assert!(text.contains("MaThamChieu=TT20261125A1B2C3D4"), "the reference is in the metadata");
        assert!(text.contains("/FontFile2"), "the font is embedded");
        assert!(text.contains("/ToUnicode"), "the text can be copied");
        assert!(pdf.len() < 100_000, "the font is subset: {} bytes", pdf.len());
    }
}
