//! Parts of the client that the first interaction does not need live in wasm chunks of their
//! own, fetched the first time they are used: every build here runs `cargo leptos build
//! --split`, which cuts the wasm at each `wasm_split` point. A split function is declared as
//!
//! ```ignore
//! #[leptos::wasm_split::wasm_split(<chunk>, wasm_split_path = ::leptos::wasm_split, fallible)]
//! fn part(args…) -> Result<T, ChunkUnavailable> { … }
//! ```
//!
//! and called as `part(args…).await`. It is Leptos's `#[lazy]` mechanism with `fallible`: a
//! chunk that cannot be fetched (offline before the service worker cached it, or a page from
//! before a deploy asking for the old build's chunk) is an error the caller handles, where
//! `#[lazy]` would abort the whole client. Arguments and results are owned, concrete types.
//! On the server the function is called directly.

/// A lazily loaded part of the client could not be fetched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChunkUnavailable;

impl From<leptos::wasm_split::SplitLoaderError> for ChunkUnavailable {
    fn from(_: leptos::wasm_split::SplitLoaderError) -> Self {
        Self
    }
}
