//! Signed, expiring links (e-mail verification, password reset; later file URLs for the national
//! portal): an HMAC-SHA256 over the purpose, the subject, the expiry and a binding value, so a
//! link works for one purpose, one subject, until its expiry, and only while the binding (e.g. the
//! current password hash) is unchanged.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::path::Path;
use subtle::ConstantTimeEq;

/// The key signed links are made with.
#[derive(Clone)]
pub struct Signer {
    key: Vec<u8>,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Signer(..)")
    }
}

impl Signer {
    /// From `DVC_SECRET_KEY` (at least 32 characters), or a key generated once and kept in
    /// `<data_dir>/secret.key`.
    pub fn load(configured: Option<&str>, data_dir: &Path) -> anyhow::Result<Signer> {
        if let Some(key) = configured {
            anyhow::ensure!(key.len() >= 32, "DVC_SECRET_KEY must be at least 32 characters long");
            return Ok(Signer { key: key.as_bytes().to_vec() });
        }
        let path = data_dir.join("secret.key");
        if let Ok(existing) = std::fs::read_to_string(&path) {
            let existing = existing.trim();
            anyhow::ensure!(existing.len() >= 32, "{} is too short", path.display());
            return Ok(Signer { key: existing.as_bytes().to_vec() });
        }
        std::fs::create_dir_all(data_dir)?;
        let key = crate::signing::random_token();
        std::fs::write(&path, &key).map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
        Ok(Signer { key: key.into_bytes() })
    }

    /// A signer with a fixed key (tests).
    pub fn with_key(key: &str) -> Signer {
        Signer { key: key.as_bytes().to_vec() }
    }

    fn mac(&self, parts: &[&str]) -> String {
        let mut mac = match Hmac::<Sha256>::new_from_slice(&self.key) {
            Ok(m) => m,
            Err(_) => return String::new(),
        };
        for p in parts {
            mac.update(p.as_bytes());
            mac.update(b"\x1f");
        }
        hex::encode(mac.finalize().into_bytes())
    }

    /// The signature of `(purpose, subject, expires, binding)`.
    pub fn sign(&self, purpose: &str, subject: &str, expires: i64, binding: &str) -> String {
        self.mac(&[purpose, subject, &expires.to_string(), binding])
    }

    /// Checks a signature in constant time, and that `now` is before `expires`.
    pub fn verify(&self, purpose: &str, subject: &str, expires: i64, binding: &str, signature: &str, now: i64) -> bool {
        let expected = self.sign(purpose, subject, expires, binding);
        now < expires
            && expected.len() == signature.len()
            && bool::from(expected.as_bytes().ct_eq(signature.as_bytes()))
    }
}

/// 32 random bytes as hex, from the operating system's generator.
pub fn random_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_bind_every_part_and_expire() {
        let s = Signer::with_key("k".repeat(32).as_str());
        let sig = s.sign("verify", "user-1", 1000, "a@b.vn");
        assert!(s.verify("verify", "user-1", 1000, "a@b.vn", &sig, 999));
        assert!(!s.verify("verify", "user-1", 1000, "a@b.vn", &sig, 1000), "expired");
        assert!(!s.verify("reset", "user-1", 1000, "a@b.vn", &sig, 1));
        assert!(!s.verify("verify", "user-2", 1000, "a@b.vn", &sig, 1));
        assert!(!s.verify("verify", "user-1", 2000, "a@b.vn", &sig, 1));
        assert!(!s.verify("verify", "user-1", 1000, "c@b.vn", &sig, 1));
        assert!(!s.verify("verify", "user-1", 1000, "a@b.vn", &sig[..10], 1));
        let other = Signer::with_key("z".repeat(32).as_str());
        assert!(!other.verify("verify", "user-1", 1000, "a@b.vn", &sig, 1));
    }

    #[test]
    fn tokens_are_random() {
        assert_eq!(random_token().len(), 64);
        assert_ne!(random_token(), random_token());
    }
}
