//! Independent work spread over scoped threads, shared by the stages that have it: most of merge's
//! steps read each item on its own, and publish's writes each wait on their own file. The standard
//! library is enough to share them out.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

/// Fewest items worth a thread of their own: below this, starting one costs more than it saves.
const MIN_CHUNK: usize = 4096;

/// `f` of each of `items`, in order, computed in one contiguous chunk per core.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let cores = thread::available_parallelism().map_or(1, usize::from);
    let chunk = items.len().div_ceil(cores).max(MIN_CHUNK);
    let Some((first, rest)) = items.split_at_checked(chunk) else {
        return items.iter().map(f).collect();
    };
    thread::scope(|scope| {
        let f = &f;
        let others: Vec<_> = rest
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(f).collect::<Vec<R>>()))
            .collect();
        let mut all: Vec<R> = Vec::with_capacity(items.len());
        all.extend(first.iter().map(f));
        for other in others {
            all.extend(joined(other));
        }
        all
    })
}

/// `a()` and `b()`, run at the same time.
pub fn join<A: Send, B: Send>(a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B) -> (A, B) {
    thread::scope(|scope| {
        let a = scope.spawn(a);
        let b = b();
        (joined(a), b)
    })
}

/// `f` of each of `items`, in order, computed by `threads` threads that each take the next item
/// when done with one: for work that mostly waits (on the disk) rather than computes, so that
/// more threads than cores overlap the waits, and one slow item does not hold up a whole chunk.
pub fn map_waiting<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let index = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(index) else {
                return done;
            };
            done.push((index, f(item)));
        }
    };
    let mut done = thread::scope(|scope| {
        let others: Vec<_> = (1..threads.min(items.len()))
            .map(|_| scope.spawn(work))
            .collect();
        let mut done = work();
        for other in others {
            done.extend(joined(other));
        }
        done
    });
    done.sort_unstable_by_key(|&(index, _)| index);
    done.into_iter().map(|(_, result)| result).collect()
}

/// What a scoped thread returned; a panic in it goes on in the caller, as if it had run there.
fn joined<T>(handle: thread::ScopedJoinHandle<'_, T>) -> T {
    handle
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_keeps_the_order_of_every_chunk() {
        for len in [0, 1, MIN_CHUNK, MIN_CHUNK * 3 + 7] {
            let items: Vec<usize> = (0..len).collect();
            let doubled: Vec<usize> = items.iter().map(|n| n * 2).collect();
            assert_eq!(map(&items, |n| n * 2), doubled, "{len}");
        }
        assert_eq!(join(|| 1, || "b"), (1, "b"));
    }

    #[test]
    fn map_waiting_keeps_the_order_whatever_thread_takes_an_item() {
        for (len, threads) in [(0, 4), (1, 4), (100, 1), (100, 16)] {
            let items: Vec<usize> = (0..len).collect();
            let doubled: Vec<usize> = items.iter().map(|n| n * 2).collect();
            assert_eq!(map_waiting(&items, threads, |n| n * 2), doubled, "{len}");
        }
    }
}
