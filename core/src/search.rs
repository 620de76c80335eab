//! Topic search: find nodes of a roadmap by title, alias or text as the reader types.
//!
//! Why it is shaped so:
//! - Pure (std + serde, no web imports), so the same code runs in the browser on every
//!   keystroke and in native tests against the real roadmaps.
//! - Folding (lowercase, common Latin accents removed, punctuation read as word breaks) is done
//!   once per roadmap in [`SearchIndex::new`]; a search then only folds the query and compares
//!   plain ASCII-ish strings, which is fast enough for a few hundred nodes without any fuzzy
//!   matching machinery.
//! - Matching is predictable rather than clever: every query word must match (AND), as the
//!   start of a word in the title or an alias (aliases and ids read with hyphens as spaces), or
//!   anywhere in the text. Ranking is a small fixed order (title prefix, title words, alias,
//!   text), ties in authored order, so results do not jump around while typing.
//! - It never panics, whatever the query.
//! - The browser does not hold the topics' text (see `roadmap::outline`), so the text part of
//!   the index travels on its own, built on the server: [`SearchWords`], each node's distinct
//!   folded words with every word that is part of another dropped. That loses nothing: a query
//!   word has no spaces, so it matches the text exactly when it is part of one of its words.
//!   Until it arrives, the browser searches titles and aliases ([`SearchIndex::new`] on the
//!   outline, whose text is empty).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::roadmap::{NodeId, Roadmap};

/// Which part of a node matched the query (the weakest part any query word needed).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MatchField {
    Title,
    Alias,
    Text,
}

/// One search result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchHit {
    pub id: NodeId,
    pub title: String,
    /// Title of the stage the node belongs to (its own title for a stage).
    pub stage_title: String,
    pub matched: MatchField,
}

/// A node's searchable strings, folded once.
#[derive(Clone, Debug)]
struct Entry {
    id: NodeId,
    title: String,
    stage_title: String,
    /// Folded title, words separated by single spaces.
    title_folded: String,
    title_words: Vec<String>,
    /// Words of the id and of every alias (hyphens read as spaces).
    alias_words: Vec<String>,
    /// Folded text, words separated by single spaces, with a space at each end.
    text: String,
}

/// The folded text of every node of a roadmap, built once and searched on every keystroke.
#[derive(Clone, Debug, Default)]
pub struct SearchIndex {
    entries: Vec<Entry>,
}

/// Search `roadmap` for `query` (see [`SearchIndex::search`]). Builds an index each call: keep a
/// [`SearchIndex`] when searching the same roadmap repeatedly.
pub fn search(roadmap: &Roadmap, query: &str, limit: usize) -> Vec<SearchHit> {
    SearchIndex::new(roadmap).search(query, limit)
}

/// Rank of a hit: lower is better.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Rank {
    TitlePrefix,
    TitleWords,
    Alias,
    Text,
}

impl Rank {
    fn field(self) -> MatchField {
        match self {
            Self::TitlePrefix | Self::TitleWords => MatchField::Title,
            Self::Alias => MatchField::Alias,
            Self::Text => MatchField::Text,
        }
    }
}

/// The searchable words of every node's text, built on the server for a browser that holds
/// the roadmap's outline only: `GET /api/roadmaps/{slug}/search-words`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchWords {
    /// The roadmap content's version (see `roadmap::content_version`) these words belong to.
    pub version: String,
    /// Per node, in authored order: its text's folded words, each once, none part of another,
    /// separated by single spaces.
    pub words: Vec<String>,
}

impl SearchWords {
    pub fn new(roadmap: &Roadmap, version: String) -> Self {
        let words = roadmap
            .nodes
            .iter()
            .map(|node| distinct_words(&fold(&strip_link_targets(&node.markdown))))
            .collect();
        Self { version, words }
    }
}

