//! The Markdown → HTML sanitizer (`app::content::render_markdown`) on arbitrary UTF-8: it must
//! never panic, and its output must keep the contract `check_safe_html` checks (only the
//! writer's own tags and attributes, no `<script`, no event handlers, no `javascript:` URLs).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|markdown: &str| {
    let html = app::content::render_markdown(markdown);
    if let Err(problem) = app::content::check_safe_html(&html) {
        panic!("unsafe HTML: {problem}\ninput: {markdown:?}\noutput: {html}");
    }
});
