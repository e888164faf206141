//! The one portable schema (kept by hand; the migration smoke test loads every table through
//! its model on both backends, so a drift from either SQL set fails a test).

diesel::table! {
    admin_units (version, level, code) {
        version -> Text,
        level -> Text,
        code -> Text,
        parent_code -> Nullable<Text>,
        name -> Text,
        full_name -> Text,
        name_en -> Nullable<Text>,
        code_name -> Nullable<Text>,
        unit_type -> Text,
        search_text -> Text,
    }
}

diesel::table! {
    admin_unit_mappings (level, old_version, old_code, new_version, new_code) {
        level -> Text,
        old_version -> Text,
        old_code -> Text,
        new_version -> Text,
        new_code -> Text,
        coverage -> Text,
    }
}

diesel::table! {
    holidays (day) {
        day -> Date,
        name -> Text,
        name_en -> Text,
        kind -> Text,
        source -> Text,
    }
}

diesel::table! {
    fields (code) {
        code -> Text,
        name -> Text,
    }
}

diesel::table! {
    agencies (id) {
        id -> Text,
        code -> Text,
        name -> Text,
        short_name -> Text,
        kind -> Text,
        parent_id -> Nullable<Text>,
        admin_unit_code -> Nullable<Text>,
        address -> Nullable<Text>,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        position -> Integer,
        search_text -> Text,
    }
}

diesel::table! {
    procedures (id) {
        id -> Text,
        code -> Text,
        name -> Text,
        name_lc -> Text,
        field_code -> Text,
        level -> Text,
        agency_id -> Nullable<Text>,
        implementing_agency -> Text,
        online_level -> Integer,
        time_limit_value -> Integer,
        time_limit_unit -> Text,
        time_limit_note -> Nullable<Text>,
        subjects -> Text,
        channels -> Text,
        steps -> Text,
        requirements -> Nullable<Text>,
        result -> Text,
        legal_basis -> Text,
        popularity -> Integer,
        search_text -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    procedure_fees (id) {
        id -> Text,
        procedure_id -> Text,
        position -> Integer,
        kind -> Text,
        description -> Text,
        amount_vnd -> BigInt,
        per_unit -> Nullable<Text>,
    }
}

diesel::table! {
    procedure_papers (id) {
        id -> Text,
        procedure_id -> Text,
        position -> Integer,
        name -> Text,
        originals -> Integer,
        copies -> Integer,
        mandatory -> Bool,
        note -> Nullable<Text>,
    }
}

diesel::table! {
    procedure_forms (id) {
        id -> Text,
        procedure_id -> Text,
        position -> Integer,
        title -> Text,
        file_name -> Text,
        content_type -> Text,
        sha256 -> Text,
        size_bytes -> BigInt,
    }
}

diesel::joinable!(procedures -> fields (field_code));
diesel::joinable!(procedures -> agencies (agency_id));
diesel::joinable!(procedure_fees -> procedures (procedure_id));
diesel::joinable!(procedure_papers -> procedures (procedure_id));
diesel::joinable!(procedure_forms -> procedures (procedure_id));

diesel::allow_tables_to_appear_in_same_query!(
    admin_units,
    admin_unit_mappings,
    holidays,
    fields,
    agencies,
    procedures,
    procedure_fees,
    procedure_papers,
    procedure_forms,
);