/// The words of folded `text`, each once, without those found inside a longer one: longest
/// first, so the result reads oddly but matches exactly what the whole text matches.
fn distinct_words(text: &str) -> String {
    let mut words: Vec<&str> = text.split(' ').filter(|word| !word.is_empty()).collect();
    words.sort_unstable_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    words.dedup();
    let mut kept: Vec<&str> = Vec::with_capacity(words.len());
    for word in words {
        if !kept.iter().any(|longer| longer.contains(word)) {
            kept.push(word);
        }
    }
    kept.join(" ")
}

impl SearchIndex {
    /// The index of a roadmap with its text. On an outline (text empty) it searches titles and
    /// aliases only; [`SearchIndex::with_words`] adds the text.
    pub fn new(roadmap: &Roadmap) -> Self {
        Self::build(roadmap, |index| {
            fold(&strip_link_targets(&roadmap.nodes[index].markdown))
        })
    }

    /// The index of a roadmap's outline with its text's words from the server. Words of
    /// another version, or for another number of nodes, are ignored (titles and aliases only).
    pub fn with_words(roadmap: &Roadmap, version: &str, words: &SearchWords) -> Self {
        let usable = words.version == version && words.words.len() == roadmap.nodes.len();
        Self::build(roadmap, |index| {
            if usable {
                words.words[index].clone()
            } else {
                String::new()
            }
        })
    }

    fn build(roadmap: &Roadmap, folded_text: impl Fn(usize) -> String) -> Self {
        let by_id: HashMap<&str, usize> = roadmap
            .nodes
            .iter()
            .enumerate()
            .map(|(index, node)| (node.id.as_str(), index))
            .collect();
        let stage_title = |start: usize| -> String {
            // Walk up to the root; the step limit guards against a (validated-away) cycle.
            let mut current = &roadmap.nodes[start];
            for _ in 0..roadmap.nodes.len() {
                match current
                    .parent
                    .as_ref()
                    .and_then(|parent| by_id.get(parent.as_str()))
                {
                    Some(&index) => current = &roadmap.nodes[index],
                    None => break,
                }
            }
            current.title.clone()
        };
        let entries = roadmap
            .nodes
            .iter()
            .enumerate()
            .map(|(index, node)| {
                let title_folded = fold(&node.title);
                let title_words = title_folded.split(' ').map(str::to_owned).collect();
                let alias_words = std::iter::once(&node.id)
                    .chain(&node.aliases)
                    .flat_map(|alias| {
                        fold(alias.as_str())
                            .split(' ')
                            .map(str::to_owned)
                            .collect::<Vec<_>>()
                    })
                    .filter(|word| !word.is_empty())
                    .collect();
                Entry {
                    id: node.id.clone(),
                    title: node.title.clone(),
                    stage_title: stage_title(index),
                    title_words,
                    title_folded,
                    alias_words,
                    text: format!(" {} ", folded_text(index)),
                }
            })
            .collect();
        Self { entries }
    }

    /// Case- and accent-insensitive search. Every query word must match, as a word prefix in
    /// the title or an alias, or anywhere in the text. Title-prefix matches come first, then
    /// title word matches, then alias, then text; ties keep the authored order. An empty
    /// query gives no hits; at most `limit` hits.
    pub fn search(&self, query: &str, limit: usize) -> Vec<SearchHit> {
        let query = fold(query);
        if query.is_empty() || limit == 0 {
            return Vec::new();
        }
        let words: Vec<&str> = query.split(' ').collect();
        let mut ranked: Vec<(Rank, &Entry)> = self
            .entries
            .iter()
            .filter_map(|entry| entry.rank(&query, &words).map(|rank| (rank, entry)))
            .collect();
        // Stable: equal ranks keep the authored order.
        ranked.sort_by_key(|(rank, _)| *rank);
        ranked
            .into_iter()
            .take(limit)
            .map(|(rank, entry)| SearchHit {
                id: entry.id.clone(),
                title: entry.title.clone(),
                stage_title: entry.stage_title.clone(),
                matched: rank.field(),
            })
            .collect()
    }

