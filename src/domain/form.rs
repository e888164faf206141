//! E-forms (tờ khai điện tử) as data: a JSON definition per procedure, parsed into typed values
//! with Vietnamese messages. No IO: commune look-ups come in through [`FormContext`].
//!
//! A definition is a list of sections of fields. Each field is one HTML input, except an
//! `address`, which is two: `<name>_commune` (the 5-digit code of a commune of the current
//! structure) and `<name>_detail` (house number, street, hamlet). [`FormDefinition::parse_values`]
//! turns the submitted inputs into [`FormValues`] or into [`FormErrors`] in form order;
//! [`FormDefinition::parse_partial`] does the same for a draft, keeping what does not parse yet.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use unicode_normalization::{UnicodeNormalization, is_nfc};

use super::citizen::{CitizenId, Email, IdError, Phone};
use super::fold::{clean, fold};

/// Longest `max_len` a text field may declare.
const MAX_TEXT_LEN: u32 = 10_000;
/// Largest absolute bound of a number field (below 2^53, so JavaScript and JSON agree).
const MAX_NUMBER: i64 = 999_999_999_999_999;
/// Inputs longer than this (in bytes) are cut before normalisation; the cut is reported.
const MAX_INPUT_BYTES: usize = 256 * 1024;
/// A draft keeps at most this many characters of an input that does not parse.
const RAW_CAP: usize = 20_000;
/// Longest house/street line of an address.
const ADDRESS_DETAIL_MAX: usize = 200;
/// Suffix of the commune input of an address field.
const COMMUNE_SUFFIX: &str = "_commune";
/// Suffix of the street/house input of an address field.
const DETAIL_SUFFIX: &str = "_detail";

/// An e-form: a title and its sections, in the order the citizen fills them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormDefinition {
    /// The form's title, e.g. "Tờ khai đăng ký khai sinh".
    pub title: String,
    /// The sections, in order.
    pub sections: Vec<Section>,
}

/// A group of fields with a heading (one page or fieldset of the form).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    /// ASCII snake_case identifier, unique in the form.
    pub id: String,
    /// The heading.
    pub title: String,
    /// An explanation shown under the heading.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// The fields, in order.
    pub fields: Vec<FieldDef>,
}

/// One question of the form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldDef {
    /// ASCII snake_case name, unique in the form; the input name (or prefix, for an address).
    pub name: String,
    /// The label, as printed on the paper form.
    pub label: String,
    /// A hint shown under the label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// Whether the field must be filled before submission (drafts may leave it empty).
    pub required: bool,
    /// What the field holds.
    pub kind: FieldKind,
}

/// What a field holds, tagged by `type` in JSON.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum FieldKind {
    /// Free text, at most `max_len` characters after normalisation.
    Text {
        /// Maximum number of characters (1–10 000).
        max_len: u32,
        /// Several lines (a textarea); line breaks are kept.
        #[serde(default)]
        multiline: bool,
    },
    /// A whole number between `min` and `max` inclusive.
    Number {
        /// Smallest accepted value.
        min: i64,
        /// Largest accepted value.
        max: i64,
    },
    /// A calendar date, typed `dd/mm/yyyy` or sent `yyyy-mm-dd`.
    Date {
        /// The date may not be after today (dates of birth).
        #[serde(default)]
        past_only: bool,
    },
    /// One of a fixed list of options.
    Select {
        /// The options, in display order.
        options: Vec<SelectOption>,
    },
    /// A commune of the current structure plus a house/street line (two inputs).
    Address {},
    /// A 12-digit personal identification number (CCCD).
    CitizenId {},
    /// A Vietnamese mobile number.
    Phone {},
    /// An e-mail address.
    Email {},
}

/// An option of a select field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SelectOption {
    /// The submitted value (stable, stored).
    pub value: String,
    /// The text shown.
    pub label: String,
}

/// What the domain needs from the outside world to parse a form.
pub struct FormContext<'a> {
    /// Today in Asia/Ho_Chi_Minh, from the clock.
    pub today: NaiveDate,
    /// Given a 5-digit commune code, the commune's full name if it is a commune of the current
    /// structure (e.g. `"14797"` → `"Phường Hạc Thành, tỉnh Thanh Hóa"`), else `None`.
    pub commune_exists: &'a dyn Fn(&str) -> Option<String>,
}

/// A parsed answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Value {
    /// Normalised text (NFC, trimmed, spaces collapsed).
    Text(String),
    /// A whole number.
    Number(i64),
    /// A date.
    Date(NaiveDate),
    /// The chosen option of a select, with its label at the time of choosing.
    Choice {
        /// The option's value.
        value: String,
        /// The option's label.
        label: String,
    },
    /// An address in a commune of the current structure.
    Address {
        /// The 5-digit commune code.
        commune_code: String,
        /// The commune's full name as the look-up gave it.
        commune_name: String,
        /// House number, street, hamlet.
        detail: String,
    },
    /// A CCCD number, 12 digits.
    CitizenId(String),
    /// A mobile number, `0xxxxxxxxx`.
    Phone(String),
    /// An e-mail address, domain lower-cased.
    Email(String),
    /// Drafts only: the normalised inputs of a field that does not parse yet, by input name.
    Raw(BTreeMap<String, String>),
}

impl Value {
    /// The value as shown on a receipt: dates `dd/mm/yyyy`, numbers with dot separators, the
    /// option's label, an address as "detail, commune name".
    pub fn shown(&self) -> String {
        match self {
            Value::Text(s) | Value::CitizenId(s) | Value::Phone(s) | Value::Email(s) => s.clone(),
            Value::Number(n) => group(*n),
            Value::Date(d) => d.format("%d/%m/%Y").to_string(),
            Value::Choice { label, .. } => label.clone(),
            Value::Address { commune_name, detail, .. } if detail.is_empty() => commune_name.clone(),
            Value::Address { commune_name, detail, .. } => format!("{detail}, {commune_name}"),
            Value::Raw(inputs) => inputs.values().cloned().collect::<Vec<_>>().join(", "),
        }
    }
}

/// One answered field of a form: its name, its label when answered, its value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldValue {
    /// The field's name.
    pub name: String,
    /// The field's label, kept so a stored dossier reads the same if the form changes later.
    pub label: String,
    /// The answer.
    pub value: Value,
}

/// The answers of a form in form order; empty optional fields are absent. Stored as JSON.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FormValues {
    entries: Vec<FieldValue>,
}

impl FormValues {
    /// The answers, in form order.
    pub fn entries(&self) -> &[FieldValue] {
        &self.entries
    }

    /// The answer to a field, by name.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.entries.iter().find(|e| e.name == name).map(|e| &e.value)
    }

    /// Whether some field still holds unparsed draft input ([`Value::Raw`]).
    pub fn has_raw(&self) -> bool {
        self.entries.iter().any(|e| matches!(e.value, Value::Raw(_)))
    }

    /// `(label, shown text)` pairs for a receipt, in form order.
    pub fn display(&self) -> Vec<(String, String)> {
        self.entries.iter().map(|e| (e.label.clone(), e.value.shown())).collect()
    }
}

/// A message attached to one input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// The input name (for an address, `<name>_commune` or `<name>_detail`), the anchor the error
    /// summary links to.
    pub field: String,
    /// What to do, in Vietnamese.
    pub message: String,
}

/// Why a submitted form was refused: messages in form order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FormErrors {
    errors: Vec<FieldError>,
}

impl FormErrors {
    /// The errors, in form order.
    pub fn iter(&self) -> impl Iterator<Item = &FieldError> {
        self.errors.iter()
    }

    /// The message on an input, if any.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }

    /// How many errors.
    pub fn len(&self) -> usize {
        self.errors.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }
}

impl fmt::Display for FormErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let messages: Vec<&str> = self.errors.iter().map(|e| e.message.as_str()).collect();
        f.write_str(&messages.join(" "))
    }
}

impl std::error::Error for FormErrors {}

impl FormDefinition {
    /// Parses a definition from JSON and checks it ([`FormDefinition::check`]).
    pub fn parse_json(json: &str) -> Result<FormDefinition, String> {
        let form: FormDefinition =
            serde_json::from_str(json).map_err(|e| format!("Định nghĩa biểu mẫu không đúng cấu trúc: {e}"))?;
        form.check()?;
        Ok(form)
    }

