//! A lookup of items by a key they already hold (their id, their path): the table keeps item
//! positions only, never a copy of the key, so that a backlog of 50,000 items does not hold
//! 100,000 more strings for its index. Keys are hashed and compared through the items.

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

#[cfg(test)]
mod tests {
    use super::ItemIndex;

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
