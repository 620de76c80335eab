//! What the server can tell of a visitor's screen before the browser measures it: whether the
//! request comes from a phone. The map page is drawn for that form factor from the first
//! byte (a phone gets its narrow trail and the whole-roadmap overview, a laptop the trail at
//! 100 %), so a phone does not first show a laptop's view and jump to its own once the
//! client has loaded. The page cache keeps one copy per form factor.

use serde::{Deserialize, Serialize};

/// The kind of screen a page is rendered for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FormFactor {
    /// A laptop, desktop or tablet: anything not known to be a phone.
    #[default]
    Wide,
    Phone,
}

impl FormFactor {
    /// From a request's `Sec-CH-UA-Mobile` client hint (`?1` on a phone; Chromium-based
    /// browsers send it on every request) and, when the hint is absent (Firefox, Safari), its
    /// `User-Agent`: phones' browsers say `Mobi` in it (the rule MDN recommends; tablets do
    /// not, and get the wide page).
    pub fn from_headers(ch_ua_mobile: Option<&str>, user_agent: Option<&str>) -> Self {
        let phone = match ch_ua_mobile.map(str::trim) {
            Some(hint) => hint == "?1",
            None => user_agent.is_some_and(|agent| agent.contains("Mobi")),
        };
        if phone {
            Self::Phone
        } else {
            Self::Wide
        }
    }

    /// The request headers a page drawn for a form factor depends on (its `Vary`).
    pub const VARY: &'static str = "sec-ch-ua-mobile, user-agent";

    /// A short name for cache keys and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Wide => "wide",
            Self::Phone => "phone",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ANDROID_CHROME: &str = "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 \
        (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36";
    const IPHONE_SAFARI: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) \
        AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1";
    const ANDROID_FIREFOX: &str =
        "Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0";
    const IPAD_SAFARI: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) \
        AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15";
    const LINUX_CHROME: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 \
        (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36";

    #[test]
    fn the_client_hint_decides_when_it_is_sent() {
        assert_eq!(
            FormFactor::from_headers(Some("?1"), Some(LINUX_CHROME)),
            FormFactor::Phone
        );
        assert_eq!(
            FormFactor::from_headers(Some(" ?1 "), None),
            FormFactor::Phone
        );
        // A desktop browser emulating a phone's user agent still says ?0: the hint wins.
        assert_eq!(
            FormFactor::from_headers(Some("?0"), Some(ANDROID_CHROME)),
            FormFactor::Wide
        );
        assert_eq!(
            FormFactor::from_headers(Some("yes"), None),
            FormFactor::Wide
        );
    }

    #[test]
    fn without_the_hint_a_mobile_user_agent_is_a_phone() {
        for agent in [ANDROID_CHROME, IPHONE_SAFARI, ANDROID_FIREFOX] {
            assert_eq!(
                FormFactor::from_headers(None, Some(agent)),
                FormFactor::Phone,
                "{agent}"
            );
        }
        for agent in [IPAD_SAFARI, LINUX_CHROME, ""] {
            assert_eq!(
                FormFactor::from_headers(None, Some(agent)),
                FormFactor::Wide,
                "{agent}"
            );
        }
        assert_eq!(FormFactor::from_headers(None, None), FormFactor::Wide);
    }
}
