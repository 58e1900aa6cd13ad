//! The learned triage model: one logistic regression per built-in category over the features
//! of [`super::features`], and two thresholds per category (the *possible* and *strong*
//! tiers). Stored as `rules/triage-model.bin` (compiled into the binary) or a team's own file
//! (`triage_model:` in backlint.yaml), in a small deterministic binary format:
//!
//! ```text
//! b"BLTRIAGE"  u32 format  u32 header-length  header (JSON)
//! per category, in header order:  f32 bias  u32 n  n × (u32 index, f32 weight)
//! ```
//! All numbers little-endian; the header names the feature set, the categories with their
//! thresholds, and a SHA-256 of the training inputs.

#![allow(
    clippy::indexing_slicing,
    reason = "weights are checked against the feature count when the model is read"
)]

use serde::{Deserialize, Serialize};

use super::features::{DIMS, FEATURE_SET};

const MAGIC: &[u8; 8] = b"BLTRIAGE";
const FORMAT: u32 = 1;
/// Larger model files are refused.
const MAX_BYTES: usize = 64 << 20;

/// The tiers' thresholds of one category, on the model's confidence.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Thresholds {
    /// At or above: the item may touch the category (`triage/unconfirmed`).
    pub possible: f32,
    /// At or above: the item touches the category (`triage/missing-spike`).
    pub strong: f32,
}

/// What the header says of one category.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelCategory {
    pub id: String,
    pub thresholds: Thresholds,
    /// Training examples: positive, negative.
    pub positives: u32,
    pub negatives: u32,
}

/// The JSON header.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelHeader {
    pub feature_set: u32,
    pub dims: u32,
    pub categories: Vec<ModelCategory>,
    /// SHA-256 (hex) of the training inputs: labels, the item files they name, the options.
    pub inputs: String,
    /// How it was trained, for people (`backlint triage train …`).
    pub trained_with: String,
}

/// A model of one category: `confidence = sigmoid(bias + Σ weights[i] · x[i])`.
#[derive(Clone, Debug, PartialEq)]
pub struct CategoryModel {
    pub bias: f32,
    /// Sorted by index; absent indices weigh 0.
    pub weights: Vec<(u32, f32)>,
}

impl CategoryModel {
    pub fn weight(&self, index: u32) -> f32 {
        self.weights
            .binary_search_by_key(&index, |(i, _)| *i)
            .map_or(0.0, |n| self.weights[n].1)
    }

    /// The model's confidence for features given as `(index, value)`.
    pub fn confidence(&self, features: &[(u32, f32)]) -> f32 {
        let mut z = f64::from(self.bias);
        for &(i, v) in features {
            z += f64::from(self.weight(i)) * f64::from(v);
        }
        super::learn::sigmoid(z) as f32
    }
}

/// A whole model.
#[derive(Clone, Debug, PartialEq)]
pub struct TriageModel {
    pub header: ModelHeader,
    /// Parallel to `header.categories`.
    pub categories: Vec<CategoryModel>,
}

/// Why a model file cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ModelError {
    #[error("not a backlint triage model (the file does not start with BLTRIAGE)")]
    Magic,
    #[error("model format {0} is not supported (this backlint reads format {FORMAT})")]
    Format(u32),
    #[error(
        "the model was trained on feature set {0}; this backlint computes feature set {FEATURE_SET}: train it again with `backlint triage train`"
    )]
    FeatureSet(u32),
    #[error("the model file is truncated or malformed: {0}")]
    Malformed(String),
}

