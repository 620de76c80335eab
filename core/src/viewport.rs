//! Pan and zoom math for the roadmap map, with d3-zoom's semantics.
//!
//! The map is one container moved by a CSS transform `translate(x px, y px) scale(k)`, so a
//! content point `p` is shown at the screen point `p * k + (x, y)`. Everything the map does with
//! the pointer, the wheel, the keyboard, the minimap and the URL is a small function of a
//! [`Viewport`] here.
//!
//! Why it is shaped so:
//! - Pure (std + serde, no web imports) so it builds and tests natively, and the components stay
//!   thin: they read events and call these functions.
//! - Values, not mutation: every operation takes a viewport and returns a new one, which is easy
//!   to put in a signal and easy to test with exact numbers.
//! - It never panics and never returns a non-finite viewport: NaN or infinite inputs (a zero
//!   distance pinch, a broken URL, a zero-sized element) leave the viewport unchanged or fall back
//!   to a sane default, because one NaN in a CSS transform makes the whole map disappear.

use serde::{Deserialize, Serialize};

use crate::layout::Rect;

/// Smallest zoom factor (the whole map seen from far away).
pub const MIN_ZOOM: f64 = 0.1;
/// Largest zoom factor.
pub const MAX_ZOOM: f64 = 3.0;

/// Exponent limit of [`wheel_factor`]: one wheel event never zooms more than 2^10 times, which is
/// already far beyond the zoom range, and keeps the factor finite.
const MAX_WHEEL_EXPONENT: f64 = 10.0;

/// A pan and zoom: content point `p` is shown at screen point `p * k + (x, y)`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Viewport {
    pub x: f64,
    pub y: f64,
    pub k: f64,
}

impl Default for Viewport {
    /// The identity: no pan, no zoom.
    fn default() -> Self {
        Self {
            x: 0.0,
            y: 0.0,
            k: 1.0,
        }
    }
}

/// A point, in content or screen coordinates depending on the call.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

impl Point {
    pub fn new(x: f64, y: f64) -> Self {
        Self { x, y }
    }

    fn is_finite(self) -> bool {
        self.x.is_finite() && self.y.is_finite()
    }
}

/// A width and a height (the minimap's size).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Size {
    pub width: f64,
    pub height: f64,
}

/// A rectangle: content bounds, a node's box, or the screen rectangle of the map element.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Extent {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

impl Extent {
    pub fn new(x: f64, y: f64, width: f64, height: f64) -> Self {
        Self {
            x,
            y,
            width,
            height,
        }
    }

    /// Finite, with a non-negative width and height.
    fn is_valid(self) -> bool {
        self.x.is_finite()
            && self.y.is_finite()
            && self.width.is_finite()
            && self.height.is_finite()
            && self.width >= 0.0
            && self.height >= 0.0
    }

    /// The middle of the extent.
    pub fn center(self) -> Point {
        Point::new(self.x + self.width / 2.0, self.y + self.height / 2.0)
    }
}

/// d3-zoom's wheel delta → zoom factor: `2^(-delta_y * m)` with `m` = 0.002 for pixel deltas
/// (`deltaMode` 0), 0.05 for lines (1) and 1 for pages (2 and anything else, as d3 does). A
/// non-finite delta gives 1 (no zoom); the exponent is limited to ±10 so the factor stays finite.
pub fn wheel_factor(delta_y: f64, delta_mode: u32) -> f64 {
    if !delta_y.is_finite() {
        return 1.0;
    }
    let multiplier = match delta_mode {
        0 => 0.002,
        1 => 0.05,
        _ => 1.0,
    };
    let exponent = (-delta_y * multiplier).clamp(-MAX_WHEEL_EXPONENT, MAX_WHEEL_EXPONENT);
    exponent.exp2()
}

/// Scale at which the whole `content` fits in a minimap of this size. The minimap draws content
/// point `p` at `(p - (content.x, content.y)) * scale` from its top-left corner. A zero-sized or
/// broken extent gives 1.
pub fn minimap_scale(content: Extent, minimap: Size) -> f64 {
    if !content.is_valid()
        || !minimap.width.is_finite()
        || !minimap.height.is_finite()
        || minimap.width <= 0.0
        || minimap.height <= 0.0
    {
        return 1.0;
    }
    let ratios = [
        (content.width > 0.0).then(|| minimap.width / content.width),
        (content.height > 0.0).then(|| minimap.height / content.height),
    ];
    ratios
        .into_iter()
        .flatten()
        .filter(|ratio| ratio.is_finite() && *ratio > 0.0)
        .reduce(f64::min)
        .unwrap_or(1.0)
}

/// Where the content rectangle `r` is drawn on a minimap (the minimap's viewport box is
/// `minimap_rect(viewport.visible_content(screen), ...)`).
pub fn minimap_rect(r: Extent, content: Extent, minimap_scale: f64) -> Extent {
    let s = if minimap_scale.is_finite() && minimap_scale > 0.0 {
        minimap_scale
    } else {
        1.0
    };
    let rect = Extent::new(
        (r.x - content.x) * s,
        (r.y - content.y) * s,
        r.width * s,
        r.height * s,
    );
    if rect.is_valid() {
        rect
    } else {
        Extent::new(0.0, 0.0, 0.0, 0.0)
    }
}

