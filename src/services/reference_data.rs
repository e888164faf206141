//! Import of the shipped reference data: administrative units (current and legacy structures),
//! the 2025 old↔new mapping, and public holidays. Idempotent: rows are compared with what is
//! stored, and only differences are written; the report says what changed.

use crate::db::{DbConn, write_tx};
use crate::domain::fold::{clean, fold, modern_tone_placement};
use crate::models::admin_unit::{AdminUnit, AdminUnitMapping, VERSION_CURRENT, VERSION_LEGACY};
use crate::models::holiday::Holiday;
use anyhow::Context;
use chrono::NaiveDate;
use diesel::prelude::*;
use serde::Deserialize;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::Path;

/// What one import did to one data set.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Data set name.
    pub dataset: String,
    /// Rows in the source.
    pub total: usize,
    /// Rows added.
    pub inserted: usize,
    /// Rows changed.
    pub updated: usize,
    /// Rows removed because the source no longer has them.
    pub deleted: usize,
}

impl ImportReport {
    fn new(dataset: &str) -> Self {
        ImportReport { dataset: dataset.to_owned(), ..Default::default() }
    }

    /// Whether the import changed nothing.
    pub fn unchanged(&self) -> bool {
        self.inserted == 0 && self.updated == 0 && self.deleted == 0
    }
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.unchanged() {
            write!(f, "{}: {} rows, unchanged", self.dataset, self.total)
        } else {
            write!(
                f,
                "{}: {} rows, {} inserted, {} updated, {} deleted",
                self.dataset, self.total, self.inserted, self.updated, self.deleted
            )
        }
    }
}

