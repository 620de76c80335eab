//! What the server keeps of a session token, and CSRF tokens bound to the session.
//!
//! - Sessions are stored by the SHA-256 of their token (the cookie's value), never the token:
//!   a copy of the database (a backup, a leak) opens no session. The token carries 128 random
//!   bits, so a plain hash is enough (no salt or slow hash: nothing to guess).
//! - A CSRF token is a random nonce and an HMAC-SHA-256 over the session token the browser
//!   holds (empty for a guest) and that nonce, keyed by a secret every server process on the
//!   database shares. The double-submit check (header equal to cookie) stays; the MAC adds that
//!   a token only works with the session it was made for, so a token planted in a browser by
//!   someone else (a sibling subdomain writing cookies, say) is refused once the learner signs
//!   in, and a token read for one session is worthless for another.

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

/// Bytes of the nonce and of the (truncated) MAC; each is written as hex.
const NONCE_BYTES: usize = 16;
const MAC_BYTES: usize = 16;
/// Length of a CSRF token: nonce and MAC in hex.
pub const CSRF_TOKEN_LEN: usize = 2 * (NONCE_BYTES + MAC_BYTES);

/// The stored form of a session token: its SHA-256 in hex.
pub fn session_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// The key CSRF tokens are signed with (shared by every process on one database).
#[derive(Clone)]
pub struct CsrfKey([u8; 32]);

impl std::fmt::Debug for CsrfKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CsrfKey(…)")
    }
}

impl CsrfKey {
    /// A fresh random key, in the hex form `from_hex` reads.
    pub fn generate_hex() -> Result<String, getrandom::Error> {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key)?;
        Ok(hex(&key))
    }

    pub fn from_hex(text: &str) -> Option<Self> {
        let bytes = unhex(text)?;
        Some(Self(bytes.try_into().ok()?))
    }

    /// A new token for the browser holding `session` (its session token; `None` for a guest).
    pub fn mint(&self, session: Option<&str>) -> Result<String, getrandom::Error> {
        let mut nonce = [0u8; NONCE_BYTES];
        getrandom::fill(&mut nonce)?;
        let nonce = hex(&nonce);
        let mac = self.mac(session, &nonce);
        Ok(format!("{nonce}{mac}"))
    }

    /// Whether `token` was made by this key for `session`.
    pub fn verify(&self, token: &str, session: Option<&str>) -> bool {
        if token.len() != CSRF_TOKEN_LEN || !token.is_ascii() {
            return false;
        }
        let (nonce, mac) = token.split_at(2 * NONCE_BYTES);
        let expected = self.mac(session, nonce);
        constant_time_eq(mac.as_bytes(), expected.as_bytes())
    }

    fn mac(&self, session: Option<&str>, nonce: &str) -> String {
        let mut mac =
            <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0).expect("HMAC takes any key length");
        // Lengths first, so that no two (session, nonce) pairs feed the same bytes.
        let session = session.unwrap_or_default();
        mac.update(b"trailmap-csrf-v1");
        mac.update(&(session.len() as u64).to_be_bytes());
        mac.update(session.as_bytes());
        mac.update(&(nonce.len() as u64).to_be_bytes());
        mac.update(nonce.as_bytes());
        hex(&mac.finalize().into_bytes()[..MAC_BYTES])
    }
}

/// Compares without stopping at the first difference, so timing tells nothing about a token.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(&text[at..at + 2], 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fresh_key() -> CsrfKey {
        CsrfKey::from_hex(&CsrfKey::generate_hex().unwrap()).unwrap()
    }

    #[test]
    fn session_hashes_are_sha256_hex_and_differ_from_the_token() {
        let hash = session_hash("0123456789abcdef0123456789abcdef");
        assert_eq!(hash.len(), 64);
        assert_eq!(
            session_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn a_csrf_token_verifies_for_its_own_session_only() {
        let key = fresh_key();
        let guest = key.mint(None).unwrap();
        let alice = key.mint(Some("alice-session")).unwrap();
        assert_eq!(alice.len(), CSRF_TOKEN_LEN);
        assert_ne!(key.mint(None).unwrap(), guest, "a fresh nonce each time");

        assert!(key.verify(&guest, None));
        assert!(key.verify(&alice, Some("alice-session")));
        assert!(!key.verify(&guest, Some("alice-session")));
        assert!(!key.verify(&alice, None));
        assert!(!key.verify(&alice, Some("bob-session")));
        assert!(
            !fresh_key().verify(&alice, Some("alice-session")),
            "another key"
        );
    }

    #[test]
    fn altered_or_malformed_tokens_are_refused() {
        let key = fresh_key();
        let token = key.mint(Some("s")).unwrap();
        let mut altered = token.clone().into_bytes();
        altered[40] = if altered[40] == b'0' { b'1' } else { b'0' };
        assert!(!key.verify(std::str::from_utf8(&altered).unwrap(), Some("s")));
        assert!(!key.verify(&token[..63], Some("s")));
        assert!(!key.verify("", Some("s")));
        assert!(!key.verify(&"é".repeat(32), Some("s")));
        assert!(CsrfKey::from_hex("abc").is_none());
        assert!(CsrfKey::from_hex(&"zz".repeat(32)).is_none());
    }
}