/// Formats `value` with at most `decimals` decimals and no trailing zeros ("12.5", "-3", "0").
fn compact(value: f64, decimals: usize) -> String {
    if !value.is_finite() {
        return "0".into();
    }
    let mut text = format!("{value:.decimals$}");
    if text.contains('.') {
        let trimmed = text.trim_end_matches('0').trim_end_matches('.').len();
        text.truncate(trimmed);
    }
    if text == "-0" {
        text = "0".into();
    }
    text
}

/// Smallest allowed overlap is `min(margin, a, b)`; solves for the translation range on one axis.
/// `start` and `len` are the content's screen position without translation and screen length.
fn axis_range(start: f64, len: f64, screen_start: f64, screen_len: f64, margin: f64) -> (f64, f64) {
    let keep = margin.min(len).min(screen_len).max(0.0);
    // Right edge of the content at least `keep` past the screen's left edge, left edge of the
    // content at least `keep` before the screen's right edge.
    let low = screen_start + keep - start - len;
    let high = screen_start + screen_len - keep - start;
    (low, high)
}

/// The pan on one axis that brings `[start, start + len]` inside `[lo, hi]`, preferring the start
/// edge when it does not fit.
fn reveal_axis(start: f64, len: f64, lo: f64, hi: f64) -> f64 {
    let mut delta = 0.0;
    if start + len > hi {
        delta = hi - (start + len);
    }
    if start + delta < lo {
        delta = lo - start;
    }
    delta
}

fn clamp_zoom(k: f64) -> f64 {
    k.clamp(MIN_ZOOM, MAX_ZOOM)
}

impl Viewport {
    pub fn new(x: f64, y: f64, k: f64) -> Self {
        Self { x, y, k }
    }

    fn is_finite(&self) -> bool {
        self.x.is_finite() && self.y.is_finite() && self.k.is_finite()
    }

    /// This viewport if it is usable (finite, positive zoom); otherwise a repaired copy: a
    /// non-finite pan becomes 0 and a non-finite or non-positive zoom becomes 1.
    pub fn sanitized(self) -> Self {
        let finite_or = |value: f64, fallback: f64| {
            if value.is_finite() {
                value
            } else {
                fallback
            }
        };
        let k = if self.k.is_finite() && self.k > 0.0 {
            self.k
        } else {
            1.0
        };
        Self {
            x: finite_or(self.x, 0.0),
            y: finite_or(self.y, 0.0),
            k,
        }
    }

    /// `other` if it is finite, otherwise this viewport (sanitized).
    fn or_self(self, other: Self) -> Self {
        if other.is_finite() && other.k > 0.0 {
            other
        } else {
            self.sanitized()
        }
    }

    /// Where content point `p` is shown on screen.
    pub fn to_screen(&self, p: Point) -> Point {
        let v = self.sanitized();
        Point::new(p.x * v.k + v.x, p.y * v.k + v.y)
    }

    /// Which content point is shown at screen point `p`.
    pub fn to_content(&self, p: Point) -> Point {
        let v = self.sanitized();
        Point::new((p.x - v.x) / v.k, (p.y - v.y) / v.k)
    }

    /// The CSS `transform` value: `translate(12.5px, -3px) scale(1.25)`, numbers with at most
    /// three decimals and no trailing zeros.
    pub fn css_transform(&self) -> String {
        let v = self.sanitized();
        format!(
            "translate({}px, {}px) scale({})",
            compact(v.x, 3),
            compact(v.y, 3),
            compact(v.k, 3)
        )
    }

    /// Moves the map by `(dx, dy)` screen pixels.
    pub fn pan_by(self, dx: f64, dy: f64) -> Self {
        if !dx.is_finite() || !dy.is_finite() {
            return self.sanitized();
        }
        let v = self.sanitized();
        v.or_self(Self::new(v.x + dx, v.y + dy, v.k))
    }

    /// Zoom by `factor` keeping the content point under screen point `anchor` fixed (wheel
    /// around the cursor, pinch around the midpoint, double-click, buttons around the screen
    /// centre). The zoom is clamped to [`MIN_ZOOM`, `MAX_ZOOM`]. Returns the new viewport and
    /// `hit_limit`: true when the requested zoom was fully blocked by a limit (the zoom was
    /// already at the limit it pushes against), so the UI can let the page scroll instead.
    /// A non-finite or non-positive factor or anchor leaves the viewport unchanged.
    pub fn zoom_at(self, anchor: Point, factor: f64) -> (Self, bool) {
        let v = self.sanitized();
        if !anchor.is_finite() || !factor.is_finite() || factor <= 0.0 {
            return (v, false);
        }
        let requested = v.k * factor;
        let k = clamp_zoom(requested);
        let hit_limit = factor != 1.0 && k == v.k && requested != v.k;
        if k == v.k {
            return (v, hit_limit);
        }
        let ratio = k / v.k;
        let zoomed = Self::new(
            anchor.x - (anchor.x - v.x) * ratio,
            anchor.y - (anchor.y - v.y) * ratio,
            k,
        );
        (v.or_self(zoomed), false)
    }

