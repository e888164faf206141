//! The online dossier form (`/thu-tuc/{code}/nop`): one page with the e-form, the papers and
//! their files; "Lưu nháp" saves at any time, "Nộp hồ sơ" checks everything and submits.

use crate::domain::catalogue::{OnlinePaper, online_paper};
use crate::domain::form::{FieldKind, FormDefinition};
use crate::error::AppError;
use crate::models::dossier::Attachment;
use crate::services::catalogue::Communes;
use crate::services::demo::DEMO_PROVINCE_GSO;
use crate::services::intake::{self, AGENCY_FIELD, FormPage};
use crate::web::auth::{Citizen, SessionUser, Viewer};
use crate::web::render::{PageCtx, page, page_with_status, see_other};
use crate::web::state::AppState;
use crate::web::upload;
use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use std::collections::BTreeMap;

/// One input on the page.
pub struct FieldView {
    name: String,
    label: String,
    help: Option<String>,
    required: bool,
    /// `text`, `textarea`, `number`, `date`, `select`, `address`, `tel`, `email`, `id`.
    widget: &'static str,
    value: String,
    detail_value: String,
    options: Vec<(String, String, bool)>,
    /// For addresses: the provinces, the chosen one selected.
    provinces: Vec<(String, String, bool)>,
    error: Option<String>,
    detail_error: Option<String>,
}

/// A section of the e-form.
pub struct SectionView {
    title: String,
    help: Option<String>,
    fields: Vec<FieldView>,
}

/// A required paper and what is attached for it.
pub struct PaperView {
    /// `upload`, `eform` or `shown`.
    how: &'static str,
    position: i32,
    name: String,
    mandatory: bool,
    files: Vec<Attachment>,
    error: Option<String>,
}

/// `templates/public/intake/form.html`.
#[derive(Template)]
#[template(path = "public/intake/form.html")]
pub struct FormPageView {
    ctx: PageCtx,
    code: String,
    procedure_name: String,
    form_title: String,
    department: Option<String>,
    communes: Vec<(String, String, bool)>,
    agency_error: Option<String>,
    sections: Vec<SectionView>,
    papers: Vec<PaperView>,
    submit_key: String,
    errors: Vec<(String, String)>,
    unverified: bool,
    saved: bool,
    max_file_mb: u64,
}

fn error_for(errors: &[(String, String)], name: &str) -> Option<String> {
    errors.iter().find(|(f, _)| f == name).map(|(_, m)| m.clone())
}

