//! Accounts: what a username and a password may be, how passwords are hashed and checked,
//! how session and CSRF tokens are made and kept, where hashes are computed (a bounded pool), and how
//! sign-ins and sign-ups are rate limited.

mod hashing;
mod limiter;
mod password;
mod tokens;
mod username;

pub use hashing::{return_large_blocks_to_the_system, Busy, HashingPool, HashingStats};
pub use limiter::{LoginLimiter, Refusal, SigninAttempt, SignupAttempt};
pub use password::{hash_password, verify_password, Password};
pub use tokens::{constant_time_eq, session_hash, CsrfKey, CSRF_TOKEN_LEN};
pub use username::Username;

/// A fresh 128-bit token from the operating system's CSPRNG, as 32 lower-case hex digits:
/// session tokens (CSRF tokens are `CsrfKey::mint`'s).
pub fn new_token() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)?;
    Ok(bytes.iter().map(|byte| format!("{byte:02x}")).collect())
}

/// Whether `raw` could be a token from [`new_token`] (cheap check before any lookup).
pub fn looks_like_token(raw: &str) -> bool {
    raw.len() == 32 && raw.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_32_hex_digits_and_differ() {
        let first = new_token().unwrap();
        let second = new_token().unwrap();
        assert!(looks_like_token(&first), "{first}");
        assert_ne!(first, second);
        assert!(!looks_like_token("not-a-token"));
        assert!(!looks_like_token(&"A".repeat(32)));
    }
}