    /// Keeps the map from being lost: zoom clamped to the limits (around the screen centre),
    /// then the pan clamped so at least `margin` px of the `content` bounds stay inside `screen`
    /// on each axis. When the content (as shown) or the screen is narrower than `margin`, the
    /// margin shrinks to it, so small content stays fully visible and always reachable.
    /// Idempotent. Broken inputs leave the viewport unchanged.
    pub fn clamp(self, content: Extent, screen: Extent, margin: f64) -> Self {
        let mut v = self.sanitized();
        if !content.is_valid() || !screen.is_valid() || margin.is_nan() {
            return v;
        }
        if v.k != clamp_zoom(v.k) {
            v = v.zoom_at(screen.center(), clamp_zoom(v.k) / v.k).0;
            // Rounding in the division must not leave k a hair outside the limits.
            v.k = clamp_zoom(v.k);
        }
        let margin = margin.max(0.0);
        let (x_low, x_high) = axis_range(
            content.x * v.k,
            content.width * v.k,
            screen.x,
            screen.width,
            margin,
        );
        let (y_low, y_high) = axis_range(
            content.y * v.k,
            content.height * v.k,
            screen.y,
            screen.height,
            margin,
        );
        // max-then-min is idempotent even if rounding makes low a hair above high.
        let clamped = Self::new(v.x.max(x_low).min(x_high), v.y.max(y_low).min(y_high), v.k);
        v.or_self(clamped)
    }

    /// Fits `content` inside `screen` with `padding` on every side, centred. The zoom is clamped
    /// to the limits and never above 1, so small maps are not blown up. Broken inputs give the
    /// identity.
    pub fn fit(content: Extent, screen: Extent, padding: f64) -> Self {
        if !content.is_valid() || !screen.is_valid() || !padding.is_finite() {
            return Self::default();
        }
        let padding = padding.max(0.0);
        let available_w = (screen.width - 2.0 * padding).max(0.0);
        let available_h = (screen.height - 2.0 * padding).max(0.0);
        let ratios = [
            (content.width > 0.0).then(|| available_w / content.width),
            (content.height > 0.0).then(|| available_h / content.height),
        ];
        let k = ratios
            .into_iter()
            .flatten()
            .filter(|ratio| !ratio.is_nan())
            .fold(1.0, f64::min);
        let k = clamp_zoom(k.min(1.0));
        let centered = Self::new(0.0, 0.0, k).center_on(content.center(), screen);
        Self::default().or_self(centered)
    }

    /// Centres content point `p` on `screen`, keeping the zoom (pan to the focused or selected
    /// node).
    pub fn center_on(self, p: Point, screen: Extent) -> Self {
        let v = self.sanitized();
        if !p.is_finite() || !screen.is_valid() {
            return v;
        }
        let c = screen.center();
        v.or_self(Self::new(c.x - p.x * v.k, c.y - p.y * v.k, v.k))
    }

    /// The smallest pan that brings content rectangle `r` fully inside `screen` less `padding`
    /// (keyboard focus). Unchanged if it is already visible; when `r` is larger than the screen,
    /// its top-left corner is shown.
    pub fn reveal(self, r: Extent, screen: Extent, padding: f64) -> Self {
        let v = self.sanitized();
        if !r.is_valid() || !screen.is_valid() || !padding.is_finite() {
            return v;
        }
        let pad_x = padding.max(0.0).min(screen.width / 2.0);
        let pad_y = padding.max(0.0).min(screen.height / 2.0);
        let start = v.to_screen(Point::new(r.x, r.y));
        let dx = reveal_axis(
            start.x,
            r.width * v.k,
            screen.x + pad_x,
            screen.x + screen.width - pad_x,
        );
        let dy = reveal_axis(
            start.y,
            r.height * v.k,
            screen.y + pad_y,
            screen.y + screen.height - pad_y,
        );
        v.pan_by(dx, dy)
    }

    /// The content rectangle shown on `screen` (culling, the minimap's viewport box).
    pub fn visible_content(&self, screen: Extent) -> Extent {
        let v = self.sanitized();
        if !screen.is_valid() {
            return Extent::new(0.0, 0.0, 0.0, 0.0);
        }
        let top_left = v.to_content(Point::new(screen.x, screen.y));
        let rect = Extent::new(
            top_left.x,
            top_left.y,
            screen.width / v.k,
            screen.height / v.k,
        );
        if rect.is_valid() {
            rect
        } else {
            Extent::new(0.0, 0.0, 0.0, 0.0)
        }
    }

    /// Pinch: from two pointer positions before and after a move, scales by the ratio of their
    /// distances around the old midpoint (clamped to the limits), then pans by how far the
    /// midpoint moved. Pointers on top of each other only pan.
    pub fn pinch(self, before: (Point, Point), after: (Point, Point)) -> Self {
        let v = self.sanitized();
        let points = [before.0, before.1, after.0, after.1];
        if !points.iter().all(|p| p.is_finite()) {
            return v;
        }
        let distance = |(a, b): (Point, Point)| (a.x - b.x).hypot(a.y - b.y);
        let midpoint = |(a, b): (Point, Point)| Point::new((a.x + b.x) / 2.0, (a.y + b.y) / 2.0);
        let (d0, d1) = (distance(before), distance(after));
        let (m0, m1) = (midpoint(before), midpoint(after));
        let zoomed = if d0 > 1e-9 && d1 > 1e-9 {
            v.zoom_at(m0, d1 / d0).0
        } else {
            v
        };
        zoomed.pan_by(m1.x - m0.x, m1.y - m0.y)
    }