    /// Checks the definition itself: non-empty title and sections, snake_case names unique over
    /// every input (an address's two inputs included), sane limits, non-empty unique options,
    /// NFC text without control characters.
    pub fn check(&self) -> Result<(), String> {
        check_text("Tiêu đề biểu mẫu", &self.title, 500)?;
        if self.sections.is_empty() {
            return Err("Biểu mẫu phải có ít nhất một phần.".to_owned());
        }
        let mut section_ids = BTreeSet::new();
        let mut inputs = BTreeSet::new();
        for section in &self.sections {
            if !is_snake_case(&section.id) {
                return Err(format!("Mã phần “{}” phải viết thường không dấu, nối bằng dấu gạch dưới.", section.id));
            }
            if !section_ids.insert(section.id.as_str()) {
                return Err(format!("Mã phần “{}” bị trùng.", section.id));
            }
            check_text(&format!("Tiêu đề phần “{}”", section.id), &section.title, 300)?;
            if let Some(help) = &section.help {
                check_text(&format!("Hướng dẫn của phần “{}”", section.id), help, 1000)?;
            }
            if section.fields.is_empty() {
                return Err(format!("Phần “{}” phải có ít nhất một trường.", section.id));
            }
            for field in &section.fields {
                field.check()?;
                for input in field.input_names() {
                    if !inputs.insert(input.clone()) {
                        return Err(format!("Tên trường “{input}” bị trùng."));
                    }
                }
            }
        }
        Ok(())
    }

    /// The form used for a procedure without its own: the applicant (full name, citizen ID, date
    /// of birth, phone, e-mail, address) and the request in free text.
    pub fn generic(procedure_name: &str) -> FormDefinition {
        let name = clean(procedure_name);
        let title = if name.is_empty() {
            "Tờ khai đề nghị giải quyết thủ tục hành chính".to_owned()
        } else {
            let name: String = name.chars().take(400).collect();
            format!("Tờ khai đề nghị giải quyết thủ tục hành chính: {}", name.trim_end())
        };
        let field = |name: &str, label: &str, required: bool, kind: FieldKind| FieldDef {
            name: name.to_owned(),
            label: label.to_owned(),
            help: None,
            required,
            kind,
        };
        let mut id = field("so_dinh_danh", "Số định danh cá nhân", true, FieldKind::CitizenId {});
        id.help = Some("12 chữ số in trên thẻ Căn cước hoặc Căn cước công dân.".to_owned());
        let mut address = field("noi_cu_tru", "Nơi cư trú", true, FieldKind::Address {});
        address.help = Some(
            "Chọn xã, phường theo đơn vị hành chính hiện hành, rồi ghi số nhà, đường phố hoặc thôn, xóm.".to_owned(),
        );
        let mut request =
            field("noi_dung_de_nghi", "Nội dung đề nghị", true, FieldKind::Text { max_len: 2000, multiline: true });
        request.help = Some("Nêu rõ yêu cầu cần giải quyết và các thông tin liên quan.".to_owned());
        FormDefinition {
            title,
            sections: vec![
                Section {
                    id: "nguoi_yeu_cau".to_owned(),
                    title: "Thông tin người yêu cầu".to_owned(),
                    help: None,
                    fields: vec![
                        field("ho_ten", "Họ, chữ đệm và tên", true, FieldKind::Text { max_len: 100, multiline: false }),
                        id,
                        field("ngay_sinh", "Ngày, tháng, năm sinh", true, FieldKind::Date { past_only: true }),
                        field("dien_thoai", "Số điện thoại di động", true, FieldKind::Phone {}),
                        field("email", "Thư điện tử", false, FieldKind::Email {}),
                        address,
                    ],
                },
                Section {
                    id: "noi_dung".to_owned(),
                    title: "Nội dung đề nghị".to_owned(),
                    help: None,
                    fields: vec![request],
                },
            ],
        }
    }

    /// Every field, in form order.
    pub fn fields(&self) -> impl Iterator<Item = &FieldDef> {
        self.sections.iter().flat_map(|s| s.fields.iter())
    }

    /// Every input name, in form order (an address gives two).
    pub fn input_names(&self) -> Vec<String> {
        self.fields().flat_map(FieldDef::input_names).collect()
    }

    /// Parses submitted inputs (by input name; unknown names are ignored) into typed values, or
    /// every problem in form order.
    pub fn parse_values(
        &self,
        input: &BTreeMap<String, String>,
        ctx: &FormContext<'_>,
    ) -> Result<FormValues, FormErrors> {
        let mut entries = Vec::new();
        let mut errors = Vec::new();
        for field in self.fields() {
            match field.parse(input, ctx).result {
                Ok(Some(value)) => entries.push(field.answer(value)),
                Ok(None) => {}
                Err(mut e) => errors.append(&mut e),
            }
        }
        if errors.is_empty() { Ok(FormValues { entries }) } else { Err(FormErrors { errors }) }
    }

    /// Parses a draft: the same normalisation, but empty required fields are allowed and input
    /// that does not parse is kept, normalised, as [`Value::Raw`]; never fails.
    pub fn parse_partial(&self, input: &BTreeMap<String, String>, ctx: &FormContext<'_>) -> FormValues {
        let mut entries = Vec::new();
        for field in self.fields() {
            let parsed = field.parse(input, ctx);
            match parsed.result {
                Ok(Some(value)) => entries.push(field.answer(value)),
                _ if parsed.raw.is_empty() => {}
                _ => entries.push(field.answer(Value::Raw(parsed.raw))),
            }
        }
        FormValues { entries }
    }

    /// The inputs that refill the form from saved values (a draft, or a dossier to correct):
    /// dates as `dd/mm/yyyy`, numbers without separators, a select's value, an address's two
    /// inputs. Values of fields no longer in the form are dropped.
    pub fn raw_from_values(&self, values: &FormValues) -> BTreeMap<String, String> {
        let mut raw = BTreeMap::new();
        for field in self.fields() {
            let Some(value) = values.get(&field.name) else { continue };
            let name = field.name.clone();
            match value {
                Value::Text(s) | Value::CitizenId(s) | Value::Phone(s) | Value::Email(s) => {
                    raw.insert(name, s.clone());
                }
                Value::Number(n) => {
                    raw.insert(name, n.to_string());
                }
                Value::Date(d) => {
                    raw.insert(name, d.format("%d/%m/%Y").to_string());
                }
                Value::Choice { value, .. } => {
                    raw.insert(name, value.clone());
                }
                Value::Address { commune_code, detail, .. } => {
                    raw.insert(format!("{name}{COMMUNE_SUFFIX}"), commune_code.clone());
                    raw.insert(format!("{name}{DETAIL_SUFFIX}"), detail.clone());
                }
                Value::Raw(inputs) => {
                    let own = field.input_names();
                    raw.extend(inputs.iter().filter(|(k, _)| own.contains(k)).map(|(k, v)| (k.clone(), v.clone())));
                }
            }
        }
        raw
    }
}

/// The outcome of one field: its normalised non-empty inputs (for drafts) and its value.
struct Parsed {
    raw: BTreeMap<String, String>,
    result: Result<Option<Value>, Vec<FieldError>>,
}

impl FieldDef {
    /// The names of the field's inputs: `<name>_commune` and `<name>_detail` for an address,
    /// otherwise the name itself.
    pub fn input_names(&self) -> Vec<String> {
        match self.kind {
            FieldKind::Address {} => {
                vec![format!("{}{COMMUNE_SUFFIX}", self.name), format!("{}{DETAIL_SUFFIX}", self.name)]
            }
            _ => vec![self.name.clone()],
        }
    }

