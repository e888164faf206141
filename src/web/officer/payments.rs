//! Fees on the staff dossier page: the quantities a payment request starts from, the "Phí, lệ
//! phí" panel, and the e-receipt of a paid attempt for staff of an agency that may see the
//! dossier.

use super::actions::FeeChoice;
use crate::db::DbConn;
use crate::domain::dossier::Action;
use crate::error::AppError;
use crate::models::dossier::Dossier;
use crate::models::payment::PaymentTransaction;
use crate::services::payments::{assess_dossier, rules_of};
use crate::services::workflow;
use crate::web::auth::Officer;
use crate::web::payment_panel::PaymentPanel;
use crate::web::public::payments::send_receipt;
use crate::web::state::AppState;
use actix_web::{HttpResponse, web};

/// The fees part of the dossier page.
pub struct Fees {
    /// The fee rules with the quantities the e-form gives (empty unless the officer may ask for
    /// fees now).
    pub choices: Vec<FeeChoice>,
    /// The payment requests and their attempts.
    pub panel: PaymentPanel,
}

/// Loads the fees part of the page of `d`; `allowed` are the actions the officer may take now.
pub fn load(conn: &mut DbConn, d: &Dossier, allowed: &[Action]) -> Result<Fees, AppError> {
    let choices = if allowed.contains(&Action::RequestPayment) { choices(conn, d)? } else { Vec::new() };
    Ok(Fees { choices, panel: PaymentPanel::load(conn, &d.id)? })
}

/// Each fee rule of the dossier's procedure, labelled with its unit amount, and the quantity
/// the dossier's e-form gives (0 when the rule does not apply or the form cannot say).
fn choices(conn: &mut DbConn, d: &Dossier) -> Result<Vec<FeeChoice>, AppError> {
    let rules = rules_of(conn, &d.procedure_id)?;
    // The assessed lines are the applying rules with an amount, in the rules' order.
    let assessed = assess_dossier(conn, d).unwrap_or_default();
    let mut lines = assessed.iter().peekable();
    Ok(rules
        .into_iter()
        .map(|rule| {
            let quantity = match lines.peek() {
                Some(l) if l.description == rule.description && l.unit_amount == rule.amount => {
                    lines.next().map_or(0, |l| l.quantity)
                }
                _ => 0,
            };
            let unit = rule.per_unit.as_deref().map(|u| format!("/{u}")).unwrap_or_default();
            FeeChoice { label: format!("{} ({}{unit})", rule.description, rule.amount), quantity }
        })
        .collect())
}

/// `GET /can-bo/ho-so/{code}/bien-lai/{id}`: the stored e-receipt of an attempt on a dossier the
/// officer's agency may see; anything else is "not found".
pub async fn receipt(
    officer: Officer,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (code, id) = path.into_inner();
    let who = workflow::Officer::new(&officer.0.staff, &officer.0.roles);
    let t = state
        .db
        .run(move |conn| {
            let d = workflow::find_visible(conn, &who, &code)?;
            Ok(PaymentTransaction::of_dossier(conn, &d.id)?.into_iter().find(|t| t.id == id))
        })
        .await?
        .ok_or(AppError::NotFound("biên lai"))?;
    send_receipt(&state, &t).await
}
