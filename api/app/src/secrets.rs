//! Secrets Careline must keep and use again (mailbox passwords), encrypted at rest with the
//! data key: AES-256-GCM, a fresh 96-bit nonce per value, stored as
//! `v1:<base64(nonce ‖ ciphertext)>`. A copy of the database alone reveals none of them.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

const PREFIX: &str = "v1:";
const NONCE_BYTES: usize = 12;

/// The key that encrypts stored secrets (`DATA_KEY`). Its `Debug` shows nothing.
#[derive(Clone)]
pub struct DataKey(Aes256Gcm);

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(..)")
    }
}

/// A stored secret could not be read back (another key, or altered).
#[derive(Debug, thiserror::Error)]
#[error("a stored secret cannot be decrypted with this DATA_KEY")]
pub struct Undecryptable;

impl DataKey {
    /// A key from its 32 bytes.
    pub fn new(bytes: &[u8; 32]) -> DataKey {
        DataKey(Aes256Gcm::new(bytes.into()))
    }

    /// A key from `DATA_KEY`'s text: 32 bytes in base64 (standard or URL-safe) or 64 hex digits.
    pub fn parse(text: &str) -> anyhow::Result<DataKey> {
        let text = text.trim();
        let bytes = if text.len() == 64 && text.chars().all(|c| c.is_ascii_hexdigit()) {
            hex::decode(text)?
        } else {
            STANDARD
                .decode(text)
                .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text))
                .or_else(|_| base64::engine::general_purpose::URL_SAFE.decode(text))
                .map_err(|_| anyhow::anyhow!("DATA_KEY must be 32 bytes in base64 or hex"))?
        };
        let bytes: [u8; 32] = bytes
            .try_into()
            .map_err(|_| anyhow::anyhow!("DATA_KEY must be exactly 32 bytes (base64 or hex)"))?;
        Ok(DataKey::new(&bytes))
    }

    /// A new random key (the application's default when none is configured; secrets it
    /// encrypts do not survive a restart).
    pub fn random() -> DataKey {
        let mut bytes = [0u8; 32];
        rand::Rng::fill(&mut rand::rng(), &mut bytes[..]);
        DataKey::new(&bytes)
    }

    /// `plain`, encrypted for storage.
    pub fn seal(&self, plain: &str) -> String {
        let mut nonce = [0u8; NONCE_BYTES];
        rand::Rng::fill(&mut rand::rng(), &mut nonce[..]);
        let sealed = self
            .0
            .encrypt(&Nonce::from(nonce), plain.as_bytes())
            .unwrap_or_else(|_| unreachable!("AES-GCM encrypts any message under 64 GiB"));
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        format!("{PREFIX}{}", STANDARD.encode(out))
    }

    /// A stored secret, decrypted.
    pub fn open(&self, stored: &str) -> Result<String, Undecryptable> {
        let raw = stored
            .strip_prefix(PREFIX)
            .and_then(|b| STANDARD.decode(b).ok())
            .filter(|raw| raw.len() > NONCE_BYTES)
            .ok_or(Undecryptable)?;
        let (nonce, sealed) = raw.split_at(NONCE_BYTES);
        let nonce: [u8; NONCE_BYTES] = nonce.try_into().map_err(|_| Undecryptable)?;
        let plain = self
            .0
            .decrypt(&Nonce::from(nonce), sealed)
            .map_err(|_| Undecryptable)?;
        String::from_utf8(plain).map_err(|_| Undecryptable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_with_its_key_only() {
        let key = DataKey::new(&[7; 32]);
        let sealed = key.seal("imap password 密码");
        assert!(sealed.starts_with("v1:"));
        assert!(!sealed.contains("password"));
        assert_eq!(key.open(&sealed).unwrap(), "imap password 密码");
        assert_ne!(key.seal("x"), key.seal("x"), "a fresh nonce each time");
        assert!(DataKey::new(&[8; 32]).open(&sealed).is_err());
        let mut altered = sealed.clone();
        altered.pop();
        altered.push('A');
        assert!(key.open(&altered).is_err() || altered == sealed);
        assert!(key.open("plain").is_err());
    }

    #[test]
    fn keys_parse_from_base64_or_hex() {
        let b64 = STANDARD.encode([1u8; 32]);
        let hex = hex::encode([1u8; 32]);
        let a = DataKey::parse(&b64).unwrap();
        let b = DataKey::parse(&hex).unwrap();
        assert_eq!(b.open(&a.seal("s")).unwrap(), "s");
        assert!(DataKey::parse("too short").is_err());
        assert!(DataKey::parse(&STANDARD.encode([1u8; 16])).is_err());
    }
}
