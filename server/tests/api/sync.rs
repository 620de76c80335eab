//! The sync API (`/api/sync/{slug}/push` and `pull`), shared by every kind of register: push
//! bodies, the server's state and a signed-in learner for the tests of `statuses` and `notes`,
//! and in `registers` the rules that hold for every kind alike (retries, gaps, last writer
//! wins, clamped clocks, aliases), each run once per kind.

mod notes;
mod registers;
mod statuses;

use serde_json::{json, Value};

use crate::helpers::{spawn_app, Browser, TestApp};

pub const DEVICE: &str = "device-a1";
pub const OTHER: &str = "device-b2";

pub fn now_millis() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

/// A kind of register as the API spells it.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    Status,
    Note,
}

impl Kind {
    /// The mutation's field that writes this kind.
    fn mutation_field(self) -> &'static str {
        match self {
            Self::Status => "status",
            Self::Note => "note",
        }
    }

    /// The list of an answer that carries this kind, and the value's field in it.
    fn answer_fields(self) -> (&'static str, &'static str) {
        match self {
            Self::Status => ("entries", "status"),
            Self::Note => ("notes", "text"),
        }
    }

    /// Three different values of this kind.
    pub fn values(self) -> [&'static str; 3] {
        match self {
            Self::Status => ["done", "skipped", "in_progress"],
            Self::Note => ["one", "two", "three"],
        }
    }

    /// A mutation writing `value` on `topic`, stamped `millis` by `device`.
    pub fn mutation(self, id: u64, topic: &str, value: &str, millis: u64, device: &str) -> Value {
        let mut mutation = json!({
            "id": id,
            "topic": topic,
            "stamp": { "millis": millis, "counter": 0, "device": device },
        });
        mutation[self.mutation_field()] = json!(value);
        mutation
    }

    /// This kind's registers in an answer (of a push or a pull).
    pub fn in_answer(self, answer: &Value) -> Vec<Value> {
        answer[self.answer_fields().0].as_array().unwrap().clone()
    }

    /// The value of a register in an answer.
    pub fn value_of(self, register: &Value) -> String {
        register[self.answer_fields().1]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// topic → value of every register of this kind the server holds for the backend
    /// roadmap (a deleted note as "").
    pub async fn server_state(self, browser: &mut Browser) -> Vec<(String, String)> {
        let pulled = browser.pull("backend", 0).await;
        let mut state: Vec<(String, String)> = self
            .in_answer(&pulled)
            .iter()
            .map(|register| {
                let topic = register["topic"].as_str().unwrap().to_owned();
                (topic, self.value_of(register))
            })
            .collect();
        state.sort();
        state
    }
}

/// A status mutation by [`DEVICE`].
pub fn status(id: u64, topic: &str, status: &str, millis: u64) -> Value {
    Kind::Status.mutation(id, topic, status, millis, DEVICE)
}

/// A note mutation by `device`.
pub fn note(id: u64, topic: &str, text: &str, millis: u64, device: &str) -> Value {
    Kind::Note.mutation(id, topic, text, millis, device)
}

pub fn push_body(device: &str, mutations: Vec<Value>) -> Value {
    json!({ "device": device, "mutations": mutations })
}

/// Pushes `mutations` of `device` for the backend roadmap.
pub async fn push(browser: &mut Browser, device: &str, mutations: Vec<Value>) -> reqwest::Response {
    browser.push("backend", &push_body(device, mutations)).await
}

pub async fn signed_in() -> (TestApp, Browser) {
    let app = spawn_app().await;
    let browser = app.browser().signed_up("alice").await;
    (app, browser)
}
