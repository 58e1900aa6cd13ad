//! The triage of every item of a check, by item index. What a file's triage was when the item
//! cache stored it may be kept as its stored bytes and decoded when an item of that file is
//! first asked for: a hook's check, which judges the few items a change touches, then decodes
//! the triage of those items and of the few others its rules look at, not of the whole backlog.

use std::ops::Range;
use std::sync::OnceLock;

use super::ItemTriage;
use crate::source::SourceId;

/// Decodes the triage of one file's items from the bytes the item cache stored (its spans
/// belonging to `source`); `None` when they do not decode whole.
pub type DecodeTriage = fn(&[u8], SourceId) -> Option<Vec<ItemTriage>>;

/// Every item's triage, in item order.
#[derive(Debug, Default)]
pub struct TriageTable {
    /// The triage of the items decoded when they were loaded (or made then), in item order.
    decoded: Vec<ItemTriage>,
    /// Per item, where its triage is; empty while no item's triage is deferred (then item `n`
    /// is `decoded[n]`).
    slots: Vec<Slot>,
    /// The files whose triage is deferred.
    files: Vec<DeferredFile>,
    /// Their stored bytes, one after another.
    encoded: Vec<u8>,
    decode: Option<DecodeTriage>,
}

/// Where one item's triage is.
#[derive(Clone, Copy, Debug)]
enum Slot {
    Decoded(u32),
    Deferred {
        file: u32,
        /// Whether the stored triage triggered a category.
        triggered: bool,
        /// Whether its categories are to be dropped (a threat-analysis spike).
        cleared: bool,
    },
}

/// A file whose triage is kept as the bytes the cache stored.
#[derive(Debug)]
struct DeferredFile {
    source: SourceId,
    /// Where its bytes are in [`TriageTable::encoded`].
    bytes: Range<usize>,
    /// Its first item's index and how many items it holds.
    first_item: usize,
    items: usize,
    decoded: OnceLock<Vec<ItemTriage>>,
}

impl TriageTable {
    /// Makes room for items decoded as they are loaded, up to `capacity` in all.
    pub fn reserve_to(&mut self, capacity: usize) {
        self.decoded
            .reserve_exact(capacity.saturating_sub(self.decoded.len()));
    }

    /// Adds the triage of the next items, decoded.
    pub fn push_decoded(&mut self, triage: Vec<ItemTriage>) {
        if !self.slots.is_empty() {
            let first = self.decoded.len();
            self.slots
                .extend((first..first + triage.len()).map(|n| Slot::Decoded(n as u32)));
        }
        self.decoded.extend(triage);
    }

    /// Adds the triage of the next `triggered.len()` items (one file's, whose spans belong to
    /// `source`) as the bytes the cache stored, decoded by `decode` when first asked for.
    /// `triggered` says, per item, whether its stored triage triggered a category.
    pub fn push_deferred(
        &mut self,
        source: SourceId,
        encoded: &[u8],
        triggered: &[u8],
        decode: DecodeTriage,
    ) {
        if self.slots.is_empty() {
            self.slots
                .extend((0..self.decoded.len()).map(|n| Slot::Decoded(n as u32)));
        }
        self.decode = Some(decode);
        let file = self.files.len() as u32;
        let start = self.encoded.len();
        self.encoded.extend_from_slice(encoded);
        self.files.push(DeferredFile {
            source,
            bytes: start..self.encoded.len(),
            first_item: self.slots.len(),
            items: triggered.len(),
            decoded: OnceLock::new(),
        });
        self.slots
            .extend(triggered.iter().map(|&triggered| Slot::Deferred {
                file,
                triggered: triggered != 0,
                cleared: false,
            }));
    }

