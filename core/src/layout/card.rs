//! Card sizes from titles, without a DOM.
//!
//! The server renders the map before any font is loaded and the browser must lay it out
//! identically, so a card's size cannot be measured: it is estimated from per-character advance
//! widths of a typical sans-serif face (Helvetica/Arial metrics, which system UI fonts are close
//! to) times a small safety factor, with the title wrapped greedily at word boundaries. Widths are
//! summed in integer thousandths of an em, so the result is exact and the same everywhere.
//! `wrap_title` returns the lines themselves, so the UI can render exactly these line breaks and
//! never depend on the browser wrapping the same way. CSS must use the metrics below.

use super::Size;

/// Typography and box metrics of one kind of card. The stylesheet must use the same numbers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CardStyle {
    /// Font size in px.
    pub font_size: f64,
    /// Line height in px.
    pub line_height: f64,
    /// CSS font weight.
    pub font_weight: u16,
    /// Room left of the title, px: padding plus the checkbox's slot on topic cards.
    pub padding_left: f64,
    /// Room right of the title, px: padding plus the slot of the status and note icons and
    /// the expand badge, so none of them ever covers the title.
    pub padding_right: f64,
    /// Vertical padding inside the card (each side), px.
    pub padding_y: f64,
    /// Narrowest card, px (border box).
    pub min_width: f64,
    /// Widest card, px (border box); titles wrap to fit.
    pub max_width: f64,
    /// Multiplier on the Helvetica advance widths: room for heavier weights and wider system
    /// fonts, so the estimate errs on the generous side. Sized on DejaVu Sans (what
    /// `system-ui` is on Debian, and among the widest common UI faces): measured in Chromium,
    /// its lines run up to 1.10 (regular) and 1.17 (bold) times Helvetica's × the old factors.
    pub width_factor: f64,
}

/// Font size of a topic card's title, px.
pub const TOPIC_FONT_SIZE: f64 = 14.0;
/// Line height of a topic card's title, px.
pub const TOPIC_LINE_HEIGHT: f64 = 20.0;
/// Room left of a topic card's title, px: 8 px padding, the 16 px checkbox, a 6 px gap.
pub const TOPIC_PADDING_LEFT: f64 = 30.0;
/// Room right of a topic card's title, px: a 6 px gap, the 28 px slot of the status and note
/// icons over the expand badge, 6 px padding.
pub const TOPIC_PADDING_RIGHT: f64 = 40.0;
/// Vertical padding of a topic card, px (each side).
pub const TOPIC_PADDING_Y: f64 = 8.0;
/// Narrowest topic card, px.
pub const TOPIC_MIN_WIDTH: f64 = 104.0;
/// Widest topic card, px.
pub const TOPIC_MAX_WIDTH: f64 = 250.0;

/// Font size of a stage card's title, px.
pub const STAGE_FONT_SIZE: f64 = 16.0;
/// Line height of a stage card's title, px.
pub const STAGE_LINE_HEIGHT: f64 = 22.0;
/// Room left of a stage card's title, px.
pub const STAGE_PADDING_LEFT: f64 = 16.0;
/// Room right of a stage card's title, px: an 8 px gap, the 40 px slot of the settled/total
/// count over the expand badge, 8 px padding.
pub const STAGE_PADDING_RIGHT: f64 = 56.0;
/// Vertical padding of a stage card, px (each side).
pub const STAGE_PADDING_Y: f64 = 12.0;
/// Narrowest stage card, px.
pub const STAGE_MIN_WIDTH: f64 = 150.0;
/// Widest stage card, px.
pub const STAGE_MAX_WIDTH: f64 = 300.0;

/// Topic cards (depth 1 and deeper): 14px regular.
pub const TOPIC_CARD: CardStyle = CardStyle {
    font_size: TOPIC_FONT_SIZE,
    line_height: TOPIC_LINE_HEIGHT,
    font_weight: 400,
    padding_left: TOPIC_PADDING_LEFT,
    padding_right: TOPIC_PADDING_RIGHT,
    padding_y: TOPIC_PADDING_Y,
    min_width: TOPIC_MIN_WIDTH,
    max_width: TOPIC_MAX_WIDTH,
    width_factor: 1.2,
};

