//! Isolated character recognition (digits, upper and lower case letters): the same raster CNN
//! as shapes, with 62 classes.

use super::data::Sample;
use super::model::{ConvConfig, ConvNet};
use inkroom_core::ink::raster::{self, CHANNELS, SIZE};
use inkroom_core::ink::{Charset, Ink, Scored};
use std::collections::BTreeMap;

/// Datasets `inkroom train chars` reads from the data directory.
pub const TRAINING_SETS: [&str; 4] = [
    "pendigits",
    "unipen_1a_digits",
    "unipen_1b_upper",
    "unipen_1c_lower",
];

/// The classes, in the order of the model's outputs.
pub const ALPHABET: &str = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Letters whose upper and lower case are the same shape at a different size; an isolated
/// character carries no size reference, so case is a guess for these.
pub const CASE_AMBIGUOUS: &str = "CcKkOoPpSsUuVvWwXxZz";

/// The class index of a one-character label.
pub fn class_of(label: &str) -> Option<usize> {
    let mut it = label.chars();
    let c = it.next()?;
    if it.next().is_some() {
        return None;
    }
    ALPHABET.chars().position(|a| a == c)
}

/// The network architecture of the shipped character model.
pub fn config() -> ConvConfig {
    ConvConfig {
        size: SIZE,
        in_channels: CHANNELS,
        widths: vec![24, 48, 96],
        hidden: 256,
        classes: ALPHABET.len(),
    }
}

/// The loaded character model.
pub struct CharModel {
    net: ConvNet,
}

impl CharModel {
    /// Wraps a trained network.
    pub fn from_net(net: ConvNet) -> Self {
        Self { net }
    }

    /// Probabilities over [`ALPHABET`].
    pub fn probabilities(&self, ink: &Ink) -> candle_core::Result<Vec<f32>> {
        self.net.probabilities(&raster::features(ink, SIZE))
    }

    /// The `k` most likely characters of `charset` (probabilities renormalised over it).
    pub fn top(
        &self,
        ink: &Ink,
        k: usize,
        charset: Charset,
    ) -> candle_core::Result<Vec<Scored<char>>> {
        let p = self.probabilities(ink)?;
        let mut ranked: Vec<Scored<char>> = ALPHABET
            .chars()
            .zip(p)
            .filter(|(c, _)| charset.allows(*c))
            .map(|(label, confidence)| Scored { label, confidence })
            .collect();
        let total: f32 = ranked.iter().map(|s| s.confidence).sum::<f32>().max(1e-12);
        for s in &mut ranked {
            s.confidence /= total;
        }
        ranked.sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
        ranked.truncate(k);
        Ok(ranked)
    }
}

/// Held-out accuracy by group: digits, upper, lower, and letters ignoring case where case cannot
/// be told from the shape.
pub fn evaluate(model: &CharModel, samples: &[Sample]) -> BTreeMap<String, f64> {
    let mut tally: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for s in samples {
        let Some(truth) = s.label.chars().next() else {
            continue;
        };
        let Ok(top) = model.top(&s.ink, 1, Charset::Any) else {
            continue;
        };
        let pred = top[0].label;
        let group = if truth.is_ascii_digit() {
            "digits"
        } else if truth.is_ascii_uppercase() {
            "upper"
        } else {
            "lower"
        };
        let mut add = |name: &str, ok: bool| {
            let e = tally.entry(name.to_string()).or_default();
            e.0 += usize::from(ok);
            e.1 += 1;
        };
        add(group, pred == truth);
        if group != "digits" {
            let same_shape = pred.eq_ignore_ascii_case(&truth) && CASE_AMBIGUOUS.contains(truth);
            add("letters_case_where_visible", pred == truth || same_shape);
        }
    }
    tally
        .into_iter()
        .map(|(k, (ok, n))| (k, ok as f64 / n.max(1) as f64))
        .collect()
}
