//! The entries a run made for the item cache (files it parsed), kept until the cache is written:
//! each one's key and where its bytes are. The bytes go one after another into a buffer that,
//! once it holds 1 MiB, is moved to an unnamed temporary file and used again, so a run that
//! parses a whole backlog (a first run, or the first after an upgrade) holds at most that much
//! of them (at 50,000 files they are 17 MB, and were at the run's peak). The file is read back,
//! in order, when the cache is written. Where no temporary file can be made or written, the
//! bytes stay in memory: only the peak changes.

use std::io::{self, Read, Seek, Write};
use std::ops::Range;

use super::CacheKey;

/// From this many bytes on, the buffer is moved to the temporary file.
const SPILL_FROM: usize = 1 << 20;

/// The entries a run made, in the order made.
#[derive(Debug, Default)]
pub struct MadeEntries {
    /// Each entry's key and where its bytes are among all the bytes made (those moved to the
    /// file first, then the buffer's).
    entries: Vec<(CacheKey, Range<u64>)>,
    /// The bytes made since the last move to the file.
    buffer: Vec<u8>,
    /// The temporary file, and how many bytes were moved to it.
    spill: Option<std::fs::File>,
    spilled: u64,
    /// A move failed: the rest stays in memory.
    stay: bool,
    /// Where the file is made; without one, the bytes stay in memory.
    spill_dir: Option<std::path::PathBuf>,
}

impl MadeEntries {
    /// Made entries whose bytes, once many, go to a temporary file in `dir`.
    pub fn spilling_into(dir: &std::path::Path) -> Self {
        MadeEntries {
            spill_dir: Some(dir.to_path_buf()),
            ..MadeEntries::default()
        }
    }

    /// Adds the entry `key` with encoded `bytes`.
    pub fn push(&mut self, key: CacheKey, bytes: &[u8]) {
        let start = self.spilled + self.buffer.len() as u64;
        if self.buffer.capacity() < SPILL_FROM && self.buffer.len() + bytes.len() > 64 << 10 {
            // Sized once when many (grown by doubling, it would take twice the room it is
            // moved at); a hook's entry or two take no more than they need.
            self.buffer
                .reserve_exact(SPILL_FROM + bytes.len() - self.buffer.len());
        }
        self.buffer.extend_from_slice(bytes);
        self.entries.push((key, start..start + bytes.len() as u64));
        if self.buffer.len() >= SPILL_FROM {
            self.spill_buffer();
        }
    }

    /// Moves the buffer's bytes to the temporary file (making it the first time); on failure
    /// they, and all later ones, stay in memory.
    fn spill_buffer(&mut self) {
        if self.stay {
            return;
        }
        let file = match &mut self.spill {
            Some(file) => file,
            None => {
                let made = match &self.spill_dir {
                    Some(dir) => {
                        std::fs::create_dir_all(dir).and_then(|()| tempfile::tempfile_in(dir))
                    }
                    None => Err(io::Error::other("no folder for the made entries")),
                };
                match made {
                    Ok(file) => self.spill.insert(file),
                    Err(_) => {
                        self.stay = true;
                        return;
                    }
                }
            }
        };
        // What a failed write left in the file is never read: only the bytes before
        // `spilled` are.
        if file.write_all(&self.buffer).is_err() {
            self.stay = true;
            return;
        }
        self.spilled += self.buffer.len() as u64;
        self.buffer.clear();
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries' keys, in the order made.
    pub fn keys(&self) -> impl Iterator<Item = CacheKey> + '_ {
        self.entries.iter().map(|(key, _)| *key)
    }