    fn check(&self) -> Result<(), String> {
        let name = &self.name;
        if !is_snake_case(name) {
            return Err(format!("Tên trường “{name}” phải viết thường không dấu, nối bằng dấu gạch dưới."));
        }
        check_text(&format!("Nhãn của trường “{name}”"), &self.label, 300)?;
        if let Some(help) = &self.help {
            check_text(&format!("Hướng dẫn của trường “{name}”"), help, 1000)?;
        }
        match &self.kind {
            FieldKind::Text { max_len, .. } if *max_len == 0 || *max_len > MAX_TEXT_LEN => {
                Err(format!("Trường “{name}”: độ dài tối đa phải từ 1 đến {}.", group(i64::from(MAX_TEXT_LEN))))
            }
            FieldKind::Number { min, max } if min > max => {
                Err(format!("Trường “{name}”: giá trị nhỏ nhất lớn hơn giá trị lớn nhất."))
            }
            FieldKind::Number { min, max }
                if min.unsigned_abs() > MAX_NUMBER.unsigned_abs() || max.unsigned_abs() > MAX_NUMBER.unsigned_abs() =>
            {
                Err(format!("Trường “{name}”: giới hạn vượt quá ±{}.", group(MAX_NUMBER)))
            }
            FieldKind::Select { options } if options.is_empty() => {
                Err(format!("Trường “{name}” phải có ít nhất một lựa chọn."))
            }
            FieldKind::Select { options } => {
                let mut seen = BTreeSet::new();
                for option in options {
                    let value = &option.value;
                    if value.is_empty() || value.trim() != value || value.chars().count() > 100 {
                        return Err(format!("Trường “{name}”: giá trị lựa chọn “{value}” không hợp lệ."));
                    }
                    check_text(&format!("Nhãn lựa chọn “{value}” của trường “{name}”"), &option.label, 300)?;
                    if !seen.insert(value.as_str()) {
                        return Err(format!("Trường “{name}”: giá trị lựa chọn “{value}” bị trùng."));
                    }
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn answer(&self, value: Value) -> FieldValue {
        FieldValue { name: self.name.clone(), label: self.label.clone(), value }
    }

    fn parse(&self, input: &BTreeMap<String, String>, ctx: &FormContext<'_>) -> Parsed {
        let get = |key: &str| input.get(key).map(String::as_str).unwrap_or("");
        match &self.kind {
            FieldKind::Address {} => self.parse_address(
                get(&format!("{}{COMMUNE_SUFFIX}", self.name)),
                get(&format!("{}{DETAIL_SUFFIX}", self.name)),
                ctx,
            ),
            FieldKind::Text { max_len, multiline } => {
                self.single(get(&self.name), *multiline, |t| self.text(t, *max_len).map(Value::Text))
            }
            FieldKind::Number { min, max } => self.single(get(&self.name), false, |t| self.number(&t.text, *min, *max)),
            FieldKind::Date { past_only } => {
                self.single(get(&self.name), false, |t| self.date(&t.text, *past_only, ctx))
            }
            FieldKind::Select { options } => self.single(get(&self.name), false, |t| {
                options
                    .iter()
                    .find(|o| o.value == t.text)
                    .map(|o| Value::Choice { value: o.value.clone(), label: o.label.clone() })
                    .ok_or_else(|| {
                        format!(
                            "Lựa chọn cho {} không có trong danh sách; vui lòng chọn lại.",
                            lower_first(&self.label)
                        )
                    })
            }),
            FieldKind::CitizenId {} => self.single(get(&self.name), false, |t| {
                CitizenId::parse(&t.text, ctx.today)
                    .map(|id| Value::CitizenId(id.as_str().to_owned()))
                    .map_err(|e: IdError| with_label(&self.label, e.message()))
            }),
            FieldKind::Phone {} => self.single(get(&self.name), false, |t| {
                Phone::parse(&t.text)
                    .map(|p| Value::Phone(p.as_str().to_owned()))
                    .map_err(|m| with_label(&self.label, m))
            }),
            FieldKind::Email {} => self.single(get(&self.name), false, |t| {
                Email::parse(&t.text)
                    .map(|e| Value::Email(e.as_str().to_owned()))
                    .map_err(|m| with_label(&self.label, m))
            }),
        }
    }

    /// Parses a one-input field: normalise, then empty / control characters / the kind's parser.
    fn single(&self, input: &str, multiline: bool, parse: impl FnOnce(&Tidy) -> Result<Value, String>) -> Parsed {
        let tidy = tidy(input, multiline);
        let mut raw = BTreeMap::new();
        if !tidy.text.is_empty() {
            raw.insert(self.name.clone(), tidy.text.chars().take(RAW_CAP).collect());
        }
        let result = if tidy.bad {
            Err(control_message(&self.label))
        } else if tidy.text.is_empty() {
            if self.required { Err(self.missing_message()) } else { return Parsed { raw, result: Ok(None) } }
        } else {
            parse(&tidy)
        };
        let result = result.map(Some).map_err(|message| vec![FieldError { field: self.name.clone(), message }]);
        Parsed { raw, result }
    }

    fn missing_message(&self) -> String {
        let verb = if matches!(self.kind, FieldKind::Select { .. }) { "chọn" } else { "nhập" };
        format!("Vui lòng {verb} {}.", lower_first(&self.label))
    }

    fn text(&self, tidy: &Tidy, max_len: u32) -> Result<String, String> {
        let count = tidy.text.chars().count();
        let limit = group(i64::from(max_len));
        if tidy.truncated {
            Err(format!("{} chỉ được nhập tối đa {limit} ký tự; vui lòng rút gọn.", self.label))
        } else if count > max_len as usize {
            Err(format!(
                "{} chỉ được nhập tối đa {limit} ký tự (đang có {} ký tự); vui lòng rút gọn.",
                self.label,
                group(i64::try_from(count).unwrap_or(i64::MAX))
            ))
        } else {
            Ok(tidy.text.clone())
        }
    }

    fn number(&self, text: &str, min: i64, max: i64) -> Result<Value, String> {
        let n = parse_integer(text).ok_or_else(|| {
            format!("{} phải là số nguyên, chỉ gồm chữ số (ví dụ {}).", self.label, group(min.max(1)))
        })?;
        match i64::try_from(n) {
            Ok(n) if (min..=max).contains(&n) => Ok(Value::Number(n)),
            _ => Err(format!("{} phải từ {} đến {}.", self.label, group(min), group(max))),
        }
    }

    fn date(&self, text: &str, past_only: bool, ctx: &FormContext<'_>) -> Result<Value, String> {
        let label = &self.label;
        let date = match parse_date(text) {
            Ok(date) => date,
            Err(DateError::Format) => {
                return Err(format!("{label} phải ghi theo dạng ngày/tháng/năm, ví dụ 05/01/1990."));
            }
            Err(DateError::Nonexistent) => {
                return Err(format!("{label} không phải ngày có thật; vui lòng kiểm tra lại ngày và tháng."));
            }
        };
        let year = date.year();
        if year < ctx.today.year() - 150 || year > ctx.today.year() + 100 {
            return Err(format!("{label}: năm {year} không hợp lệ; vui lòng kiểm tra lại."));
        }
        if past_only && date > ctx.today {
            return Err(format!("{label} không được sau ngày hôm nay."));
        }
        Ok(Value::Date(date))
    }

    fn parse_address(&self, commune: &str, detail: &str, ctx: &FormContext<'_>) -> Parsed {
        let (commune_input, detail_input) =
            (format!("{}{COMMUNE_SUFFIX}", self.name), format!("{}{DETAIL_SUFFIX}", self.name));
        let (code, line) = (tidy(commune, false), tidy(detail, false));
        let mut raw = BTreeMap::new();
        for (input, t) in [(&commune_input, &code), (&detail_input, &line)] {
            if !t.text.is_empty() {
                raw.insert(input.clone(), t.text.chars().take(RAW_CAP).collect());
            }
        }
        let empty = |t: &Tidy| t.text.is_empty() && !t.bad;
        if empty(&code) && empty(&line) && !self.required {
            return Parsed { raw, result: Ok(None) };
        }
        let of = lower_first(&self.label);
        let mut errors = Vec::new();
        let mut commune_name = None;
        let commune_error = if code.bad {
            Some(control_message(&format!("Mã xã, phường của {of}")))
        } else if code.text.is_empty() {
            Some(format!("Vui lòng chọn xã, phường của {of}."))
        } else if code.text.len() != 5 || !code.text.bytes().all(|b| b.is_ascii_digit()) {
            Some(format!("Mã xã, phường của {of} phải gồm 5 chữ số; vui lòng chọn lại trong danh sách."))
        } else {
            commune_name = (ctx.commune_exists)(&code.text);
            commune_name.is_none().then(|| {
                format!("Xã, phường đã chọn cho {of} không có trong danh mục đơn vị hành chính hiện hành; vui lòng chọn lại.")
            })
        };
        if let Some(message) = commune_error {
            errors.push(FieldError { field: commune_input, message });
        }
        let detail_error = if line.bad {
            Some(control_message(&format!("Số nhà, đường phố, thôn, xóm của {of}")))
        } else if line.text.is_empty() {
            Some(format!("Vui lòng nhập số nhà, đường phố hoặc thôn, xóm của {of}."))
        } else if line.truncated || line.text.chars().count() > ADDRESS_DETAIL_MAX {
            Some(format!("Số nhà, đường phố, thôn, xóm của {of} chỉ được nhập tối đa {ADDRESS_DETAIL_MAX} ký tự."))
        } else {
            None
        };
        if let Some(message) = detail_error {
            errors.push(FieldError { field: detail_input, message });
        }
        let result = match commune_name {
            Some(commune_name) if errors.is_empty() => {
                Ok(Some(Value::Address { commune_code: code.text, commune_name, detail: line.text }))
            }
            _ => Err(errors),
        };
        Parsed { raw, result }
    }
}

/// An input after normalisation.
struct Tidy {
    /// NFC, trimmed, whitespace collapsed (line breaks kept if multiline), invisible characters
    /// and control characters removed.
    text: String,
    /// The input held control characters or bidirectional overrides.
    bad: bool,
    /// The input was longer than [`MAX_INPUT_BYTES`] and was cut.
    truncated: bool,
}

/// Normalises an input: NFC; control characters and bidi overrides flagged and dropped;
/// zero-width spaces, BOMs and soft hyphens dropped; whitespace collapsed. In multiline text
/// each line is collapsed on its own, line endings become `\n`, and runs of blank lines become
/// one blank line.
fn tidy(input: &str, multiline: bool) -> Tidy {
    let mut end = input.len().min(MAX_INPUT_BYTES);
    while !input.is_char_boundary(end) {
        end -= 1;
    }
    let truncated = end < input.len();
    let mut bad = false;
    let nfc: String = input[..end]
        .nfc()
        .filter(|&c| {
            let forbidden = (c.is_control() && !c.is_whitespace())
                || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
            bad |= forbidden;
            !forbidden && !matches!(c, '\u{200B}' | '\u{FEFF}' | '\u{00AD}')
        })
        .collect();
    let collapse = |line: &str| line.split_whitespace().collect::<Vec<_>>().join(" ");
    let text = if multiline {
        let mut lines: Vec<String> = Vec::new();
        for line in nfc.replace("\r\n", "\n").split(['\n', '\r']) {
            let line = collapse(line);
            if line.is_empty() && lines.last().is_none_or(String::is_empty) {
                continue;
            }
            lines.push(line);
        }
        while lines.last().is_some_and(String::is_empty) {
            lines.pop();
        }
        lines.join("\n")
    } else {
        collapse(&nfc)
    };
    Tidy { text, bad, truncated }
}

/// Why a date did not parse.
enum DateError {
    /// Not `d/m/yyyy` nor `yyyy-m-d`.
    Format,
    /// Well-formed but not in the calendar (31/02).
    Nonexistent,
}

/// Parses `dd/mm/yyyy` (also with `-` or `.`, one-digit day or month) or `yyyy-mm-dd`.
fn parse_date(text: &str) -> Result<NaiveDate, DateError> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let parts: Vec<&str> = compact.split(['/', '-', '.']).collect();
    let [a, b, c] = parts.as_slice() else { return Err(DateError::Format) };
    let digits =
        |p: &str, len: std::ops::RangeInclusive<usize>| len.contains(&p.len()) && p.bytes().all(|x| x.is_ascii_digit());
    let (y, m, d) = if digits(a, 4..=4) && digits(b, 1..=2) && digits(c, 1..=2) {
        (*a, *b, *c)
    } else if digits(a, 1..=2) && digits(b, 1..=2) && digits(c, 4..=4) {
        (*c, *b, *a)
    } else {
        return Err(DateError::Format);
    };
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i32>(), m.parse::<u32>(), d.parse::<u32>()) else {
        return Err(DateError::Format);
    };
    NaiveDate::from_ymd_opt(y, m, d).ok_or(DateError::Nonexistent)
}

/// Parses a whole number: an optional sign, digits, optionally grouped by spaces or by dots in
/// threes (`1.000.000`, the Vietnamese convention). Too many digits saturate, so the range check
/// reports them.
fn parse_integer(text: &str) -> Option<i128> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let (negative, unsigned) = match compact.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, compact.strip_prefix('+').unwrap_or(&compact)),
    };
    let groups: Vec<&str> = unsigned.split('.').collect();
    let grouped_ok =
        groups.len() == 1 || ((1..=3).contains(&groups[0].len()) && groups[1..].iter().all(|g| g.len() == 3));
    let digits: String = groups.concat();
    if !grouped_ok || digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let significant = digits.trim_start_matches('0');
    let magnitude = if significant.len() > 30 { i128::MAX } else { significant.parse::<i128>().unwrap_or(0) };
    Some(if negative { -magnitude } else { magnitude })
}

