#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

use std::process::ExitCode;

fn main() -> ExitCode {
    one_malloc_arena_per_core();
    gazette::cli::main()
}

/// glibc gives threads up to eight malloc arenas per core, and memory freed in one arena serves
/// no other: a cycle's parse threads and the merge's workers each leave theirs half empty, and
/// at 2,000 feeds that was a third of the peak memory. One arena per core costs no speed
/// (threads beyond that share), and keeps the peak near what is really in use.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn one_malloc_arena_per_core() {
    let cores = std::thread::available_parallelism().map_or(2, usize::from);
    let arenas = libc::c_int::try_from(cores.max(2)).unwrap_or(libc::c_int::MAX);
    // SAFETY: mallopt only sets a tuning parameter of the allocator; called before any thread
    // is started, it races with nothing.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, arenas);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn one_malloc_arena_per_core() {}
