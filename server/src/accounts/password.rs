//! Password rules and hashing.
//!
//! Rules follow NIST SP 800-63B: a minimum length, a generous maximum, no composition rules,
//! and a block list of passwords known to be common. Hashes are Argon2id with the OWASP
//! parameters (19 MiB, 2 passes, 1 lane), stored as PHC strings so the parameters can change
//! later without breaking existing hashes. Hashing takes tens of milliseconds of CPU: callers
//! run it on the blocking pool.

use std::{collections::HashSet, sync::OnceLock};

use argon2::{
    password_hash::{PasswordHasher, PasswordVerifier},
    Algorithm, Argon2, Params, Version,
};

const COMMON: &str = include_str!("common_passwords.txt");

/// A password that passed the rules (never logged, never echoed).
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 8;
    pub const MAX_CHARS: usize = 128;

    /// Checks a new password; `username` is refused as a password too.
    pub fn parse(raw: &str, username: &str) -> Result<Self, String> {
        let chars = raw.chars().count();
        if chars < Self::MIN_CHARS {
            return Err(format!(
                "the password must be at least {} characters long",
                Self::MIN_CHARS
            ));
        }
        if chars > Self::MAX_CHARS {
            return Err(format!(
                "the password must be at most {} characters long",
                Self::MAX_CHARS
            ));
        }
        let lower = raw.to_lowercase();
        if common_passwords().contains(lower.as_str()) || lower == username.to_lowercase() {
            return Err("this password is too common; choose another".into());
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

fn common_passwords() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        COMMON
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .collect()
    })
}

fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("the OWASP parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// The PHC string of `password` with a fresh random salt. Blocking.
pub fn hash_password(password: &str) -> Result<String, String> {
    argon2()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|error| format!("hashing failed: {error}"))
}

/// Whether `password` matches the PHC string `hash`. Blocking. With `hash` = `None` (no such
/// user) a dummy hash is checked anyway, so the answer takes as long either way and does not
/// tell whether the account exists.
pub fn verify_password(password: &str, hash: Option<&str>) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash_password("no-such-user-dummy").unwrap_or_default());
    let matches = argon2()
        .verify_password(password.as_bytes(), hash.unwrap_or(dummy))
        .is_ok();
    matches && hash.is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_long_and_common_passwords_are_refused() {
        assert!(Password::parse("correct horse battery", "alice").is_ok());
        assert!(Password::parse("short", "alice").is_err());
        assert!(Password::parse(&"x".repeat(129), "alice").is_err());
        assert!(Password::parse(&"é".repeat(128), "alice").is_ok());
        for common in [
            "password",
            "Password1",
            "12345678",
            "QWERTYUIOP",
            "iloveyou",
        ] {
            assert!(Password::parse(common, "alice").is_err(), "{common}");
        }
        assert!(Password::parse("alice-the-learner", "alice-the-learner").is_err());
        assert!(common_passwords().len() >= 300);
    }

    #[test]
    fn a_hash_verifies_its_password_only() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(verify_password("correct horse battery", Some(&hash)));
        assert!(!verify_password("wrong horse battery", Some(&hash)));
        assert!(!verify_password("no-such-user-dummy", None));
        assert!(!verify_password("anything", Some("not a phc string")));
    }
}
