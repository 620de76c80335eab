//! The browser's local storage as a fallible service. Storage can be missing, blocked (a
//! third-party frame with third-party storage blocked: reading `window.localStorage` throws a
//! `SecurityError`), throwing, or full; each is an expected state here, never a panic.
//! Callers keep their data in memory and say so (see [`StorageHealth`]).
//!
//! Where the browser supports the Storage Access API, [`request_access`] asks for the frame's
//! own storage on a user gesture; what it grants is used by every later read and write.
//!
//! Inert on the server: reads find nothing, writes succeed without doing anything.

/// How the browser's storage has behaved so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StorageHealth {
    /// Every read and write worked (or none was tried yet).
    #[default]
    Working,
    /// The browser refuses storage to this page: data lives in memory for the visit.
    Unavailable,
    /// A save failed (storage full): the data is kept in memory, not saved.
    Full,
}

/// Why a read or write failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StorageProblem {
    Unavailable,
    Full,
}

impl StorageProblem {
    pub fn health(self) -> StorageHealth {
        match self {
            Self::Unavailable => StorageHealth::Unavailable,
            Self::Full => StorageHealth::Full,
        }
    }
}

/// The health after an operation that ended with `outcome`.
pub fn health_after<T>(outcome: &Result<T, StorageProblem>) -> StorageHealth {
    match outcome {
        Ok(_) => StorageHealth::Working,
        Err(problem) => problem.health(),
    }
}

pub fn read(key: &str) -> Result<Option<String>, StorageProblem> {
    #[cfg(feature = "hydrate")]
    {
        client::storage()?
            .get_item(key)
            .map_err(|_| StorageProblem::Unavailable)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = key;
        Ok(None)
    }
}

pub fn write(key: &str, value: &str) -> Result<(), StorageProblem> {
    #[cfg(feature = "hydrate")]
    {
        client::storage()?
            .set_item(key, value)
            .map_err(|error| client::problem_of(&error))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (key, value);
        Ok(())
    }
}

pub fn remove(key: &str) -> Result<(), StorageProblem> {
    #[cfg(feature = "hydrate")]
    {
        client::storage()?
            .remove_item(key)
            .map_err(|_| StorageProblem::Unavailable)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = key;
        Ok(())
    }
}

/// Whether this browser offers `document.requestStorageAccess()` (never on the server).
pub fn access_api_supported() -> bool {
    #[cfg(feature = "hydrate")]
    {
        client::request_storage_access_fn().is_some()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        false
    }
}

/// Asks the browser for this frame's storage (call it from a click: browsers require a user
/// gesture). `done` gets `Ok` once storage works, or the problem that remains.
pub fn request_access(done: impl FnOnce(Result<(), StorageProblem>) + 'static) {
    #[cfg(feature = "hydrate")]
    client::request_access(done);
    #[cfg(not(feature = "hydrate"))]
    done(Err(StorageProblem::Unavailable));
}

#[cfg(feature = "hydrate")]
mod client {
    use std::cell::RefCell;

    use gloo_storage::Storage as _;
    use wasm_bindgen::{JsCast, JsValue};

    use super::StorageProblem;

    thread_local! {
        /// The storage the Storage Access API handed over (`handle.localStorage`), if any.
        static GRANTED: RefCell<Option<web_sys::Storage>> = const { RefCell::new(None) };
    }

    /// `window.localStorage`, read through `Reflect` so that a throwing getter (blocked
    /// storage, or a page that replaced it) is an `Err`, not an exception.
    pub fn storage() -> Result<web_sys::Storage, StorageProblem> {
        if let Some(granted) = GRANTED.with(|granted| granted.borrow().clone()) {
            return Ok(granted);
        }
        let window = web_sys::window().ok_or(StorageProblem::Unavailable)?;
        js_sys::Reflect::get(&window, &JsValue::from_str("localStorage"))
            .ok()
            .and_then(|value| value.dyn_into::<web_sys::Storage>().ok())
            .ok_or(StorageProblem::Unavailable)?;
        // The probe above has read `window.localStorage` without an exception, so
        // gloo-storage's accessor (which panics where the browser refuses) is safe now.
        Ok(gloo_storage::LocalStorage::raw())
    }

    /// A quota error means full; anything else means the browser refuses.
    pub fn problem_of(error: &JsValue) -> StorageProblem {
        let name = js_sys::Reflect::get(error, &JsValue::from_str("name"))
            .ok()
            .and_then(|name| name.as_string());
        match name.as_deref() {
            Some("QuotaExceededError" | "NS_ERROR_DOM_QUOTA_REACHED") => StorageProblem::Full,
            _ => StorageProblem::Unavailable,
        }
    }

    pub fn request_storage_access_fn() -> Option<(web_sys::Document, js_sys::Function)> {
        let document = web_sys::window()?.document()?;
        let function = js_sys::Reflect::get(&document, &JsValue::from_str("requestStorageAccess"))
            .ok()?
            .dyn_into::<js_sys::Function>()
            .ok()?;
        Some((document, function))
    }

    pub fn request_access(done: impl FnOnce(Result<(), StorageProblem>) + 'static) {
        let Some((document, request)) = request_storage_access_fn() else {
            done(Err(StorageProblem::Unavailable));
            return;
        };
        // `{localStorage: true}` asks for unpartitioned local storage where the browser
        // supports it (the answer is a handle); older versions take no argument and grant
        // cookies, after which `window.localStorage` may work.
        let types = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&types, &"localStorage".into(), &JsValue::TRUE);
        let Ok(promise) = request.call1(&document, &types) else {
            done(Err(StorageProblem::Unavailable));
            return;
        };
        // Exactly one of the two callbacks runs; both may need `done`.
        let done = std::rc::Rc::new(RefCell::new(Some(done)));
        let refused = done.clone();
        crate::promise::when_settled(
            &promise,
            move |handle| {
                let storage = js_sys::Reflect::get(&handle, &JsValue::from_str("localStorage"))
                    .ok()
                    .and_then(|value| value.dyn_into::<web_sys::Storage>().ok());
                if let Some(storage) = storage {
                    GRANTED.with(|granted| *granted.borrow_mut() = Some(storage));
                }
                if let Some(done) = done.borrow_mut().take() {
                    done(storage_works());
                }
            },
            move |_| {
                if let Some(done) = refused.borrow_mut().take() {
                    done(Err(StorageProblem::Unavailable));
                }
            },
        );
    }

    /// Whether a write and a removal both work now.
    fn storage_works() -> Result<(), StorageProblem> {
        const PROBE: &str = "trailmap.storage-probe";
        let storage = storage()?;
        storage
            .set_item(PROBE, "1")
            .map_err(|error| problem_of(&error))?;
        storage
            .remove_item(PROBE)
            .map_err(|_| StorageProblem::Unavailable)
    }
}
