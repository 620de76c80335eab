//! The Markdown → HTML sanitizers on arbitrary UTF-8: topic texts (`render_markdown`) and
//! learners' notes (`render_note`, stricter). Neither may panic, and both outputs must keep the
//! contract `check_safe_html` checks (only the writer's own tags and attributes, no `<script`,
//! no event handlers, no `javascript:` URLs).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|markdown: &str| {
    for (name, html) in [
        ("render_markdown", trailmap_core::content::render_markdown(markdown)),
        ("render_note", trailmap_core::content::render_note(markdown)),
    ] {
        if let Err(problem) = trailmap_core::content::check_safe_html(&html) {
            panic!("{name}: unsafe HTML: {problem}\ninput: {markdown:?}\noutput: {html}");
        }
    }
});
