//! `inkroom train`: builds the training sets, trains a model with candle, measures it on the
//! held-out writers and writes the weights and a report next to them.
//!
//! Everything is seeded: the split is a hash of the writer, synthetic data and augmentation come
//! from a seeded generator whose per-sample streams are derived from (seed, epoch, sample), so a
//! run gives the same weights whatever the thread scheduling.

use super::data::{self, Sample};
use super::model::{ConvConfig, ConvNet};
use super::synth;
use super::{ModelMeta, chars, shapes};
use anyhow::Context;
use candle_core::{DType, Device, Tensor};
use candle_nn::{AdamW, Optimizer, ParamsAdamW, VarBuilder, VarMap};
use indicatif::{ProgressBar, ProgressStyle};
use inkroom_core::ink::raster::{self, CHANNELS, SIZE};
use inkroom_core::ink::{Ink, ShapeClass};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

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

/// How far each shape class may be rotated in augmentation: fully for shapes that are the same
/// shape at any angle, a little for those whose identity depends on being upright (a diamond
/// is a square at 45°; a cross at 45° is a plus; an upside-down check is not a check).
fn shape_rotation(class: ShapeClass) -> f64 {
    use std::f64::consts::PI;
    match class {
        ShapeClass::Ellipse | ShapeClass::Line | ShapeClass::Arrow | ShapeClass::Star => PI,
        ShapeClass::Triangle => PI,
        ShapeClass::Rectangle | ShapeClass::Diamond => 0.3,
        ShapeClass::Check => 0.5,
        ShapeClass::Cross | ShapeClass::None => 0.3,
    }
}

/// Labelled examples for the shape model from real data (class from [`shapes::class_of_label`])
/// plus `synthetic_per_class` generated examples per class.
pub fn shape_examples(samples: &[Sample], synthetic_per_class: usize, seed: u64) -> Vec<Example> {
    let mut out: Vec<Example> = samples
        .iter()
        .filter_map(|s| {
            let class = shapes::class_of_sample(s)?;
            Some(Example {
                ink: s.ink.clone(),
                class: class as usize,
                max_rotation: shape_rotation(class),
            })
        })
        .collect();
    let mut rng = StdRng::seed_from_u64(seed);
    for (ci, class) in ShapeClass::ALL.into_iter().enumerate() {
        let n = if class == ShapeClass::None {
            synthetic_per_class * 2
        } else {
            synthetic_per_class
        };
        for _ in 0..n {
            let ink = synth::shape(class, &mut rng);
            out.push(Example {
                ink,
                class: ci,
                max_rotation: shape_rotation(class),
            });
        }
    }
    out
}

/// Result figures of a training run, written next to the weights.
#[derive(Debug, serde::Serialize, serde::Deserialize, Clone, Default)]
pub struct Report {
    /// Accuracy per named held-out set.
    pub accuracy: BTreeMap<String, f64>,
    /// Per-class accuracy on the main held-out set.
    pub per_class: BTreeMap<String, f64>,
    /// Sample counts used.
    pub counts: BTreeMap<String, usize>,
    /// Wall-clock seconds the run took.
    pub seconds: f64,
}

/// `inkroom train shapes`.
pub fn train_shapes(data_dir: &Path, out: &Path, opts: &TrainOptions) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut real = Vec::new();
    for name in shapes::TRAINING_SETS {
        let mut s = data::read_dataset(data_dir, name)?;
        if name.starts_with("unipen") {
            // Letters and digits are "none" examples; a subsample is plenty.
            s.retain(|x| !x.orientation_unknown);
            let mut rng = StdRng::seed_from_u64(opts.seed);
            s.shuffle(&mut rng);
            s.truncate(2500);
        }
        real.extend(s);
    }
    let (train_real, val_real) = data::split_by_writer(real);
    let train = shape_examples(&train_real, 700, opts.seed);
    let val = shape_examples(&val_real, 0, opts.seed);
    // A synthetic test set from another seed: shapes the generator never produced in training.
    let synth_test = shape_examples(&[], 200, opts.seed.wrapping_add(1_000_003));
    println!(
        "shapes: {} training examples ({} real), {} held-out real, {} synthetic test",
        train.len(),
        train_real.len(),
        val.len(),
        synth_test.len()
    );
    let cfg = shapes::config();
    let (varmap, net) = train_classifier(&cfg, &train, &val, opts)?;
    let model = shapes::ShapeModel::from_net(net, shapes::DEFAULT_THRESHOLD);
    let mut report = Report::default();
    let eval_real = shapes::evaluate(&model, &val_real);
    report
        .accuracy
        .insert("held_out_shape_classes".into(), eval_real.shape_accuracy);
    report
        .accuracy
        .insert("held_out_none_kept".into(), 1.0 - eval_real.none_converted);
    let synth_inks: Vec<(Ink, ShapeClass)> = synth_test
        .iter()
        .map(|e| (e.ink.clone(), ShapeClass::ALL[e.class]))
        .collect();
    let synth_acc = synth_inks
        .iter()
        .filter(|(ink, c)| model.recognize(ink).map(|r| r.class) == Ok(*c))
        .count() as f64
        / synth_inks.len() as f64;
    report.accuracy.insert("synthetic_test".into(), synth_acc);
    report.per_class = eval_real.per_class.clone();
    report.counts.insert("train".into(), train.len());
    report.counts.insert("held_out".into(), val.len());
    report
        .counts
        .insert("synthetic_test".into(), synth_inks.len());
    report.seconds = started.elapsed().as_secs_f64();
    println!("{}", eval_real.summary());
    println!("synthetic test accuracy: {:.2} %", synth_acc * 100.0);
    save(
        out,
        "shapes",
        &varmap,
        &ModelMeta::shapes(cfg, shapes::DEFAULT_THRESHOLD, opts, report),
    )
}

/// `inkroom train chars`.
pub fn train_chars(data_dir: &Path, out: &Path, opts: &TrainOptions) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut real = Vec::new();
    for name in chars::TRAINING_SETS {
        let mut s = data::read_dataset(data_dir, name)?;
        s.retain(|x| !x.orientation_unknown && chars::class_of(&x.label).is_some());
        real.extend(s);
    }
    let (train_s, val_s) = data::split_by_writer(real);
    let to_ex = |s: &Sample| Example {
        ink: s.ink.clone(),
        class: chars::class_of(&s.label).expect("filtered"),
        max_rotation: 0.15,
    };
    let train: Vec<Example> = train_s.iter().map(to_ex).collect();
    let val: Vec<Example> = val_s.iter().map(to_ex).collect();
    println!(
        "chars: {} training samples, {} held-out",
        train.len(),
        val.len()
    );
    let cfg = chars::config();
    let (varmap, net) = train_classifier(&cfg, &train, &val, opts)?;
    let model = chars::CharModel::from_net(net);
    let mut report = Report::default();
    for (name, acc) in chars::evaluate(&model, &val_s) {
        report.accuracy.insert(name, acc);
    }
    report.counts.insert("train".into(), train.len());
    report.counts.insert("held_out".into(), val.len());
    report.seconds = started.elapsed().as_secs_f64();
    for (k, v) in &report.accuracy {
        println!("{k}: {:.2} %", v * 100.0);
    }
    save(out, "chars", &varmap, &ModelMeta::chars(cfg, opts, report))
}

/// Writes `<name>.safetensors` and `<name>.json` into `dir`.
pub fn save(dir: &Path, name: &str, varmap: &VarMap, meta: &ModelMeta) -> anyhow::Result<()> {
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
