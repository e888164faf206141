-- Administrative units of one version of the national structure. Codes are reused across
-- versions (old 14758 = Phường Đông Thọ, new 14758 = Phường Hàm Rồng), so the version is part
-- of the key.
CREATE TABLE admin_units (
    version TEXT NOT NULL,
    level TEXT NOT NULL CHECK (level IN ('province', 'district', 'commune')),
    code TEXT NOT NULL,
    parent_code TEXT,
    name TEXT NOT NULL,
    full_name TEXT NOT NULL,
    name_en TEXT,
    code_name TEXT,
    unit_type TEXT NOT NULL,
    search_text TEXT NOT NULL,
    PRIMARY KEY (version, level, code)
);
CREATE INDEX admin_units_parent ON admin_units (version, parent_code);

-- The 2025 reform: which old units went (fully or partly) into which new unit.
CREATE TABLE admin_unit_mappings (
    level TEXT NOT NULL CHECK (level IN ('province', 'commune')),
    old_version TEXT NOT NULL,
    old_code TEXT NOT NULL,
    new_version TEXT NOT NULL,
    new_code TEXT NOT NULL,
    coverage TEXT NOT NULL CHECK (coverage IN ('full', 'partial')),
    PRIMARY KEY (level, old_version, old_code, new_version, new_code)
);
CREATE INDEX admin_unit_mappings_new ON admin_unit_mappings (level, new_version, new_code);

-- Days off and make-up working days for the working-day clock; editable by administrators.
CREATE TABLE holidays (
    day DATE NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    name_en TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('statutory', 'observed_shift', 'substitute_day_off', 'makeup_working_day')),
    source TEXT NOT NULL CHECK (source IN ('import', 'admin'))
);

-- Fields (lĩnh vực) of the procedure catalogue.
CREATE TABLE fields (
    code TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL
);

-- The province, its departments and its communes, with national identifiers.
CREATE TABLE agencies (
    id TEXT NOT NULL PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    short_name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('province', 'department', 'commune')),
    parent_id TEXT REFERENCES agencies (id),
    admin_unit_code TEXT,
    address TEXT,
    phone TEXT,
    email TEXT,
    position INTEGER NOT NULL,
    search_text TEXT NOT NULL
);
CREATE INDEX agencies_parent ON agencies (parent_id);

-- The catalogue of administrative procedures (thủ tục hành chính).
CREATE TABLE procedures (
    id TEXT NOT NULL PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    name_lc TEXT NOT NULL,
    field_code TEXT NOT NULL REFERENCES fields (code),
    level TEXT NOT NULL CHECK (level IN ('tinh', 'xa')),
    agency_id TEXT REFERENCES agencies (id),
    implementing_agency TEXT NOT NULL,
    online_level INTEGER NOT NULL CHECK (online_level BETWEEN 1 AND 4),
    time_limit_value INTEGER NOT NULL CHECK (time_limit_value > 0),
    time_limit_unit TEXT NOT NULL CHECK (time_limit_unit IN ('working_days', 'working_hours', 'calendar_days')),
    time_limit_note TEXT,
    subjects TEXT NOT NULL,
    channels TEXT NOT NULL,
    steps TEXT NOT NULL,
    requirements TEXT,
    result TEXT NOT NULL,
    legal_basis TEXT NOT NULL,
    popularity INTEGER NOT NULL,
    search_text TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX procedures_field ON procedures (field_code);
CREATE INDEX procedures_agency ON procedures (agency_id);
CREATE INDEX procedures_popularity ON procedures (popularity DESC, name);

-- Fees and charges (phí, lệ phí) of a procedure, in whole VND.
CREATE TABLE procedure_fees (
    id TEXT NOT NULL PRIMARY KEY,
    procedure_id TEXT NOT NULL REFERENCES procedures (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('phi', 'le_phi')),
    description TEXT NOT NULL,
    amount_vnd BIGINT NOT NULL CHECK (amount_vnd >= 0),
    per_unit TEXT
);
CREATE INDEX procedure_fees_procedure ON procedure_fees (procedure_id);

-- Required papers (thành phần hồ sơ).
CREATE TABLE procedure_papers (
    id TEXT NOT NULL PRIMARY KEY,
    procedure_id TEXT NOT NULL REFERENCES procedures (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    originals INTEGER NOT NULL CHECK (originals >= 0),
    copies INTEGER NOT NULL CHECK (copies >= 0),
    mandatory BOOLEAN NOT NULL,
    note TEXT
);
CREATE INDEX procedure_papers_procedure ON procedure_papers (procedure_id);

-- Downloadable forms (biểu mẫu); the bytes live in the file store under their SHA-256.
CREATE TABLE procedure_forms (
    id TEXT NOT NULL PRIMARY KEY,
    procedure_id TEXT NOT NULL REFERENCES procedures (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    title TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size_bytes BIGINT NOT NULL
);
CREATE INDEX procedure_forms_procedure ON procedure_forms (procedure_id);

-- Search: the folded text (no diacritics, đ→d, punctuation → space) is already word-separated,
-- so the 'simple' configuration tokenises it exactly as SQLite's FTS5 does.
CREATE INDEX procedures_search ON procedures USING GIN (to_tsvector('simple', search_text));
