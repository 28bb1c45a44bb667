//! Finding similar texts among many without comparing every pair: prefix filtering.
//!
//! Each text is a set of tokens (character bigrams) ordered rarest first. Two sets with a Jaccard
//! similarity of at least `t` must share a token among the first `|x| - ⌈t·|x|⌉ + 1` of each, so
//! only those prefixes are indexed and probed. Rare tokens make short posting lists, which keeps
//! 100,000 titles to a few candidates each.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::parallel;

/// A map keyed by tokens (bigrams as `u64`), hashed cheaply: a merge makes millions of lookups,
/// and the keys come from feeds only as far as which bigrams occur, so the protection of the
/// standard hasher against chosen collisions buys little at several times the cost.
pub type TokenMap<V> = HashMap<u64, V, BuildHasherDefault<TokenHasher>>;

/// The splitmix64 finalizer of a `u64`; every bit of the key reaches the low bits that choose a
/// bucket.
#[derive(Default)]
pub struct TokenHasher(u64);

impl Hasher for TokenHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.write_u64(u64::from(byte));
        }
    }

    fn write_u64(&mut self, n: u64) {
        let mut x = (self.0 ^ n).wrapping_add(0x9E37_79B9_7F4A_7C15);
        x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        self.0 = x ^ (x >> 31);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Token sets relabelled so that rarer tokens have smaller numbers, each sorted ascending.
pub fn by_rarity(sets: &[Vec<u64>]) -> (Vec<Vec<u32>>, usize) {
    // Each distinct token gets a slot as it is first seen; sets are rewritten in slots in the
    // same pass, so that each token is looked up once.
    let mut slots: TokenMap<(u32, u32)> = TokenMap::default();
    let slotted: Vec<Vec<u32>> = sets
        .iter()
        .map(|set| {
            set.iter()
                .map(|&token| {
                    let next = slots.len() as u32;
                    let (slot, count) = slots.entry(token).or_insert((next, 0));
                    *count += 1;
                    *slot
                })
                .collect()
        })
        .collect();
    let mut counted: Vec<(u32, u64, u32)> = slots
        .into_iter()
        .map(|(token, (slot, count))| (count, token, slot))
        .collect();
    // Ties broken by the token itself, so that the order (hence the result) never depends on
    // hashing.
    counted.sort_unstable();
    let mut rank = vec![0u32; counted.len()];
    for (&(_, _, slot), at) in counted.iter().zip(0u32..) {
        rank[slot as usize] = at;
    }
    let ranked = parallel::map(&slotted, |set| {
        let mut ranked: Vec<u32> = set.iter().map(|&slot| rank[slot as usize]).collect();
        ranked.sort_unstable();
        ranked
    });
    (ranked, counted.len())
}

/// Whether two sorted sets reach a Jaccard similarity (|a ∩ b| / |a ∪ b|) of `threshold`; never
/// when both are empty. Gives up as soon as too few tokens remain to share enough, which is
/// early for most candidates.
pub fn reaches(a: &[u32], b: &[u32], threshold: f64) -> bool {
    // |a ∩ b| ≥ t·|a ∪ b| = t·(|a| + |b| - |a ∩ b|), so |a ∩ b| ≥ t·(|a| + |b|) / (1 + t).
    // Less a hair, so that a bound that is whole in exact arithmetic is not rounded up.
    let bound = threshold * (a.len() + b.len()) as f64 / (1.0 + threshold);
    let needed = (bound - 1e-9).ceil() as usize;
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        if common + (a.len() - i).min(b.len() - j) < needed {
            return false;
        }
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    common > 0 && common >= needed
}

/// Most documents a probe looks at per prefix token. Only a token in more sets than this within
/// the time window is cut short, which near-identical titles of common words only can be: the
/// few that are then missed are measured on the test fixtures (see the README).
const MAX_SCAN: usize = 64;

/// The inserted sets, findable by any set that may reach `threshold` with them.
pub struct Index {
    threshold: f64,
    /// Every token's documents (those whose prefix holds it) in the order inserted, in one array
    /// as every set is known before the first is inserted: token `t`'s are
    /// `postings[starts[t]..ends[t]]`, with room after them for those still to come.
    postings: Vec<Posting>,
    /// Past the documents of each token that have expired.
    starts: Vec<u32>,
    /// Past the last document inserted of each token.
    ends: Vec<u32>,
    /// Marks documents already returned by the current probe (`probe` numbers them).
    seen: Vec<u32>,
    probe: u32,
}

/// A document with its size: read with the posting rather than looked up, as most are ruled out
/// by size alone.
#[derive(Clone, Copy, Default)]
struct Posting {
    document: u32,
    size: u32,
}

impl Index {
    /// An empty index with room for the documents `sets` (over token numbers `0..tokens`).
    pub fn new(threshold: f64, sets: &[Vec<u32>], tokens: usize) -> Index {
        let offsets = posting_offsets(tokens, sets.iter().map(|set| prefix(threshold, set)));
        Index {
            threshold,
            postings: vec![Posting::default(); offsets[tokens] as usize],
            starts: offsets[..tokens].to_vec(),
            ends: offsets[..tokens].to_vec(),
            seen: vec![0; sets.len()],
            probe: 0,
        }
    }

    /// Every inserted document (of the newest [`MAX_SCAN`] per token) that shares a prefix token
    /// with `set`, each once, in no order;
    /// those whose size rules out reaching the threshold are skipped, and so are expired ones.
    /// Documents must expire in the order they were inserted, and stay expired for every later
    /// probe (a time window sliding one way): then each is passed over only once.
    pub fn candidates(&mut self, set: &[u32], expired: impl Fn(usize) -> bool) -> Vec<usize> {
        self.probe += 1;
        let (low, high) = (
            self.threshold * set.len() as f64,
            set.len() as f64 / self.threshold,
        );
        let mut found = Vec::new();
        for &token in prefix(self.threshold, set) {
            let token = token as usize;
            let (start, end) = (&mut self.starts[token], self.ends[token] as usize);
            while (*start as usize) < end
                && expired(self.postings[*start as usize].document as usize)
            {
                *start += 1;
            }
            // The newest MAX_SCAN documents holding the token (inserted last, so nearest in
            // time): on any input a probe costs at most its prefix times this.
            let first = (*start as usize).max(end.saturating_sub(MAX_SCAN));
            for &Posting { document, size } in &self.postings[first..end] {
                let (document, size) = (document as usize, f64::from(size));
                if size >= low && size <= high && self.seen[document] != self.probe {
                    self.seen[document] = self.probe;
                    found.push(document);
                }
            }
        }
        found
    }

    /// Makes `document` (whose tokens are `set`, as given to [`Index::new`]) findable.
    pub fn insert(&mut self, document: usize, set: &[u32]) {
        let posting = Posting {
            document: document as u32,
            size: set.len() as u32,
        };
        for &token in prefix(self.threshold, set) {
            let end = &mut self.ends[token as usize];
            self.postings[*end as usize] = posting;
            *end += 1;
        }
    }
}

/// Where each token's postings start when the postings of all tokens (numbered `0..tokens`) are
/// laid out in one array, token after token, for documents indexed under `indexed`; the last
/// offset is their total. Token `t`'s room is `offsets[t]..offsets[t + 1]`.
pub fn posting_offsets<'a>(tokens: usize, indexed: impl Iterator<Item = &'a [u32]>) -> Vec<u32> {
    let mut offsets = vec![0u32; tokens + 1];
    for &token in indexed.flatten() {
        offsets[token as usize + 1] += 1;
    }
    for token in 0..tokens {
        offsets[token + 1] += offsets[token];
    }
    offsets
}