/// Stage cards (depth 0): 16px semibold, more padding.
pub const STAGE_CARD: CardStyle = CardStyle {
    font_size: STAGE_FONT_SIZE,
    line_height: STAGE_LINE_HEIGHT,
    font_weight: 600,
    padding_left: STAGE_PADDING_LEFT,
    padding_right: STAGE_PADDING_RIGHT,
    padding_y: STAGE_PADDING_Y,
    min_width: STAGE_MIN_WIDTH,
    max_width: STAGE_MAX_WIDTH,
    width_factor: 1.33,
};

/// The style of a card at this depth (0: stage).
pub fn card_style(depth: usize) -> CardStyle {
    if depth == 0 {
        STAGE_CARD
    } else {
        TOPIC_CARD
    }
}

/// Advance widths of printable ASCII (' ' to '~') in thousandths of an em (Helvetica/Arial).
const ASCII_WIDTHS: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // ' '../
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, // 0..9
    278, 278, 584, 584, 584, 556, 1015, // : ; < = > ? @
    667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, // A..M
    722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, // N..Z
    278, 278, 278, 469, 556, 333, // [ \ ] ^ _ `
    556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, // a..m
    556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, // n..z
    334, 260, 334, 584, // { | } ~
];

/// Advance width of one character in thousandths of an em.
fn char_width(c: char) -> u64 {
    let code = c as u32;
    match code {
        0x20..=0x7e => u64::from(ASCII_WIDTHS[(code - 0x20) as usize]),
        // Combining marks and zero-width characters take no room.
        0x0300..=0x036f | 0x200b..=0x200f | 0xfe00..=0xfe0f => 0,
        // En and em dashes.
        0x2013 => 556,
        0x2014 => 1000,
        // CJK, Hangul, full-width forms, emoji: a full em.
        0x1100..=0x115f | 0x2e80..=0xa4cf | 0xac00..=0xd7a3 | 0xf900..=0xfaff | 0xff00..=0xff60 => {
            1000
        }
        0x1f000..=0x1faff => 1000,
        // Other control characters.
        0..=0x1f | 0x7f..=0x9f => 0,
        // Anything else (accented Latin, Greek, Cyrillic, punctuation): a wide average.
        _ => 611,
    }
}

/// Width of `text` in thousandths of an em.
fn text_units(text: &str) -> u64 {
    text.chars().map(char_width).sum()
}

/// Estimated rendered width of `text` in px for this style (no wrapping).
pub fn text_width(text: &str, style: &CardStyle) -> f64 {
    units_to_px(text_units(text), style)
}

fn units_to_px(units: u64, style: &CardStyle) -> f64 {
    units as f64 * style.font_size * style.width_factor / 1000.0
}

/// The largest width in thousandths of an em that fits in `px`.
fn px_to_units(px: f64, style: &CardStyle) -> u64 {
    let per_unit = style.font_size * style.width_factor / 1000.0;
    if px.is_nan() || px <= 0.0 || per_unit.is_nan() || per_unit <= 0.0 {
        return 0;
    }
    (px / per_unit).floor() as u64
}

/// The title's lines as the card shows them: words (split on whitespace) filled greedily into
/// lines of at most the card's text width; a word longer than a whole line is broken between
/// characters (CSS `overflow-wrap: anywhere`). Always at least one line (empty for an empty
/// title).
pub fn wrap_title(title: &str, depth: usize) -> Vec<String> {
    wrap_lines(title, &card_style(depth))
        .into_iter()
        .map(|(line, _)| line)
        .collect()
}