/// The naming fields every unit of both files has.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Names {
    code: String,
    name: String,
    name_en: Option<String>,
    full_name: String,
    code_name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CurrentProvince {
    #[serde(flatten)]
    names: Names,
    administrative_unit_short_name: String,
    wards: Vec<CurrentWard>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CurrentWard {
    #[serde(flatten)]
    names: Names,
    administrative_unit_short_name: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct LegacyProvince {
    #[serde(flatten)]
    names: Names,
    district: Vec<LegacyDistrict>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct LegacyDistrict {
    #[serde(flatten)]
    names: Names,
    /// `null` for the five island districts without communes.
    ward: Option<Vec<Names>>,
}

#[derive(Deserialize)]
struct Merges {
    data: Vec<MergeProvince>,
}

#[derive(Deserialize)]
struct MergeProvince {
    level1_id: String,
    merges: Vec<MergeEntry>,
    level2s: Vec<MergeCommune>,
}

#[derive(Deserialize)]
struct MergeCommune {
    level2_id: String,
    merges: Vec<MergeEntry>,
}

#[derive(Deserialize)]
struct MergeEntry {
    old_id: String,
    #[serde(rename = "type")]
    coverage: String,
}

#[derive(Deserialize)]
struct HolidayRow {
    date: NaiveDate,
    name_vi: String,
    name_en: String,
    kind: String,
}

/// Fixes the known defects of a name: NFC and spacing, old-style tone placement ("Hoá" →
/// "Hóa", which the current file uses and the legacy file does not), and a lower-case first
/// letter (`xã Bắc Sơn`, code 06325, in the current file).
fn fix_name(raw: &str) -> String {
    let name = modern_tone_placement(raw);
    let mut chars = name.chars();
    match chars.next() {
        Some(first) if first.is_lowercase() => first.to_uppercase().chain(chars).collect(),
        _ => name,
    }
}

/// The unit type is the full name without the short name: "Thị xã Nghi Sơn" − "Nghi Sơn".
fn unit_type_of(full_name: &str, name: &str) -> String {
    full_name.strip_suffix(name).map(str::trim).filter(|t| !t.is_empty()).unwrap_or(full_name).to_owned()
}

/// One row: the unit type is given by the current file and derived from the name in the legacy one.
fn unit(version: &str, level: &str, parent: Option<&str>, n: &Names, unit_type: Option<&str>) -> AdminUnit {
    let name = fix_name(&n.name);
    let full_name = fix_name(&n.full_name);
    let unit_type = unit_type.map(fix_name).unwrap_or_else(|| unit_type_of(&full_name, &name));
    AdminUnit {
        version: version.to_owned(),
        level: level.to_owned(),
        code: n.code.trim().to_owned(),
        parent_code: parent.map(|p| p.trim().to_owned()),
        search_text: fold(&full_name),
        name,
        full_name,
        name_en: n.name_en.as_deref().map(clean),
        code_name: n.code_name.as_deref().map(clean),
        unit_type,
    }
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> anyhow::Result<T> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_slice(&bytes).with_context(|| format!("{} is not valid", path.display()))
}

/// Reads both structures from the reference directory.
fn load_units(dir: &Path) -> anyhow::Result<Vec<AdminUnit>> {
    let current: Vec<CurrentProvince> = read_json(&dir.join("admin-units/vn_units_current_34_provinces.json"))?;
    let legacy: Vec<LegacyProvince> = read_json(&dir.join("admin-units/vn_units_pre_2025-07-01_63_provinces.json"))?;
    let mut rows = Vec::with_capacity(15_000);
    for p in &current {
        rows.push(unit(VERSION_CURRENT, "province", None, &p.names, Some(&p.administrative_unit_short_name)));
        for w in &p.wards {
            rows.push(unit(
                VERSION_CURRENT,
                "commune",
                Some(&p.names.code),
                &w.names,
                Some(&w.administrative_unit_short_name),
            ));
        }
    }
    for p in &legacy {
        rows.push(unit(VERSION_LEGACY, "province", None, &p.names, None));
        for d in &p.district {
            rows.push(unit(VERSION_LEGACY, "district", Some(&p.names.code), &d.names, None));
            for w in d.ward.iter().flatten() {
                rows.push(unit(VERSION_LEGACY, "commune", Some(&d.names.code), w, None));
            }
        }
    }
    Ok(rows)
}

fn load_mappings(dir: &Path) -> anyhow::Result<Vec<AdminUnitMapping>> {
    let merges: Merges = read_json(&dir.join("admin-units/mapping_2025-07-01_new_to_old_merges.json"))?;
    let mut seen = HashSet::new();
    let mut rows = Vec::new();
    let mut push = |level: &str, new_code: &str, e: &MergeEntry| -> anyhow::Result<()> {
        anyhow::ensure!(matches!(e.coverage.as_str(), "full" | "partial"), "unknown merge type {:?}", e.coverage);
        let row = AdminUnitMapping {
            level: level.to_owned(),
            old_version: VERSION_LEGACY.to_owned(),
            old_code: e.old_id.trim().to_owned(),
            new_version: VERSION_CURRENT.to_owned(),
            new_code: new_code.trim().to_owned(),
            coverage: e.coverage.clone(),
        };
        if seen.insert(row.clone()) {
            rows.push(row);
        }
        Ok(())
    };
    for p in &merges.data {
        for e in &p.merges {
            push("province", &p.level1_id, e)?;
        }
        for c in &p.level2s {
            for e in &c.merges {
                push("commune", &c.level2_id, e)?;
            }
        }
    }
    Ok(rows)
}

fn load_holidays(dir: &Path) -> anyhow::Result<Vec<Holiday>> {
    let path = dir.join("vn_public_holidays_2024_2030.csv");
    let mut reader = csv::Reader::from_path(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut rows = Vec::new();
    for (i, rec) in reader.deserialize::<HolidayRow>().enumerate() {
        let r = rec.with_context(|| format!("{} row {}", path.display(), i + 2))?;
        anyhow::ensure!(
            matches!(r.kind.as_str(), "statutory" | "observed_shift" | "substitute_day_off" | "makeup_working_day"),
            "{} row {}: unknown kind {:?}",
            path.display(),
            i + 2,
            r.kind
        );
        rows.push(Holiday {
            day: r.date,
            name: clean(&r.name_vi),
            name_en: clean(&r.name_en),
            kind: r.kind,
            source: "import".into(),
        });
    }
    Ok(rows)
}

/// Imports units, mappings and holidays in one transaction; returns one report per data set.
pub fn import_all(conn: &mut DbConn, refdata_dir: &Path) -> anyhow::Result<Vec<ImportReport>> {
    let units = load_units(refdata_dir)?;
    let mappings = load_mappings(refdata_dir)?;
    let days = load_holidays(refdata_dir)?;
    write_tx(conn, |conn| {
        let mut reports = sync_units(conn, units)?;
        reports.push(sync_mappings(conn, mappings)?);
        reports.push(sync_holidays(conn, days)?);
        Ok(reports)
    })
}

fn sync_units(conn: &mut DbConn, rows: Vec<AdminUnit>) -> anyhow::Result<Vec<ImportReport>> {
    let mut reports = Vec::new();
    for version in [VERSION_CURRENT, VERSION_LEGACY] {
        let mut existing: HashMap<(String, String), AdminUnit> = AdminUnit::all_of_version(conn, version)?
            .into_iter()
            .map(|u| ((u.level.clone(), u.code.clone()), u))
            .collect();
        let mut report = ImportReport::new(&format!("admin units {version}"));
        let mut to_insert = Vec::new();
        for row in rows.iter().filter(|r| r.version == version) {
            report.total += 1;
            match existing.remove(&(row.level.clone(), row.code.clone())) {
                None => to_insert.push(row.clone()),
                Some(old) if old != *row => {
                    AdminUnit::update(conn, row)?;
                    report.updated += 1;
                }
                Some(_) => {}
            }
        }
        report.inserted = AdminUnit::insert_many(conn, &to_insert)?;
        for stale in existing.into_values() {
            diesel::delete(crate::db::schema::admin_units::table.find((&stale.version, &stale.level, &stale.code)))
                .execute(conn)?;
            report.deleted += 1;
        }
        reports.push(report);
    }
    Ok(reports)
}

fn sync_mappings(conn: &mut DbConn, rows: Vec<AdminUnitMapping>) -> anyhow::Result<ImportReport> {
    let mut report = ImportReport::new("admin unit mapping 2025");
    report.total = rows.len();
    let mut existing: HashSet<AdminUnitMapping> = AdminUnitMapping::all(conn)?.into_iter().collect();
    let to_insert: Vec<AdminUnitMapping> = rows.into_iter().filter(|r| !existing.remove(r)).collect();
    // Stale rows go first: a changed coverage is a delete plus an insert of the same key.
    for stale in &existing {
        AdminUnitMapping::delete(conn, stale)?;
    }
    report.deleted = existing.len();
    report.inserted = AdminUnitMapping::insert_many(conn, &to_insert)?;
    Ok(report)
}

fn sync_holidays(conn: &mut DbConn, rows: Vec<Holiday>) -> anyhow::Result<ImportReport> {
    let mut report = ImportReport::new("holidays");
    report.total = rows.len();
    let existing: HashMap<NaiveDate, Holiday> = Holiday::all(conn)?.into_iter().map(|h| (h.day, h)).collect();
    for row in rows {
        match existing.get(&row.day) {
            None => {
                Holiday::insert(conn, &row)?;
                report.inserted += 1;
            }
            // A day an administrator entered or edited wins over the shipped file.
            Some(old) if old.source == "admin" => {}
            Some(old) if *old != row => {
                Holiday::update(conn, &row)?;
                report.updated += 1;
            }
            Some(_) => {}
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixes_known_name_defects() {
        assert_eq!(fix_name("xã Bắc Sơn"), "Xã Bắc Sơn");
        assert_eq!(fix_name("Tỉnh Thanh Hoá"), "Tỉnh Thanh Hóa");
        assert_eq!(fix_name(" Phường  Hàm Rồng "), "Phường Hàm Rồng");
    }

    #[test]
    fn derives_unit_types() {
        assert_eq!(unit_type_of("Thị xã Nghi Sơn", "Nghi Sơn"), "Thị xã");
        assert_eq!(unit_type_of("Huyện Côn Đảo", "Côn Đảo"), "Huyện");
        assert_eq!(unit_type_of("Odd", "Odd"), "Odd");
    }
}