fn sections(
    def: &FormDefinition,
    values: &BTreeMap<String, String>,
    errors: &[(String, String)],
    communes: &Communes,
) -> Vec<SectionView> {
    let value = |n: &str| values.get(n).cloned().unwrap_or_default();
    def.sections
        .iter()
        .map(|s| SectionView {
            title: s.title.clone(),
            help: s.help.clone(),
            fields: s
                .fields
                .iter()
                .map(|f| {
                    let mut provinces = Vec::new();
                    let (widget, options, value, detail_value, error, detail_error) = match &f.kind {
                        FieldKind::Text { multiline: true, .. } => {
                            ("textarea", vec![], value(&f.name), String::new(), error_for(errors, &f.name), None)
                        }
                        FieldKind::Text { .. } => {
                            ("text", vec![], value(&f.name), String::new(), error_for(errors, &f.name), None)
                        }
                        FieldKind::Number { .. } => {
                            ("number", vec![], value(&f.name), String::new(), error_for(errors, &f.name), None)
                        }
                        FieldKind::Date { .. } => {
                            ("date", vec![], value(&f.name), String::new(), error_for(errors, &f.name), None)
                        }
                        FieldKind::Select { options } => {
                            let v = value(&f.name);
                            let opts =
                                options.iter().map(|o| (o.value.clone(), o.label.clone(), o.value == v)).collect();
                            ("select", opts, v, String::new(), error_for(errors, &f.name), None)
                        }
                        FieldKind::Address {} => {
                            let commune = value(&format!("{}_commune", f.name));
                            // The chosen commune's province, else the province chosen with "Cập nhật
                            // danh sách xã", else the portal's own province.
                            let chosen = communes
                                .province_of
                                .get(&commune)
                                .cloned()
                                .or_else(|| {
                                    Some(value(&format!("{}_province", f.name)))
                                        .filter(|p| communes.by_province.contains_key(p))
                                })
                                .unwrap_or_else(|| DEMO_PROVINCE_GSO.to_owned());
                            provinces =
                                communes.provinces.iter().map(|(c, n)| (c.clone(), n.clone(), *c == chosen)).collect();
                            let opts = communes
                                .by_province
                                .get(&chosen)
                                .map(|list| list.iter().map(|(c, n)| (c.clone(), n.clone(), *c == commune)).collect())
                                .unwrap_or_default();
                            (
                                "address",
                                opts,
                                commune,
                                value(&format!("{}_detail", f.name)),
                                error_for(errors, &format!("{}_commune", f.name)),
                                error_for(errors, &format!("{}_detail", f.name)),
                            )
                        }
                        FieldKind::CitizenId {} => {
                            ("id", vec![], value(&f.name), String::new(), error_for(errors, &f.name), None)
                        }
                        FieldKind::Phone {} => {
                            ("tel", vec![], value(&f.name), String::new(), error_for(errors, &f.name), None)
                        }
                        FieldKind::Email {} => {
                            ("email", vec![], value(&f.name), String::new(), error_for(errors, &f.name), None)
                        }
                    };
                    FieldView {
                        name: f.name.clone(),
                        label: f.label.clone(),
                        help: f.help.clone(),
                        required: f.required,
                        widget,
                        value,
                        detail_value,
                        options,
                        provinces,
                        error,
                        detail_error,
                    }
                })
                .collect(),
        })
        .collect()
}

fn view(
    req: &HttpRequest,
    state: &AppState,
    user: &SessionUser,
    data: FormPage,
    errors: Vec<(String, String)>,
    address_communes: &Communes,
    saved: bool,
) -> FormPageView {
    let viewer = Viewer::of(user);
    let chosen = data.values.get(AGENCY_FIELD).cloned().unwrap_or_default();
    let papers = data
        .papers
        .iter()
        .map(|p| PaperView {
            how: match online_paper(&p.name) {
                OnlinePaper::EForm => "eform",
                OnlinePaper::ShownInPerson => "shown",
                OnlinePaper::Upload => "upload",
            },
            position: p.position,
            name: p.name.clone(),
            mandatory: p.mandatory,
            files: data.attachments.iter().filter(|a| a.paper_position == p.position).cloned().collect(),
            error: error_for(&errors, &format!("paper_{}", p.position)),
        })
        .collect();
    FormPageView {
        ctx: PageCtx::new(req, &state.config.province_name, Some(&viewer)),
        code: data.procedure.code.clone(),
        procedure_name: data.procedure.name.clone(),
        form_title: data.definition.title.clone(),
        department: data.department.as_ref().map(|d| d.name.clone()),
        communes: data.communes.iter().map(|a| (a.code.clone(), a.short_name.clone(), a.code == chosen)).collect(),
        agency_error: error_for(&errors, AGENCY_FIELD),
        sections: sections(&data.definition, &data.values, &errors, address_communes),
        papers,
        submit_key: data.draft.as_ref().map_or_else(crate::signing::random_token, |d| d.submit_key.clone()),
        unverified: user.user.email_verified_at.is_none(),
        errors,
        saved,
        max_file_mb: state.config.max_file_bytes / (1024 * 1024),
    }
}

/// `?ban-nhap=<draft id>&da-luu=1`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FormQuery {
    #[serde(rename = "ban-nhap")]
    draft: String,
    #[serde(rename = "da-luu")]
    saved: String,
}