impl TriageModel {
    /// The model of category `id`, if it has one.
    pub fn category(&self, id: &str) -> Option<usize> {
        self.header.categories.iter().position(|c| c.id == id)
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let header = serde_json::to_vec(&self.header).unwrap_or_default();
        let mut out = Vec::with_capacity(16 + header.len() + self.categories.len() * 4096);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT.to_le_bytes());
        out.extend_from_slice(&(header.len() as u32).to_le_bytes());
        out.extend_from_slice(&header);
        for category in &self.categories {
            out.extend_from_slice(&category.bias.to_le_bytes());
            out.extend_from_slice(&(category.weights.len() as u32).to_le_bytes());
            for (i, w) in &category.weights {
                out.extend_from_slice(&i.to_le_bytes());
                out.extend_from_slice(&w.to_le_bytes());
            }
        }
        out
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<TriageModel, ModelError> {
        if bytes.len() > MAX_BYTES {
            return Err(ModelError::Malformed(format!(
                "{} bytes is more than the {MAX_BYTES} a model may have",
                bytes.len()
            )));
        }
        let mut reader = Reader { bytes, at: 0 };
        if reader.take(8)? != MAGIC {
            return Err(ModelError::Magic);
        }
        let format = reader.u32()?;
        if format != FORMAT {
            return Err(ModelError::Format(format));
        }
        let len = reader.u32()? as usize;
        let header: ModelHeader = serde_json::from_slice(reader.take(len)?)
            .map_err(|e| ModelError::Malformed(format!("header: {e}")))?;
        if header.feature_set != FEATURE_SET {
            return Err(ModelError::FeatureSet(header.feature_set));
        }
        if header.dims as usize != DIMS {
            return Err(ModelError::Malformed(format!(
                "{} feature dimensions, expected {DIMS}",
                header.dims
            )));
        }
        let mut categories = Vec::with_capacity(header.categories.len());
        for meta in &header.categories {
            let t = meta.thresholds;
            let valid = |v: f32| v.is_finite() && (0.0..=1.0).contains(&v);
            if !(valid(t.possible) && valid(t.strong) && t.possible <= t.strong) {
                return Err(ModelError::Malformed(format!(
                    "{}: thresholds must satisfy 0 ≤ possible ≤ strong ≤ 1",
                    meta.id
                )));
            }
            let bias = reader.f32()?;
            let n = reader.u32()? as usize;
            if n > DIMS {
                return Err(ModelError::Malformed(format!("{}: {n} weights", meta.id)));
            }
            let mut weights = Vec::with_capacity(n);
            let mut last = None;
            for _ in 0..n {
                let index = reader.u32()?;
                let weight = reader.f32()?;
                if index as usize >= DIMS || last.is_some_and(|l| l >= index) || !weight.is_finite()
                {
                    return Err(ModelError::Malformed(format!(
                        "{}: weights out of order or out of range",
                        meta.id
                    )));
                }
                last = Some(index);
                weights.push((index, weight));
            }
            if !bias.is_finite() {
                return Err(ModelError::Malformed(format!("{}: bias", meta.id)));
            }
            categories.push(CategoryModel { bias, weights });
        }
        if reader.at != bytes.len() {
            return Err(ModelError::Malformed("trailing bytes".into()));
        }
        Ok(TriageModel { header, categories })
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], ModelError> {
        let end = self
            .at
            .checked_add(n)
            .filter(|e| *e <= self.bytes.len())
            .ok_or_else(|| ModelError::Malformed("unexpected end of file".into()))?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }

    fn u32(&mut self) -> Result<u32, ModelError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn f32(&mut self) -> Result<f32, ModelError> {
        Ok(f32::from_bits(self.u32()?))
    }
}

/// The built-in model, trained by `backlint triage train` on the shared labelled items.
pub const BUILTIN_MODEL: &[u8] = include_bytes!("../../rules/triage-model.bin");

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> TriageModel {
        TriageModel {
            header: ModelHeader {
                feature_set: FEATURE_SET,
                dims: DIMS as u32,
                categories: vec![ModelCategory {
                    id: "logging".into(),
                    thresholds: Thresholds {
                        possible: 0.3,
                        strong: 0.7,
                    },
                    positives: 3,
                    negatives: 9,
                }],
                inputs: "abc".into(),
                trained_with: "test".into(),
            },
            categories: vec![CategoryModel {
                bias: -1.5,
                weights: vec![(3, 0.25), (17, -2.0)],
            }],
        }
    }

    #[test]
    fn round_trips_and_refuses_damage() {
        let model = sample();
        let bytes = model.to_bytes();
        assert_eq!(TriageModel::from_bytes(&bytes), Ok(model.clone()));
        assert_eq!(
            TriageModel::from_bytes(b"nope-not-a-model"),
            Err(ModelError::Magic)
        );
        for cut in [0, 8, 12, bytes.len() - 1] {
            assert!(
                TriageModel::from_bytes(&bytes[..cut]).is_err(),
                "cut at {cut}"
            );
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(TriageModel::from_bytes(&longer).is_err());
        let c = &model.categories[0];
        assert_eq!(c.weight(17), -2.0);
        assert_eq!(c.weight(4), 0.0);
        assert!((c.confidence(&[]) - 0.182).abs() < 0.001);
    }

    #[test]
    fn the_builtin_model_loads() {
        let model = TriageModel::from_bytes(BUILTIN_MODEL).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(model.header.categories.len(), 5);
    }
}
