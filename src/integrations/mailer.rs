//! Outgoing mail: the messages the portal sends, rendered from `templates/email/`, and the
//! transport (SMTP or files) chosen by `DVC_SMTP_URL`.

use serde::{Deserialize, Serialize};

/// A message waiting in the outbox: who gets it and what it says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutgoingMail {
    /// Recipient address.
    pub to: String,
    /// The message.
    pub message: MailMessage,
}

/// Every message the portal sends; each has `templates/email/<template>/{subject.txt,body.txt,body.html}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "template", rename_all = "snake_case")]
pub enum MailMessage {
    /// Confirm an address after registration.
    VerifyEmail {
        /// Full name.
        name: String,
        /// Signed, expiring link.
        link: String,
    },
    /// Set a new password.
    ResetPassword {
        /// Full name.
        name: String,
        /// Signed, expiring link.
        link: String,
    },
    /// A dossier was submitted online.
    DossierSubmitted {
        /// Applicant's name.
        name: String,
        /// Dossier code.
        code: String,
        /// Procedure name.
        procedure_name: String,
        /// Receiving agency.
        agency_name: String,
        /// Papers received (name and number of files).
        papers: Vec<String>,
        /// Link to the tracking page.
        track_link: String,
    },
    /// A dossier was withdrawn by the citizen.
    DossierWithdrawn {
        /// Applicant's name.
        name: String,
        /// Dossier code.
        code: String,
        /// Procedure name.
        procedure_name: String,
        /// The citizen's reason.
        reason: String,
    },
}
