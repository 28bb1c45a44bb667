//! Any bytes give a feed or an error, never a panic: at least 10,000 seeded mutations (byte flips, cuts,
//! splices, markup insertions) of the fixture corpus and of the shared corpus of real feeds (required:
//! the test fails, saying so, when `../shared/corpus/real` is missing).

#[allow(dead_code)] // the Python half is for other test crates
#[path = "support/tools.rs"]
mod tools;

use std::path::Path;

use gazette::parse::{ParseHints, parse};

const MUTATIONS: usize = 10_400;
/// Fragments that steer mutations toward the parser's edge cases.
const SNIPPETS: [&[u8]; 12] = [
    b"<",
    b"&",
    b"]]>",
    b"<![CDATA[",
    b"<!--",
    b"</item>",
    b"<item>",
    b"&nbsp;",
    b"\xed\x95",
    b"\xff",
    b"<?xml",
    b"\0",
];

/// xorshift64*: deterministic, so a failure names a reproducible case.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

fn seeds() -> Vec<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dirs = [
        root.join("tests/fixtures/parse"),
        tools::shared("corpus/real"),
    ];
    let mut seeds = Vec::new();
    for dir in &dirs {
        let mut stack = vec![dir.clone()];
        while let Some(d) = stack.pop() {
            for entry in std::fs::read_dir(&d).expect("readable dir").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else if let Ok(bytes) = std::fs::read(&path) {
                    // Large seeds slow the loop without finding more.
                    seeds.push(bytes.into_iter().take(6 * 1024).collect());
                }
            }
        }
    }
    seeds
}

fn mutate(rng: &mut Rng, seed: &[u8], other: &[u8]) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    for _ in 0..=rng.below(4) {
        let at = rng.below(bytes.len() + 1);
        match rng.below(5) {
            0 => {
                if let Some(b) = bytes.get_mut(at) {
                    *b ^= 1 << rng.below(8);
                }
            }
            1 => bytes.truncate(at),
            2 => {
                let from = rng.below(other.len());
                let len = rng.below(256).min(other.len() - from);
                let piece = other.get(from..from + len).unwrap_or_default().to_vec();
                bytes.splice(at..at, piece);
            }
            3 => {
                let snippet = SNIPPETS[rng.below(SNIPPETS.len())];
                bytes.splice(at..at, snippet.iter().copied());
            }
            _ => {
                let end = (at + rng.below(64)).min(bytes.len());
                bytes.drain(at..end);
            }
        }
    }
    bytes
}

#[test]
fn no_panic_on_mutated_feeds() {
    let seeds = seeds();
    assert!(seeds.len() >= 20, "too few seeds: {}", seeds.len());
    let hints = ParseHints {
        content_type: None,
        url: None,
        timezone: chrono_tz::Asia::Seoul,
    };
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (mut feeds, mut errors) = (0usize, 0usize);
    for case in 0..MUTATIONS {
        let seed = &seeds[rng.below(seeds.len())];
        let other = &seeds[rng.below(seeds.len())];
        let input = mutate(&mut rng, seed, other);
        let outcome = std::panic::catch_unwind(|| parse(&input, &hints).map(|f| f.entries.len()));
        match outcome {
            Ok(Ok(_)) => feeds += 1,
            Ok(Err(_)) => errors += 1,
            Err(_) => panic!(
                "case {case} panicked on {:?}",
                String::from_utf8_lossy(&input)
            ),
        }
    }
    assert_eq!(feeds + errors, MUTATIONS);
    // Mutations mostly damage feeds rather than destroy them: most must still read.
    assert!(feeds > MUTATIONS / 2, "{feeds} feeds, {errors} errors");
}