    /// The entries' sizes in bytes, in the order made.
    pub fn sizes(&self) -> impl Iterator<Item = u64> + '_ {
        self.entries.iter().map(|(_, at)| at.end - at.start)
    }

    /// Gives `each` every entry's key and bytes, in the order made (those in the temporary
    /// file are read back in order, an entry at a time).
    pub fn for_each(
        &self,
        each: &mut dyn FnMut(CacheKey, &[u8]) -> io::Result<()>,
    ) -> io::Result<()> {
        let mut from_file = match (&self.spill, self.spilled) {
            (Some(file), spilled) if spilled > 0 => {
                let mut file = file;
                file.seek(io::SeekFrom::Start(0))?;
                Some(io::BufReader::with_capacity(1 << 20, file.take(spilled)))
            }
            _ => None,
        };
        let mut entry = Vec::new();
        for (key, at) in &self.entries {
            if at.start < self.spilled {
                let reader = from_file
                    .as_mut()
                    .ok_or_else(|| io::Error::other("the made entries' file is gone"))?;
                let len = usize::try_from(at.end - at.start).map_err(io::Error::other)?;
                entry.resize(len, 0);
                reader.read_exact(&mut entry)?;
                each(*key, &entry)?;
            } else {
                let start = usize::try_from(at.start - self.spilled).map_err(io::Error::other)?;
                let end = usize::try_from(at.end - self.spilled).map_err(io::Error::other)?;
                let bytes = self
                    .buffer
                    .get(start..end)
                    .ok_or_else(|| io::Error::other("a made entry is out of its buffer"))?;
                each(*key, bytes)?;
            }
        }
        Ok(())
    }

    /// Whether some bytes were moved to the temporary file.
    pub fn spilled(&self) -> bool {
        self.spilled > 0
    }
}

impl From<Vec<(CacheKey, Vec<u8>)>> for MadeEntries {
    fn from(entries: Vec<(CacheKey, Vec<u8>)>) -> Self {
        let mut made = MadeEntries::default();
        for (key, bytes) in entries {
            made.push(key, &bytes);
        }
        made
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(made: &MadeEntries) -> Vec<(CacheKey, Vec<u8>)> {
        let mut seen = Vec::new();
        made.for_each(&mut |key, bytes| {
            seen.push((key, bytes.to_vec()));
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
        seen
    }

    #[test]
    fn entries_come_back_whole_and_in_order_from_memory_and_from_the_file() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let mut made = MadeEntries::spilling_into(dir.path());
        assert!(made.is_empty());
        let mut expected = Vec::new();
        // 30 entries of 700 KB and a few small and empty ones: the buffer is moved to the
        // file twice, and the last entries stay in memory.
        for n in 0..30u8 {
            let bytes: Vec<u8> = (0..700_000u32).map(|i| (i % 251) as u8 ^ n).collect();
            let key = CacheKey([n; 16]);
            made.push(key, &bytes);
            expected.push((key, bytes));
            if n % 7 == 0 {
                made.push(CacheKey([n + 100; 16]), b"");
                expected.push((CacheKey([n + 100; 16]), Vec::new()));
            }
        }
        made.push(CacheKey([200; 16]), b"last");
        expected.push((CacheKey([200; 16]), b"last".to_vec()));
        assert!(made.spilled(), "nothing was moved to the file");
        assert!(!made.buffer.is_empty(), "nothing stayed in memory");
        assert_eq!(made.len(), expected.len());
        assert_eq!(all(&made), expected);
        // Read twice (a checksum, then the write): the same both times.
        assert_eq!(all(&made), expected);
        let sizes: Vec<u64> = made.sizes().collect();
        let lens: Vec<u64> = expected.iter().map(|(_, b)| b.len() as u64).collect();
        assert_eq!(sizes, lens);
        let keys: Vec<CacheKey> = made.keys().collect();
        assert_eq!(keys, expected.iter().map(|(k, _)| *k).collect::<Vec<_>>());
    }

    #[test]
    fn without_a_temporary_file_the_bytes_stay_in_memory() {
        // A folder under a file can be neither made nor written.
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let file = dir.path().join("a file");
        std::fs::write(&file, b"").unwrap_or_else(|e| panic!("{e}"));
        let mut made = MadeEntries::spilling_into(&file.join("backlint"));
        let big = vec![3u8; SPILL_FROM + 10];
        made.push(CacheKey([1; 16]), &big);
        made.push(CacheKey([2; 16]), b"two");
        assert!(!made.spilled());
        assert_eq!(
            all(&made),
            vec![
                (CacheKey([1; 16]), big),
                (CacheKey([2; 16]), b"two".to_vec())
            ]
        );
    }
}