/// `1.250.000` for |n| ≥ 10 000; smaller numbers (years, counts) without separators.
pub fn group(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    if n.unsigned_abs() < 10_000 {
        return n.to_string();
    }
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(d);
    }
    out
}

/// The label with its first letter lower-cased, to follow "Vui lòng nhập …"; an acronym at the
/// start ("CCCD") is kept.
fn lower_first(label: &str) -> String {
    let mut chars = label.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if !second.is_uppercase() => {
            first.to_lowercase().chain(label[first.len_utf8()..].chars()).collect()
        }
        (Some(first), None) => first.to_lowercase().collect(),
        _ => label.to_owned(),
    }
}

/// A parser's message, prefixed with the field's label unless it already names it (so the
/// mother's and the father's ID errors can be told apart in the error summary).
fn with_label(label: &str, message: &str) -> String {
    if fold(message).starts_with(&fold(label)) {
        message.to_owned()
    } else {
        format!("{label}: {}", lower_first(message))
    }
}

fn control_message(label: &str) -> String {
    format!("{label} có ký tự điều khiển không hợp lệ; vui lòng nhập lại bằng chữ, số và dấu câu thông thường.")
}

/// ASCII snake_case: a lowercase letter, then lowercase letters, digits and single underscores.
fn is_snake_case(name: &str) -> bool {
    name.len() <= 60
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && !name.ends_with('_')
        && !name.contains("__")
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Checks a human-readable text of the definition: non-empty, trimmed, NFC, no control
/// characters, at most `max` characters.
fn check_text(what: &str, text: &str, max: usize) -> Result<(), String> {
    if text.trim().is_empty() {
        Err(format!("{what} không được để trống."))
    } else if text.trim() != text || !is_nfc(text) || text.chars().any(char::is_control) {
        Err(format!("{what} phải ở dạng Unicode NFC, không có khoảng trắng thừa ở đầu, cuối hay ký tự điều khiển."))
    } else if text.chars().count() > max {
        Err(format!("{what} dài tối đa {max} ký tự."))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_normalization::UnicodeNormalization;

    /// The six real forms, read at compile time so the domain stays IO-free.
    /// `refdata/catalogue/tools/check_eforms.py` fails if a file in `eforms/` is missing here.
    const EFORMS: [(&str, &str); 6] = [
        ("1.001193", include_str!("../../refdata/catalogue/eforms/1.001193.json")),
        ("1.000894", include_str!("../../refdata/catalogue/eforms/1.000894.json")),
        ("1.004222", include_str!("../../refdata/catalogue/eforms/1.004222.json")),
        ("1.001612", include_str!("../../refdata/catalogue/eforms/1.001612.json")),
        ("3.000333", include_str!("../../refdata/catalogue/eforms/3.000333.json")),
        ("2.000815", include_str!("../../refdata/catalogue/eforms/2.000815.json")),
    ];

    const HAC_THANH: &str = "Phường Hạc Thành, tỉnh Thanh Hóa";

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default()
    }

    fn communes(code: &str) -> Option<String> {
        match code {
            "14797" => Some(HAC_THANH.to_owned()),
            "16531" => Some("Phường Sầm Sơn, tỉnh Thanh Hóa".to_owned()),
            _ => None,
        }
    }

    fn ctx() -> FormContext<'static> {
        FormContext { today: today(), commune_exists: &communes }
    }

    fn form(json: &str) -> FormDefinition {
        FormDefinition::parse_json(json).unwrap_or_else(|e| panic!("{e}\n{json}"))
    }

    fn inputs(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    /// A form with one field of the given kind, named `f`, labelled "Trường thử".
    fn one(kind: &str, required: bool) -> FormDefinition {
        form(&format!(
            r#"{{"title": "Thử", "sections": [{{"id": "s", "title": "Phần", "fields": [
                {{"name": "f", "label": "Trường thử", "required": {required}, "kind": {kind}}}]}}]}}"#
        ))
    }

    /// Parses `input` into the single field `f` of a form built by [`one`].
    fn value_of(def: &FormDefinition, input: &[(&str, &str)]) -> Result<Option<Value>, Vec<(String, String)>> {
        def.parse_values(&inputs(input), &ctx())
            .map(|v| v.get("f").cloned())
            .map_err(|e| e.iter().map(|e| (e.field.clone(), e.message.clone())).collect())
    }

    /// A valid input for every field of a form.
    fn sample(def: &FormDefinition) -> BTreeMap<String, String> {
        let mut raw = BTreeMap::new();
        for field in def.fields() {
            let name = field.name.clone();
            let value = match &field.kind {
                FieldKind::Text { max_len, multiline: true } if *max_len >= 40 => {
                    "Dòng thứ nhất\nDòng thứ hai".to_owned()
                }
                FieldKind::Text { .. } => "Nguyễn Thị Ánh".to_owned(),
                FieldKind::Number { min, max } => (min + (max - min) / 2).to_string(),
                FieldKind::Date { .. } => "05/01/1990".to_owned(),
                FieldKind::Select { options } => options.last().map(|o| o.value.clone()).unwrap_or_default(),
                FieldKind::Address {} => {
                    raw.insert(format!("{name}_commune"), "14797".to_owned());
                    raw.insert(format!("{name}_detail"), "Số 5 đường Lê Lợi".to_owned());
                    continue;
                }
                FieldKind::CitizenId {} => "038090012345".to_owned(),
                FieldKind::Phone {} => "0912345678".to_owned(),
                FieldKind::Email {} => "an@example.vn".to_owned(),
            };
            raw.insert(name, value);
        }
        raw
    }

    fn round_trips(def: &FormDefinition, values: &FormValues) {
        let again = def.parse_values(&def.raw_from_values(values), &ctx()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(&again, values, "parse → raw_from_values → parse");
        let json = serde_json::to_string(values).unwrap_or_else(|e| panic!("{e}"));
        let stored: FormValues = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(&stored, values, "JSON storage");
    }

    #[test]
    fn every_eform_parses_and_accepts_a_complete_dossier() {
        for (code, json) in EFORMS {
            let def = FormDefinition::parse_json(json).unwrap_or_else(|e| panic!("{code}: {e}"));
            assert!(def.fields().count() >= 6, "{code}");
            let values = def.parse_values(&sample(&def), &ctx()).unwrap_or_else(|e| panic!("{code}: {e}"));
            assert_eq!(values.entries().len(), def.fields().count(), "{code}: every field answered");
            round_trips(&def, &values);
            let errors = def.parse_values(&BTreeMap::new(), &ctx()).err().unwrap_or_default();
            let required: usize = def
                .fields()
                .filter(|f| f.required)
                .map(|f| if matches!(f.kind, FieldKind::Address {}) { 2 } else { 1 })
                .sum();
            assert_eq!(errors.len(), required, "{code}: an empty form has one error per required input");
            assert!(errors.iter().all(|e| e.message.starts_with("Vui lòng ")), "{code}: {errors}");
            let serialised = serde_json::to_string(&def).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(FormDefinition::parse_json(&serialised), Ok(def), "{code}: serialises back");
        }
    }

    #[test]
    fn eforms_follow_the_official_forms() {
        let def = |code: &str| {
            EFORMS.iter().find(|(c, _)| *c == code).map(|(_, json)| form(json)).unwrap_or_else(|| panic!("{code}"))
        };
        let field = |d: &FormDefinition, name: &str| {
            d.fields().find(|f| f.name == name).cloned().unwrap_or_else(|| panic!("no field {name}"))
        };
        // Khai sinh: the mother's data is required, the father's may be left out entirely.
        let birth = def("1.001193");
        let father: Vec<&FieldDef> = birth.sections.iter().filter(|s| s.id == "cha").flat_map(|s| &s.fields).collect();
        assert_eq!(father.len(), 6);
        assert!(father.iter().all(|f| !f.required));
        assert!(field(&birth, "me_so_dinh_danh").required);
        assert_eq!(field(&birth, "me_nam_sinh").kind, FieldKind::Number { min: 1900, max: 2026 });
        assert_eq!(field(&birth, "khai_sinh_ngay_sinh").kind, FieldKind::Date { past_only: true });
        let mut without_father = sample(&birth);
        without_father.retain(|k, _| !k.starts_with("cha_"));
        assert!(birth.parse_values(&without_father, &ctx()).is_ok());
        // Lý lịch tư pháp: Phiếu số 1 or số 2, 1–10 copies.
        let record = def("3.000333");
        assert_eq!(field(&record, "so_luong_phieu").kind, FieldKind::Number { min: 1, max: 10 });
        assert!(!field(&record, "noi_tam_tru").required);
        // Chứng thực: 1–50 copies of 1–200 pages.
        let copy = def("2.000815");
        assert_eq!(field(&copy, "so_ban_sao").kind, FieldKind::Number { min: 1, max: 50 });
        assert_eq!(field(&copy, "so_trang").kind, FieldKind::Number { min: 1, max: 200 });
        assert_eq!(field(&def("1.004222"), "cho_o_hop_phap").kind, FieldKind::Address {});
        assert_eq!(field(&def("1.001612"), "tru_so").kind, FieldKind::Address {});
        assert_eq!(field(&def("1.000894"), "nam_lan_ket_hon").kind, FieldKind::Number { min: 1, max: 20 });
    }

    #[test]
    fn the_generic_form() {
        let def = FormDefinition::generic("  Cấp  Giấy phép xây dựng ");
        assert_eq!(def.check(), Ok(()));
        assert_eq!(def.title, "Tờ khai đề nghị giải quyết thủ tục hành chính: Cấp Giấy phép xây dựng");
        let json = serde_json::to_string(&def).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(FormDefinition::parse_json(&json).as_ref(), Ok(&def));
        assert_eq!(
            def.input_names(),
            [
                "ho_ten",
                "so_dinh_danh",
                "ngay_sinh",
                "dien_thoai",
                "email",
                "noi_cu_tru_commune",
                "noi_cu_tru_detail",
                "noi_dung_de_nghi"
            ]
        );
        let request = def.fields().last().map(|f| (f.required, f.kind.clone()));
        assert_eq!(request, Some((true, FieldKind::Text { max_len: 2000, multiline: true })));
        let values = def.parse_values(&sample(&def), &ctx()).unwrap_or_else(|e| panic!("{e}"));
        round_trips(&def, &values);
        assert_eq!(FormDefinition::generic("").check(), Ok(()));
        assert_eq!(FormDefinition::generic(&"Thủ tục rất dài ".repeat(100)).check(), Ok(()));
    }

    #[test]
    fn bad_definitions_are_refused() {
        let field = |name: &str, kind: &str| {
            format!(r#"{{"name": "{name}", "label": "Nhãn", "required": true, "kind": {kind}}}"#)
        };
        let wrap = |fields: &[String]| {
            format!(
                r#"{{"title": "Thử", "sections": [{{"id": "s", "title": "Phần", "fields": [{}]}}]}}"#,
                fields.join(",")
            )
        };
        let text = r#"{"type": "text", "max_len": 10}"#;
        let cases = [
            (wrap(&[field("ho_ten", text), field("ho_ten", text)]), "bị trùng"),
            (
                wrap(&[field("dia_chi", r#"{"type": "address"}"#), field("dia_chi_commune", text)]),
                "“dia_chi_commune” bị trùng",
            ),
            (wrap(&[field("HoTen", text)]), "viết thường"),
            (wrap(&[field("ho__ten", text)]), "viết thường"),
            (wrap(&[field("ho_ten", r#"{"type": "text", "max_len": 0}"#)]), "độ dài tối đa"),
            (wrap(&[field("ho_ten", r#"{"type": "text", "max_len": 1000000}"#)]), "độ dài tối đa"),
            (wrap(&[field("so", r#"{"type": "number", "min": 5, "max": 1}"#)]), "nhỏ nhất"),
            (wrap(&[field("so", r#"{"type": "number", "min": 0, "max": 9223372036854775807}"#)]), "vượt quá"),
            (wrap(&[field("chon", r#"{"type": "select", "options": []}"#)]), "ít nhất một lựa chọn"),
            (
                wrap(&[field(
                    "chon",
                    r#"{"type": "select", "options": [{"value": "a", "label": "A"}, {"value": "a", "label": "B"}]}"#,
                )]),
                "bị trùng",
            ),
            (wrap(&[field("chon", r#"{"type": "select", "options": [{"value": "", "label": "A"}]}"#)]), "không hợp lệ"),
            (wrap(&[field("ho_ten", r#"{"type": "text", "max_len": 10, "pattern": "x"}"#)]), "unknown field"),
            (wrap(&[field("dia_chi", r#"{"type": "address", "province": "38"}"#)]), "unknown field"),
            (wrap(&[field("x", r#"{"type": "checkbox"}"#)]), "unknown variant"),
            (wrap(&[field("x", r#"{"max_len": 10}"#)]), "missing field `type`"),
            (wrap(&[]), "ít nhất một trường"),
            (r#"{"title": "Thử", "sections": []}"#.to_owned(), "ít nhất một phần"),
            (r#"{"title": " ", "sections": []}"#.to_owned(), "không được để trống"),
            (r#"{"title": "Thử", "sections": [], "version": 2}"#.to_owned(), "unknown field"),
            (wrap(&[field("x", text)]).replace("Nhãn", &"Nhãn".nfd().collect::<String>()), "NFC"),
            ("not json".to_owned(), "không đúng cấu trúc"),
        ];
        for (json, want) in cases {
            match FormDefinition::parse_json(&json) {
                Ok(_) => panic!("accepted: {json}"),
                Err(e) => assert!(e.contains(want), "{json}\n→ {e}\nwanted {want}"),
            }
        }
    }

    #[test]
    fn text_is_normalised() {
        let line = one(r#"{"type": "text", "max_len": 200}"#, true);
        let nfd: String = "Nguyễn  Thị\tÁnh".nfd().collect();
        assert_ne!(nfd, "Nguyễn  Thị\tÁnh");
        let cases = [
            (nfd.as_str(), "Nguyễn Thị Ánh"),
            ("  Lê\u{a0}Văn   Tám  ", "Lê Văn Tám"),
            ("dòng một\r\ndòng hai", "dòng một dòng hai"),
            ("Zero\u{200b}width\u{feff}", "Zerowidth"),
        ];
        for (input, want) in cases {
            assert_eq!(value_of(&line, &[("f", input)]), Ok(Some(Value::Text(want.to_owned()))), "{input:?}");
        }
        let area = one(r#"{"type": "text", "max_len": 200, "multiline": true}"#, true);
        let cases = [
            ("\n\n  Dòng   một \r\n\r\n\r\n\tDòng hai\rDòng ba  \n\n", "Dòng một\n\nDòng hai\nDòng ba"),
            (nfd.as_str(), "Nguyễn Thị Ánh"),
        ];
        for (input, want) in cases {
            assert_eq!(value_of(&area, &[("f", input)]), Ok(Some(Value::Text(want.to_owned()))), "{input:?}");
        }
    }

    #[test]
    fn text_is_refused() {
        let def = one(r#"{"type": "text", "max_len": 200}"#, true);
        let msg = |input: &str| match value_of(&def, &[("f", input)]) {
            Err(errors) => errors.into_iter().map(|(f, m)| format!("{f}: {m}")).collect::<Vec<_>>().join(" | "),
            Ok(v) => panic!("accepted {v:?}"),
        };
        let control =
            "f: Trường thử có ký tự điều khiển không hợp lệ; vui lòng nhập lại bằng chữ, số và dấu câu thông thường.";
        assert_eq!(msg("abc\u{0}def"), control);
        assert_eq!(msg("\u{7}"), control, "only control characters is not 'empty'");
        assert_eq!(msg("abc\u{202e}fed"), control, "bidi override");
        assert_eq!(msg(""), "f: Vui lòng nhập trường thử.");
        assert_eq!(msg(" \t\n "), "f: Vui lòng nhập trường thử.");
        assert_eq!(
            msg(&"ă".repeat(201)),
            "f: Trường thử chỉ được nhập tối đa 200 ký tự (đang có 201 ký tự); vui lòng rút gọn."
        );
        assert_eq!(value_of(&def, &[("f", &"ă".repeat(200))]).map(|v| v.is_some()), Ok(true), "200 is allowed");
        let huge = "a".repeat(100 * 1024);
        assert_eq!(
            msg(&huge),
            "f: Trường thử chỉ được nhập tối đa 200 ký tự (đang có 102.400 ký tự); vui lòng rút gọn."
        );
        let enormous = "ệ".repeat(MAX_INPUT_BYTES);
        assert_eq!(msg(&enormous), "f: Trường thử chỉ được nhập tối đa 200 ký tự; vui lòng rút gọn.");
    }

    #[test]
    fn numbers() {
        let def = one(r#"{"type": "number", "min": -5, "max": 2000000}"#, true);
        for (input, want) in
            [("42", 42), (" 1.000.000 ", 1_000_000), ("1 500", 1500), ("+7", 7), ("-5", -5), ("007", 7)]
        {
            assert_eq!(value_of(&def, &[("f", input)]), Ok(Some(Value::Number(want))), "{input}");
        }
        let not_integer = "Trường thử phải là số nguyên, chỉ gồm chữ số (ví dụ 1).";
        let range = "Trường thử phải từ -5 đến 2.000.000.";
        for (input, want) in [
            ("abc", not_integer),
            ("1,5", not_integer),
            ("1.5", not_integer),
            ("1.00.000", not_integer),
            ("--1", not_integer),
            ("-6", range),
            ("2000001", range),
            ("99999999999999999999999999999999999999999", range),
        ] {
            assert_eq!(value_of(&def, &[("f", input)]), Err(vec![("f".to_owned(), want.to_owned())]), "{input}");
        }
        let year = one(r#"{"type": "number", "min": 1900, "max": 2026}"#, true);
        assert_eq!(
            value_of(&year, &[("f", "1899")]),
            Err(vec![("f".to_owned(), "Trường thử phải từ 1900 đến 2026.".to_owned())]),
            "years read without separators"
        );
    }

    #[test]
    fn dates() {
        let def = one(r#"{"type": "date", "past_only": true}"#, true);
        let jan5 = NaiveDate::from_ymd_opt(1990, 1, 5);
        for input in ["05/01/1990", "5/1/1990", "1990-01-05", "05-01-1990", "05.01.1990", " 05 / 01 / 1990 "] {
            assert_eq!(value_of(&def, &[("f", input)]), Ok(jan5.map(Value::Date)), "{input}");
        }
        assert_eq!(value_of(&def, &[("f", "25/11/2026")]), Ok(Some(Value::Date(today()))), "today is not future");
        let format = "Trường thử phải ghi theo dạng ngày/tháng/năm, ví dụ 05/01/1990.";
        for (input, want) in [
            ("26/11/2026", "Trường thử không được sau ngày hôm nay."),
            ("31/02/2000", "Trường thử không phải ngày có thật; vui lòng kiểm tra lại ngày và tháng."),
            ("1990-13-01", "Trường thử không phải ngày có thật; vui lòng kiểm tra lại ngày và tháng."),
            ("05/01/0199", "Trường thử: năm 199 không hợp lệ; vui lòng kiểm tra lại."),
            ("hôm qua", format),
            ("05/01/90", format),
            ("1990/01", format),
            ("05011990", format),
        ] {
            assert_eq!(value_of(&def, &[("f", input)]), Err(vec![("f".to_owned(), want.to_owned())]), "{input}");
        }
        let any = one(r#"{"type": "date"}"#, true);
        assert_eq!(value_of(&any, &[("f", "01/01/2027")]), Ok(NaiveDate::from_ymd_opt(2027, 1, 1).map(Value::Date)));
    }

    #[test]
    fn selects() {
        let def = one(
            r#"{"type": "select", "options": [{"value": "nam", "label": "Nam"}, {"value": "nu", "label": "Nữ"}]}"#,
            true,
        );
        assert_eq!(
            value_of(&def, &[("f", " nu ")]),
            Ok(Some(Value::Choice { value: "nu".to_owned(), label: "Nữ".to_owned() }))
        );
        for (input, want) in [
            ("khac", "Lựa chọn cho trường thử không có trong danh sách; vui lòng chọn lại."),
            ("Nữ", "Lựa chọn cho trường thử không có trong danh sách; vui lòng chọn lại."),
            ("", "Vui lòng chọn trường thử."),
        ] {
            assert_eq!(value_of(&def, &[("f", input)]), Err(vec![("f".to_owned(), want.to_owned())]), "{input}");
        }
    }

    #[test]
    fn addresses() {
        let def = one(r#"{"type": "address"}"#, true);
        let address = Value::Address {
            commune_code: "14797".to_owned(),
            commune_name: HAC_THANH.to_owned(),
            detail: "Số 28 Đại lộ Lê Lợi".to_owned(),
        };
        assert_eq!(
            value_of(&def, &[("f_commune", " 14797 "), ("f_detail", "Số 28  Đại lộ Lê Lợi")]),
            Ok(Some(address.clone()))
        );
        assert_eq!(address.shown(), format!("Số 28 Đại lộ Lê Lợi, {HAC_THANH}"));
        let err = |field: &str, message: &str| (field.to_owned(), message.to_owned());
        let unknown =
            "Xã, phường đã chọn cho trường thử không có trong danh mục đơn vị hành chính hiện hành; vui lòng chọn lại.";
        let cases = [
            (("99999", "Thôn 1"), vec![err("f_commune", unknown)]),
            (
                ("1479", "Thôn 1"),
                vec![err(
                    "f_commune",
                    "Mã xã, phường của trường thử phải gồm 5 chữ số; vui lòng chọn lại trong danh sách.",
                )],
            ),
            (("14797", ""), vec![err("f_detail", "Vui lòng nhập số nhà, đường phố hoặc thôn, xóm của trường thử.")]),
            (
                ("", ""),
                vec![
                    err("f_commune", "Vui lòng chọn xã, phường của trường thử."),
                    err("f_detail", "Vui lòng nhập số nhà, đường phố hoặc thôn, xóm của trường thử."),
                ],
            ),
        ];
        for ((commune, detail), want) in cases {
            assert_eq!(
                value_of(&def, &[("f_commune", commune), ("f_detail", detail)]),
                Err(want),
                "{commune}/{detail}"
            );
        }
        let long = "x".repeat(201);
        assert_eq!(
            value_of(&def, &[("f_commune", "14797"), ("f_detail", &long)]),
            Err(vec![err("f_detail", "Số nhà, đường phố, thôn, xóm của trường thử chỉ được nhập tối đa 200 ký tự.")])
        );
        let optional = one(r#"{"type": "address"}"#, false);
        assert_eq!(value_of(&optional, &[]), Ok(None));
        assert_eq!(
            value_of(&optional, &[("f_detail", "Thôn 1")]),
            Err(vec![err("f_commune", "Vui lòng chọn xã, phường của trường thử.")]),
            "half an address is not an address"
        );
    }

    #[test]
    fn identifiers_go_through_the_citizen_parsers() {
        let id = one(r#"{"type": "citizen_id"}"#, true);
        let phone = one(r#"{"type": "phone"}"#, true);
        let email = one(r#"{"type": "email"}"#, true);
        assert_eq!(value_of(&id, &[("f", "038 090 012345")]), Ok(Some(Value::CitizenId("038090012345".to_owned()))));
        assert_eq!(value_of(&phone, &[("f", "+84 912 345 678")]), Ok(Some(Value::Phone("0912345678".to_owned()))));
        assert_eq!(value_of(&phone, &[("f", "0912.345.678")]), Ok(Some(Value::Phone("0912345678".to_owned()))));
        assert_eq!(
            value_of(&email, &[("f", " An.Nguyen@Example.VN ")]),
            Ok(Some(Value::Email("An.Nguyen@example.vn".to_owned())))
        );
        let refused = [
            (&id, "03809001234", "Trường thử: số định danh cá nhân gồm đúng 12 chữ số."),
            (&id, "003090012345", "Trường thử: ba chữ số đầu của số định danh cá nhân không phải mã tỉnh hợp lệ."),
            (&id, "038230012345", "Trường thử: chữ số thứ 4 đến thứ 6 (thế kỷ, giới tính, năm sinh) không hợp lệ."),
            (&phone, "0112345678", "Trường thử: đầu số điện thoại di động không hợp lệ."),
            (
                &phone,
                "091234567",
                "Trường thử: số điện thoại di động gồm 10 chữ số, bắt đầu bằng 0 (ví dụ 0912345678).",
            ),
            (&email, "an@", "Trường thử: địa chỉ thư điện tử không hợp lệ (ví dụ: ten@example.vn)."),
            (&id, "", "Vui lòng nhập trường thử."),
        ];
        for (def, input, want) in refused {
            assert_eq!(value_of(def, &[("f", input)]), Err(vec![("f".to_owned(), want.to_owned())]), "{input}");
        }
        assert_eq!(with_label("Số định danh cá nhân", IdError::Length.message()), IdError::Length.message());
        assert_eq!(
            with_label("Số định danh cá nhân của người mẹ", IdError::Length.message()),
            "Số định danh cá nhân của người mẹ: số định danh cá nhân gồm đúng 12 chữ số."
        );
    }

    /// A form with one field of every kind, for order, optionality and round trips.
    const EVERY_KIND: &str = r#"{
        "title": "Tờ khai thử",
        "sections": [
            {"id": "mot", "title": "Phần một", "help": "Hướng dẫn.", "fields": [
                {"name": "ho_ten", "label": "Họ và tên", "required": true, "kind": {"type": "text", "max_len": 100}},
                {"name": "so_dinh_danh", "label": "Số định danh cá nhân", "required": true, "kind": {"type": "citizen_id"}},
                {"name": "ngay_sinh", "label": "Ngày sinh", "required": true, "kind": {"type": "date", "past_only": true}},
                {"name": "gioi_tinh", "label": "Giới tính", "required": true,
                 "kind": {"type": "select", "options": [{"value": "nam", "label": "Nam"}, {"value": "nu", "label": "Nữ"}]}},
                {"name": "noi_cu_tru", "label": "Nơi cư trú", "required": true, "kind": {"type": "address"}}
            ]},
            {"id": "hai", "title": "Phần hai", "fields": [
                {"name": "dien_thoai", "label": "Số điện thoại", "required": true, "kind": {"type": "phone"}},
                {"name": "email", "label": "Thư điện tử", "required": false, "kind": {"type": "email"}},
                {"name": "so_ban", "label": "Số bản", "required": true, "kind": {"type": "number", "min": 1, "max": 10}},
                {"name": "von", "label": "Vốn (đồng)", "required": false, "kind": {"type": "number", "min": 0, "max": 1000000000}},
                {"name": "ghi_chu", "label": "Ghi chú", "required": false,
                 "kind": {"type": "text", "max_len": 500, "multiline": true}}
            ]}
        ]
    }"#;

    fn complete() -> BTreeMap<String, String> {
        inputs(&[
            ("ho_ten", "Nguyễn Văn An"),
            ("so_dinh_danh", "038090012345"),
            ("ngay_sinh", "1990-01-05"),
            ("gioi_tinh", "nam"),
            ("noi_cu_tru_commune", "16531"),
            ("noi_cu_tru_detail", "Thôn Trung Chính"),
            ("dien_thoai", "+84 912 345 678"),
            ("email", "an@example.vn"),
            ("so_ban", "2"),
            ("von", "500.000.000"),
            ("ghi_chu", "Dòng 1\nDòng 2"),
            ("csrf_token", "ignored"),
        ])
    }

    #[test]
    fn errors_come_in_form_order_in_vietnamese() {
        let def = form(EVERY_KIND);
        let bad = inputs(&[
            ("ghi_chu", &"x".repeat(501)),
            ("von", "nhiều"),
            ("so_ban", "11"),
            ("email", "an@@example"),
            ("dien_thoai", "12345"),
            ("noi_cu_tru_commune", "00000"),
            ("noi_cu_tru_detail", "Số 1"),
            ("gioi_tinh", "khac"),
            ("ngay_sinh", "01/01/2030"),
            ("so_dinh_danh", "abc"),
            ("ho_ten", ""),
        ]);
        let errors = def.parse_values(&bad, &ctx()).err().unwrap_or_default();
        let got: Vec<(&str, &str)> = errors.iter().map(|e| (e.field.as_str(), e.message.as_str())).collect();
        assert_eq!(
            got,
            [
                ("ho_ten", "Vui lòng nhập họ và tên."),
                ("so_dinh_danh", "Số định danh cá nhân chỉ gồm chữ số."),
                ("ngay_sinh", "Ngày sinh không được sau ngày hôm nay."),
                ("gioi_tinh", "Lựa chọn cho giới tính không có trong danh sách; vui lòng chọn lại."),
                (
                    "noi_cu_tru_commune",
                    "Xã, phường đã chọn cho nơi cư trú không có trong danh mục đơn vị hành chính hiện hành; vui lòng chọn lại."
                ),
                ("dien_thoai", "Số điện thoại di động gồm 10 chữ số, bắt đầu bằng 0 (ví dụ 0912345678)."),
                ("email", "Thư điện tử: địa chỉ thư điện tử không hợp lệ (ví dụ: ten@example.vn)."),
                ("so_ban", "Số bản phải từ 1 đến 10."),
                ("von", "Vốn (đồng) phải là số nguyên, chỉ gồm chữ số (ví dụ 1)."),
                ("ghi_chu", "Ghi chú chỉ được nhập tối đa 500 ký tự (đang có 501 ký tự); vui lòng rút gọn."),
            ]
        );
        assert_eq!(errors.get("so_ban"), Some("Số bản phải từ 1 đến 10."));
        assert_eq!(errors.get("ho_ten_x"), None);
        for e in errors.iter() {
            assert!(is_nfc(&e.message), "{}", e.message);
            assert!(e.message.ends_with('.'), "{}", e.message);
        }
    }

    #[test]
    fn required_and_optional_fields() {
        let def = form(EVERY_KIND);
        let mut minimal = complete();
        for optional in ["email", "von", "ghi_chu"] {
            minimal.remove(optional);
        }
        let values = def.parse_values(&minimal, &ctx()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(values.get("email"), None, "empty optional fields are absent");
        assert_eq!(values.entries().len(), 7);
        minimal.insert("email".to_owned(), "   ".to_owned());
        assert!(def.parse_values(&minimal, &ctx()).is_ok(), "blank is empty");
        minimal.remove("so_ban");
        let errors = def.parse_values(&minimal, &ctx()).err().unwrap_or_default();
        assert_eq!(errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["so_ban"]);
        assert_eq!(errors.to_string(), "Vui lòng nhập số bản.");
    }

    #[test]
    fn values_display_round_trip_and_store() {
        let def = form(EVERY_KIND);
        let values = def.parse_values(&complete(), &ctx()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(values.get("von"), Some(&Value::Number(500_000_000)));
        assert_eq!(values.get("dien_thoai"), Some(&Value::Phone("0912345678".to_owned())));
        assert!(!values.has_raw());
        let shown = values.display();
        let shown: Vec<(&str, &str)> = shown.iter().map(|(l, s)| (l.as_str(), s.as_str())).collect();
        assert_eq!(
            shown,
            [
                ("Họ và tên", "Nguyễn Văn An"),
                ("Số định danh cá nhân", "038090012345"),
                ("Ngày sinh", "05/01/1990"),
                ("Giới tính", "Nam"),
                ("Nơi cư trú", "Thôn Trung Chính, Phường Sầm Sơn, tỉnh Thanh Hóa"),
                ("Số điện thoại", "0912345678"),
                ("Thư điện tử", "an@example.vn"),
                ("Số bản", "2"),
                ("Vốn (đồng)", "500.000.000"),
                ("Ghi chú", "Dòng 1\nDòng 2"),
            ]
        );
        round_trips(&def, &values);
        let raw = def.raw_from_values(&values);
        assert_eq!(raw.get("ngay_sinh").map(String::as_str), Some("05/01/1990"));
        assert_eq!(raw.get("noi_cu_tru_commune").map(String::as_str), Some("16531"));
        assert_eq!(raw.get("von").map(String::as_str), Some("500000000"));
        assert!(!raw.contains_key("csrf_token"));
        let json = serde_json::to_value(&values).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            json[2],
            serde_json::json!({"name": "ngay_sinh", "label": "Ngày sinh", "value": {"type": "date", "value": "1990-01-05"}})
        );
        assert_eq!(json[3]["value"], serde_json::json!({"type": "choice", "value": {"value": "nam", "label": "Nam"}}));
    }

    #[test]
    fn drafts_keep_invalid_input() {
        let def = form(EVERY_KIND);
        let nfd: String = "Nguyễn  Văn An".nfd().collect();
        let draft_input = inputs(&[
            ("ho_ten", &nfd),
            ("ngay_sinh", "31/02/1990"),
            ("so_ban", "ba"),
            ("noi_cu_tru_commune", "14797"),
            ("email", "an@example.vn"),
            ("ghi_chu", "x\u{0}y"),
        ]);
        let draft = def.parse_partial(&draft_input, &ctx());
        assert!(draft.has_raw());
        let raw = |pairs: &[(&str, &str)]| Value::Raw(inputs(pairs));
        let got: Vec<(&str, &Value)> = draft.entries().iter().map(|e| (e.name.as_str(), &e.value)).collect();
        assert_eq!(
            got,
            [
                ("ho_ten", &Value::Text("Nguyễn Văn An".to_owned())),
                ("ngay_sinh", &raw(&[("ngay_sinh", "31/02/1990")])),
                ("noi_cu_tru", &raw(&[("noi_cu_tru_commune", "14797")])),
                ("email", &Value::Email("an@example.vn".to_owned())),
                ("so_ban", &raw(&[("so_ban", "ba")])),
                ("ghi_chu", &raw(&[("ghi_chu", "xy")])),
            ],
            "parsed values typed, invalid input kept normalised, empty fields absent"
        );
        let json = serde_json::to_string(&draft).unwrap_or_else(|e| panic!("{e}"));
        let stored: FormValues = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(stored, draft);
        let refill = def.raw_from_values(&stored);
        assert_eq!(
            refill,
            inputs(&[
                ("ho_ten", "Nguyễn Văn An"),
                ("ngay_sinh", "31/02/1990"),
                ("noi_cu_tru_commune", "14797"),
                ("email", "an@example.vn"),
                ("so_ban", "ba"),
                ("ghi_chu", "xy"),
            ])
        );
        let mut again = draft.clone();
        again.entries[5].value = Value::Text("xy".to_owned());
        assert_eq!(def.parse_partial(&refill, &ctx()), again, "the control character is gone once refilled");
        let errors = def.parse_values(&refill, &ctx()).err().unwrap_or_default();
        assert_eq!(
            errors.get("ngay_sinh"),
            Some("Ngày sinh không phải ngày có thật; vui lòng kiểm tra lại ngày và tháng.")
        );
        assert_eq!(errors.get("so_ban"), Some("Số bản phải là số nguyên, chỉ gồm chữ số (ví dụ 1)."));
        assert_eq!(def.parse_partial(&BTreeMap::new(), &ctx()), FormValues::default(), "an empty draft is fine");
        let huge = "a".repeat(MAX_INPUT_BYTES * 2);
        let capped = def.parse_partial(&inputs(&[("ghi_chu", &huge)]), &ctx());
        assert_eq!(capped.get("ghi_chu").map(Value::shown).map(|s| s.len()), Some(RAW_CAP));
    }

    #[test]
    fn labels_lower_case_for_messages() {
        assert_eq!(lower_first("Họ và tên"), "họ và tên");
        assert_eq!(lower_first("Đ"), "đ");
        assert_eq!(lower_first("CCCD của mẹ"), "CCCD của mẹ");
        assert_eq!(lower_first(""), "");
        assert_eq!(group(2026), "2026");
        assert_eq!(group(10_000), "10.000");
        assert_eq!(group(-1_250_000), "-1.250.000");
    }
}
