//! The training toolkit every model's training shares: optimiser, learning-rate schedule,
//! progress output, the epoch driver of the raster classifiers, batching, and writing the
//! weights with their metadata.
//!
//! Each model's own training (`inkroom train shapes`, `chars`, `glyphs`, `words`) lives beside
//! the model, in `shapes.rs`, `chars.rs` and `words.rs` (the CTC loop in `ctc.rs`), and this
//! module imports none of them: it used to hold shape and character training too, which made it
//! and the models it trained import each other.
//!
//! Everything is seeded: the split is a hash of the writer, synthetic data and augmentation come
//! from a seeded generator whose per-sample streams are derived from (seed, epoch, sample), so a
//! run gives the same weights whatever the thread scheduling.

use super::meta::ModelMeta;
use super::model::{ConvConfig, ConvNet};
use super::synth;
use anyhow::Context;
use candle_core::{DType, Device, Tensor};
use candle_nn::{AdamW, Optimizer, ParamsAdamW, VarBuilder, VarMap};
use indicatif::{ProgressBar, ProgressStyle};
use inkroom_core::ink::Ink;
use inkroom_core::ink::raster::{self, CHANNELS, SIZE};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rayon::prelude::*;
use std::path::Path;

/// Stored in each model's metadata; re-exported so that training code finds all it needs here.
pub use super::meta::Report;

/// A progress line: above the bar on a terminal, plain on stdout otherwise (indicatif hides the
/// bar, and with it `println`, when stderr is not a terminal).
pub fn say(bar: &ProgressBar, line: String) {
    if bar.is_hidden() {
        println!("{line}");
    } else {
        bar.println(line);
    }
}

/// The optimiser every model trains with: AdamW with light weight decay.
pub fn optimizer(varmap: &VarMap, lr: f64) -> anyhow::Result<AdamW> {
    Ok(AdamW::new(
        varmap.all_vars(),
        ParamsAdamW {
            lr,
            weight_decay: 1e-4,
            ..Default::default()
        },
    )?)
}

/// A progress bar over `total` optimisation steps.
pub fn progress(total: u64) -> ProgressBar {
    ProgressBar::new(total).with_style(
        ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {pos}/{len} steps {msg}")
            .expect("valid template")
            .progress_chars("=> "),
    )
}

/// The learning rate at `step` of `total`: cosine decay from the peak to 5 % of it.
pub fn cosine_lr(peak: f64, step: usize, total: u64) -> f64 {
    let progress = (step as f64 / total.max(1) as f64).min(1.0);
    peak * (0.05 + 0.95 * 0.5 * (1.0 + (std::f64::consts::PI * progress).cos()))
}

/// Hyper-parameters of a classifier run.
#[derive(Clone, Debug)]
pub struct TrainOptions {
    /// Passes over the training set.
    pub epochs: usize,
    /// Samples per step.
    pub batch: usize,
    /// Peak learning rate (cosine decay to 5 % of it).
    pub lr: f64,
    /// Seed for everything random.
    pub seed: u64,
}

impl TrainOptions {
    /// The command line that reproduces a run of `inkroom train <name>` with these options, as
    /// recorded in the model's metadata.
    pub fn command(&self, name: &str) -> String {
        format!(
            "inkroom train {name} --data ../shared/data/strokes --seed {} --epochs {} --batch {} --lr {}",
            self.seed, self.epochs, self.batch, self.lr
        )
    }
}

/// A training example for a raster classifier.
#[derive(Clone, Debug)]
pub struct Example {
    /// The ink.
    pub ink: Ink,
    /// Target class index.
    pub class: usize,
    /// How far augmentation may rotate it (radians).
    pub max_rotation: f64,
}

