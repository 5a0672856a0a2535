//! A small, self-contained pseudo-random generator (SplitMix64), so that the corpus is the
//! same on every platform and with every version of every dependency.

/// SplitMix64 (Steele, Lea and Flood, 2014): 64 bits of state, passes BigCrush, and is
/// more than good enough for shuffling sentences. Only integer arithmetic and IEEE basic
/// operations are used, so the stream is identical everywhere.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

impl Rng {
    /// The generator of plan `index` in the corpus of `seed`. Every plan draws from its own
    /// stream, so a smaller corpus is a prefix of a larger one with the same seed.
    pub(crate) fn for_plan(seed: u64, index: usize) -> Rng {
        let mut base = Rng(seed);
        let key = base.next_u64() ^ (index as u64).wrapping_add(1).wrapping_mul(0xD1B5_4A32_D192_ED03);
        let mut rng = Rng(key);
        rng.next_u64();
        rng
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GOLDEN);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A float in `[0, 1)` (53 random bits).
    pub(crate) fn random(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A float in `[lo, hi)`.
    pub(crate) fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.random()
    }

    /// An integer in `0..n` without modulo bias (Lemire's multiply-and-reject). `n > 0`.
    pub(crate) fn below(&mut self, n: usize) -> usize {
        assert!(n > 0, "Rng::below(0)");
        let n = n as u64;
        let threshold = n.wrapping_neg() % n;
        loop {
            let m = u128::from(self.next_u64()) * u128::from(n);
            if (m as u64) >= threshold {
                return (m >> 64) as usize;
            }
        }
    }

    /// An integer in `lo..=hi`.
    pub(crate) fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// One element of a non-empty slice.
    pub(crate) fn choice<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// Fisher–Yates in place.
    pub(crate) fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }

    /// `k` distinct elements (`k` is capped at the length), in random order.
    pub(crate) fn sample<T: Clone>(&mut self, items: &[T], k: usize) -> Vec<T> {
        let k = k.min(items.len());
        let mut idx: Vec<usize> = (0..items.len()).collect();
        for i in 0..k {
            let j = i + self.below(idx.len() - i);
            idx.swap(i, j);
        }
        idx[..k].iter().map(|&i| items[i].clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_reference_values() {
        // The first outputs for state 0 and 1234567, from the reference implementation.
        let mut r = Rng(0);
        assert_eq!(r.next_u64(), 0xE220_A839_7B1D_CDAF);
        let mut r = Rng(1_234_567);
        assert_eq!(r.next_u64(), 6_457_827_717_110_365_317);
        assert_eq!(r.next_u64(), 3_203_168_211_198_807_973);
    }

    #[test]
    fn ranges_stay_in_bounds_and_cover_them() {
        let mut r = Rng::for_plan(1, 0);
        let mut seen = [false; 6];
        for _ in 0..1000 {
            let v = r.range(3, 8);
            assert!((3..=8).contains(&v));
            seen[v - 3] = true;
            let f = r.random();
            assert!((0.0..1.0).contains(&f));
        }
        assert!(seen.iter().all(|&s| s));
    }

    #[test]
    fn sample_is_distinct_and_plans_differ() {
        let mut r = Rng::for_plan(7, 3);
        let items: Vec<u32> = (1..=17).collect();
        let mut s = r.sample(&items, 5);
        s.sort_unstable();
        s.dedup();
        assert_eq!(s.len(), 5);
        assert_eq!(r.sample(&items, 40).len(), 17);
        assert_ne!(Rng::for_plan(1, 0).next_u64(), Rng::for_plan(1, 1).next_u64());
        assert_ne!(Rng::for_plan(1, 0).next_u64(), Rng::for_plan(2, 0).next_u64());
    }
}
