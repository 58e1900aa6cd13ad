//! The whole backlog: items indexed by id and by path, every link resolved once, and the
//! threat-analysis spikes that cover each item (linked in either direction).

#![allow(
    clippy::indexing_slicing,
    reason = "item and link indices come from the backlog's own index, built in this module"
)]

use std::collections::HashSet;
use std::hash::{BuildHasher, Hasher};

/// Seeded per process (ids come from untrusted files: no predictable collisions).
use foldhash::fast::RandomState;

use super::dod::TeamDod;
use super::index::{ItemIndex, PerItem};
use super::item::{Item, Link, LinkKind, LinkTarget};
use super::load::{BacklogMdConfig, ParseFailure};
use super::vocab::Level;

/// Where a link leads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolution {
    Item(usize),
    /// No item has that id or path.
    Dangling,
    /// A path to a file that holds several items, without `#id`.
    Ambiguous(usize),
    /// A relative path that climbs out of the repository.
    Outside,
}

/// How a spike reaches an item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpikeVia {
    /// The item links the spike: `(item, link index)`.
    Forward(usize),
    /// The spike names the item in `precedes`/`analyses`/`for`: `(link index on the spike)`.
    Reverse(usize),
}

#[derive(Debug, Default)]
pub struct Backlog {
    pub items: Vec<Item>,
    pub failures: Vec<ParseFailure>,
    pub backlog_md_configs: Vec<BacklogMdConfig>,
    /// The team's definitions of done that were found.
    pub team_dod: Vec<TeamDod>,
    /// Items by id as normalised by [`id_key`].
    by_id: ItemIndex,
    by_path: ItemIndex,
    /// Hashes the index's keys.
    hasher: RandomState,
    /// Legacy id prefixes: `(old, new)`, upper-case (`TASK` → `BACK`).
    legacy_prefixes: Vec<(String, String)>,
    /// Per item: its parent, if its parent link resolves to another item.
    parents: Vec<Option<u32>>,
    /// Per item, per link: where it leads.
    resolved: PerItem<Resolution>,
    /// Per item: spikes that name it in a reverse link, as `(spike, link index on the spike)`.
    reverse: PerItem<(usize, usize)>,
    /// Per item: whether it is a threat-analysis spike.
    threat_spike: Vec<bool>,
}

/// Normalises an id for comparison: case-insensitive, and numbers without leading zeros
/// (`task-059` = `TASK-59`).
pub fn id_key(id: &str) -> String {
    IdKeyChars::new(id).collect()
}

/// The characters of [`id_key`], made one at a time (the index hashes and compares ids
/// without writing their keys down).
struct IdKeyChars<'a> {
    /// What is left of the trimmed id.
    rest: &'a str,
    /// The significant digits of a run being written.
    digits: std::str::Chars<'a>,
    /// The upper case of a character being written.
    upper: Option<std::char::ToUppercase>,
}

impl<'a> IdKeyChars<'a> {
    fn new(id: &'a str) -> Self {
        IdKeyChars {
            rest: id.trim(),
            digits: "".chars(),
            upper: None,
        }
    }
}

impl Iterator for IdKeyChars<'_> {
    type Item = char;

    fn next(&mut self) -> Option<char> {
        if let Some(ch) = self.digits.next() {
            return Some(ch);
        }
        if let Some(ch) = self.upper.as_mut().and_then(Iterator::next) {
            return Some(ch);
        }
        self.upper = None;
        let ch = self.rest.chars().next()?;
        if ch.is_ascii_digit() {
            // A run of digits is written without its leading zeros (`0` when all are).
            let end = self
                .rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(self.rest.len());
            let (run, rest) = self.rest.split_at(end);
            self.rest = rest;
            let significant = run.trim_start_matches('0');
            self.digits = if significant.is_empty() {
                "0"
            } else {
                significant
            }
            .chars();
            return self.digits.next();
        }
        self.rest = self.rest.get(ch.len_utf8()..).unwrap_or_default();
        if ch.is_ascii() {
            return Some(ch.to_ascii_uppercase());
        }
        let mut upper = ch.to_uppercase();
        let first = upper.next();
        self.upper = Some(upper);
        first
    }
}

/// Room for the key of an ASCII id worked out in place (longer ones are made a character at
/// a time).
const ASCII_KEY_BYTES: usize = 64;

