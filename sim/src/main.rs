//! `inkroom-sim`: runs the deterministic simulator over many seeds.
//!
//! ```text
//! inkroom-sim --seed 42                  one seed (a failing seed's reproduction)
//! inkroom-sim --from 0 --count 1000000   a batch, stopping at the first failure
//! inkroom-sim --count 0 --seconds 3600   as many seeds as an hour allows
//! ```
//! Options: `--clients N`, `--steps N` (defaults 3 and 300). Exits 1 on a failure, after
//! printing it with its one-line reproduction.

use inkroom_sim::{SimConfig, run};
use std::process::ExitCode;
use std::time::{Duration, Instant};

fn main() -> ExitCode {
    let mut config = SimConfig::default();
    let (mut from, mut count, mut seconds) = (0u64, 10_000u64, None::<u64>);
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || -> Option<u64> { args.next()?.parse().ok() };
        let ok = match flag.as_str() {
            "--seed" => value().map(|s| {
                from = s;
                count = 1;
            }),
            "--from" => value().map(|v| from = v),
            "--count" => value().map(|v| count = v),
            "--seconds" => value().map(|v| seconds = Some(v)),
            "--clients" => value().map(|v| config.clients = v as usize),
            "--steps" => value().map(|v| config.steps = v as usize),
            _ => None,
        };
        if ok.is_none() {
            eprintln!(
                "usage: inkroom-sim [--seed N | --from N --count N] [--seconds N] [--clients N] [--steps N]"
            );
            return ExitCode::from(2);
        }
    }
    let started = Instant::now();
    let deadline = seconds.map(|s| started + Duration::from_secs(s));
    let mut total = inkroom_sim::Stats::default();
    let mut runs = 0u64;
    let mut seed = from;
    while (count == 0 || runs < count) && deadline.is_none_or(|d| Instant::now() < d) {
        match run(seed, &config) {
            Ok(stats) => {
                total.ops += stats.ops;
                total.crashes += stats.crashes;
                total.disconnects += stats.disconnects;
                total.acks += stats.acks;
            }
            Err(failure) => {
                eprintln!("{failure}");
                return ExitCode::FAILURE;
            }
        }
        runs += 1;
        seed += 1;
        if runs.is_multiple_of(100_000) {
            eprintln!("{runs} seeds ({:.0} s)", started.elapsed().as_secs_f64());
        }
    }
    println!(
        "{runs} seeds passed (from {from}) in {:.1} s: {} ops logged, {} server crashes, {} dropped connections, {} acknowledgements",
        started.elapsed().as_secs_f64(),
        total.ops,
        total.crashes,
        total.disconnects,
        total.acks
    );
    ExitCode::SUCCESS
}
