//! Model test of sync: three devices edit, push (delivered, response dropped, duplicated,
//! reordered) and pull in random order against the real store on a fresh SQLite database, with
//! skewed clocks. Afterwards every device and the server must hold, for every topic, the write
//! with the greatest stamp. Edits set statuses and notes (including deletions), two
//! independent registers per topic: both must converge.
//!
//! In the first property clocks are skewed from 10 minutes behind to 59 s ahead: within the
//! server's clamping bound, so no stamp is rewritten and "greatest-stamped write wins" is
//! exactly what must hold. In the second, clocks run up to 3 hours ahead, stamps are clamped,
//! and what must hold is that every device ends up with exactly the server's state.
//! `TRAILMAP_MODEL_CASES` sets the number of cases (default 32). Like every test here it runs
//! on PostgreSQL instead when `TRAILMAP_TEST_POSTGRES_URL` is set.

use std::sync::OnceLock;

use proptest::prelude::*;
use server::{
    accounts::Username,
    store::{self, progress::PushError},
    sync::validate_push,
};
use trailmap_core::{
    catalog::Catalog,
    progress::{LocalProgress, NoteText, ProgressLog, PushRequest, PushResponse, Status},
};

use crate::helpers::{fresh_database_url, workspace_path};

const TOPICS: [&str; 5] = ["dns", "http", "http-methods", "postgresql", "docker"];
const DEVICES: usize = 3;
const START_MILLIS: u64 = 1_700_000_000_000;

#[derive(Clone, Copy, Debug)]
enum Fate {
    Delivered,
    ResponseDropped,
    Duplicated,
    Reordered,
}

#[derive(Clone, Debug)]
enum Step {
    Edit {
        device: usize,
        topic: usize,
        status: Status,
    },
    Note {
        device: usize,
        topic: usize,
        text: &'static str,
    },
    Push {
        device: usize,
        max: usize,
        fate: Fate,
    },
    Pull {
        device: usize,
    },
    Tick {
        millis: u64,
    },
}

fn step() -> impl Strategy<Value = Step> {
    let device = 0..DEVICES;
    let fate = prop_oneof![
        3 => Just(Fate::Delivered),
        1 => Just(Fate::ResponseDropped),
        1 => Just(Fate::Duplicated),
        1 => Just(Fate::Reordered),
    ];
    prop_oneof![
        4 => (device.clone(), 0..TOPICS.len(), prop::sample::select(Status::ALL.to_vec()))
            .prop_map(|(device, topic, status)| Step::Edit { device, topic, status }),
        2 => (device.clone(), 0..TOPICS.len(), prop::sample::select(vec!["", "a note", "**b**"]))
            .prop_map(|(device, topic, text)| Step::Note { device, topic, text }),
        3 => (device.clone(), 1usize..5, fate)
            .prop_map(|(device, max, fate)| Step::Push { device, max, fate }),
        2 => device.prop_map(|device| Step::Pull { device }),
        1 => (0u64..5_000).prop_map(|millis| Step::Tick { millis }),
    ]
}

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        Catalog::new(
            trailmap_core::content::load_catalog(&workspace_path("roadmaps"))
                .expect("the roadmaps load"),
        )
    })
}

