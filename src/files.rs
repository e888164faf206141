//! The content-addressed file store: bytes live under `<data_dir>/files/<aa>/<sha256>`, the
//! database holds only the address and metadata.

use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

/// A file store rooted in the data directory.
#[derive(Clone, Debug)]
pub struct FileStore {
    root: PathBuf,
}

/// The kinds of file the portal accepts, recognised from their first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// `%PDF-`.
    Pdf,
    /// A ZIP container holding `word/document.xml` (Office Open XML).
    Docx,
    /// JPEG.
    Jpeg,
    /// PNG.
    Png,
}

impl FileKind {
    /// Recognises a file from its bytes, never from its name.
    pub fn sniff(bytes: &[u8]) -> Option<FileKind> {
        if bytes.starts_with(b"%PDF-") {
            Some(FileKind::Pdf)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(FileKind::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(FileKind::Jpeg)
        } else if bytes.starts_with(b"PK\x03\x04") && contains(bytes, b"word/") {
            Some(FileKind::Docx)
        } else {
            None
        }
    }

    /// The MIME type.
    pub fn content_type(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            FileKind::Jpeg => "image/jpeg",
            FileKind::Png => "image/png",
        }
    }

    /// The usual extension.
    pub fn extension(self) -> &'static str {
        match self {
            FileKind::Pdf => "pdf",
            FileKind::Docx => "docx",
            FileKind::Jpeg => "jpg",
            FileKind::Png => "png",
        }
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The hex SHA-256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

impl FileStore {
    /// A store under `<data_dir>/files`.
    pub fn new(data_dir: &Path) -> Self {
        FileStore { root: data_dir.join("files") }
    }

    fn path_of(&self, sha256: &str) -> Option<PathBuf> {
        let valid = sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase());
        valid.then(|| self.root.join(&sha256[..2]).join(sha256))
    }

    /// Stores bytes and returns their address; storing the same bytes twice is a no-op.
    pub fn put(&self, bytes: &[u8]) -> std::io::Result<String> {
        let sha = sha256_hex(bytes);
        let path = self.path_of(&sha).ok_or_else(|| std::io::Error::other("bad digest"))?;
        if path.exists() {
            return Ok(sha);
        }
        let dir = path.parent().ok_or_else(|| std::io::Error::other("no parent"))?;
        std::fs::create_dir_all(dir)?;
        let tmp = dir.join(format!(".{sha}.{}", uuid::Uuid::now_v7()));
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, &path)?;
        Ok(sha)
    }

    /// Reads the bytes at an address, checking they still hash to it.
    pub fn get(&self, sha256: &str) -> std::io::Result<Vec<u8>> {
        let path =
            self.path_of(sha256).ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "bad address"))?;
        let bytes = std::fs::read(path)?;
        if sha256_hex(&bytes) != sha256 {
            return Err(std::io::Error::other(format!("file {sha256} is corrupt")));
        }
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_from_bytes_not_names() {
        assert_eq!(FileKind::sniff(b"%PDF-1.7\n..."), Some(FileKind::Pdf));
        assert_eq!(FileKind::sniff(b"\x89PNG\r\n\x1a\n...."), Some(FileKind::Png));
        assert_eq!(FileKind::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(FileKind::Jpeg));
        assert_eq!(FileKind::sniff(b"PK\x03\x04....word/document.xml"), Some(FileKind::Docx));
        assert_eq!(FileKind::sniff(b"PK\x03\x04....xl/workbook.xml"), None);
        assert_eq!(FileKind::sniff(b"<html><script>"), None);
        assert_eq!(FileKind::sniff(b""), None);
    }

    #[test]
    fn stores_by_content_and_refuses_bad_addresses() {
        let dir = std::env::temp_dir().join(format!("dvc-files-{}", uuid::Uuid::now_v7()));
        let store = FileStore::new(&dir);
        let a = store.put(b"hello").ok();
        assert_eq!(a.as_deref(), Some("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"));
        assert_eq!(store.put(b"hello").ok(), a);
        assert_eq!(a.as_deref().and_then(|a| store.get(a).ok()), Some(b"hello".to_vec()));
        assert!(store.get("../../etc/passwd").is_err());
        assert!(store.get(&"A".repeat(64)).is_err());
        let _ = std::fs::remove_dir_all(dir);
    }
}