/// The [`id_key`] of an ASCII id, written into `buf` a byte at a time (what [`IdKeyChars`]
/// makes of it, without decoding characters); `None` when the id is not ASCII or its key does
/// not fit.
fn ascii_key<'b>(id: &str, buf: &'b mut [u8; ASCII_KEY_BYTES]) -> Option<&'b [u8]> {
    if !id.is_ascii() {
        return None;
    }
    let id = id.trim().as_bytes();
    let (mut len, mut at) = (0, 0);
    while let Some(&byte) = id.get(at) {
        if byte.is_ascii_digit() {
            // A run of digits is written without its leading zeros (`0` when all are).
            let run = &id[at..];
            let run = &run[..run
                .iter()
                .position(|b| !b.is_ascii_digit())
                .unwrap_or(run.len())];
            at += run.len();
            let significant = match run.iter().position(|&b| b != b'0') {
                Some(first) => &run[first..],
                None => b"0",
            };
            buf.get_mut(len..len + significant.len())?
                .copy_from_slice(significant);
            len += significant.len();
        } else {
            *buf.get_mut(len)? = byte.to_ascii_uppercase();
            len += 1;
            at += 1;
        }
    }
    buf.get(..len)
}

/// The hash of an id's [`id_key`]: its characters, one `u32` each (an ASCII id's worked out a
/// byte at a time, the same characters).
fn id_hash(hasher: &RandomState, id: &str) -> u64 {
    let mut state = hasher.build_hasher();
    let mut buf = [0; ASCII_KEY_BYTES];
    match ascii_key(id, &mut buf) {
        Some(key) => key.iter().for_each(|b| state.write_u32(u32::from(*b))),
        None => IdKeyChars::new(id).for_each(|ch| state.write_u32(u32::from(ch))),
    }
    state.finish()
}

/// Whether two ids have the same [`id_key`] (without writing either key down, or, for ASCII
/// ids, writing them on the stack).
pub fn same_id_key(a: &str, b: &str) -> bool {
    let (mut buf_a, mut buf_b) = ([0; ASCII_KEY_BYTES], [0; ASCII_KEY_BYTES]);
    if let (Some(a), Some(b)) = (ascii_key(a, &mut buf_a), ascii_key(b, &mut buf_b)) {
        return a == b;
    }
    IdKeyChars::new(a).eq(IdKeyChars::new(b))
}

impl Backlog {
    /// Indexes the items and resolves every link. `legacy_prefixes` come from configuration;
    /// Backlog.md roots with a custom `task_prefix` add `task` → that prefix.
    pub fn new(
        items: Vec<Item>,
        failures: Vec<ParseFailure>,
        backlog_md_configs: Vec<BacklogMdConfig>,
        legacy_prefixes: &[(String, String)],
    ) -> Self {
        let mut backlog = Backlog {
            items,
            failures,
            backlog_md_configs,
            ..Backlog::default()
        };
        for (old, new) in legacy_prefixes {
            backlog
                .legacy_prefixes
                .push((old.to_uppercase(), new.to_uppercase()));
        }
        for config in &backlog.backlog_md_configs {
            if let Some(prefix) = &config.task_prefix {
                let prefix = prefix.to_uppercase();
                if prefix != "TASK" {
                    backlog.legacy_prefixes.push(("TASK".to_string(), prefix));
                }
            }
        }
        backlog.by_id = ItemIndex::with_capacity(backlog.items.len());
        backlog.by_path = ItemIndex::with_capacity(backlog.items.len());
        let (items, hasher) = (&backlog.items, &backlog.hasher);
        let id_hash = |idx: usize| id_hash(hasher, &items[idx].id);
        let path_hash = |idx: usize| hasher.hash_one(&*items[idx].path);
        for (idx, item) in items.iter().enumerate() {
            let same_id = |other: usize| same_id_key(&items[other].id, &item.id);
            backlog.by_id.add(idx, id_hash(idx), same_id, id_hash);
            let same_path = |other: usize| items[other].path == item.path;
            backlog
                .by_path
                .add(idx, path_hash(idx), same_path, path_hash);
        }
        // Live items win over archived copies with the same id.
        backlog.by_id.sort_groups(|i| (items[i].archived, i));
        backlog.resolved = {
            use rayon::prelude::*;
            let resolver = &backlog;
            let resolutions: Vec<Resolution> = resolver
                .items
                .par_iter()
                .flat_map_iter(|item| item.links.iter().map(|l| resolver.resolve(item, l)))
                .collect();
            PerItem::from_lengths(resolver.items.iter().map(|i| i.links.len()), resolutions)
        };
        backlog.parents = {
            use rayon::prelude::*;
            let resolver = &backlog;
            resolver
                .items
                .par_iter()
                .enumerate()
                .map(
                    |(idx, item)| match resolver.resolve(item, item.parent.as_ref()?) {
                        Resolution::Item(p) if p != idx => u32::try_from(p).ok(),
                        _ => None,
                    },
                )
                .collect()
        };
        backlog.threat_spike = backlog.items.iter().map(is_threat_analysis_spike).collect();
        let mut named_by_spikes = Vec::new();
        for (spike, item) in backlog.items.iter().enumerate() {
            for (n, res) in backlog.resolved.get(spike).iter().enumerate() {
                if let (Some(LinkKind::Reverse), Resolution::Item(target)) =
                    (item.links.get(n).map(|l| l.kind), res)
                {
                    named_by_spikes.push((*target, (spike, n)));
                }
            }
        }
        backlog.reverse = PerItem::from_pairs(backlog.items.len(), named_by_spikes);
        backlog
    }

