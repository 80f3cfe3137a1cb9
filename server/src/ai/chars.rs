//! Isolated character recognition (digits, upper and lower case letters) by two networks that
//! see the ink differently: the same raster CNN as shapes, with 62 classes (the picture), and a
//! sequence network like the word model's trained with CTC on single characters (the pen's
//! path). [`CharModel`] combines what is installed. Both networks are trained here
//! (`inkroom train chars` and `inkroom train glyphs`).

use super::ctc::{self, fit_ctc};
use super::data::{self, Sample};
use super::meta::ModelMeta;
use super::model::{ConvConfig, ConvNet, SeqConfig, SeqNet};
use super::train::{Example, Report, TrainOptions, argmax, save, train_classifier};
use super::words;
use inkroom_core::ink::raster::{self, CHANNELS, SIZE};
use inkroom_core::ink::{Charset, Ink, Scored};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

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

/// The architecture of the shipped glyph (sequence) model: the word model's, whose symbols
/// include every class here, with a narrower recurrent layer (a glyph is a few frames long).
pub fn glyph_config() -> SeqConfig {
    SeqConfig {
        recurrent: 64,
        ..words::config()
    }
}

/// The loaded character models: the raster network and, when installed, the glyph network.
pub struct CharModel {
    net: ConvNet,
    glyphs: Option<SeqNet>,
}

impl CharModel {
    /// Wraps a trained raster network.
    pub fn from_net(net: ConvNet) -> Self {
        Self { net, glyphs: None }
    }

    /// Adds the glyph (sequence) network.
    pub fn with_glyphs(mut self, glyphs: SeqNet) -> Self {
        self.glyphs = Some(glyphs);
        self
    }

