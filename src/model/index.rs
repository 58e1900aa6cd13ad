//! The backlog's compact tables. [`ItemIndex`] looks items up by a key they already hold
//! (their id, their path): the table keeps item positions only, never a copy of the key, so
//! that a backlog of 50,000 items does not hold 100,000 more strings for its index; keys are
//! hashed and compared through the items. [`PerItem`] holds a short list for every item end
//! to end, not a list (and an allocation) of its own for each.

use hashbrown::HashTable;

/// One key's items: almost always one, with a group of its own when the key is shared.
#[derive(Clone, Copy, Debug)]
struct Slot {
    /// The first item with the key.
    first: usize,
    /// Its group in [`ItemIndex::groups`] when more items share the key.
    group: Option<u32>,
}

/// Item positions by key. The caller hashes keys and says whether an item has a key; the same
/// key must always give the same hash.
#[derive(Debug, Default)]
pub struct ItemIndex {
    table: HashTable<Slot>,
    /// The items of shared keys, in the order they were added (first included).
    groups: Vec<Vec<usize>>,
}

impl ItemIndex {
    pub fn with_capacity(capacity: usize) -> Self {
        ItemIndex {
            table: HashTable::with_capacity(capacity),
            groups: Vec::new(),
        }
    }

    /// Adds item `idx`, whose key hashes to `hash`; `same_key(other)` says whether item
    /// `other` has the same key; `rehash(other)` gives an item's hash when the table grows.
    pub fn add(
        &mut self,
        idx: usize,
        hash: u64,
        same_key: impl Fn(usize) -> bool,
        rehash: impl Fn(usize) -> u64,
    ) {
        match self
            .table
            .entry(hash, |slot| same_key(slot.first), |slot| rehash(slot.first))
        {
            hashbrown::hash_table::Entry::Occupied(mut entry) => {
                let slot = entry.get_mut();
                match slot.group.and_then(|g| self.groups.get_mut(g as usize)) {
                    Some(group) => group.push(idx),
                    None => {
                        let Ok(group) = u32::try_from(self.groups.len()) else {
                            return;
                        };
                        self.groups.push(vec![slot.first, idx]);
                        slot.group = Some(group);
                    }
                }
            }
            hashbrown::hash_table::Entry::Vacant(entry) => {
                entry.insert(Slot {
                    first: idx,
                    group: None,
                });
            }
        }
    }

    /// The items whose key hashes to `hash` and for which `same_key` holds, in the order
    /// they were added (or as [`ItemIndex::sort_groups`] left them).
    pub fn get(&self, hash: u64, same_key: impl Fn(usize) -> bool) -> &[usize] {
        self.table
            .find(hash, |slot| same_key(slot.first))
            .map_or(&[], |slot| self.items_of(slot))
    }

    fn items_of<'a>(&'a self, slot: &'a Slot) -> &'a [usize] {
        match slot.group.and_then(|g| self.groups.get(g as usize)) {
            Some(group) => group,
            None => std::slice::from_ref(&slot.first),
        }
    }

    /// The groups of items that share a key.
    pub fn groups(&self) -> impl Iterator<Item = &[usize]> {
        self.groups.iter().map(Vec::as_slice)
    }

    /// Orders each group of a shared key by `key` (stable), and makes its first item the one
    /// a lookup finds first.
    pub fn sort_groups<K: Ord>(&mut self, key: impl Fn(usize) -> K) {
        for group in &mut self.groups {
            group.sort_by_key(|idx| key(*idx));
        }
        let groups = &self.groups;
        for slot in self.table.iter_mut() {
            if let Some(first) = slot
                .group
                .and_then(|g| groups.get(g as usize))
                .and_then(|group| group.first())
            {
                slot.first = *first;
            }
        }
    }
}

/// A list of `T` for each item, stored end to end.
#[derive(Debug)]
pub struct PerItem<T> {
    /// Where each item's list starts in `values`, and where the last ends.
    starts: Vec<usize>,
    values: Vec<T>,
}

impl<T> Default for PerItem<T> {
    fn default() -> Self {
        PerItem {
            starts: vec![0],
            values: Vec::new(),
        }
    }
}