    /// The URL form `x,y,k`: at most one decimal for x and y and three for k
    /// (`-120.5,40,0.75`).
    pub fn to_query(&self) -> String {
        let v = self.sanitized();
        format!(
            "{},{},{}",
            compact(v.x, 1),
            compact(v.y, 1),
            compact(clamp_zoom(v.k), 3)
        )
    }

    /// Reads the URL form `x,y,k` (spaces around numbers allowed). Rejects anything but three
    /// finite numbers, and a zoom outside [`MIN_ZOOM`, `MAX_ZOOM`].
    pub fn parse_query(s: &str) -> Result<Self, String> {
        let parts: Vec<&str> = s.split(',').map(str::trim).collect();
        let [x, y, k] = parts.as_slice() else {
            return Err(format!(
                "a view must be three numbers `x,y,zoom`, got {} part(s)",
                parts.len()
            ));
        };
        let number = |raw: &str, name: &str| -> Result<f64, String> {
            match raw.parse::<f64>() {
                Ok(value) if value.is_finite() => Ok(value),
                _ => Err(format!("the view's {name} is not a finite number")),
            }
        };
        let (x, y, k) = (number(x, "x")?, number(y, "y")?, number(k, "zoom")?);
        if !(MIN_ZOOM..=MAX_ZOOM).contains(&k) {
            return Err(format!(
                "the view's zoom must be between {MIN_ZOOM} and {MAX_ZOOM}"
            ));
        }
        Ok(Self::new(x, y, k))
    }

    /// A click at `click` on the minimap (in minimap pixels from its top-left corner, drawn with
    /// `minimap_scale` as [`minimap_scale`] describes) → this viewport centring the content point
    /// under the click (clamped into `content`), keeping the zoom.
    pub fn center_from_minimap(
        self,
        click: Point,
        content: Extent,
        minimap_scale: f64,
        screen: Extent,
    ) -> Self {
        let v = self.sanitized();
        if !click.is_finite()
            || !content.is_valid()
            || !minimap_scale.is_finite()
            || minimap_scale <= 0.0
        {
            return v;
        }
        let p = Point::new(
            (content.x + click.x / minimap_scale).clamp(content.x, content.x + content.width),
            (content.y + click.y / minimap_scale).clamp(content.y, content.y + content.height),
        );
        v.center_on(p, screen)
    }
}

/// How far (screen px) past each edge of the screen a culled map renders its cards.
pub const CULL_MARGIN: f64 = 300.0;
/// How close (screen px) the screen may come to the edge of the rendered part before that part
/// is moved.
const CULL_SLACK: f64 = 60.0;
/// How far the zoom may grow past the one a rendered part was made for before it is made again
/// (zooming out is covered by the edges: the screen soon reaches them).
const CULL_ZOOM_IN: f64 = 1.5;

/// The part of the content a culled map renders cards in, and the zoom it was made for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CullArea {
    pub area: Extent,
    pub k: f64,
}

impl CullArea {
    /// What `screen` shows through `view`, with `margin` screen px around it.
    pub fn around(view: Viewport, screen: Extent, margin: f64) -> Self {
        let view = view.sanitized();
        let seen = view.visible_content(screen);
        Self {
            area: grow(seen, margin / view.k),
            k: view.k,
        }
    }

    /// `previous` if it still covers what `screen` shows through `view` (with some slack) at a
    /// zoom close to its own, else a new area around the screen, [`CULL_MARGIN`] wide. A pan
    /// keeps the same cards for a few hundred pixels instead of adding and removing some in
    /// every frame.
    pub fn follow(previous: Option<Self>, view: Viewport, screen: Extent) -> Self {
        let view = view.sanitized();
        let kept = previous.filter(|before| {
            let seen = grow(view.visible_content(screen), CULL_SLACK / view.k);
            view.k <= before.k * CULL_ZOOM_IN && contains(before.area, seen)
        });
        kept.unwrap_or_else(|| Self::around(view, screen, CULL_MARGIN))
    }

    /// Whether a card's box reaches into the area.
    pub fn touches(&self, card: &Rect) -> bool {
        let a = self.area;
        let area = Rect {
            x: a.x,
            y: a.y,
            width: a.width,
            height: a.height,
        };
        area.intersects(card)
    }
}

fn grow(r: Extent, by: f64) -> Extent {
    Extent::new(r.x - by, r.y - by, r.width + 2.0 * by, r.height + 2.0 * by)
}

