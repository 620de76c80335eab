//! Hybrid logical clock stamps and device ids: what orders two edits of the same topic.
//!
//! A hybrid logical clock (Kulkarni et al., 2014) stays close to wall time, so "the later edit
//! wins" means what a learner expects, yet it never goes backwards when the wall clock does
//! and it always moves past any stamp it has seen from another device. The device id is the
//! last field of a stamp, so two devices can never produce equal stamps and every device
//! orders any two edits the same way.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::shorten;

/// A device's id: 8 to 64 characters of ASCII letters, digits, `_` and `-` (the browser makes
/// a random one).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DeviceId(String);

impl DeviceId {
    pub const MIN_LEN: usize = 8;
    pub const MAX_LEN: usize = 64;

    pub fn parse(raw: &str) -> Result<Self, String> {
        let valid_chars = raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !valid_chars {
            Err(format!(
                "device id `{}` may only hold letters, digits, `_` and `-`",
                shorten(raw)
            ))
        } else if raw.len() < Self::MIN_LEN || raw.len() > Self::MAX_LEN {
            Err(format!(
                "device id `{}` must be {} to {} characters long",
                shorten(raw),
                Self::MIN_LEN,
                Self::MAX_LEN
            ))
        } else {
            Ok(Self(raw.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for DeviceId {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<DeviceId> for String {
    fn from(id: DeviceId) -> Self {
        id.0
    }
}

impl fmt::Display for DeviceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Hybrid logical clock timestamp; total order by (millis, counter, device).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Stamp {
    pub millis: u64,
    pub counter: u32,
    pub device: String,
}

impl Stamp {
    /// The latest plausible `millis`: 9999-12-31T23:59:59.999Z. A stamp beyond it would win
    /// every merge forever, so data from outside carrying one is rejected.
    pub const MAX_MILLIS: u64 = 253_402_300_799_999;

    /// Checks a stamp that came from outside (storage, a file, the network).
    pub fn validate(&self) -> Result<(), String> {
        DeviceId::parse(&self.device)?;
        if self.millis > Self::MAX_MILLIS {
            return Err(format!(
                "stamp time {} is beyond the year 9999",
                self.millis
            ));
        }
        Ok(())
    }

    /// The clock part of the stamp, without the device.
    fn time(&self) -> (u64, u32) {
        (self.millis, self.counter)
    }
}

/// A device's HLC (Kulkarni et al. 2014): now(wall) gives a stamp > every stamp it issued or
/// observed; observe(remote, wall) folds in a remote stamp.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clock {
    pub device: String,
    pub millis: u64,
    pub counter: u32,
}

impl Clock {
    pub fn new(device: impl Into<String>) -> Self {
        Self {
            device: device.into(),
            millis: 0,
            counter: 0,
        }
    }

    /// A stamp for a local edit at wall time `wall_millis` (milliseconds since the epoch).
    /// Follows the wall clock when it is ahead; otherwise ticks the counter, so stamps strictly
    /// increase even if the wall clock stalls or goes backwards.
    pub fn now(&mut self, wall_millis: u64) -> Stamp {
        self.advance(self.time(), wall_millis);
        self.stamp()
    }

    /// Folds in a stamp seen from elsewhere: afterwards every stamp this clock issues is
    /// greater than `remote`.
    pub fn observe(&mut self, remote: &Stamp, wall_millis: u64) {
        let latest = self.time().max(remote.time());
        self.advance(latest, wall_millis);
    }

    /// The clock's current position as a stamp (the last one issued, or just past the last
    /// one observed).
    pub fn stamp(&self) -> Stamp {
        Stamp {
            millis: self.millis,
            counter: self.counter,
            device: self.device.clone(),
        }
    }

    /// Whether the clock is at or past `stamp`'s time (ignoring devices).
    pub(crate) fn covers(&self, stamp: &Stamp) -> bool {
        self.time() >= stamp.time()
    }

    fn time(&self) -> (u64, u32) {
        (self.millis, self.counter)
    }

    /// Moves to the wall time if it is past `latest`, else to the tick right after `latest`.
    fn advance(&mut self, latest: (u64, u32), wall_millis: u64) {
        (self.millis, self.counter) = if wall_millis > latest.0 {
            (wall_millis, 0)
        } else {
            tick(latest)
        };
    }
}

/// The next time after `(millis, counter)`: the counter carries into the millis when full.
/// Saturates at the very top of the range, which real clocks never reach.
fn tick((millis, counter): (u64, u32)) -> (u64, u32) {
    match counter.checked_add(1) {
        Some(counter) => (millis, counter),
        None if millis < u64::MAX => (millis + 1, 0),
        None => (millis, counter),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn stamp(millis: u64, counter: u32, device: &str) -> Stamp {
        Stamp {
            millis,
            counter,
            device: device.into(),
        }
    }

    #[test]
    fn device_ids_are_8_to_64_safe_characters() {
        assert!(DeviceId::parse("abcdEFGH").is_ok());
        assert!(DeviceId::parse("device_01-xyz").is_ok());
        assert!(DeviceId::parse(&"a".repeat(64)).is_ok());
        assert_eq!(
            DeviceId::parse("short"),
            Err("device id `short` must be 8 to 64 characters long".into())
        );
        for bad in [
            "",
            "abcdefg",
            "has space",
            "dévice-01",
            "semi;colon",
            &"a".repeat(65),
        ] {
            assert!(DeviceId::parse(bad).is_err(), "{bad:?} should be rejected");
        }
        let id = DeviceId::parse("device-a1").unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"device-a1\"");
        assert!(serde_json::from_str::<DeviceId>("\"bad id!\"").is_err());
    }

    #[test]
    fn stamps_order_by_millis_then_counter_then_device() {
        assert!(stamp(1, 9, "device-z") < stamp(2, 0, "device-a"));
        assert!(stamp(2, 0, "device-z") < stamp(2, 1, "device-a"));
        // The tie between two devices at the same time is broken by the device id.
        assert!(stamp(2, 1, "device-a") < stamp(2, 1, "device-b"));
    }

    #[test]
    fn stamp_validation_checks_device_and_time() {
        assert!(stamp(1_700_000_000_000, 0, "device-a").validate().is_ok());
        assert!(stamp(Stamp::MAX_MILLIS, u32::MAX, "device-a")
            .validate()
            .is_ok());
        assert!(stamp(1, 0, "dev").validate().is_err());
        assert_eq!(
            stamp(Stamp::MAX_MILLIS + 1, 0, "device-a").validate(),
            Err("stamp time 253402300800000 is beyond the year 9999".into())
        );
    }

    #[test]
    fn now_follows_the_wall_clock_when_it_moves_forward() {
        let mut clock = Clock::new("device-a");
        assert_eq!(clock.now(1000), stamp(1000, 0, "device-a"));
        assert_eq!(clock.now(1005), stamp(1005, 0, "device-a"));
    }

    #[test]
    fn now_is_monotonic_when_the_wall_clock_stalls_or_goes_backwards() {
        let mut clock = Clock::new("device-a");
        assert_eq!(clock.now(1000), stamp(1000, 0, "device-a"));
        assert_eq!(clock.now(1000), stamp(1000, 1, "device-a"));
        assert_eq!(clock.now(400), stamp(1000, 2, "device-a"));
        assert_eq!(clock.now(999), stamp(1000, 3, "device-a"));
        assert_eq!(clock.now(1001), stamp(1001, 0, "device-a"));
    }

    #[test]
    fn observe_of_a_remote_stamp_ahead_moves_past_it() {
        let mut clock = Clock::new("device-a");
        clock.now(1000);
        clock.observe(&stamp(5000, 7, "device-b"), 1001);
        assert_eq!((clock.millis, clock.counter), (5000, 8));
        let next = clock.now(1002);
        assert_eq!(next, stamp(5000, 9, "device-a"));
        assert!(next > stamp(5000, 7, "device-b"));
    }

    #[test]
    fn observe_of_a_remote_stamp_behind_still_ticks_and_the_wall_can_win() {
        let mut clock = Clock::new("device-a");
        clock.now(1000);
        clock.observe(&stamp(10, 3, "device-b"), 500);
        assert_eq!((clock.millis, clock.counter), (1000, 1));
        clock.observe(&stamp(10, 3, "device-b"), 2000);
        assert_eq!((clock.millis, clock.counter), (2000, 0));
        // Same millis on both sides: the larger counter plus one.
        clock.observe(&stamp(2000, 41, "device-b"), 2000);
        assert_eq!((clock.millis, clock.counter), (2000, 42));
    }

    #[test]
    fn a_full_counter_carries_into_the_millis() {
        let mut clock = Clock::new("device-a");
        clock.observe(&stamp(7, u32::MAX, "device-b"), 0);
        assert_eq!((clock.millis, clock.counter), (8, 0));
        assert_eq!(clock.now(0), stamp(8, 1, "device-a"));
        // At the very top it saturates instead of overflowing.
        let mut top = Clock::new("device-a");
        top.observe(&stamp(u64::MAX, u32::MAX, "device-b"), 0);
        assert_eq!(top.now(u64::MAX), stamp(u64::MAX, u32::MAX, "device-a"));
    }

    #[derive(Clone, Debug)]
    enum Op {
        Now(u64),
        Observe(Stamp, u64),
    }

    fn arb_millis() -> impl Strategy<Value = u64> {
        prop_oneof![0u64..50, 1_000u64..1_010, Just(u64::MAX - 10)]
    }

    fn arb_counter() -> impl Strategy<Value = u32> {
        prop_oneof![0u32..5, Just(u32::MAX - 1), Just(u32::MAX)]
    }

    fn arb_op() -> impl Strategy<Value = Op> {
        prop_oneof![
            arb_millis().prop_map(Op::Now),
            (
                arb_millis(),
                arb_counter(),
                prop_oneof![Just("device-0"), Just("device-b"), Just("device-z")],
                arb_millis()
            )
                .prop_map(|(millis, counter, device, wall)| Op::Observe(
                    stamp(millis, counter, device),
                    wall
                )),
        ]
    }

    proptest! {
        #[test]
        fn stamps_strictly_increase_past_everything_issued_or_observed(
            ops in prop::collection::vec(arb_op(), 1..60)
        ) {
            let mut clock = Clock::new("device-a");
            let mut highest: Option<Stamp> = None;
            for op in ops {
                match op {
                    Op::Now(wall) => {
                        let issued = clock.now(wall);
                        if let Some(highest) = &highest {
                            prop_assert!(&issued > highest, "{issued:?} <= {highest:?}");
                        }
                        prop_assert!(issued.millis >= wall);
                        highest = Some(issued);
                    }
                    Op::Observe(remote, wall) => {
                        clock.observe(&remote, wall);
                        prop_assert!(clock.covers(&remote));
                        highest = highest.max(Some(remote));
                    }
                }
            }
        }
    }
}