impl<T> PerItem<T> {
    /// The lists of `lengths.len()` items, whose values come in order from `values`: item
    /// `n`'s list takes the next `lengths[n]` of them (fewer if `values` runs out).
    pub fn from_lengths(lengths: impl IntoIterator<Item = usize>, values: Vec<T>) -> Self {
        let mut starts = vec![0];
        let mut end = 0usize;
        for len in lengths {
            end = end.saturating_add(len).min(values.len());
            starts.push(end);
        }
        PerItem { starts, values }
    }

    /// The lists of `items` items, made from `(item, value)` pairs: each item's values in the
    /// order given. Pairs for items past `items` are dropped.
    pub fn from_pairs(items: usize, pairs: Vec<(usize, T)>) -> Self {
        let mut counts = vec![0usize; items];
        for (item, _) in &pairs {
            if let Some(count) = counts.get_mut(*item) {
                *count += 1;
            }
        }
        let mut sorted: Vec<(usize, T)> = pairs.into_iter().filter(|(i, _)| *i < items).collect();
        // Stable: each item's values keep their order.
        sorted.sort_by_key(|(item, _)| *item);
        let values = sorted.into_iter().map(|(_, value)| value).collect();
        PerItem::from_lengths(counts, values)
    }

    /// Item `idx`'s list (empty past the last item).
    pub fn get(&self, idx: usize) -> &[T] {
        match (self.starts.get(idx), self.starts.get(idx + 1)) {
            (Some(start), Some(end)) => self.values.get(*start..*end).unwrap_or_default(),
            _ => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{ItemIndex, PerItem};

    #[test]
    fn each_item_has_its_own_list() {
        let lists = PerItem::from_lengths([2, 0, 1, 3], vec!['a', 'b', 'c', 'd', 'e', 'f']);
        assert_eq!(lists.get(0), ['a', 'b']);
        assert!(lists.get(1).is_empty());
        assert_eq!(lists.get(2), ['c']);
        assert_eq!(lists.get(3), ['d', 'e', 'f']);
        assert!(lists.get(4).is_empty(), "past the last item");
        // Too few values: the lists end where they do.
        let short = PerItem::from_lengths([1, 2], vec![1]);
        assert_eq!(short.get(0), [1]);
        assert!(short.get(1).is_empty());
        let pairs = PerItem::from_pairs(3, vec![(2, 'x'), (0, 'y'), (2, 'z'), (7, 'w')]);
        assert_eq!(pairs.get(0), ['y']);
        assert!(pairs.get(1).is_empty());
        assert_eq!(pairs.get(2), ['x', 'z']);
        assert!(PerItem::<u8>::default().get(0).is_empty());
    }

    /// Keys by their first letter, with a hash that collides for `a` and `b`.
    fn index(keys: &[&str]) -> ItemIndex {
        let hash = |key: &str| u64::from(key.as_bytes()[0] == b'c');
        let mut index = ItemIndex::with_capacity(1);
        for (idx, key) in keys.iter().enumerate() {
            index.add(
                idx,
                hash(key),
                |other| keys[other] == *key,
                |other| hash(keys[other]),
            );
        }
        index
    }

    #[test]
    fn items_are_found_by_key_not_by_hash() {
        let keys = ["a", "b", "c", "a", "d", "a", "b"];
        let index = index(&keys);
        assert_eq!(index.get(0, |i| keys[i] == "a"), [0, 3, 5]);
        assert_eq!(index.get(0, |i| keys[i] == "b"), [1, 6]);
        assert_eq!(index.get(1, |i| keys[i] == "c"), [2]);
        assert_eq!(index.get(0, |i| keys[i] == "d"), [4]);
        assert!(index.get(0, |i| keys[i] == "e").is_empty());
        let mut groups: Vec<&[usize]> = index.groups().collect();
        groups.sort();
        assert_eq!(groups, [&[0, 3, 5][..], &[1, 6]]);
    }

    #[test]
    fn sorted_groups_are_found_in_their_new_order() {
        let keys = ["a", "b", "a", "a"];
        let mut index = index(&keys);
        // Item 2 first, then the others by position.
        index.sort_groups(|idx| (idx != 2, idx));
        let found = index.get(0, |i| keys[i] == "a");
        assert_eq!(found, [2, 0, 3]);
        assert_eq!(index.get(0, |i| keys[i] == "b"), [1]);
    }
}
