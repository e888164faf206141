//! The command line: a mistyped DATABASE_URL is one clear line and creates nothing.

use std::process::Command;

fn portal(args: &[&str], database_url: &str, dir: &std::path::Path) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_dvc-portal"))
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("DVC_DATA_DIR", dir.join("data"))
        .env("BIND", "127.0.0.1:0")
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("run: {e}"));
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn mistyped_database_urls_fail_in_one_line_and_create_nothing() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for url in ["sqlite:portal.db", "sqlit://portal.db", "mysql://root@localhost/x", "portal.db"] {
        let (code, stderr) = portal(&["serve"], url, dir.path());
        assert_eq!(code, 1, "{url}: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{url}: {stderr}");
        assert!(stderr.contains("DATABASE_URL"), "{url}: {stderr}");
    }
    let (code, stderr) = portal(&["serve"], "sqlite://typo/portal.db", dir.path());
    assert_eq!(code, 1);
    assert!(stderr.contains("does not exist"), "{stderr}");
    let left: Vec<_> =
        std::fs::read_dir(dir.path()).map(|d| d.flatten().map(|e| e.file_name()).collect()).unwrap_or_default();
    assert!(left.is_empty(), "stray files: {left:?}");
}