fn contains(outer: Extent, inner: Extent) -> bool {
    inner.x >= outer.x
        && inner.y >= outer.y
        && inner.x + inner.width <= outer.x + outer.width
        && inner.y + inner.height <= outer.y + outer.height
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-6 * (1.0 + a.abs().max(b.abs()))
    }

    fn assert_close(actual: Viewport, expected: Viewport) {
        assert!(
            close(actual.x, expected.x)
                && close(actual.y, expected.y)
                && close(actual.k, expected.k),
            "expected {expected:?}, got {actual:?}"
        );
    }

    const SCREEN: Extent = Extent {
        x: 0.0,
        y: 0.0,
        width: 800.0,
        height: 600.0,
    };

    #[test]
    fn default_is_the_identity() {
        assert_eq!(Viewport::default(), Viewport::new(0.0, 0.0, 1.0));
        let p = Point::new(3.0, -4.0);
        assert_eq!(Viewport::default().to_screen(p), p);
    }

    #[test]
    fn to_screen_and_to_content_are_inverse() {
        let v = Viewport::new(10.0, -20.0, 2.0);
        assert_eq!(v.to_screen(Point::new(5.0, 5.0)), Point::new(20.0, -10.0));
        assert_eq!(v.to_content(Point::new(20.0, -10.0)), Point::new(5.0, 5.0));
        // A broken zoom is read as 1 rather than dividing by zero.
        let broken = Viewport::new(0.0, 0.0, 0.0);
        assert_eq!(
            broken.to_content(Point::new(4.0, 2.0)),
            Point::new(4.0, 2.0)
        );
    }

    #[test]
    fn css_transform_is_compact() {
        assert_eq!(
            Viewport::new(12.5, -3.0, 1.25).css_transform(),
            "translate(12.5px, -3px) scale(1.25)"
        );
        assert_eq!(
            Viewport::new(0.123_456, -0.0001, 1.0).css_transform(),
            "translate(0.123px, 0px) scale(1)"
        );
        assert_eq!(
            Viewport::new(f64::NAN, 7.0, f64::INFINITY).css_transform(),
            "translate(0px, 7px) scale(1)"
        );
    }

    #[test]
    fn pan_by_moves_and_ignores_non_finite_deltas() {
        let v = Viewport::new(1.0, 2.0, 1.5);
        assert_eq!(v.pan_by(10.0, -5.0), Viewport::new(11.0, -3.0, 1.5));
        assert_eq!(v.pan_by(f64::NAN, 1.0), v);
        assert_eq!(v.pan_by(1.0, f64::INFINITY), v);
    }

    #[test]
    fn zoom_at_keeps_the_anchor_and_clamps() {
        let v = Viewport::default();
        let (zoomed, hit) = v.zoom_at(Point::new(100.0, 50.0), 2.0);
        assert_eq!(zoomed, Viewport::new(-100.0, -50.0, 2.0));
        assert!(!hit);

        // Partly clamped: moves to the limit, not reported as blocked.
        let (zoomed, hit) = Viewport::new(0.0, 0.0, 2.0).zoom_at(Point::new(0.0, 0.0), 2.0);
        assert_eq!(zoomed, Viewport::new(0.0, 0.0, 3.0));
        assert!(!hit);

        // Fully blocked at either limit.
        let at_max = Viewport::new(5.0, 5.0, MAX_ZOOM);
        assert_eq!(at_max.zoom_at(Point::new(9.0, 9.0), 1.5), (at_max, true));
        let at_min = Viewport::new(5.0, 5.0, MIN_ZOOM);
        assert_eq!(at_min.zoom_at(Point::new(9.0, 9.0), 0.5), (at_min, true));
        // Zooming away from a limit is fine.
        let (out, hit) = at_max.zoom_at(Point::new(0.0, 0.0), 0.5);
        assert_eq!(out, Viewport::new(2.5, 2.5, 1.5));
        assert!(!hit);

        // Broken factors and anchors do nothing.
        for factor in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert_eq!(v.zoom_at(Point::new(1.0, 1.0), factor), (v, false));
        }
        assert_eq!(v.zoom_at(Point::new(f64::NAN, 1.0), 2.0), (v, false));
        // Factor 1 is never a blocked zoom.
        assert_eq!(at_max.zoom_at(Point::new(1.0, 1.0), 1.0), (at_max, false));
    }

    #[test]
    fn wheel_factor_follows_d3() {
        assert_eq!(wheel_factor(0.0, 0), 1.0);
        assert!(close(wheel_factor(-500.0, 0), 2.0));
        assert!(close(wheel_factor(500.0, 0), 0.5));
        assert!(close(wheel_factor(-20.0, 1), 2.0));
        assert!(close(wheel_factor(1.0, 2), 0.5));
        assert!(close(wheel_factor(1.0, 7), 0.5));
        assert_eq!(wheel_factor(f64::NAN, 0), 1.0);
        assert_eq!(wheel_factor(1e300, 2), 2f64.powi(-10));
    }

    #[test]
    fn clamp_keeps_a_margin_of_content_on_screen() {
        let content = Extent::new(0.0, 0.0, 1000.0, 1000.0);
        // Content pushed far to the right and down: its left/top edge stops 80 px before the
        // screen's right/bottom edge.
        let v = Viewport::new(5000.0, 5000.0, 1.0).clamp(content, SCREEN, 80.0);
        assert_eq!(v, Viewport::new(720.0, 520.0, 1.0));
        // Far to the left and up: the right/bottom edge stops 80 px inside.
        let v = Viewport::new(-5000.0, -5000.0, 1.0).clamp(content, SCREEN, 80.0);
        assert_eq!(v, Viewport::new(-920.0, -920.0, 1.0));
        // Inside the range: unchanged.
        let v = Viewport::new(-100.0, 30.0, 1.0);
        assert_eq!(v.clamp(content, SCREEN, 80.0), v);
        // Content narrower than the margin stays fully visible.
        let tiny = Extent::new(0.0, 0.0, 40.0, 40.0);
        let v = Viewport::new(-1000.0, 1000.0, 1.0).clamp(tiny, SCREEN, 80.0);
        assert_eq!(v, Viewport::new(0.0, 560.0, 1.0));
        // Zoom out of the limits is brought back around the screen centre.
        let v = Viewport::new(0.0, 0.0, 10.0).clamp(content, SCREEN, 80.0);
        assert_close(v, Viewport::new(280.0, 210.0, 3.0));
        // Broken inputs: unchanged.
        let v = Viewport::new(1.0, 2.0, 1.0);
        assert_eq!(
            v.clamp(Extent::new(f64::NAN, 0.0, 1.0, 1.0), SCREEN, 80.0),
            v
        );
        assert_eq!(v.clamp(content, SCREEN, f64::NAN), v);
    }

    #[test]
    fn fit_centres_and_never_blows_up() {
        // 1600 x 600 content in 800 x 600 with 50 padding: width limits, k = 700 / 1600.
        let v = Viewport::fit(Extent::new(0.0, 0.0, 1600.0, 600.0), SCREEN, 50.0);
        assert_eq!(v.k, 0.4375);
        assert_eq!(v.x, 50.0);
        assert_eq!(v.y, 300.0 - 300.0 * 0.4375);
        // Small content is not magnified, just centred.
        let v = Viewport::fit(Extent::new(100.0, 100.0, 200.0, 100.0), SCREEN, 20.0);
        assert_eq!(v, Viewport::new(200.0, 150.0, 1.0));
        // Huge content stops at the minimum zoom.
        let v = Viewport::fit(Extent::new(0.0, 0.0, 100_000.0, 10.0), SCREEN, 0.0);
        assert_eq!(v.k, MIN_ZOOM);
        // A point and broken input.
        let v = Viewport::fit(Extent::new(10.0, 10.0, 0.0, 0.0), SCREEN, 0.0);
        assert_eq!(v, Viewport::new(390.0, 290.0, 1.0));
        assert_eq!(
            Viewport::fit(Extent::new(0.0, 0.0, f64::INFINITY, 1.0), SCREEN, 0.0),
            Viewport::default()
        );
    }

    #[test]
    fn center_on_keeps_the_zoom() {
        let v = Viewport::new(0.0, 0.0, 2.0).center_on(Point::new(100.0, 50.0), SCREEN);
        assert_eq!(v, Viewport::new(200.0, 200.0, 2.0));
        let offset = Extent::new(100.0, 0.0, 800.0, 600.0);
        let v = Viewport::default().center_on(Point::new(0.0, 0.0), offset);
        assert_eq!(v, Viewport::new(500.0, 300.0, 1.0));
    }

    #[test]
    fn reveal_pans_as_little_as_possible() {
        let v = Viewport::default();
        // Already visible: unchanged.
        let visible = Extent::new(100.0, 100.0, 50.0, 50.0);
        assert_eq!(v.reveal(visible, SCREEN, 20.0), v);
        // Off to the right and below: its right/bottom edge lands at the padding.
        let v2 = v.reveal(Extent::new(900.0, 700.0, 100.0, 50.0), SCREEN, 20.0);
        assert_eq!(v2, Viewport::new(-220.0, -170.0, 1.0));
        // Off to the left and above, zoomed in.
        let zoomed = Viewport::new(0.0, 0.0, 2.0);
        let v3 = zoomed.reveal(Extent::new(-50.0, -10.0, 10.0, 10.0), SCREEN, 20.0);
        assert_eq!(v3, Viewport::new(120.0, 40.0, 2.0));
        // Larger than the screen: top-left corner shown.
        let v4 = v.reveal(Extent::new(1000.0, 10.0, 2000.0, 100.0), SCREEN, 10.0);
        assert_eq!(v4, Viewport::new(-990.0, 0.0, 1.0));
    }

    #[test]
    fn visible_content_is_the_screen_in_content_coordinates() {
        let v = Viewport::new(-100.0, 50.0, 2.0);
        assert_eq!(
            v.visible_content(SCREEN),
            Extent::new(50.0, -25.0, 400.0, 300.0)
        );
    }

    #[test]
    fn pinch_scales_around_the_midpoint_then_pans() {
        let v = Viewport::default();
        let before = (Point::new(100.0, 100.0), Point::new(200.0, 100.0));
        // Fingers spread to twice the distance around the same midpoint.
        let after = (Point::new(50.0, 100.0), Point::new(250.0, 100.0));
        assert_eq!(v.pinch(before, after), Viewport::new(-150.0, -100.0, 2.0));
        // Same distance, midpoint moved: a pan.
        let moved = (Point::new(110.0, 90.0), Point::new(210.0, 90.0));
        assert_eq!(v.pinch(before, moved), Viewport::new(10.0, -10.0, 1.0));
        // Collapsed pointers: pan only; NaN: unchanged.
        let same = (Point::new(0.0, 0.0), Point::new(0.0, 0.0));
        assert_eq!(v.pinch(same, after), Viewport::new(150.0, 100.0, 1.0));
        let nan = (Point::new(f64::NAN, 0.0), Point::new(0.0, 0.0));
        assert_eq!(v.pinch(before, nan), v);
        // Clamped to the limits.
        let huge = (Point::new(-10_000.0, 100.0), Point::new(10_000.0, 100.0));
        assert_eq!(v.pinch(before, huge).k, MAX_ZOOM);
    }

    #[test]
    fn query_round_trips_and_rejects_bad_input() {
        let v = Viewport::new(-120.54, 40.0, 0.75);
        assert_eq!(v.to_query(), "-120.5,40,0.75");
        assert_eq!(
            Viewport::parse_query("-120.5,40,0.75"),
            Ok(Viewport::new(-120.5, 40.0, 0.75))
        );
        assert_eq!(
            Viewport::parse_query(" 1 , 2 , 3 "),
            Ok(Viewport::new(1.0, 2.0, 3.0))
        );
        for bad in [
            "",
            "1,2",
            "1,2,3,4",
            "a,2,1",
            "1,,1",
            "inf,0,1",
            "0,NaN,1",
            "0,0,0.09",
            "0,0,3.01",
            "0,0,infinity",
        ] {
            assert!(Viewport::parse_query(bad).is_err(), "{bad:?} should fail");
        }
    }

    #[test]
    fn minimap_maps_clicks_to_content() {
        let content = Extent::new(-100.0, 0.0, 2000.0, 500.0);
        let s = minimap_scale(
            content,
            Size {
                width: 200.0,
                height: 100.0,
            },
        );
        assert_eq!(s, 0.1);
        assert_eq!(
            minimap_rect(Extent::new(0.0, 100.0, 800.0, 600.0), content, s),
            Extent::new(10.0, 10.0, 80.0, 60.0)
        );
        // Click at (60, 20) on the minimap → content (500, 200) centred on screen.
        let v = Viewport::default().center_from_minimap(Point::new(60.0, 20.0), content, s, SCREEN);
        assert_eq!(v, Viewport::new(-100.0, 100.0, 1.0));
        // Clicks outside the drawn content are clamped into it.
        let v = Viewport::default().center_from_minimap(Point::new(60.0, 90.0), content, s, SCREEN);
        assert_eq!(v, Viewport::new(-100.0, -200.0, 1.0));
        assert_eq!(
            minimap_scale(
                Extent::new(0.0, 0.0, 0.0, 0.0),
                Size {
                    width: 10.0,
                    height: 10.0
                }
            ),
            1.0
        );
        let v = Viewport::new(3.0, 4.0, 1.0);
        assert_eq!(
            v.center_from_minimap(Point::new(1.0, 1.0), content, 0.0, SCREEN),
            v
        );
    }

    fn viewport() -> impl Strategy<Value = Viewport> {
        (-5000.0..5000.0f64, -5000.0..5000.0f64, MIN_ZOOM..=MAX_ZOOM)
            .prop_map(|(x, y, k)| Viewport::new(x, y, k))
    }

    fn point() -> impl Strategy<Value = Point> {
        (-3000.0..3000.0f64, -3000.0..3000.0f64).prop_map(|(x, y)| Point::new(x, y))
    }

    fn extent() -> impl Strategy<Value = Extent> {
        (
            -3000.0..3000.0f64,
            -3000.0..3000.0f64,
            0.0..5000.0f64,
            0.0..5000.0f64,
        )
            .prop_map(|(x, y, w, h)| Extent::new(x, y, w, h))
    }

    fn any_f64() -> impl Strategy<Value = f64> {
        prop_oneof![
            Just(f64::NAN),
            Just(f64::INFINITY),
            Just(f64::NEG_INFINITY),
            Just(0.0),
            -1e6..1e6f64,
            any::<f64>(),
        ]
    }

    #[test]
    fn a_cull_area_is_kept_while_a_pan_stays_inside_it() {
        let screen = Extent::new(0.0, 0.0, 1000.0, 600.0);
        let start = Viewport::new(0.0, 0.0, 1.0);
        let first = CullArea::follow(None, start, screen);
        assert_eq!(first.area, Extent::new(-300.0, -300.0, 1600.0, 1200.0));
        // 200 px of pan: still 100 px from the edge, more than the slack.
        let panned = CullArea::follow(Some(first), start.pan_by(-200.0, 0.0), screen);
        assert_eq!(panned, first);
        // 260 px: closer than the slack, so the area moves with the screen.
        let moved = CullArea::follow(Some(first), start.pan_by(-260.0, 0.0), screen);
        assert_eq!(moved.area, Extent::new(-40.0, -300.0, 1600.0, 1200.0));
    }

    #[test]
    fn a_cull_area_is_made_again_when_the_zoom_moves_away_from_its_own() {
        let screen = Extent::new(0.0, 0.0, 1000.0, 600.0);
        let first = CullArea::follow(None, Viewport::new(0.0, 0.0, 1.0), screen);
        // Zooming out shows more than the area holds.
        let out = Viewport::new(0.0, 0.0, 1.0)
            .zoom_at(Point::new(500.0, 300.0), 0.6)
            .0;
        let after_out = CullArea::follow(Some(first), out, screen);
        assert!(close(after_out.k, 0.6), "{after_out:?}");
        // Zooming in a little keeps it; past the slack the area shrinks to the new screen.
        let near = Viewport::new(0.0, 0.0, 1.0)
            .zoom_at(Point::new(500.0, 300.0), 1.4)
            .0;
        assert_eq!(CullArea::follow(Some(first), near, screen), first);
        let far = Viewport::new(0.0, 0.0, 1.0)
            .zoom_at(Point::new(500.0, 300.0), 2.0)
            .0;
        let after_in = CullArea::follow(Some(first), far, screen);
        assert!(after_in.area.width < first.area.width, "{after_in:?}");
    }

    #[test]
    fn a_cull_area_touches_what_reaches_into_it() {
        let rect = |x, y, width, height| Rect {
            x,
            y,
            width,
            height,
        };
        let area = CullArea::around(
            Viewport::new(0.0, 0.0, 1.0),
            Extent::new(0.0, 0.0, 100.0, 100.0),
            CULL_MARGIN,
        );
        assert!(area.touches(&rect(390.0, 390.0, 50.0, 50.0)));
        assert!(area.touches(&rect(-340.0, 0.0, 50.0, 10.0)));
        assert!(!area.touches(&rect(400.0, 0.0, 50.0, 10.0)));
        assert!(!area.touches(&rect(-350.0, 0.0, 50.0, 10.0)));
    }

    proptest! {
        #[test]
        fn zoom_at_keeps_the_anchor_fixed(v in viewport(), anchor in point(), factor in 0.01..100.0f64) {
            let content = v.to_content(anchor);
            let (zoomed, _) = v.zoom_at(anchor, factor);
            let back = zoomed.to_screen(content);
            prop_assert!((back.x - anchor.x).abs() < 1e-6 && (back.y - anchor.y).abs() < 1e-6,
                "{anchor:?} moved to {back:?}");
            prop_assert!((MIN_ZOOM..=MAX_ZOOM).contains(&zoomed.k));
        }

        #[test]
        fn zoom_is_always_within_limits(
            v in viewport(),
            a in point(), b in point(), c in point(), d in point(),
            content in extent(), screen in extent(), padding in 0.0..500.0f64,
        ) {
            let k = v.pinch((a, b), (c, d)).k;
            prop_assert!((MIN_ZOOM..=MAX_ZOOM).contains(&k), "pinch gave {k}");
            let k = Viewport::fit(content, screen, padding).k;
            prop_assert!((MIN_ZOOM..=1.0).contains(&k), "fit gave {k}");
        }

        #[test]
        fn clamp_is_idempotent_and_keeps_the_margin(
            v in viewport(), content in extent(), screen in extent(), margin in 0.0..300.0f64,
        ) {
            let once = v.clamp(content, screen, margin);
            prop_assert_eq!(once.clamp(content, screen, margin), once);
            let shown = Extent::new(
                content.x * once.k + once.x,
                content.y * once.k + once.y,
                content.width * once.k,
                content.height * once.k,
            );
            let overlap = |start: f64, len: f64, s_start: f64, s_len: f64| {
                (start + len).min(s_start + s_len) - start.max(s_start)
            };
            let want_x = margin.min(shown.width).min(screen.width);
            let want_y = margin.min(shown.height).min(screen.height);
            prop_assert!(overlap(shown.x, shown.width, screen.x, screen.width) >= want_x - 1e-6);
            prop_assert!(overlap(shown.y, shown.height, screen.y, screen.height) >= want_y - 1e-6);
        }

        #[test]
        fn query_round_trips(v in viewport()) {
            let parsed = Viewport::parse_query(&v.to_query()).unwrap();
            prop_assert!((parsed.x - v.x).abs() <= 0.05 + 1e-9);
            prop_assert!((parsed.y - v.y).abs() <= 0.05 + 1e-9);
            prop_assert!((parsed.k - v.k).abs() <= 0.0005 + 1e-12);
        }

        #[test]
        fn parse_query_never_panics(s in ".*", t in "[-+0-9.,eEinfa ]{0,30}") {
            let _ = Viewport::parse_query(&s);
            if let Ok(v) = Viewport::parse_query(&t) {
                prop_assert!(v.x.is_finite() && v.y.is_finite());
                prop_assert!((MIN_ZOOM..=MAX_ZOOM).contains(&v.k));
            }
        }

        #[test]
        fn wheel_factors_are_reciprocal(delta in -100_000.0..100_000.0f64, mode in 0u32..4) {
            let product = wheel_factor(delta, mode) * wheel_factor(-delta, mode);
            prop_assert!((product - 1.0).abs() < 1e-9, "{product}");
        }

        #[test]
        fn broken_inputs_give_finite_viewports(
            x in any_f64(), y in any_f64(), k in any_f64(), a in any_f64(), b in any_f64(),
            w in any_f64(), h in any_f64(),
        ) {
            let v = Viewport::new(x, y, k);
            let p = Point::new(a, b);
            let e = Extent::new(a, b, w, h);
            let results = [
                v.pan_by(a, b),
                v.zoom_at(p, w).0,
                v.clamp(e, e, h),
                Viewport::fit(e, e, h),
                v.center_on(p, e),
                v.reveal(e, e, h),
                v.pinch((p, p), (Point::new(w, h), p)),
                v.center_from_minimap(p, e, w, e),
            ];
            for r in results {
                prop_assert!(r.x.is_finite() && r.y.is_finite() && r.k.is_finite() && r.k > 0.0,
                    "{r:?}");
            }
            let _ = v.css_transform();
            let _ = v.to_query();
            let visible = v.visible_content(e);
            prop_assert!(visible.width.is_finite() && visible.height.is_finite());
            let size = Size { width: w, height: h };
            prop_assert!(minimap_scale(e, size).is_finite());
        }
    }
}
