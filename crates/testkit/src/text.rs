//! Headlines that look like Korean news to the code reading them: the same word-frequency shape
//! (a few very common words, most rare), reproducible from a seed, with no dependency.

/// A reproducible pseudo-random number for `n`.
pub fn mix(n: u64) -> u64 {
    let mut x = n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x ^= x >> 31;
    x.wrapping_mul(0xBF58_476D_1CE4_E5B9) ^ (x >> 29)
}

/// A word of two or three Hangul syllables, drawn as news words are: a few very common, most
/// rare, so that generated headlines are as diverse as real ones.
pub fn word(seed: u64) -> String {
    const SYLLABLES: u64 = 600;
    const WORDS: u64 = 60_000;
    let rank = mix(seed) % WORDS;
    let rank = rank * rank / WORDS;
    let syllable = |i: u64| {
        let n = mix(rank * 3 + i) % SYLLABLES;
        char::from_u32(0xAC00 + (n * 18) as u32).unwrap_or('가')
    };
    (0..2 + rank % 2).map(syllable).collect()
}

/// `words` words drawn from `seed`, separated by spaces.
pub fn sentence(seed: u64, words: u64) -> String {
    (0..words)
        .map(|i| word(seed * 31 + i))
        .collect::<Vec<_>>()
        .join(" ")
}