    /// The items with this id (live ones first).
    pub fn by_id(&self, id: &str) -> &[usize] {
        let found = self.items_with_key(id);
        if !found.is_empty() || self.legacy_prefixes.is_empty() {
            return found;
        }
        let key = id_key(id);
        for (old, new) in &self.legacy_prefixes {
            if let Some(rest) = key.strip_prefix(old.as_str()) {
                if rest.starts_with(['-', '_']) {
                    let found = self.items_with_key(&format!("{new}{rest}"));
                    if !found.is_empty() {
                        return found;
                    }
                }
            }
        }
        &[]
    }

    /// The items whose id has the same [`id_key`] as `id`.
    fn items_with_key(&self, id: &str) -> &[usize] {
        self.by_id.get(id_hash(&self.hasher, id), |idx| {
            self.items
                .get(idx)
                .is_some_and(|item| same_id_key(&item.id, id))
        })
    }

    pub fn by_path(&self, path: &str) -> &[usize] {
        self.by_path.get(self.hasher.hash_one(path), |idx| {
            self.items.get(idx).is_some_and(|item| *item.path == *path)
        })
    }

    /// Ids shared by more than one item, as groups of item indices.
    pub fn duplicate_ids(&self) -> Vec<&[usize]> {
        let mut groups: Vec<&[usize]> = self.by_id.groups().collect();
        groups.sort();
        groups
    }

    fn resolve(&self, from: &Item, link: &Link) -> Resolution {
        match &link.target {
            LinkTarget::Id(id) => match self.by_id(id).first() {
                Some(idx) => Resolution::Item(*idx),
                None => Resolution::Dangling,
            },
            LinkTarget::OutsideRepository(_) => Resolution::Outside,
            LinkTarget::Path { path, fragment } => {
                let mut candidates = vec![path.clone()];
                // Also try the value as written from the repository root and from the
                // Backlog.md root, as Backlog.md references are written.
                let raw = link.raw.split('#').next().unwrap_or(&link.raw).trim();
                let raw = raw.trim_start_matches("./").trim_start_matches('/');
                if !raw.contains("..") {
                    candidates.push(raw.to_string());
                    if let Some(root) = self.backlog_md_root_of(&from.path) {
                        candidates.push(format!("{root}/{raw}"));
                    }
                }
                for candidate in candidates {
                    let found = self.by_path(&candidate);
                    if found.is_empty() {
                        continue;
                    }
                    if let Some(fragment) = fragment {
                        let key = id_key(fragment);
                        return found
                            .iter()
                            .find(|i| id_key(&self.items[**i].id) == key)
                            .map_or(Resolution::Dangling, |i| Resolution::Item(*i));
                    }
                    return match found {
                        [one] => Resolution::Item(*one),
                        many => Resolution::Ambiguous(many.len()),
                    };
                }
                Resolution::Dangling
            }
        }
    }

    fn backlog_md_root_of(&self, path: &str) -> Option<&str> {
        self.backlog_md_configs
            .iter()
            .map(|c| c.root.as_str())
            .find(|root| path.starts_with(root) && path[root.len()..].starts_with('/'))
    }

    /// Where each link of item `idx` leads (parallel to `items[idx].links`).
    pub fn resolutions(&self, idx: usize) -> &[Resolution] {
        self.resolved.get(idx)
    }

    /// The item a link of `idx` leads to, if it resolved.
    pub fn target(&self, idx: usize, link: usize) -> Option<usize> {
        match self.resolutions(idx).get(link) {
            Some(Resolution::Item(target)) => Some(*target),
            _ => None,
        }
    }

    /// Spikes that name item `idx` in a reverse link.
    pub fn reverse_links(&self, idx: usize) -> &[(usize, usize)] {
        self.reverse.get(idx)
    }

    /// Threat-analysis spikes linked to item `idx`, in either direction, each once.
    pub fn threat_spikes(&self, idx: usize) -> Vec<(usize, SpikeVia)> {
        let mut out: Vec<(usize, SpikeVia)> = Vec::new();
        let Some(item) = self.items.get(idx) else {
            return out;
        };
        for (n, link) in item.links.iter().enumerate() {
            if link.kind == LinkKind::Reverse || link.kind == LinkKind::Parent {
                continue;
            }
            if let Some(target) = self.target(idx, n) {
                if target != idx
                    && self.is_threat_spike(target)
                    && !out.iter().any(|(s, _)| *s == target)
                {
                    out.push((target, SpikeVia::Forward(n)));
                }
            }
        }
        for (spike, n) in self.reverse_links(idx) {
            if *spike != idx && self.is_threat_spike(*spike) && !out.iter().any(|(s, _)| s == spike)
            {
                out.push((*spike, SpikeVia::Reverse(*n)));
            }
        }
        out
    }

