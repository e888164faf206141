//! `/lanh-dao`: a leader sees what waits for their approval in their scope, and nothing else.

use crate::accounts::signed_in_citizen;
use crate::follow_up::{act, officer};
use crate::intake::{PDF, submit_dossier};
use crate::support::TestApp;
use dvc_portal::services::intake::IncomingFile;
use dvc_portal::services::workflow::Command;

#[tokio::test]
async fn leaders_see_dossiers_awaiting_their_approval_within_their_scope() {
    let app = TestApp::spawn().await;
    signed_in_citizen(&app, "lan@example.vn", "038190012345").await;
    let code = submit_dossier(&app).await;
    act(&app, "xa1.motcua", &code, Command::Receive).await;
    let specialist = officer(&app, "xa1.chuyenvien").id;
    act(&app, "xa1.motcua", &code, Command::Assign { specialist_id: specialist }).await;
    let file = IncomingFile { paper_position: 0, file_name: "kq.pdf".into(), bytes: PDF.to_vec() };
    act(&app, "xa1.chuyenvien", &code, Command::ProposeResult { summary: "Đồng ý".into(), files: vec![file] }).await;

    let commune = app.staff("xa1.lanhdao").await.get("/lanh-dao").await;
    assert_eq!(commune.status, 200);
    assert_eq!(commune.html().texts("#pending-title + table tbody tr td:first-child a"), std::slice::from_ref(&code));
    assert!(commune.html().text("h1").contains("Ủy ban nhân dân"), "scoped to the commune");

    let department = app.staff("stp.lanhdao").await.get("/lanh-dao").await;
    assert!(department.html().texts("#pending-title + table tbody tr").is_empty());
    assert!(!department.text().contains(&code));

    let province = app.staff("tinh.lanhdao").await.get("/lanh-dao").await;
    assert_eq!(province.html().texts("#pending-title + table tbody tr td:first-child a"), std::slice::from_ref(&code));
    assert!(province.html().text("h1").contains("toàn tỉnh"));

    assert_eq!(app.staff("xa1.motcua").await.get("/lanh-dao").await.status, 403);
    let res = app.get("/lanh-dao").await;
    assert_eq!(res.status, 303, "a citizen is sent to the staff sign-in");
    assert!(res.location().starts_with("/can-bo/dang-nhap"));
}