/// The first tokens of a set that must be indexed and probed to find every set it reaches
/// `threshold` with.
fn prefix(threshold: f64, set: &[u32]) -> &[u32] {
    let needed = (threshold * set.len() as f64).ceil() as usize;
    &set[..(set.len() + 1).saturating_sub(needed).min(set.len())]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merge::text::bigrams;

    /// |a ∩ b| / |a ∪ b| of two sorted sets; 0 when both are empty.
    fn jaccard(a: &[u32], b: &[u32]) -> f64 {
        let common = a.iter().filter(|x| b.binary_search(x).is_ok()).count();
        let union = a.len() + b.len() - common;
        if union == 0 {
            0.0
        } else {
            common as f64 / union as f64
        }
    }

    #[test]
    fn finds_every_pair_above_the_threshold() {
        let texts = [
            "대전시 예산 6조 편성",
            "대전시, 예산 6조 편성",
            "세종시 예산 2조 편성",
            "전혀 다른 이야기",
            "",
        ];
        let sets: Vec<Vec<u64>> = texts.iter().map(|t| bigrams(t)).collect();
        let (sets, tokens) = by_rarity(&sets);
        for threshold in [0.3, 0.5, 0.8] {
            let mut index = Index::new(threshold, &sets, tokens);
            for (i, set) in sets.iter().enumerate() {
                let found = index.candidates(set, |_| false);
                for (j, other) in sets[..i].iter().enumerate() {
                    let similar = jaccard(set, other) >= threshold;
                    assert_eq!(
                        reaches(set, other, threshold),
                        similar,
                        "{threshold}: {i}, {j}"
                    );
                    if similar {
                        assert!(found.contains(&j), "{threshold}: {i} misses {j}");
                    }
                }
                index.insert(i, set);
            }
        }
        assert_eq!(jaccard(&sets[0], &sets[1]), 1.0);
        assert_eq!(jaccard(&sets[4], &sets[4]), 0.0);
    }
}