/// Per-sample random stream, independent of thread scheduling.
fn sample_rng(seed: u64, epoch: usize, i: usize) -> StdRng {
    StdRng::seed_from_u64(
        seed ^ (epoch as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
            ^ (i as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F),
    )
}

/// Rasterises inks in parallel into one `[n, SIZE, SIZE, CHANNELS]` tensor.
pub fn raster_batch(inks: &[&Ink]) -> anyhow::Result<Tensor> {
    let feats: Vec<Vec<f32>> = inks
        .par_iter()
        .map(|ink| raster::features(ink, SIZE))
        .collect();
    let flat: Vec<f32> = feats.into_iter().flatten().collect();
    Ok(Tensor::from_vec(
        flat,
        (inks.len(), SIZE, SIZE, CHANNELS),
        &Device::Cpu,
    )?)
}

/// Class probabilities for many inks at once (rows in input order).
pub fn predict(net: &ConvNet, inks: &[&Ink]) -> anyhow::Result<Vec<Vec<f32>>> {
    let mut out = Vec::with_capacity(inks.len());
    for chunk in inks.chunks(256) {
        let x = raster_batch(chunk)?;
        let p = candle_nn::ops::softmax(&net.forward(&x, false)?, candle_core::D::Minus1)?;
        out.extend(p.to_vec2::<f32>()?);
    }
    Ok(out)
}

/// Trains a raster classifier and returns its variables and network.
pub fn train_classifier(
    cfg: &ConvConfig,
    train: &[Example],
    val: &[Example],
    opts: &TrainOptions,
) -> anyhow::Result<(VarMap, ConvNet)> {
    let varmap = VarMap::new();
    let vb = VarBuilder::from_varmap(&varmap, DType::F32, &Device::Cpu);
    let net = ConvNet::new(cfg, vb)?;
    let mut opt = optimizer(&varmap, opts.lr)?;
    let steps_per_epoch = train.len().div_ceil(opts.batch);
    let total = (steps_per_epoch * opts.epochs) as u64;
    let bar = progress(total);
    let mut order: Vec<usize> = (0..train.len()).collect();
    let mut shuffle_rng = StdRng::seed_from_u64(opts.seed);
    let mut step = 0usize;
    for epoch in 0..opts.epochs {
        order.shuffle(&mut shuffle_rng);
        let mut loss_sum = 0.0;
        for (b, idx) in order.chunks(opts.batch).enumerate() {
            let inks: Vec<Ink> = idx
                .par_iter()
                .map(|&i| {
                    let ex = &train[i];
                    synth::augment(
                        &ex.ink,
                        ex.max_rotation,
                        &mut sample_rng(opts.seed, epoch, i),
                    )
                })
                .collect();
            let refs: Vec<&Ink> = inks.iter().collect();
            let x = raster_batch(&refs)?;
            let y = Tensor::from_vec(
                idx.iter()
                    .map(|&i| train[i].class as u32)
                    .collect::<Vec<_>>(),
                idx.len(),
                &Device::Cpu,
            )?;
            opt.set_learning_rate(cosine_lr(opts.lr, step, total));
            let loss = candle_nn::loss::cross_entropy(&net.forward(&x, true)?, &y)?;
            opt.backward_step(&loss)?;
            loss_sum += loss.to_scalar::<f32>()? as f64;
            step += 1;
            bar.inc(1);
            if b.is_multiple_of(20) {
                bar.set_message(format!(
                    "epoch {} loss {:.3}",
                    epoch + 1,
                    loss_sum / (b + 1) as f64
                ));
            }
        }
        let acc = accuracy(&net, val)?;
        say(
            &bar,
            format!(
                "epoch {}/{}: loss {:.4}, held-out accuracy {:.2} %",
                epoch + 1,
                opts.epochs,
                loss_sum / steps_per_epoch as f64,
                acc * 100.0
            ),
        );
    }
    bar.finish_and_clear();
    Ok((varmap, net))
}

fn accuracy(net: &ConvNet, val: &[Example]) -> anyhow::Result<f64> {
    if val.is_empty() {
        return Ok(0.0);
    }
    let inks: Vec<&Ink> = val.iter().map(|e| &e.ink).collect();
    let probs = predict(net, &inks)?;
    let right = probs
        .iter()
        .zip(val)
        .filter(|(p, e)| argmax(p) == e.class)
        .count();
    Ok(right as f64 / val.len() as f64)
}

/// Index of the largest value.
pub fn argmax(v: &[f32]) -> usize {
    v.iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map(|(i, _)| i)
        .unwrap_or(0)
}

/// Writes `<name>.safetensors` and `<name>.json` into `dir`, `name` being the model's
/// ([`ModelMeta::name`]).
pub fn save(dir: &Path, varmap: &VarMap, meta: &ModelMeta) -> anyhow::Result<()> {
    let name = &meta.name;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let weights = dir.join(format!("{name}.safetensors"));
    varmap.save(&weights)?;
    std::fs::write(
        dir.join(format!("{name}.json")),
        serde_json::to_string_pretty(meta)? + "\n",
    )?;
    let size = std::fs::metadata(&weights)?.len();
    println!(
        "wrote {} ({:.1} KiB)",
        weights.display(),
        size as f64 / 1024.0
    );
    Ok(())
}
