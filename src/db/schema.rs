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
        office_hours -> Nullable<Text>,
        fee_account -> Nullable<Text>,
        fee_bank -> Nullable<Text>,
        fee_account_name -> Nullable<Text>,
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
        restart_after_supplement -> Bool,
        restart_after_payment -> Bool,
        fee_timing -> Text,
        beneficiary_account -> Nullable<Text>,
        beneficiary_bank -> Nullable<Text>,
        beneficiary_name -> Nullable<Text>,
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
        quantity_field -> Nullable<Text>,
        when_field -> Nullable<Text>,
        when_value -> Nullable<Text>,
    }
}

diesel::table! {
    payment_requests (id) {
        id -> Text,
        dossier_id -> Text,
        amount_vnd -> BigInt,
        lines -> Text,
        beneficiary_account -> Text,
        beneficiary_bank -> Text,
        beneficiary_name -> Text,
        reason -> Text,
        requested_by -> Nullable<Text>,
        status -> Text,
        paid_at -> Nullable<Timestamp>,
        paid_channel -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    payment_transactions (id) {
        id -> Text,
        request_id -> Text,
        dossier_id -> Text,
        reference -> Text,
        amount_vnd -> BigInt,
        currency -> Text,
        status -> Text,
        gateway_txn_id -> Nullable<Text>,
        bank_code -> Nullable<Text>,
        init_time -> Text,
        initiated_at -> Timestamp,
        pay_url -> Nullable<Text>,
        settled_at -> Nullable<Timestamp>,
        gateway_time -> Nullable<Text>,
        checked_at -> Nullable<Timestamp>,
        checks -> Integer,
        receipt_sha256 -> Nullable<Text>,
        beneficiary_account -> Text,
        note -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    payment_messages (id) {
        id -> Text,
        received_at -> Timestamp,
        source -> Text,
        reference -> Nullable<Text>,
        gateway_txn_id -> Nullable<Text>,
        outcome -> Text,
        alert -> Bool,
        detail -> Text,
        body -> Text,
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

diesel::table! {
    users (id) {
        id -> Text,
        kind -> Text,
        full_name -> Text,
        citizen_id -> Text,
        business_name -> Nullable<Text>,
        tax_code -> Nullable<Text>,
        phone -> Text,
        email -> Text,
        email_lc -> Text,
        address -> Nullable<Text>,
        password_hash -> Text,
        email_verified_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        user_id -> Nullable<Text>,
        staff_id -> Nullable<Text>,
        csrf_token -> Text,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    login_failures (id) {
        id -> Text,
        throttle_key -> Text,
        at -> Timestamp,
    }
}

diesel::table! {
    outbox (id) {
        id -> Text,
        kind -> Text,
        aggregate_id -> Nullable<Text>,
        payload -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        lease_owner -> Nullable<Text>,
        lease_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    eforms (procedure_id) {
        procedure_id -> Text,
        definition -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    drafts (id) {
        id -> Text,
        user_id -> Text,
        procedure_id -> Text,
        form_values -> Text,
        submit_key -> Text,
        dossier_id -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    dossiers (id) {
        id -> Text,
        code -> Text,
        procedure_id -> Text,
        agency_id -> Text,
        applicant_user_id -> Nullable<Text>,
        applicant_name -> Text,
        applicant_id_number -> Text,
        applicant_phone -> Text,
        applicant_email -> Nullable<Text>,
        applicant_address -> Nullable<Text>,
        status -> Integer,
        channel -> Text,
        form_values -> Text,
        submitted_at -> Timestamp,
        received_at -> Nullable<Timestamp>,
        due_at -> Nullable<Timestamp>,
        finished_at -> Nullable<Timestamp>,
        status_note -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        handler_agency_id -> Nullable<Text>,
        handler_step -> Nullable<Text>,
        handler_staff_id -> Nullable<Text>,
        resume_status -> Nullable<Integer>,
        paused_at -> Nullable<Timestamp>,
        result_note -> Nullable<Text>,
        search_text -> Text,
    }
}

diesel::table! {
    dossier_events (id) {
        id -> Text,
        dossier_id -> Text,
        seq -> Integer,
        at -> Timestamp,
        actor_kind -> Text,
        actor_id -> Nullable<Text>,
        action -> Text,
        from_status -> Nullable<Integer>,
        to_status -> Integer,
        note -> Nullable<Text>,
        actor_role -> Nullable<Text>,
        actor_agency_id -> Nullable<Text>,
        due_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    dossier_code_counters (agency_code, day) {
        agency_code -> Text,
        day -> Text,
        last_seq -> Integer,
    }
}

diesel::table! {
    attachments (id) {
        id -> Text,
        owner_user_id -> Nullable<Text>,
        draft_id -> Nullable<Text>,
        dossier_id -> Nullable<Text>,
        paper_position -> Integer,
        file_name -> Text,
        content_type -> Text,
        sha256 -> Text,
        size_bytes -> BigInt,
        created_at -> Timestamp,
        purpose -> Text,
        staff_id -> Nullable<Text>,
    }
}

diesel::table! {
    staff (id) {
        id -> Text,
        agency_id -> Text,
        username -> Text,
        full_name -> Text,
        email -> Text,
        email_lc -> Text,
        phone -> Nullable<Text>,
        position_title -> Nullable<Text>,
        password_hash -> Nullable<Text>,
        active -> Bool,
        search_text -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    staff_roles (staff_id, role) {
        staff_id -> Text,
        role -> Text,
    }
}

diesel::table! {
    procedure_workflow_steps (id) {
        id -> Text,
        procedure_id -> Text,
        position -> Integer,
        name -> Text,
        agency_id -> Nullable<Text>,
        role -> Text,
    }
}

diesel::table! {
    dossier_transfers (id) {
        id -> Text,
        dossier_id -> Text,
        from_agency_id -> Text,
        to_agency_id -> Text,
        sent_by -> Text,
        sent_at -> Timestamp,
        note -> Text,
        returned_by -> Nullable<Text>,
        returned_at -> Nullable<Timestamp>,
        reply_note -> Nullable<Text>,
    }
}

diesel::table! {
    dossier_notes (id) {
        id -> Text,
        dossier_id -> Text,
        staff_id -> Text,
        at -> Timestamp,
        body -> Text,
    }
}

diesel::table! {
    dossier_extensions (id) {
        id -> Text,
        dossier_id -> Text,
        staff_id -> Text,
        at -> Timestamp,
        old_due_at -> Timestamp,
        new_due_at -> Timestamp,
        reason -> Text,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Text,
        at -> Timestamp,
        staff_id -> Nullable<Text>,
        action -> Text,
        entity -> Text,
        entity_id -> Text,
        before_json -> Nullable<Text>,
        after_json -> Nullable<Text>,
    }
}

diesel::table! {
    scheduled_runs (name, day) {
        name -> Text,
        day -> Date,
        at -> Timestamp,
    }
}

diesel::joinable!(procedures -> fields (field_code));
diesel::joinable!(procedures -> agencies (agency_id));
diesel::joinable!(procedure_fees -> procedures (procedure_id));
diesel::joinable!(payment_requests -> dossiers (dossier_id));
diesel::joinable!(payment_transactions -> payment_requests (request_id));
diesel::joinable!(procedure_papers -> procedures (procedure_id));
diesel::joinable!(procedure_forms -> procedures (procedure_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(eforms -> procedures (procedure_id));
diesel::joinable!(drafts -> users (user_id));
diesel::joinable!(drafts -> procedures (procedure_id));
diesel::joinable!(dossiers -> procedures (procedure_id));
diesel::joinable!(dossiers -> agencies (agency_id));
diesel::joinable!(dossier_events -> dossiers (dossier_id));
diesel::joinable!(staff -> agencies (agency_id));
diesel::joinable!(staff_roles -> staff (staff_id));
diesel::joinable!(sessions -> staff (staff_id));
diesel::joinable!(procedure_workflow_steps -> procedures (procedure_id));
diesel::joinable!(dossier_transfers -> dossiers (dossier_id));
diesel::joinable!(dossier_notes -> dossiers (dossier_id));
diesel::joinable!(dossier_notes -> staff (staff_id));
diesel::joinable!(dossier_extensions -> dossiers (dossier_id));

diesel::allow_tables_to_appear_in_same_query!(
    admin_units,
    admin_unit_mappings,
    holidays,
    fields,
    agencies,
    procedures,
    procedure_fees,
    payment_requests,
    payment_transactions,
    payment_messages,
    procedure_papers,
    procedure_forms,
    users,
    sessions,
    login_failures,
    outbox,
    eforms,
    drafts,
    dossiers,
    dossier_events,
    dossier_code_counters,
    attachments,
    staff,
    staff_roles,
    procedure_workflow_steps,
    dossier_transfers,
    dossier_notes,
    dossier_extensions,
    audit_log,
    scheduled_runs,
);
