//! A fast hasher for in-memory indexes of short ids (invoice numbers, customer ids):
//! the import's and the daily run's, over hundreds of thousands of keys. Not
//! resistant to crafted collisions, which local data cannot exploit beyond slowing
//! arq itself down.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// The multiply-rotate hash used by the Rust compiler for its own tables.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct FastHasher(u64);

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FastHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn finish(&self) -> u64 {
        // The multiply leaves the low bits weak, and tables index by them: mix the
        // high bits down (MurmurHash3's final step).
        let mut x = self.0;
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
        x ^= x >> 33;
        x
    }
}

pub(crate) type FastSet<K> = HashSet<K, BuildHasherDefault<FastHasher>>;
pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_close_keys_apart() {
        let mut set = FastSet::default();
        for i in 0..10_000 {
            assert!(set.insert(format!("INV-{i:07}")));
        }
        assert!(set.contains("INV-0000042"));
        assert!(!set.contains("INV-0010000"));
        let h = |s: &str| {
            let mut x = FastHasher::default();
            x.write(s.as_bytes());
            x.finish()
        };
        assert_ne!(h("C1"), h("C2"));
        assert_ne!(h("12345678a"), h("12345678b"));
        // Sequential numbers spread over the low bits tables index by.
        let low: FastSet<u64> = (0..4096)
            .map(|i| h(&format!("INV-{i:07}")) & 0xfff)
            .collect();
        assert!(low.len() > 2000, "{}", low.len());
    }
}