    /// Number of indexed nodes.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl Entry {
    /// How well this entry matches the folded `query` (split into `words`), or `None`.
    fn rank(&self, query: &str, words: &[&str]) -> Option<Rank> {
        let mut worst = Rank::TitleWords;
        for word in words {
            let rank = if has_word_prefix(&self.title_words, word) {
                Rank::TitleWords
            } else if has_word_prefix(&self.alias_words, word) {
                Rank::Alias
            } else if self.text.contains(word) {
                Rank::Text
            } else {
                return None;
            };
            worst = worst.max(rank);
        }
        if self.title_folded.starts_with(query) {
            // Implies every word matched the title.
            Some(Rank::TitlePrefix)
        } else {
            Some(worst)
        }
    }
}

fn has_word_prefix(words: &[String], prefix: &str) -> bool {
    words.iter().any(|word| word.starts_with(prefix))
}

/// Folds text for matching: lowercase, common Latin accents removed (`é` → `e`, `ß` → `ss`),
/// apostrophes dropped (`don't` → `dont`), any other punctuation or space read as one word
/// break. The result's words are separated by single spaces, with none at the ends.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars().flat_map(char::to_lowercase) {
        if matches!(c, '\'' | '’' | '\u{0300}'..='\u{036f}') {
            // Apostrophes join; combining accents (decomposed text) vanish.
            continue;
        }
        let mapped = if c.is_ascii_alphanumeric() {
            None
        } else {
            fold_accent(c)
        };
        if !(c.is_alphanumeric() || mapped.is_some()) {
            pending_space = true;
            continue;
        }
        if pending_space && !out.is_empty() {
            out.push(' ');
        }
        pending_space = false;
        match mapped {
            Some(ascii) => out.push_str(ascii),
            None => out.push(c),
        }
    }
    out
}

/// The ASCII spelling of a lowercase accented Latin letter.
fn fold_accent(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => "e",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
        'ĥ' | 'ħ' => "h",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => "i",
        'ĵ' => "j",
        'ķ' => "k",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => "o",
        'œ' => "oe",
        'ŕ' | 'ŗ' | 'ř' => "r",
        'ś' | 'ŝ' | 'ş' | 'š' | 'ș' => "s",
        'ß' => "ss",
        'ţ' | 'ť' | 'ŧ' | 'ț' => "t",
        'þ' => "th",
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => "u",
        'ŵ' => "w",
        'ý' | 'ÿ' | 'ŷ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => return None,
    })
}

