//! Deterministic ways to split a body into chunks, as a network may deliver it.

/// The splits of one body: byte by byte, in two at a few points, and in chunks of 1 to 16
/// bytes. The points and sizes come from a hash of the body, so a reproducer always replays
/// the same way.
pub struct Splits<'a> {
    data: &'a [u8],
    seed: u64,
}

impl<'a> Splits<'a> {
    /// The splits of `data`.
    pub fn of(data: &'a [u8]) -> Self {
        // FNV-1a: a fixed hash, unlike std's randomly keyed one.
        let seed = data.iter().fold(0xcbf2_9ce4_8422_2325_u64, |hash, &b| {
            (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        });
        Self { data, seed }
    }

    /// Every split, each with a description for the failure message.
    pub fn all(&self) -> Vec<(String, Vec<&'a [u8]>)> {
        let data = self.data;
        let mut rng = SplitMix(self.seed);
        let mut splits = vec![("byte by byte".to_owned(), data.chunks(1).collect())];
        for _ in 0..3 {
            let at = rng.below(data.len() + 1);
            splits.push((format!("in two at {at}"), vec![&data[..at], &data[at..]]));
        }
        let mut chunks = Vec::new();
        let mut rest = data;
        while !rest.is_empty() {
            let (chunk, tail) = rest.split_at((1 + rng.below(16)).min(rest.len()));
            chunks.push(chunk);
            rest = tail;
        }
        splits.push((
            format!("in chunks of 1-16 bytes (seed {:#x})", self.seed),
            chunks,
        ));
        splits
    }
}

/// SplitMix64: a tiny, fixed pseudo-random sequence.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        // `n` fits in u64 and the result is below `n`: both conversions are lossless.
        (self.next() % n as u64) as usize
    }
}