/// `GET /thu-tuc/{code}/nop`.
pub async fn show(
    req: HttpRequest,
    citizen: Citizen,
    state: web::Data<AppState>,
    code: web::Path<String>,
    q: web::Query<FormQuery>,
) -> Result<HttpResponse, AppError> {
    let user = citizen.0;
    let (code, draft, u) = (code.into_inner(), q.draft.clone(), user.user.clone());
    let data = state
        .db
        .run(move |conn| intake::form_page(conn, &code, &u, Some(draft.as_str()).filter(|d| !d.is_empty())))
        .await?;
    let communes = state.catalogue.communes(&state.db).await?;
    page(&view(&req, &state, &user, data, Vec::new(), &communes, q.saved == "1"))
}

/// `POST /thu-tuc/{code}/nop` (multipart).
pub async fn post(
    req: HttpRequest,
    viewer: Viewer,
    state: web::Data<AppState>,
    code: web::Path<String>,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    let code = code.into_inner();
    let declared = req.headers().get("content-length").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok());
    let mut form =
        upload::read(payload, &viewer, state.config.max_file_bytes, state.config.max_dossier_bytes, declared).await?;
    if form.action == "refresh" {
        // A new province was chosen for an address: a commune of another province no longer applies.
        let communes = state.catalogue.communes(&state.db).await?;
        let values = &mut form.posted.values;
        let stale: Vec<String> = values
            .iter()
            .filter_map(|(k, province)| {
                let field = k.strip_suffix("_province")?;
                let commune = values.get(&format!("{field}_commune"))?;
                (communes.province_of.get(commune) != Some(province)).then(|| format!("{field}_commune"))
            })
            .collect();
        for key in stale {
            values.remove(&key);
        }
    }
    // A session that expired while the citizen was filling the form: the stale session still
    // proves who they are (its CSRF token matched), so their work is saved before they sign in.
    let (user_id, signed_in) = match (&viewer.user, &viewer.stale) {
        (Some(u), _) => (u.user.id.clone(), true),
        (None, Some(stale)) => (stale.user_id.clone(), false),
        (None, None) => return Err(AppError::LoginRequired { next: format!("/thu-tuc/{code}/nop") }),
    };
    let draft = intake::save_draft(&state.db, &state.files, &state.clock, &code, &user_id, form.posted).await?;
    if let Some(dossier_id) = &draft.dossier_id {
        let id = dossier_id.clone();
        let dossier = state.db.run(move |conn| Ok(crate::models::dossier::Dossier::find(conn, &id)?)).await?;
        return Ok(see_other(&format!("/tai-khoan/ho-so/{}", dossier.map(|d| d.code).unwrap_or_default())));
    }
    let draft_url = format!("/thu-tuc/{code}/nop?ban-nhap={}", draft.id);
    if !signed_in {
        return Err(AppError::LoginRequired { next: draft_url });
    }
    let user = viewer.user.clone().ok_or(AppError::Forbidden)?;
    // Refused files are shown first; nothing is submitted until the citizen has seen them.
    let errors = if !form.errors.is_empty() {
        form.errors
    } else if form.action == "submit" {
        match intake::submit(&state.db, &state.clock, &state.config.base_url, &draft.id, &user.user.id).await {
            Ok(dossier) => return Ok(see_other(&format!("/tai-khoan/ho-so/{}?moi=1", dossier.code))),
            Err(AppError::Invalid(e)) => e,
            Err(other) => return Err(other),
        }
    } else {
        return Ok(see_other(&format!("{draft_url}&da-luu=1")));
    };
    let (u, draft_id) = (user.user.clone(), draft.id.clone());
    let data = state.db.run(move |conn| intake::form_page(conn, &code, &u, Some(&draft_id))).await?;
    let communes = state.catalogue.communes(&state.db).await?;
    page_with_status(StatusCode::BAD_REQUEST, &view(&req, &state, &user, data, dedupe(errors), &communes, false))
}

fn dedupe(errors: Vec<(String, String)>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for e in errors {
        if !out.contains(&e) {
            out.push(e);
        }
    }
    out
}