fn cases() -> u32 {
    std::env::var("TRAILMAP_MODEL_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(32)
}

struct Device {
    local: LocalProgress,
    skew: i64,
    cursor: i64,
}

impl Device {
    fn wall(&self, now: u64) -> u64 {
        now.saturating_add_signed(self.skew)
    }
}

struct World {
    db: store::Db,
    user: i64,
    now: u64,
    devices: Vec<Device>,
    /// Every edit ever made, merged: what everyone must end up with when no stamp is clamped.
    truth: ProgressLog,
    /// Pushes carry at most this many mutations (`None`: what each step says).
    batch_limit: Option<usize>,
}

impl World {
    async fn push(
        &self,
        device: usize,
        mutations: Vec<trailmap_core::progress::Mutation>,
    ) -> Result<store::progress::PushOutcome, PushError> {
        let roadmap = catalog().get("backend").unwrap();
        let request = PushRequest {
            device: self.devices[device].local.clock.device.clone(),
            mutations,
        };
        let push = validate_push(roadmap, request, self.now).expect("the model's pushes are valid");
        store::progress::push(&self.db, self.user, &push).await
    }

    /// What the device does with a push's answer.
    fn acknowledge(&mut self, device: usize, outcome: store::progress::PushOutcome) {
        let response = PushResponse {
            acknowledged: outcome.acknowledged,
            cursor: outcome.cursor,
            entries: outcome.entries,
            notes: outcome.notes,
        };
        let device = &mut self.devices[device];
        let wall = device.wall(self.now);
        device.local.acknowledge_push(&response, wall);
    }

    async fn pull(&mut self, device: usize) {
        let pulled =
            store::progress::pull(&self.db, self.user, "backend", self.devices[device].cursor)
                .await
                .unwrap();
        let device = &mut self.devices[device];
        let wall = device.wall(self.now);
        device.local.absorb(&pulled, wall);
        device.cursor = pulled.cursor as i64;
    }

    async fn run(&mut self, step: Step) -> Result<(), TestCaseError> {
        match step {
            Step::Edit {
                device,
                topic,
                status,
            } => {
                let wall = self.devices[device].wall(self.now);
                let mutation = self.devices[device].local.set(TOPICS[topic], status, wall);
                self.truth.apply(
                    TOPICS[topic],
                    mutation.register::<Status>().expect("a status edit"),
                );
            }
            Step::Note {
                device,
                topic,
                text,
            } => {
                let wall = self.devices[device].wall(self.now);
                let written = self.devices[device]
                    .local
                    .set_note(TOPICS[topic], text, wall)
                    .expect("the model's notes are valid");
                if let Some(mutation) = written {
                    self.truth.apply(
                        TOPICS[topic],
                        mutation.register::<NoteText>().expect("a note edit"),
                    );
                }
            }
            Step::Push { device, max, fate } => {
                let max = self.batch_limit.unwrap_or(max);
                let batch = self.devices[device].local.outbox.batch(max).to_vec();
                match fate {
                    Fate::Delivered => {
                        let outcome = self.push(device, batch).await.unwrap();
                        self.acknowledge(device, outcome);
                    }
                    Fate::ResponseDropped => {
                        self.push(device, batch).await.unwrap();
                    }
                    Fate::Duplicated => {
                        let first = self.push(device, batch.clone()).await.unwrap();
                        let second = self.push(device, batch).await.unwrap();
                        // The retry answers the same and applies nothing again.
                        let answer = |o: &store::progress::PushOutcome| {
                            (o.acknowledged, o.cursor, o.entries.clone())
                        };
                        prop_assert_eq!(answer(&first), answer(&second));
                        prop_assert_eq!((second.applied, second.superseded), (0, 0));
                        self.acknowledge(device, second);
                    }
                    Fate::Reordered if batch.len() >= 2 => {
                        let (early, late) = batch.split_at(batch.len() / 2);
                        // The later half arrives first: a gap unless the earlier half was
                        // applied already (its response dropped before).
                        match self.push(device, late.to_vec()).await {
                            Ok(_) | Err(PushError::Gap { .. }) => {}
                            Err(error) => panic!("{error}"),
                        }
                        let outcome = self.push(device, early.to_vec()).await.unwrap();
                        self.acknowledge(device, outcome);
                        let outcome = self.push(device, late.to_vec()).await.unwrap();
                        self.acknowledge(device, outcome);
                    }
                    Fate::Reordered => {}
                }
            }
            Step::Pull { device } => self.pull(device).await,
            Step::Tick { millis } => self.now += millis,
        }
        Ok(())
    }

    /// Everyone pushes everything, then everyone pulls.
    async fn settle(&mut self) {
        for device in 0..DEVICES {
            while !self.devices[device].local.outbox.is_empty() {
                let max = self.batch_limit.unwrap_or(3);
                let batch = self.devices[device].local.outbox.batch(max).to_vec();
                let outcome = self.push(device, batch).await.unwrap();
                self.acknowledge(device, outcome);
            }
        }
        for device in 0..DEVICES {
            self.pull(device).await;
        }
    }
}

/// What a case checks once everyone has settled.
#[derive(Clone, Copy)]
enum Expect {
    /// No stamp was clamped: server and devices hold the greatest-stamped write of each topic.
    GreatestStamps,
    /// Stamps may have been clamped: devices hold exactly what the server holds.
    SameAsServer,
}

fn check(world: &World, server: &ProgressLog, expect: Expect) -> Result<(), TestCaseError> {
    if let Expect::GreatestStamps = expect {
        prop_assert_eq!(
            server,
            &world.truth,
            "the server holds the greatest-stamped writes"
        );
    }
    prop_assert_eq!(
        server.len(),
        world.truth.len(),
        "every edited topic is on the server"
    );
    prop_assert_eq!(
        server.notes.len(),
        world.truth.notes.len(),
        "every note written is on the server"
    );
    for device in &world.devices {
        prop_assert_eq!(
            &device.local.log,
            server,
            "{} converged",
            device.local.clock.device
        );
    }
    Ok(())
}

async fn run_case(
    skews: [i64; DEVICES],
    steps: Vec<Step>,
    batch_limit: Option<usize>,
    expect: Expect,
) -> Result<(), TestCaseError> {
    let dir = tempfile::TempDir::new().unwrap();
    let url = fresh_database_url(dir.path()).await;
    let db = store::connect(&url).await.unwrap();
    let username = Username::parse("learner").unwrap();
    let user = store::users::create(&db, &username, "not-a-real-hash", 0)
        .await
        .unwrap()
        .unwrap();
    let devices = skews
        .iter()
        .enumerate()
        .map(|(index, skew)| Device {
            local: LocalProgress::new("backend", &format!("device-{index}-model")),
            skew: *skew,
            cursor: 0,
        })
        .collect();
    let mut world = World {
        db,
        user,
        now: START_MILLIS,
        devices,
        truth: ProgressLog::default(),
        batch_limit,
    };
    for step in steps {
        world.run(step).await?;
    }
    world.settle().await;
    let pulled = store::progress::pull(&world.db, user, "backend", 0)
        .await
        .unwrap();
    let mut server = ProgressLog::default();
    for pulled in &pulled.entries {
        server.apply(&pulled.topic, pulled.register.clone());
    }
    for pulled in &pulled.notes {
        server.apply(&pulled.topic, pulled.register.clone());
    }
    let checked = check(&world, &server, expect);
    world.db.close().await;
    checked
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

/// Up to 10 minutes behind, at most 59 s ahead: within the clamping bound.
const HONEST_SKEW: std::ops::RangeInclusive<i64> = -600_000..=59_000;
/// Up to 3 hours ahead: stamps get clamped.
const FAST_SKEW: std::ops::RangeInclusive<i64> = -600_000..=3 * 60 * 60 * 1000;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn every_device_converges_on_the_greatest_stamped_writes(
        skews in [HONEST_SKEW, HONEST_SKEW, HONEST_SKEW],
        steps in prop::collection::vec(step(), 1..60),
    ) {
        block_on(run_case(skews, steps, None, Expect::GreatestStamps))?;
    }

    /// With clocks hours ahead the server clamps stamps; devices adopt what the server stored
    /// (`acknowledge_push`) and still all end up equal to it. Pushes are always full batches,
    /// as the client sends them, so a retry covers every mutation of the push it repeats.
    #[test]
    fn devices_with_fast_clocks_converge_on_the_server_state(
        skews in [FAST_SKEW, FAST_SKEW, FAST_SKEW],
        steps in prop::collection::vec(step(), 1..60),
    ) {
        block_on(run_case(skews, steps, Some(PushRequest::MAX_MUTATIONS), Expect::SameAsServer))?;
    }
}
