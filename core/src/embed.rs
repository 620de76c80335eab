//! The options of an embedded map (`/embed/{slug}?theme=…&height=…`), parsed from the query
//! once, with every problem reported together, and written back into URLs (the snippet the
//! Embed dialog builds, and the embed's own links, which must keep the options). Pure logic.

use std::fmt::Write as _;

use crate::{layout::Expand, roadmap::NodeId};

/// The map's height when the query names none, px.
pub const DEFAULT_HEIGHT: u32 = 600;
/// Allowed heights, px.
pub const MIN_HEIGHT: u32 = 200;
pub const MAX_HEIGHT: u32 = 2000;

/// The embed's colour scheme: fixed, or following the reader's system.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum EmbedTheme {
    #[default]
    Auto,
    Light,
    Dark,
}

impl EmbedTheme {
    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw {
            "auto" => Ok(Self::Auto),
            "light" => Ok(Self::Light),
            "dark" => Ok(Self::Dark),
            other => Err(format!(
                "theme must be `light`, `dark` or `auto`, not `{other}`"
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Light => "light",
            Self::Dark => "dark",
        }
    }

    /// The `data-theme` value the page carries (none: follow the system).
    pub fn data_theme(self) -> Option<&'static str> {
        match self {
            Self::Auto => None,
            Self::Light => Some("light"),
            Self::Dark => Some("dark"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmbedOptions {
    pub theme: EmbedTheme,
    /// The topic open at start (and centred).
    pub node: Option<NodeId>,
    pub expand: Expand,
    /// Height of the whole embed, px.
    pub height: u32,
    /// Whether progress tracking is shown.
    pub progress: bool,
    /// Whether the reader may change progress.
    pub readonly: bool,
    /// A share token (`?share=`): the embed shows that learner's progress, read-only, instead
    /// of the reader's own (see the README's *Sharing your progress*).
    pub share: Option<String>,
}

/// Longest `share=` value taken (a token is 32 characters; anything else opens nothing).
const MAX_SHARE_CHARS: usize = 128;

/// Any value up to [`MAX_SHARE_CHARS`]: whether it opens a share is the server's to say (a
/// wrong or malformed token shows "not available", like a turned-off one).
fn parse_share(value: &str) -> Result<String, String> {
    if value.is_empty() || value.chars().count() > MAX_SHARE_CHARS {
        return Err(format!(
            "share: a share link's token, 1…{MAX_SHARE_CHARS} characters"
        ));
    }
    Ok(value.to_owned())
}

impl EmbedOptions {
    /// Whether progress shows: always with a share token.
    pub fn shows_progress(&self) -> bool {
        self.progress || self.share.is_some()
    }

    /// Whether the reader may not change progress: never for someone else's (a share).
    pub fn is_readonly(&self) -> bool {
        self.readonly || self.share.is_some()
    }
}

impl Default for EmbedOptions {
    fn default() -> Self {
        Self {
            theme: EmbedTheme::Auto,
            node: None,
            expand: Expand::default(),
            height: DEFAULT_HEIGHT,
            progress: true,
            readonly: false,
            share: None,
        }
    }
}

impl EmbedOptions {
    /// From query pairs; unknown keys are ignored (a host may add its own), and every bad
    /// value is reported, one message each.
    pub fn parse<K, V>(pairs: impl IntoIterator<Item = (K, V)>) -> Result<Self, Vec<String>>
    where
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut options = Self::default();
        let mut problems = Vec::new();
        for (key, value) in pairs {
            let value = value.as_ref();
            let parsed = match key.as_ref() {
                "theme" => EmbedTheme::parse(value).map(|theme| options.theme = theme),
                "node" => NodeId::parse(value)
                    .map(|node| options.node = Some(node))
                    .map_err(|error| format!("node: {error}")),
                "expand" => Expand::parse(value).map(|expand| options.expand = expand),
                "height" => parse_height(value).map(|height| options.height = height),
                "progress" => parse_flag("progress", value).map(|on| options.progress = on),
                "readonly" => parse_flag("readonly", value).map(|on| options.readonly = on),
                "share" => parse_share(value).map(|token| options.share = Some(token)),
                _ => Ok(()),
            };
            if let Err(problem) = parsed {
                problems.push(problem);
            }
        }
        if problems.is_empty() {
            Ok(options)
        } else {
            Err(problems)
        }
    }

    /// The query string of these options (without `?`), naming only what differs from the
    /// defaults, in a fixed order; empty for the defaults.
    pub fn to_query(&self) -> String {
        let defaults = Self::default();
        let mut query = String::new();
        let mut add = |key: &str, value: &dyn std::fmt::Display| {
            if !query.is_empty() {
                query.push('&');
            }
            let _ = write!(query, "{key}={value}");
        };
        if self.theme != defaults.theme {
            add("theme", &self.theme.as_str());
        }
        if let Some(node) = &self.node {
            add("node", node);
        }
        if self.expand != defaults.expand {
            add("expand", &self.expand);
        }
        if self.height != defaults.height {
            add("height", &self.height);
        }
        if self.progress != defaults.progress {
            add("progress", &u8::from(self.progress));
        }
        if self.readonly != defaults.readonly {
            add("readonly", &u8::from(self.readonly));
        }
        if let Some(token) = &self.share {
            let token: String = url::form_urlencoded::byte_serialize(token.as_bytes()).collect();
            add("share", &token);
        }
        query
    }

    /// The embed's path for roadmap `slug` with these options.
    pub fn path(&self, slug: &str) -> String {
        crate::links::embed(slug, &self.to_query())
    }

    /// The same options with another topic open.
    pub fn with_node(&self, node: Option<NodeId>) -> Self {
        Self {
            node,
            ..self.clone()
        }
    }
}

fn parse_height(raw: &str) -> Result<u32, String> {
    match raw.parse::<u32>() {
        Ok(height) if (MIN_HEIGHT..=MAX_HEIGHT).contains(&height) && !raw.starts_with('+') => {
            Ok(height)
        }
        _ => Err(format!(
            "height must be a number of pixels from {MIN_HEIGHT} to {MAX_HEIGHT}, not `{raw}`"
        )),
    }
}

fn parse_flag(name: &str, raw: &str) -> Result<bool, String> {
    match raw {
        "1" => Ok(true),
        "0" => Ok(false),
        other => Err(format!("{name} must be 0 or 1, not `{other}`")),
    }
}

/// The iframe snippet a host page pastes: `origin` is this site's (`https://trailmap.example`).
pub fn iframe_snippet(origin: &str, slug: &str, title: &str, options: &EmbedOptions) -> String {
    let src = format!("{origin}{}", options.path(slug));
    format!(
        "<iframe src=\"{}\"\n        title=\"{} roadmap — Trailmap\" width=\"100%\" height=\"{}\"\n        style=\"border:0;max-width:100%\" loading=\"lazy\"></iframe>\n<script src=\"{}{}\" async></script>",
        crate::snapshot::escape_xml(&src),
        crate::snapshot::escape_xml(title),
        options.height,
        crate::snapshot::escape_xml(origin),
        crate::links::EMBED_SCRIPT,
    )
}

/// `source` of the messages an embed posts to its host page.
pub const MESSAGE_SOURCE: &str = "trailmap";
/// `source` the embed requires on the messages it accepts from its host page.
pub const HOST_SOURCE: &str = "trailmap-host";

/// `{source:"trailmap", type:"ready", height}`: the embed is interactive and this tall (px).
pub fn ready_message(height: f64) -> serde_json::Value {
    serde_json::json!({ "source": MESSAGE_SOURCE, "type": "ready", "height": height.ceil().max(0.0) })
}

/// `{source:"trailmap", type:"node-selected", node, title}`.
pub fn node_selected_message(node: &NodeId, title: &str) -> serde_json::Value {
    serde_json::json!({
        "source": MESSAGE_SOURCE,
        "type": "node-selected",
        "node": node.as_str(),
        "title": title,
    })
}

/// `{source:"trailmap", type:"progress", done, total, percent}`: counts only, never which
/// topics (the host learns nothing it could track a reader by).
pub fn progress_message(done: usize, total: usize) -> serde_json::Value {
    let percent = if total == 0 {
        0
    } else {
        (done.min(total) * 100) / total
    };
    serde_json::json!({
        "source": MESSAGE_SOURCE,
        "type": "progress",
        "done": done,
        "total": total,
        "percent": percent,
    })
}

/// A request from the host page, checked field by field: anything else is ignored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HostMessage {
    /// `{source:"trailmap-host", type:"focus-node", node}`
    FocusNode(NodeId),
    /// `{source:"trailmap-host", type:"set-theme", theme}`
    SetTheme(EmbedTheme),
    /// `{source:"trailmap-host", type:"hello"}`: the host's listener has just started (its
    /// script may load after the embed was ready); the embed answers with "ready" again.
    Hello,
}

impl HostMessage {
    pub fn parse(data: &serde_json::Value) -> Option<Self> {
        let object = data.as_object()?;
        if object.get("source")?.as_str()? != HOST_SOURCE {
            return None;
        }
        match object.get("type")?.as_str()? {
            "focus-node" => NodeId::parse(object.get("node")?.as_str()?)
                .ok()
                .map(Self::FocusNode),
            "set-theme" => EmbedTheme::parse(object.get("theme")?.as_str()?)
                .ok()
                .map(Self::SetTheme),
            "hello" => Some(Self::Hello),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_query_gives_the_defaults() {
        let options = EmbedOptions::parse(Vec::<(&str, &str)>::new()).unwrap();

        assert_eq!(options, EmbedOptions::default());
        assert_eq!(options.to_query(), "");
        assert_eq!(options.path("backend"), "/embed/backend");
    }

    #[test]
    fn every_option_parses_and_round_trips() {
        let pairs = [
            ("theme", "dark"),
            ("node", "redis"),
            ("expand", "all"),
            ("height", "450"),
            ("progress", "0"),
            ("readonly", "1"),
            ("utm_source", "blog"),
        ];

        let options = EmbedOptions::parse(pairs).unwrap();

        assert_eq!(options.theme, EmbedTheme::Dark);
        assert_eq!(options.node.as_ref().map(NodeId::as_str), Some("redis"));
        assert_eq!(options.expand, Expand::All);
        assert_eq!(options.height, 450);
        assert!(!options.progress && options.readonly);
        let query = options.to_query();
        assert_eq!(
            query,
            "theme=dark&node=redis&expand=all&height=450&progress=0&readonly=1"
        );
        let again = EmbedOptions::parse(query.split('&').map(|pair| pair.split_once('=').unwrap()))
            .unwrap();
        assert_eq!(again, options);
    }

    #[test]
    fn bad_values_are_all_reported() {
        let problems = EmbedOptions::parse([
            ("theme", "blue"),
            ("node", "Not An Id"),
            ("expand", "99"),
            ("height", "150"),
            ("progress", "yes"),
            ("readonly", "true"),
        ])
        .unwrap_err();

        assert_eq!(problems.len(), 6, "{problems:#?}");
        assert!(problems[0].contains("theme"));
        assert!(problems[3].contains("200") && problems[3].contains("2000"));
    }

    #[test]
    fn a_share_token_shows_progress_read_only_and_stays_in_the_query() {
        let token = "0123456789abcdef0123456789abcdef";
        let options = EmbedOptions::parse([("progress", "0"), ("share", token)]).unwrap();

        assert_eq!(options.share.as_deref(), Some(token));
        assert!(options.shows_progress() && options.is_readonly());
        assert_eq!(options.to_query(), format!("progress=0&share={token}"));
        let odd = EmbedOptions::parse([("share", "a&b c")]).unwrap();
        assert_eq!(
            odd.to_query(),
            "share=a%26b+c",
            "escaped, so it cannot add options"
        );
        assert!(EmbedOptions::parse([("share", "")]).is_err());
        assert!(EmbedOptions::parse([("share", "x".repeat(129).as_str())]).is_err());
        assert!(!EmbedOptions::default().is_readonly());
    }

    #[test]
    fn height_limits_are_inclusive() {
        assert!(EmbedOptions::parse([("height", "200")]).is_ok());
        assert!(EmbedOptions::parse([("height", "2000")]).is_ok());
        assert!(EmbedOptions::parse([("height", "2001")]).is_err());
        assert!(EmbedOptions::parse([("height", "-5")]).is_err());
    }

    #[test]
    fn snippet_escapes_and_keeps_the_options() {
        let options = EmbedOptions {
            theme: EmbedTheme::Light,
            height: 480,
            ..Default::default()
        };

        let snippet = iframe_snippet("https://t.example", "backend", "A \"B\" & C", &options);

        assert!(
            snippet.contains(r#"src="https://t.example/embed/backend?theme=light&amp;height=480""#)
        );
        assert!(snippet.contains(r#"title="A &quot;B&quot; &amp; C roadmap — Trailmap""#));
        assert!(snippet.contains(r#"height="480""#));
        assert!(snippet.ends_with(r#"<script src="https://t.example/embed.js" async></script>"#));
    }

    #[test]
    fn the_readme_shows_the_snippet_the_embed_dialog_builds() {
        let options = EmbedOptions {
            theme: EmbedTheme::Dark,
            height: 480,
            ..Default::default()
        };
        let snippet = iframe_snippet(
            "https://trailmap.example",
            "backend",
            "Backend Developer",
            &options,
        );
        let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))
            .expect("README.md next to the workspace");
        assert!(
            readme.contains(&format!("```html\n{snippet}\n```")),
            "README's embed snippet differs from the dialog's:\n{snippet}"
        );
    }

    #[test]
    fn outgoing_messages_have_the_documented_shape() {
        assert_eq!(
            ready_message(412.3),
            serde_json::json!({"source": "trailmap", "type": "ready", "height": 413.0})
        );
        let node = NodeId::parse("redis").unwrap();
        assert_eq!(
            node_selected_message(&node, "Redis")["type"],
            "node-selected"
        );
        let progress = progress_message(3, 8);
        assert_eq!(progress["percent"], 37);
        assert_eq!(progress["done"], 3);
        assert_eq!(progress_message(0, 0)["percent"], 0);
    }

    #[test]
    fn host_messages_are_accepted_only_when_well_formed() {
        use serde_json::json;
        assert_eq!(
            HostMessage::parse(
                &json!({"source": "trailmap-host", "type": "focus-node", "node": "redis"})
            ),
            Some(HostMessage::FocusNode(NodeId::parse("redis").unwrap()))
        );
        assert_eq!(
            HostMessage::parse(
                &json!({"source": "trailmap-host", "type": "set-theme", "theme": "dark"})
            ),
            Some(HostMessage::SetTheme(EmbedTheme::Dark))
        );
        assert_eq!(
            HostMessage::parse(&json!({"source": "trailmap-host", "type": "hello"})),
            Some(HostMessage::Hello)
        );
        for bad in [
            json!("focus-node"),
            json!(null),
            json!({"type": "focus-node", "node": "redis"}),
            json!({"source": "trailmap", "type": "focus-node", "node": "redis"}),
            json!({"source": "trailmap", "type": "hello"}),
            json!({"source": "trailmap-host", "type": "focus-node", "node": "<script>"}),
            json!({"source": "trailmap-host", "type": "focus-node", "node": 7}),
            json!({"source": "trailmap-host", "type": "set-theme", "theme": "pink"}),
            json!({"source": "trailmap-host", "type": "navigate", "url": "https://evil.example"}),
        ] {
            assert_eq!(HostMessage::parse(&bad), None, "{bad}");
        }
    }
}
