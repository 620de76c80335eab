//! A learner's sign-in name.

use std::fmt;

/// 3 to 32 of `a-z`, `0-9`, `_`, `-`. Case-insensitive: `Alice` and `alice` are one name,
/// stored lower-cased.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Username(String);

impl Username {
    pub const MIN_LEN: usize = 3;
    pub const MAX_LEN: usize = 32;

    pub fn parse(raw: &str) -> Result<Self, String> {
        let name = raw.to_ascii_lowercase();
        if name.len() < Self::MIN_LEN || name.len() > Self::MAX_LEN {
            return Err(format!(
                "a username is {} to {} characters long",
                Self::MIN_LEN,
                Self::MAX_LEN
            ));
        }
        if !name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
        {
            return Err("a username may only hold letters, digits, `_` and `-`".into());
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_lower_cased_and_checked() {
        assert_eq!(Username::parse("Alice_01").unwrap().as_str(), "alice_01");
        assert_eq!(Username::parse("bob").unwrap().as_str(), "bob");
        assert!(Username::parse(&"a".repeat(32)).is_ok());
        for bad in [
            "",
            "ab",
            "has space",
            "dé-jà",
            "semi;colon",
            &"a".repeat(33),
        ] {
            assert!(Username::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }
}
