//! Timing for the benches' printed ratios on a shared machine.

use std::hint::black_box;
use std::time::{Duration, Instant};

/// Seconds per pass of each of `passes`, best of rounds that run them in turn for about `budget`
/// in total: interleaving keeps the ratios fair on a machine whose load changes (ours is shared).
pub fn seconds_per_pass<const N: usize>(
    budget: Duration,
    passes: &mut [&mut dyn FnMut() -> usize; N],
) -> [f64; N] {
    let mut best = [f64::MAX; N];
    let started = Instant::now();
    while started.elapsed() < budget || best.contains(&f64::MAX) {
        for (pass, best) in passes.iter_mut().zip(&mut best) {
            let t = Instant::now();
            black_box(pass());
            *best = best.min(t.elapsed().as_secs_f64());
        }
    }
    best
}