    /// How many items it holds.
    pub fn len(&self) -> usize {
        if self.slots.is_empty() {
            self.decoded.len()
        } else {
            self.slots.len()
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Where item `idx`'s triage is (item `n` is `decoded[n]` while nothing is deferred).
    fn slot(&self, idx: usize) -> Option<Slot> {
        if self.slots.is_empty() {
            (idx < self.decoded.len()).then_some(Slot::Decoded(idx as u32))
        } else {
            self.slots.get(idx).copied()
        }
    }

    /// Item `idx`'s triage (decoding its file's, if that was deferred).
    pub fn get(&self, idx: usize) -> Option<&ItemTriage> {
        match self.slot(idx)? {
            Slot::Decoded(n) => self.decoded.get(n as usize),
            Slot::Deferred { file, .. } => {
                let file = self.files.get(file as usize)?;
                let all = file.decoded.get_or_init(|| self.decode_file(file));
                all.get(idx.checked_sub(file.first_item)?)
            }
        }
    }

    /// Whether item `idx` triggered a category (without decoding a deferred triage).
    pub fn triggered(&self, idx: usize) -> bool {
        match self.slot(idx) {
            Some(Slot::Deferred {
                triggered, cleared, ..
            }) => triggered && !cleared,
            Some(Slot::Decoded(n)) => self
                .decoded
                .get(n as usize)
                .is_some_and(|t| !t.categories.is_empty()),
            None => false,
        }
    }

    /// Drops item `idx`'s categories, triggered and possible (a threat-analysis spike's).
    pub fn clear_categories(&mut self, idx: usize) {
        let found = match self.slot(idx) {
            Some(Slot::Decoded(n)) => self.decoded.get_mut(n as usize),
            Some(Slot::Deferred { file, .. }) => {
                if let Some(Slot::Deferred { cleared, .. }) = self.slots.get_mut(idx) {
                    *cleared = true;
                }
                // Its file decoded already: cleared there too (else when it is decoded).
                self.files.get_mut(file as usize).and_then(|f| {
                    let nth = idx.checked_sub(f.first_item)?;
                    f.decoded.get_mut()?.get_mut(nth)
                })
            }
            None => None,
        };
        if let Some(found) = found {
            clear(found);
        }
    }

    /// The triage of a deferred file's items, as stored, with the categories of those that
    /// were cleared dropped. Bytes that do not decode to as many items as the file holds
    /// (which the cache's checksum and version make impossible) give items with no triage.
    fn decode_file(&self, file: &DeferredFile) -> Vec<ItemTriage> {
        let decoded = self
            .decode
            .zip(self.encoded.get(file.bytes.clone()))
            .and_then(|(decode, bytes)| decode(bytes, file.source))
            .filter(|all| all.len() == file.items);
        let mut all = decoded.unwrap_or_else(|| vec![ItemTriage::default(); file.items]);
        for (nth, found) in all.iter_mut().enumerate() {
            if let Some(Slot::Deferred { cleared: true, .. }) =
                self.slots.get(file.first_item + nth)
            {
                clear(found);
            }
        }
        all
    }
}

fn clear(triage: &mut ItemTriage) {
    triage.categories = thin_vec::ThinVec::new();
    triage.possible = thin_vec::ThinVec::new();
}

impl From<Vec<ItemTriage>> for TriageTable {
    fn from(decoded: Vec<ItemTriage>) -> TriageTable {
        TriageTable {
            decoded,
            ..TriageTable::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::triage::CategoryMatch;

    fn triggering(category: usize) -> ItemTriage {
        ItemTriage {
            categories: thin_vec::thin_vec![CategoryMatch {
                category,
                score: 1.0,
                confidence: 0.9,
                tier: Some(crate::triage::Tier::Strong),
                evidence: thin_vec::ThinVec::new(),
            }],
            ..ItemTriage::default()
        }
    }

    fn encode(triage: &[ItemTriage]) -> Vec<u8> {
        postcard::to_allocvec(triage).unwrap_or_else(|e| panic!("{e}"))
    }

    fn decode(bytes: &[u8], _source: SourceId) -> Option<Vec<ItemTriage>> {
        postcard::from_bytes(bytes).ok()
    }

    #[test]
    fn deferred_and_decoded_items_read_alike() {
        let first = vec![triggering(0)];
        let deferred = vec![ItemTriage::default(), triggering(2), triggering(3)];
        let last = vec![triggering(4)];
        let mut table = TriageTable::default();
        table.push_decoded(first.clone());
        table.push_deferred(SourceId(1), &encode(&deferred), &[0, 1, 1], decode);
        table.push_decoded(last.clone());
        let whole: Vec<ItemTriage> = [first, deferred, last].concat();
        assert_eq!(table.len(), whole.len());
        // Asked before any item of the deferred file is decoded, and after.
        let triggered: Vec<bool> = (0..table.len()).map(|i| table.triggered(i)).collect();
        assert_eq!(triggered, [true, false, true, true, true]);
        for (idx, expected) in whole.iter().enumerate() {
            assert_eq!(table.get(idx), Some(expected), "item {idx}");
        }
        assert_eq!(table.get(whole.len()), None);
    }

    #[test]
    fn cleared_items_lose_their_categories_whenever_they_are_decoded() {
        let deferred = vec![triggering(1), triggering(2)];
        let mut table = TriageTable::default();
        table.push_deferred(SourceId(0), &encode(&deferred), &[1, 1], decode);
        table.push_deferred(SourceId(1), &encode(&deferred), &[1, 1], decode);
        table.push_decoded(vec![triggering(3)]);
        // File 0 is decoded before its item is cleared, file 1 after.
        assert!(table.get(0).is_some());
        table.clear_categories(1);
        table.clear_categories(2);
        table.clear_categories(4);
        assert!(!table.triggered(1) && !table.triggered(2) && !table.triggered(4));
        assert!(table.triggered(0) && table.triggered(3));
        for idx in [1, 2, 4] {
            assert!(
                table.get(idx).is_some_and(|t| t.categories.is_empty()),
                "{idx}"
            );
        }
        assert!(table.get(3).is_some_and(|t| t.categories.len() == 1));
    }

    #[test]
    fn bytes_that_do_not_decode_give_empty_triage_not_a_panic() {
        let mut table = TriageTable::default();
        table.push_deferred(SourceId(0), &[0xff, 0xff, 0xff], &[1, 0], decode);
        assert_eq!(table.get(1), Some(&ItemTriage::default()));
        let all_decoded = TriageTable::from(vec![triggering(0)]);
        assert!(all_decoded.triggered(0));
        assert_eq!(all_decoded.len(), 1);
    }
}
