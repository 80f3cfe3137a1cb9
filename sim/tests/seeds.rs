//! The simulator in CI: a time-bounded batch of fresh seeds, every seed that ever failed, and
//! a check that a seed replays exactly.

use inkroom_sim::{SimConfig, run};
use std::time::{Duration, Instant};

/// Seeds that once broke an invariant, with what they found. They must pass forever.
const REGRESSIONS: &[u64] = &[
    // An arrow bound to a shape someone else deleted meanwhile stayed bound to the tombstone
    // (fixed: the server settles what each batch touched, `follow::repair`).
    0, 2, 3,
    // A joiner was sent a scene with ops not yet durable; the server crashed, gave those
    // sequence numbers to other ops, and the joiner's later delta silently diverged (fixed:
    // such answers are held until durable).
    93, 123,
    // A crash between a batch and the one carrying its repairs lost the repairs (fixed: a
    // restored room settles what the log after its snapshot touched).
    2826,
];

#[test]
fn every_seed_that_once_failed_passes() {
    for &seed in REGRESSIONS {
        if let Err(f) = run(seed, &SimConfig::default()) {
            panic!("{f}");
        }
    }
}

#[test]
fn a_seed_replays_exactly() {
    let config = SimConfig::default();
    for seed in [1, 2, 3] {
        assert_eq!(run(seed, &config), run(seed, &config));
    }
}

/// Fresh seeds: `INKROOM_SIM_SEEDS` of them (default 10,000) from `INKROOM_SIM_FROM` (default 0),
/// stopping early after `INKROOM_SIM_SECONDS` (default 300) so CI stays bounded. The count run
/// is printed (`cargo test -- --nocapture` shows it; CI's log does through `scripts/test`).
/// Meant for `--release` (about 20 s there; ten times that unoptimised).
#[test]
fn a_batch_of_fresh_seeds_keeps_every_invariant() {
    let env = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let (from, count) = (env("INKROOM_SIM_FROM", 0), env("INKROOM_SIM_SEEDS", 10_000));
    let deadline = Instant::now() + Duration::from_secs(env("INKROOM_SIM_SECONDS", 300));
    let config = SimConfig::default();
    let mut ran = 0;
    for seed in from..from + count {
        if Instant::now() > deadline {
            break;
        }
        if let Err(f) = run(seed, &config) {
            panic!("{f}");
        }
        ran += 1;
    }
    println!("simulator: {ran} seeds passed (from {from})");
    assert!(ran > 0);
}