    /// Probabilities over [`ALPHABET`]: the raster network's, multiplied by the glyph network's
    /// when it is installed (a product of experts: each rules out what it sees is wrong).
    pub fn probabilities(&self, ink: &Ink) -> candle_core::Result<Vec<f32>> {
        let raster = self.net.probabilities(&raster::features(ink, SIZE))?;
        let Some(seq) = self
            .glyphs
            .as_ref()
            .and_then(|g| glyph_log_likelihoods(g, ink))
        else {
            return Ok(raster);
        };
        Ok(combine(&raster, &seq, GLYPH_WEIGHT))
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

/// How much the glyph network's log-likelihoods count against the raster network's
/// log-probabilities (chosen on held-out writers: see `docs/ai.md`).
const GLYPH_WEIGHT: f32 = 1.0;

/// The product of experts: `raster` probabilities times the glyph network's likelihoods
/// (`seq`, in nats) to the power `weight`, renormalised.
fn combine(raster: &[f32], seq: &[f32], weight: f32) -> Vec<f32> {
    let scores: Vec<f32> = raster
        .iter()
        .zip(seq)
        .map(|(p, ll)| p.max(1e-12).ln() + weight * ll)
        .collect();
    softmax(&scores)
}

/// Normalised exponentials of `scores`.
fn softmax(scores: &[f32]) -> Vec<f32> {
    let top = scores.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let e: Vec<f32> = scores.iter().map(|s| (s - top).exp()).collect();
    let total: f32 = e.iter().sum();
    e.into_iter().map(|v| v / total).collect()
}

/// The glyph network's CTC log-likelihood of each class of [`ALPHABET`] as the whole reading of
/// `ink` (floored at -80 nats so that one impossible class cannot swamp the raster network).
pub fn glyph_log_likelihoods(net: &SeqNet, ink: &Ink) -> Option<Vec<f32>> {
    let lp = ctc::log_probs(net, ink)?;
    let symbols = net.config().symbols;
    ALPHABET
        .chars()
        .map(|c| Some(ctc::ctc(&lp, symbols, &[ctc::symbol(c)?], None).max(-80.0)))
        .collect()
}

/// `inkroom train chars`.
pub fn train_chars(data_dir: &Path, out: &Path, opts: &TrainOptions) -> anyhow::Result<()> {
    let started = Instant::now();
    let (train_s, val_s) =
        data::read_split(data_dir, &TRAINING_SETS, |s| class_of(&s.label).is_some())?;
    let to_ex = |s: &Sample| Example {
        ink: s.ink.clone(),
        class: class_of(&s.label).expect("filtered"),
        max_rotation: 0.15,
    };
    let train: Vec<Example> = train_s.iter().map(to_ex).collect();
    let val: Vec<Example> = val_s.iter().map(to_ex).collect();
    println!(
        "chars: {} training samples, {} held-out",
        train.len(),
        val.len()
    );
    let cfg = config();
    let (varmap, net) = train_classifier(&cfg, &train, &val, opts)?;
    let model = CharModel::from_net(net);
    let mut report = Report::default();
    for (name, acc) in evaluate(&model, &val_s) {
        report.accuracy.insert(name, acc);
    }
    report.counts.insert("train".into(), train.len());
    report.counts.insert("held_out".into(), val.len());
    report.seconds = started.elapsed().as_secs_f64();
    for (k, v) in &report.accuracy {
        println!("{k}: {:.2} %", v * 100.0);
    }
    let meta = ModelMeta::conv("chars", cfg, None, opts.command("chars"), report);
    save(out, &varmap, &meta)
}

/// `inkroom train glyphs`: the sequence network of [`glyph_config`] trained with CTC on the
/// same isolated characters as the raster model.
pub fn train_glyphs(data_dir: &Path, out: &Path, opts: &TrainOptions) -> anyhow::Result<()> {
    let started = Instant::now();
    let (train_s, val_s) =
        data::read_split(data_dir, &TRAINING_SETS, |s| class_of(&s.label).is_some())?;
    let cfg = glyph_config();
    let (varmap, net, trained) = fit_ctc("glyphs", &cfg, &train_s, opts)?;
    let mut report = Report::default();
    let read = |ink: &Ink| {
        ALPHABET
            .chars()
            .nth(argmax(&glyph_log_likelihoods(&net, ink)?))
    };
    for (name, acc) in evaluate_with(read, &val_s) {
        report.accuracy.insert(name, acc);
    }
    report.counts.insert("train".into(), trained);
    report.counts.insert("held_out".into(), val_s.len());
    report.seconds = started.elapsed().as_secs_f64();
    for (k, v) in &report.accuracy {
        println!("{k}: {:.2} %", v * 100.0);
    }
    let meta = ModelMeta::seq("glyphs", cfg, opts.command("glyphs"), report);
    save(out, &varmap, &meta)
}

/// Held-out accuracy by group: digits, upper, lower, and letters ignoring case where case cannot
/// be told from the shape.
pub fn evaluate(model: &CharModel, samples: &[Sample]) -> BTreeMap<String, f64> {
    evaluate_with(
        |ink| Some(model.top(ink, 1, Charset::Any).ok()?.first()?.label),
        samples,
    )
}

/// [`evaluate`] for any reader of a single character.
pub fn evaluate_with(
    read: impl Fn(&Ink) -> Option<char>,
    samples: &[Sample],
) -> BTreeMap<String, f64> {
    let mut tally: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for s in samples {
        let Some(truth) = s.label.chars().next() else {
            continue;
        };
        let Some(pred) = read(&s.ink) else {
            continue;
        };
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

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::{DType, Device};
    use candle_nn::{VarBuilder, VarMap};
    use inkroom_core::ink::InkPoint;

    fn letter_l() -> Ink {
        Ink::new(vec![
            (0..20)
                .map(|i| InkPoint::new(0.0, f64::from(i)))
                .chain((1..10).map(|i| InkPoint::new(f64::from(i), 19.0)))
                .collect(),
        ])
    }

    #[test]
    fn a_glyph_network_scores_every_class_and_the_product_is_a_distribution() {
        let vm = VarMap::new();
        let net = SeqNet::new(
            &glyph_config(),
            VarBuilder::from_varmap(&vm, DType::F32, &Device::Cpu),
        )
        .unwrap();
        let ll = glyph_log_likelihoods(&net, &letter_l()).unwrap();
        assert_eq!(ll.len(), ALPHABET.len());
        assert!(ll.iter().all(|v| v.is_finite() && *v <= 0.0 && *v >= -80.0));
        let mut raster = vec![0.1 / 61.0; ALPHABET.len()];
        raster[class_of("L").unwrap()] = 0.9;
        let p = combine(&raster, &ll, 1.0);
        assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-4);
        // With weight 0 the product is the raster network itself.
        let same = combine(&raster, &ll, 0.0);
        for (a, b) in same.iter().zip(&raster) {
            assert!((a - b).abs() < 1e-5);
        }
        // A glyph network sure of another class moves the answer.
        let mut sure = vec![-30.0; ALPHABET.len()];
        sure[class_of("l").unwrap()] = -0.01;
        let moved = combine(&raster, &sure, 1.0);
        assert_eq!(ALPHABET.chars().nth(argmax(&moved)), Some('l'));
    }
}