/// Lines with their widths in thousandths of an em.
fn wrap_lines(title: &str, style: &CardStyle) -> Vec<(String, u64)> {
    let available = px_to_units(
        style.max_width - style.padding_left - style.padding_right,
        style,
    );
    let space = char_width(' ');
    let mut lines: Vec<(String, u64)> = Vec::new();
    let mut line = String::new();
    let mut line_units = 0u64;
    for word in title.split_whitespace() {
        let word_units = text_units(word);
        if !line.is_empty() {
            if line_units + space + word_units <= available {
                line.push(' ');
                line.push_str(word);
                line_units += space + word_units;
                continue;
            }
            lines.push((std::mem::take(&mut line), line_units));
            line_units = 0;
        }
        if word_units <= available {
            line.push_str(word);
            line_units = word_units;
            continue;
        }
        // A word wider than a line: break it between characters, at least one per line.
        for c in word.chars() {
            let c_units = char_width(c);
            if !line.is_empty() && line_units + c_units > available {
                lines.push((std::mem::take(&mut line), line_units));
                line_units = 0;
            }
            line.push(c);
            line_units += c_units;
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push((line, line_units));
    }
    lines
}

/// Deterministic card size (border box, px) for a title at a depth (0: stage, larger type).
/// Width: the widest wrapped line plus padding, rounded up to a whole pixel and clamped to the
/// style's min and max width. Height: lines × line height plus padding.
pub fn card_size(title: &str, depth: usize) -> Size {
    let style = card_style(depth);
    let lines = wrap_lines(title, &style);
    let widest = lines.iter().map(|(_, units)| *units).max().unwrap_or(0);
    let width = (units_to_px(widest, &style) + style.padding_left + style.padding_right)
        .ceil()
        .clamp(style.min_width, style.max_width);
    let height = lines.len() as f64 * style.line_height + 2.0 * style.padding_y;
    Size { width, height }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_title_is_one_line_and_at_least_the_minimum_width() {
        let size = card_size("SQL", 1);
        assert_eq!(size.height, TOPIC_LINE_HEIGHT + 2.0 * TOPIC_PADDING_Y);
        assert_eq!(size.width, TOPIC_MIN_WIDTH);
    }

    #[test]
    fn long_title_wraps_within_the_maximum_width_and_grows_taller() {
        let title = "Message queues, event streaming and the outbox pattern in practice";
        let size = card_size(title, 1);
        let lines = wrap_title(title, 1);
        assert!(lines.len() >= 3, "{lines:?}");
        assert!(size.width <= TOPIC_MAX_WIDTH);
        assert_eq!(
            size.height,
            lines.len() as f64 * TOPIC_LINE_HEIGHT + 2.0 * TOPIC_PADDING_Y
        );
        assert_eq!(lines.join(" "), title);
        for line in &lines {
            assert!(
                text_width(line, &TOPIC_CARD)
                    <= TOPIC_MAX_WIDTH - TOPIC_PADDING_LEFT - TOPIC_PADDING_RIGHT
            );
        }
    }

    #[test]
    fn wide_letters_make_wider_cards_than_narrow_letters() {
        assert!(card_size("WWWWWWWWWW", 1).width > card_size("iiiiiiiiii", 1).width);
        assert!(text_width("M", &TOPIC_CARD) > text_width("l", &TOPIC_CARD));
        assert!(text_width("l.", &TOPIC_CARD) < text_width("ab", &TOPIC_CARD));
    }

    #[test]
    fn stage_cards_are_larger_than_topic_cards_with_the_same_title() {
        for title in [
            "APIs",
            "Databases & SQL",
            "Observability, monitoring and alerting",
        ] {
            let stage = card_size(title, 0);
            let topic = card_size(title, 1);
            assert!(stage.width >= topic.width, "{title}");
            assert!(stage.height > topic.height, "{title}");
        }
    }

    #[test]
    fn an_unbreakable_word_is_split_between_characters() {
        let word = "x".repeat(200);
        let lines = wrap_title(&word, 1);
        assert!(lines.len() > 1);
        assert_eq!(lines.concat(), word);
        // Full lines, short of the maximum by less than one more character.
        let width = card_size(&word, 1).width;
        assert!(
            width <= TOPIC_MAX_WIDTH
                && width > TOPIC_MAX_WIDTH - text_width("x", &TOPIC_CARD) - 1.0
        );
    }

    #[test]
    fn empty_and_odd_titles_give_a_finite_one_line_card() {
        for title in ["", "   ", "\t\n", "\u{0301}", "数据库", "🦀🦀🦀"] {
            let size = card_size(title, 2);
            assert!(
                size.width.is_finite() && size.height.is_finite(),
                "{title:?}"
            );
            assert!(size.width >= TOPIC_MIN_WIDTH && size.width <= TOPIC_MAX_WIDTH);
        }
        assert_eq!(wrap_title("", 0), vec![String::new()]);
        assert_eq!(wrap_title("  a   b ", 1), vec!["a b".to_owned()]);
    }

    #[test]
    fn sizes_are_whole_pixels() {
        let size = card_size("Caching strategies", 3);
        assert_eq!(size.width, size.width.round());
        assert_eq!(size.height, size.height.round());
    }
}