/// Drops Markdown link and image destinations (`[text](https://…)` keeps `[text]`), so URLs do
/// not make every topic match "https". The rest of the Markdown punctuation is left to [`fold`].
fn strip_link_targets(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut rest = markdown;
    while let Some(start) = rest.find("](") {
        out.push_str(&rest[..=start]);
        let after = &rest[start + 2..];
        let mut depth = 1usize;
        let mut end = None;
        for (offset, c) in after.char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        end = Some(offset);
                        break;
                    }
                }
                '\n' => break,
                _ => {}
            }
        }
        match end {
            Some(end) => rest = &after[end + 1..],
            None => {
                // Not a link after all: keep the text as it is.
                out.push('(');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::OnceLock;

    use proptest::prelude::*;

    use super::*;
    use crate::content::{load_roadmap_dir, parse_roadmap, SourceFile};

    const META: &str =
        "title: Test\nsummary: A test roadmap.\nlevel: beginner -> advanced\nestimate: 1 month\n";

    const NODES: &str = "\
## Web basics
id: web

How the web works: requests, responses and **caching** headers.

## HTTP
id: http
parent: web
aliases: hypertext-transfer-protocol

HTTP is the protocol of the web. See [the spec](https://example.com/redis-spec).

## HTTP caching
id: http-caching
parent: http

Cache-Control, ETags and friends.

## Storage
id: storage

Where data lives.

## Café databases
id: cafe-databases
parent: storage

Databases for a café, with `naïve` indexes.

## JSON Web Tokens
id: jwt
parent: storage
aliases: json-web-tokens

Signed tokens. Don't put secrets in them.

## Redis
id: redis
parent: storage

An in-memory key-value store, often used for caching and for a web session store.
";

    fn small() -> Roadmap {
        let source = |name: &str, text: &str| SourceFile {
            name: name.to_owned(),
            text: text.to_owned(),
        };
        parse_roadmap(
            "test",
            &source("roadmap.md", META),
            &[source("nodes.md", NODES)],
        )
        .unwrap_or_else(|errors| panic!("bad test roadmap: {errors:#?}"))
    }

    fn backend() -> &'static Roadmap {
        static ROADMAP: OnceLock<Roadmap> = OnceLock::new();
        ROADMAP.get_or_init(|| {
            load_roadmap_dir(Path::new(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../roadmaps/backend"
            )))
            .unwrap_or_else(|errors| panic!("backend roadmap: {errors:#?}"))
        })
    }

    fn backend_index() -> &'static SearchIndex {
        static INDEX: OnceLock<SearchIndex> = OnceLock::new();
        INDEX.get_or_init(|| SearchIndex::new(backend()))
    }

    fn ids(hits: &[SearchHit]) -> Vec<&str> {
        hits.iter().map(|hit| hit.id.as_str()).collect()
    }

    fn ranked(hits: &[SearchHit]) -> Vec<(&str, MatchField)> {
        hits.iter()
            .map(|hit| (hit.id.as_str(), hit.matched))
            .collect()
    }

    #[test]
    fn fold_lowercases_strips_accents_and_punctuation() {
        assert_eq!(fold("Café  Crème—Brûlée!"), "cafe creme brulee");
        assert_eq!(fold("Straße, Œuvre & Ångström"), "strasse oeuvre angstrom");
        assert_eq!(fold("**Node.js** `v20`"), "node js v20");
        assert_eq!(fold("Don't"), "dont");
        assert_eq!(fold("e\u{301}te\u{301}"), "ete");
        assert_eq!(fold("  -- "), "");
        assert_eq!(fold("json-web-tokens"), "json web tokens");
    }

    #[test]
    fn strip_link_targets_keeps_link_text() {
        assert_eq!(
            strip_link_targets("See [the spec](https://x.org/a_(b)) now"),
            "See [the spec] now"
        );
        assert_eq!(strip_link_targets("odd ](unclosed"), "odd ](unclosed");
        assert_eq!(strip_link_targets("![alt](img.png)"), "![alt]");
    }

    #[test]
    fn ranks_title_prefix_then_title_words_then_alias_then_text() {
        let roadmap = small();
        let hits = search(&roadmap, "http", 10);
        assert_eq!(
            ranked(&hits),
            vec![
                ("http", MatchField::Title),
                ("http-caching", MatchField::Title),
            ]
        );

        let hits = search(&roadmap, "caching", 10);
        assert_eq!(
            ranked(&hits),
            vec![
                // Title word (not a prefix of the title), then text in authored order.
                ("http-caching", MatchField::Title),
                ("web", MatchField::Text),
                ("redis", MatchField::Text),
            ]
        );

        let hits = search(&roadmap, "web", 10);
        assert_eq!(
            ranked(&hits),
            vec![
                ("web", MatchField::Title),
                ("jwt", MatchField::Title),
                ("http", MatchField::Text),
                ("redis", MatchField::Text),
            ]
        );
        assert_eq!(hits[0].stage_title, "Web basics");
        assert_eq!(hits[1].title, "JSON Web Tokens");
        assert_eq!(hits[1].stage_title, "Storage");
    }

    #[test]
    fn matches_aliases_and_ids_with_hyphens_as_spaces() {
        let roadmap = small();
        let hits = search(&roadmap, "hypertext transfer", 10);
        assert_eq!(ranked(&hits), vec![("http", MatchField::Alias)]);
        let hits = search(&roadmap, "jwt", 10);
        assert_eq!(ranked(&hits), vec![("jwt", MatchField::Alias)]);
        // Title words win over the alias that also matches.
        let hits = search(&roadmap, "json web", 10);
        assert_eq!(ranked(&hits), vec![("jwt", MatchField::Title)]);
    }

    #[test]
    fn text_matches_anywhere_but_not_in_link_targets() {
        let roadmap = small();
        assert_eq!(ids(&search(&roadmap, "etag", 10)), vec!["http-caching"]);
        // Inside a word of the text.
        assert_eq!(ids(&search(&roadmap, "memory", 10)), vec!["redis"]);
        // The link URL mentions redis, but only the real Redis node matches.
        assert_eq!(ids(&search(&roadmap, "redis", 10)), vec!["redis"]);
        assert!(search(&roadmap, "example", 10).is_empty());
        // Markdown punctuation is ignored and apostrophes join.
        assert_eq!(ids(&search(&roadmap, "dont put", 10)), vec!["jwt"]);
        assert_eq!(ids(&search(&roadmap, "don't", 10)), vec!["jwt"]);
    }

    #[test]
    fn is_case_and_accent_insensitive() {
        let roadmap = small();
        for query in ["cafe", "CAFÉ", "Café", "café"] {
            let hits = search(&roadmap, query, 10);
            assert_eq!(ranked(&hits), vec![("cafe-databases", MatchField::Title)]);
        }
        assert_eq!(ids(&search(&roadmap, "NAIVE", 10)), vec!["cafe-databases"]);
        assert_eq!(ids(&search(&roadmap, "naïve", 10)), vec!["cafe-databases"]);
    }

    #[test]
    fn every_word_must_match() {
        let roadmap = small();
        assert_eq!(
            ids(&search(&roadmap, "http cache", 10)),
            vec!["http-caching"]
        );
        assert_eq!(
            ranked(&search(&roadmap, "redis session", 10)),
            vec![("redis", MatchField::Text)]
        );
        assert!(search(&roadmap, "redis zebra", 10).is_empty());
    }

    #[test]
    fn empty_queries_and_limits() {
        let roadmap = small();
        for query in ["", "   ", "\t\n", "--- !!"] {
            assert!(search(&roadmap, query, 10).is_empty(), "{query:?}");
        }
        assert_eq!(ids(&search(&roadmap, "web", 2)), vec!["web", "jwt"]);
        assert!(search(&roadmap, "web", 0).is_empty());
        let index = SearchIndex::new(&roadmap);
        assert_eq!(index.len(), roadmap.nodes.len());
        assert_eq!(index.search("web", 10), search(&roadmap, "web", 10));
    }

    #[test]
    fn finds_topics_in_the_backend_roadmap() {
        let index = backend_index();
        let hits = index.search("redis", 10);
        assert_eq!(hits[0].id.as_str(), "redis");
        assert_eq!(hits[0].matched, MatchField::Title);

        let hits = index.search("jwt", 10);
        let jwt = hits.iter().find(|hit| hit.id.as_str() == "jwt");
        assert!(
            matches!(
                jwt.map(|hit| hit.matched),
                Some(MatchField::Alias | MatchField::Title)
            ),
            "{hits:#?}"
        );

        let hits = index.search("postgres", 10);
        assert_eq!(hits[0].id.as_str(), "postgresql");

        let hits = index.search("json web", 10);
        assert_eq!(hits[0].id.as_str(), "jwt");
    }

    /// Every word of the roadmap's titles and text, its prefixes and its parts after the first
    /// letter, as queries.
    fn queries_from(roadmap: &Roadmap) -> Vec<String> {
        let mut queries = std::collections::BTreeSet::new();
        for node in &roadmap.nodes {
            let text = fold(&format!("{} {}", node.title, node.markdown));
            for word in text.split(' ') {
                let chars: Vec<char> = word.chars().collect();
                for start in 0..chars.len().min(2) {
                    for end in (start + 1)..=chars.len() {
                        queries.insert(chars[start..end].iter().collect::<String>());
                    }
                }
            }
        }
        queries.into_iter().collect()
    }

    #[test]
    fn the_outline_with_the_servers_words_searches_like_the_whole_roadmap() {
        for roadmap in [small(), backend().clone()] {
            let version = crate::roadmap::content_version(&roadmap);
            let words = SearchWords::new(&roadmap, version.clone());
            let outline = roadmap.without_details();
            let browser = SearchIndex::with_words(&outline, &version, &words);
            let whole = SearchIndex::new(&roadmap);
            let queries = queries_from(&roadmap);
            assert!(queries.len() > 50);
            for query in queries.iter().step_by(23) {
                assert_eq!(
                    browser.search(query, 50),
                    whole.search(query, 50),
                    "{query:?}"
                );
            }
            for pair in queries.windows(2).step_by(61) {
                let query = format!("{} {}", pair[0], pair[1]);
                assert_eq!(
                    browser.search(&query, 50),
                    whole.search(&query, 50),
                    "{query:?}"
                );
            }
        }
    }

    #[test]
    fn without_the_words_the_outline_searches_titles_and_aliases() {
        let roadmap = small();
        let outline = roadmap.without_details();
        let stale = SearchWords::new(&roadmap, "another version".into());
        for index in [
            SearchIndex::new(&outline),
            SearchIndex::with_words(&outline, "this version", &stale),
        ] {
            assert_eq!(
                ranked(&index.search("http", 10)),
                vec![
                    ("http", MatchField::Title),
                    ("http-caching", MatchField::Title)
                ]
            );
            assert_eq!(
                ranked(&index.search("jwt", 10)),
                vec![("jwt", MatchField::Alias)]
            );
            assert!(index.search("etag", 10).is_empty(), "no text yet");
        }
    }

    #[test]
    fn search_words_keep_each_word_once_and_drop_words_inside_others() {
        assert_eq!(
            distinct_words("cache caching the cache http https s"),
            "caching cache https the"
        );
        assert_eq!(distinct_words(""), "");
        let words = SearchWords::new(backend(), "v".into());
        let text: usize = backend().nodes.iter().map(|node| node.markdown.len()).sum();
        let sent: usize = words.words.iter().map(String::len).sum();
        assert!(
            sent * 4 < text * 3,
            "{sent} B of words for {text} B of text"
        );
    }

    proptest! {
        #[test]
        fn distinct_words_match_what_the_text_matches(
            text in "[a-d ]{0,40}",
            query in "[a-d]{1,3}",
        ) {
            let folded = fold(&text);
            let whole = format!(" {folded} ").contains(&query);
            let kept = format!(" {} ", distinct_words(&folded)).contains(&query);
            prop_assert_eq!(whole, kept);
        }

        #[test]
        fn arbitrary_queries_never_panic_or_exceed_the_limit(query in ".*", limit in 0usize..20) {
            let hits = backend_index().search(&query, limit);
            prop_assert!(hits.len() <= limit);
            let hits = search(&small(), &query, limit);
            prop_assert!(hits.len() <= limit);
        }

        #[test]
        fn word_like_queries_stay_within_the_limit(query in "[a-zéü ]{0,12}", limit in 0usize..5) {
            let hits = backend_index().search(&query, limit);
            prop_assert!(hits.len() <= limit);
        }

        #[test]
        fn link_stripping_never_panics(text in ".*") {
            let _ = fold(&strip_link_targets(&text));
        }
    }
}
