//! The checklist's categories: their ids, names, documentation, thresholds and where they come
//! from. What a category *is*, not how it is detected.

#![allow(
    clippy::indexing_slicing,
    reason = "category indices come from the catalogue itself"
)]

/// A checklist category.
#[derive(Clone, Debug)]
pub struct Category {
    pub id: String,
    pub title: String,
    pub summary: String,
    pub explain: String,
    pub threshold: f32,
    /// The packs that defined or extended it, in order (`builtin:default`, `./rules/ours.yaml`).
    pub origins: Vec<String>,
    /// Switched off by `disabled_categories`.
    pub disabled: bool,
}

/// Every category of a run, indexed by position (`CategoryMatch::category`).
#[derive(Clone, Debug, Default)]
pub struct Catalogue {
    pub categories: Vec<Category>,
}

impl Catalogue {
    /// The index of the category with this id.
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.categories.iter().position(|c| c.id == id)
    }

    /// Switches a category off: it is no longer evaluated. Unknown ids are ignored (the
    /// configuration validates them).
    pub fn disable(&mut self, id: &str) {
        if let Some(idx) = self.index_of(id) {
            self.categories[idx].disabled = true;
        }
    }

    /// The category ids, in order.
    pub fn ids(&self) -> Vec<String> {
        self.categories.iter().map(|c| c.id.clone()).collect()
    }

    pub fn len(&self) -> usize {
        self.categories.len()
    }

    pub fn is_empty(&self) -> bool {
        self.categories.is_empty()
    }
}
