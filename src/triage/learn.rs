//! Trains L2-regularised logistic regression: full-batch L-BFGS in `f64`, single-threaded and
//! in a fixed order, so that the same examples give the same weights, bit for bit, on every
//! run. No I/O; the caller builds the examples.

#![allow(
    clippy::indexing_slicing,
    reason = "numeric code over vectors of one fixed dimension, built in this module"
)]

/// Sparse examples: row `n` holds `features[starts[n]..starts[n + 1]]` as `(index, value)`.
#[derive(Clone, Debug, Default)]
pub struct Examples {
    starts: Vec<usize>,
    features: Vec<(u32, f32)>,
    labels: Vec<f64>,
    weights: Vec<f64>,
}

impl Examples {
    pub fn new() -> Self {
        Examples {
            starts: vec![0],
            ..Examples::default()
        }
    }

    /// Adds an example with label 0 or 1 and a weight (0 leaves it out).
    pub fn push(&mut self, features: &[(u32, f32)], positive: bool, weight: f64) {
        self.features.extend_from_slice(features);
        self.starts.push(self.features.len());
        self.labels.push(if positive { 1.0 } else { 0.0 });
        self.weights.push(weight);
    }

    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    fn row(&self, n: usize) -> &[(u32, f32)] {
        &self.features[self.starts[n]..self.starts[n + 1]]
    }
}

/// A trained linear model: `p = sigmoid(bias + Σ weights[i] · x[i])`.
#[derive(Clone, Debug, PartialEq)]
pub struct Logistic {
    pub bias: f64,
    pub weights: Vec<f64>,
}

impl Logistic {
    pub fn margin(&self, features: &[(u32, f32)]) -> f64 {
        let mut z = self.bias;
        for &(i, v) in features {
            if let Some(w) = self.weights.get(i as usize) {
                z += w * f64::from(v);
            }
        }
        z
    }
}

/// How to train.
#[derive(Clone, Copy, Debug)]
pub struct TrainOptions {
    /// L2 penalty on the weights (not the bias), relative to the total example weight.
    pub l2: f64,
    pub max_iterations: usize,
    /// Stop when the gradient's largest component falls below this.
    pub tolerance: f64,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            l2: 1.0,
            max_iterations: 300,
            tolerance: 1e-6,
        }
    }
}

pub fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// `log(1 + e^z)` without overflow.
fn softplus(z: f64) -> f64 {
    if z > 30.0 {
        z
    } else if z < -30.0 {
        z.exp()
    } else {
        z.exp().ln_1p()
    }
}

