//! Independent work spread over scoped threads, shared by the stages that have it: most of merge's
//! steps read each item on its own, and publish's writes each wait on their own file. The standard
//! library is enough to share them out.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

/// Fewest items worth a thread of their own: below this, starting one costs more than it saves.
const MIN_CHUNK: usize = 4096;

/// `f` of each of `items`, in order, computed in one contiguous chunk per core.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    map_with(items, || (), |(), item| f(item))
}

/// Like [`map`], with a scratch state made by `init` for each chunk and handed to `f` with every
/// item of it, in order: for work that reuses buffers, or that goes faster when it knows where the
/// previous item left off.
pub fn map_with<T: Sync, S, R: Send>(
    items: &[T],
    init: impl Fn() -> S + Sync,
    f: impl Fn(&mut S, &T) -> R + Sync,
) -> Vec<R> {
    let cores = thread::available_parallelism().map_or(1, usize::from);
    let chunk = items.len().div_ceil(cores).max(MIN_CHUNK);
    let run = |part: &[T]| {
        let mut state = init();
        part.iter()
            .map(|item| f(&mut state, item))
            .collect::<Vec<R>>()
    };
    let Some((first, rest)) = items.split_at_checked(chunk) else {
        return run(items);
    };
    thread::scope(|scope| {
        let run = &run;
        let others: Vec<_> = rest
            .chunks(chunk)
            .map(|part| scope.spawn(move || run(part)))
            .collect();
        let mut all = run(first);
        all.reserve(items.len() - all.len());
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
    fn map_with_hands_each_chunk_its_own_state_in_order() {
        let items: Vec<usize> = (0..MIN_CHUNK * 3).collect();
        // Each chunk counts from zero, and counts its items in order.
        let counted = map_with(
            &items,
            || 0usize,
            |seen, &n| {
                *seen += 1;
                (n, *seen)
            },
        );
        assert_eq!(counted.len(), items.len());
        assert!(counted.windows(2).all(|w| w[0].0 + 1 == w[1].0));
        assert_eq!(counted[0].1, 1);
        let cores = thread::available_parallelism().map_or(1, usize::from);
        let starts = counted.iter().filter(|&&(_, seen)| seen == 1).count();
        assert_eq!(starts, cores.clamp(1, 3));
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