    /// Whether item `idx` is a threat-analysis spike (computed once).
    pub fn is_threat_spike(&self, idx: usize) -> bool {
        self.threat_spike.get(idx).copied().unwrap_or(false)
    }

    /// The parent of item `idx`, if its parent link resolves.
    pub fn parent(&self, idx: usize) -> Option<usize> {
        Some(*self.parents.get(idx)?.as_ref()? as usize)
    }

    /// Children of each item (by parent link).
    pub fn children(&self) -> Vec<Vec<usize>> {
        let mut children = vec![Vec::new(); self.items.len()];
        for idx in 0..self.items.len() {
            if let Some(parent) = self.parent(idx) {
                children[parent].push(idx);
            }
        }
        children
    }

    /// The risk-ownership level of an item: from its type, else from the nearest ancestor with
    /// a type (one level below it: a child of an epic is story-level, of a story code-level),
    /// else code-level.
    pub fn level(&self, idx: usize) -> Level {
        let mut current = idx;
        let mut depth = 0;
        let mut seen = HashSet::new();
        while seen.insert(current) {
            if let Some(level) = self.items[current].kind.level() {
                return match (depth, level) {
                    (0, l) => l,
                    (_, Level::Epic) if depth == 1 => Level::Story,
                    _ => Level::Code,
                };
            }
            match self.parent(current) {
                Some(p) => {
                    current = p;
                    depth += 1;
                }
                None => break,
            }
        }
        Level::Code
    }
}

/// A threat-analysis spike (SPEC §2.2): a spike (type or label) that is labelled
/// `threat-analysis`, `threat-model` or `security`, or whose title mentions threat analysis or
/// threat modelling.
pub fn is_threat_analysis_spike(item: &Item) -> bool {
    if !item.is_spike() {
        return false;
    }
    let labelled = item.labels.iter().any(|l| {
        let norm = super::vocab::normalise_word(&l.value);
        matches!(
            norm.as_str(),
            "threat analysis"
                | "threat model"
                | "threat modeling"
                | "threat modelling"
                | "security"
        )
    });
    labelled || title_mentions_threat_analysis(&item.title)
}

fn title_mentions_threat_analysis(title: &str) -> bool {
    let lower = title.to_lowercase().replace(['-', '_'], " ");
    lower.contains("threat analysis")
        || lower.contains("threat model")
        || lower.contains("threat assessment")
        || lower.contains("threat review")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_keys() {
        assert_eq!(id_key("task-059"), "TASK-59");
        assert_eq!(id_key("TASK-59"), "TASK-59");
        assert_eq!(id_key("back-355.01"), "BACK-355.1");
        assert_eq!(id_key("E00"), "E0");
        assert_eq!(id_key("T100"), "T100");
        assert_eq!(id_key("S-10.20"), "S-10.20");
        assert_eq!(id_key("x-0"), "X-0");
        assert_eq!(id_key("Story-1007"), "STORY-1007");
        assert_eq!(id_key("  ß-007 "), "SS-7");
        assert_eq!(id_key("задача-0010"), "ЗАДАЧА-10");
        assert_eq!(id_key("0"), "0");
        assert_eq!(id_key("a00b01"), "A0B1");
    }

    proptest::proptest! {
        /// The index hashes and compares ids through their keys without writing them: two ids
        /// are the same exactly when their keys are, and then hash alike.
        #[test]
        fn ids_compare_and_hash_as_their_keys(
            a in "[ a-cA-C0-2ßẞǅ_-]{0,8}",
            b in "[ a-cA-C0-2ßẞǅ_-]{0,8}",
        ) {
            let hasher = RandomState::default();
            let same = id_key(&a) == id_key(&b);
            proptest::prop_assert_eq!(same_id_key(&a, &b), same);
            if same {
                proptest::prop_assert_eq!(id_hash(&hasher, &a), id_hash(&hasher, &b));
            }
            // A key is its own key: a legacy prefix's rewritten key finds the same items.
            proptest::prop_assert!(same_id_key(&id_key(&a), &a));
        }

        /// An ASCII id's key worked out a byte at a time is the key made a character at a time.
        #[test]
        fn ascii_keys_are_the_keys(id in "[ \\t\\x0b.a-dA-D0-3_-]{0,80}") {
            let mut buf = [0; ASCII_KEY_BYTES];
            let key = id_key(&id);
            match ascii_key(&id, &mut buf) {
                Some(fast) => proptest::prop_assert_eq!(fast, key.as_bytes()),
                None => proptest::prop_assert!(key.len() > ASCII_KEY_BYTES),
            }
        }
    }
}