/// Loss (weighted mean negative log-likelihood plus `l2/2 · |w|²`) and its gradient; the last
/// component of `x` and `grad` is the bias.
fn loss_and_gradient(data: &Examples, dims: usize, l2: f64, x: &[f64], grad: &mut [f64]) -> f64 {
    grad.iter_mut().for_each(|g| *g = 0.0);
    let total: f64 = data.weights.iter().sum::<f64>().max(1e-12);
    let bias = x[dims];
    let mut loss = 0.0;
    for n in 0..data.len() {
        let w = data.weights[n];
        if w == 0.0 {
            continue;
        }
        let row = data.row(n);
        let mut z = bias;
        for &(i, v) in row {
            z += x[i as usize] * f64::from(v);
        }
        let y = data.labels[n];
        // -[y log p + (1-y) log(1-p)] = softplus(z) - y z
        loss += w * (softplus(z) - y * z);
        let d = w * (sigmoid(z) - y);
        for &(i, v) in row {
            grad[i as usize] += d * f64::from(v);
        }
        grad[dims] += d;
    }
    loss /= total;
    for g in grad.iter_mut() {
        *g /= total;
    }
    let mut penalty = 0.0;
    for i in 0..dims {
        penalty += x[i] * x[i];
        grad[i] += l2 * x[i];
    }
    loss + 0.5 * l2 * penalty
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Fits a logistic regression over `dims` features with L-BFGS (memory 10, backtracking line
/// search). Deterministic: same examples and options, same result.
pub fn train(data: &Examples, dims: usize, options: TrainOptions) -> Logistic {
    const MEMORY: usize = 10;
    let n = dims + 1;
    let mut x = vec![0.0; n];
    let mut grad = vec![0.0; n];
    let mut loss = loss_and_gradient(data, dims, options.l2, &x, &mut grad);
    let mut s_hist: Vec<Vec<f64>> = Vec::new();
    let mut y_hist: Vec<Vec<f64>> = Vec::new();
    let mut new_x = vec![0.0; n];
    let mut new_grad = vec![0.0; n];
    for _ in 0..options.max_iterations {
        if grad.iter().fold(0.0f64, |m, g| m.max(g.abs())) < options.tolerance {
            break;
        }
        // Two-loop recursion: direction = -H·grad.
        let mut q = grad.clone();
        let mut alphas = vec![0.0; s_hist.len()];
        for k in (0..s_hist.len()).rev() {
            let rho = 1.0 / dot(&y_hist[k], &s_hist[k]);
            alphas[k] = rho * dot(&s_hist[k], &q);
            for (qi, yi) in q.iter_mut().zip(&y_hist[k]) {
                *qi -= alphas[k] * yi;
            }
        }
        if let (Some(s), Some(y)) = (s_hist.last(), y_hist.last()) {
            let gamma = dot(s, y) / dot(y, y);
            q.iter_mut().for_each(|v| *v *= gamma);
        }
        for k in 0..s_hist.len() {
            let rho = 1.0 / dot(&y_hist[k], &s_hist[k]);
            let beta = rho * dot(&y_hist[k], &q);
            for (qi, si) in q.iter_mut().zip(&s_hist[k]) {
                *qi += (alphas[k] - beta) * si;
            }
        }
        let mut direction: Vec<f64> = q.iter().map(|v| -v).collect();
        let mut slope = dot(&grad, &direction);
        if slope >= 0.0 {
            // Not a descent direction: fall back to steepest descent.
            s_hist.clear();
            y_hist.clear();
            direction = grad.iter().map(|g| -g).collect();
            slope = dot(&grad, &direction);
        }
        // Backtracking (Armijo) line search.
        let mut step = if s_hist.is_empty() {
            1.0 / grad.iter().map(|g| g * g).sum::<f64>().sqrt().max(1.0)
        } else {
            1.0
        };
        let mut accepted = false;
        let mut new_loss = loss;
        for _ in 0..40 {
            for i in 0..n {
                new_x[i] = x[i] + step * direction[i];
            }
            new_loss = loss_and_gradient(data, dims, options.l2, &new_x, &mut new_grad);
            if new_loss <= loss + 1e-4 * step * slope {
                accepted = true;
                break;
            }
            step *= 0.5;
        }
        if !accepted {
            break;
        }
        let s: Vec<f64> = new_x.iter().zip(&x).map(|(a, b)| a - b).collect();
        let y: Vec<f64> = new_grad.iter().zip(&grad).map(|(a, b)| a - b).collect();
        let improvement = loss - new_loss;
        std::mem::swap(&mut x, &mut new_x);
        std::mem::swap(&mut grad, &mut new_grad);
        loss = new_loss;
        if dot(&s, &y) > 1e-12 {
            s_hist.push(s);
            y_hist.push(y);
            if s_hist.len() > MEMORY {
                s_hist.remove(0);
                y_hist.remove(0);
            }
        }
        if improvement.abs() < 1e-12 {
            break;
        }
    }
    let bias = x[dims];
    x.truncate(dims);
    Logistic { bias, weights: x }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Separable-ish data: feature 0 means positive, feature 1 negative.
    fn toy() -> Examples {
        let mut data = Examples::new();
        for n in 0..40 {
            data.push(&[(0, 1.0)], n % 10 != 0, 1.0);
            data.push(&[(1, 1.0)], n % 10 == 0, 1.0);
            data.push(&[(2, 1.0)], n % 2 == 0, 1.0);
        }
        data
    }

    #[test]
    fn learns_the_signs_and_is_deterministic() {
        let options = TrainOptions {
            l2: 0.01,
            ..TrainOptions::default()
        };
        let a = train(&toy(), 3, options);
        assert!(a.weights[0] > 1.0, "{a:?}");
        assert!(a.weights[1] < -1.0, "{a:?}");
        assert!(a.weights[2].abs() < 0.2, "{a:?}");
        // 90 % of feature-0 examples are positive; the penalty pulls the fit a little in.
        let p = sigmoid(a.margin(&[(0, 1.0)]));
        assert!((0.8..0.9).contains(&p), "{p}");
        let b = train(&toy(), 3, options);
        assert_eq!(a, b);
    }

    #[test]
    fn matches_the_optimum_of_a_one_feature_problem() {
        // With no penalty the fitted probability of each feature equals its positive rate.
        let mut data = Examples::new();
        for n in 0..100 {
            data.push(&[(0, 1.0)], n < 70, 1.0);
        }
        let model = train(
            &data,
            1,
            TrainOptions {
                l2: 0.0,
                ..TrainOptions::default()
            },
        );
        let p = sigmoid(model.margin(&[(0, 1.0)]));
        assert!((p - 0.7).abs() < 1e-3, "{p}");
    }
}
