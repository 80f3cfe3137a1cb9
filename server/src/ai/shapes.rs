//! Shape recognition: a raster CNN picks the class, the core crate's geometry fits the clean
//! shape.
//!
//! A prediction below [`DEFAULT_THRESHOLD`] confidence is reported as `none`: converting ink the
//! user meant as ink is worse than leaving a shape as ink (they can always convert by hand).
//!
//! The model is trained here too ([`train_shapes`], `inkroom train shapes`): real gestures plus
//! synthetic shapes ([`shape_examples`]), augmented within each class's rotation range.

use super::data::{self, Sample};
use super::meta::ModelMeta;
use super::model::{ConvConfig, ConvNet};
use super::synth;
use super::train::{Example, Report, TrainOptions, save, train_classifier};
use inkroom_core::ink::raster::{self, CHANNELS, SIZE};
use inkroom_core::ink::{Ink, InkError, Scored, ShapeClass, ShapeRecognition, fit};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

/// Datasets `inkroom train shapes` reads from the data directory.
pub const TRAINING_SETS: [&str; 4] = [
    "dollar1_unistroke",
    "mmg_multistroke",
    "unipen_1b_upper",
    "unipen_1c_lower",
];

/// Minimum confidence for converting ink into a shape.
pub const DEFAULT_THRESHOLD: f32 = 0.6;

/// The network architecture of the shipped shape model.
pub fn config() -> ConvConfig {
    ConvConfig {
        size: SIZE,
        in_channels: CHANNELS,
        widths: vec![24, 48, 96],
        hidden: 192,
        classes: ShapeClass::ALL.len(),
    }
}

/// The class a labelled dataset sample stands for, or `None` to leave it out of shape training.
///
/// $1 and MMG shapes map onto ours (`circle` → ellipse, `x` → cross, MMG's two-stroke
/// `arrowhead` → arrow); their other gestures are "none". From handwriting, letters and digits
/// are "none" except those that *are* drawn like a shape (O, 0, X, V, I, l, 1…), which would only
/// teach the model to contradict itself.
pub fn class_of_sample(s: &Sample) -> Option<ShapeClass> {
    if s.dataset.starts_with("unipen") {
        const LIKE_SHAPES: &str = "0OoQDXxVvIl1|7LCcUu";
        return (!s.label.chars().any(|c| LIKE_SHAPES.contains(c))).then_some(ShapeClass::None);
    }
    Some(class_of_label(&s.label))
}

/// Our class for a $1 / MMG gesture label (anything unknown is `none`).
pub fn class_of_label(label: &str) -> ShapeClass {
    match label {
        "rectangle" => ShapeClass::Rectangle,
        "circle" | "ellipse" => ShapeClass::Ellipse,
        "triangle" => ShapeClass::Triangle,
        "diamond" => ShapeClass::Diamond,
        "line" => ShapeClass::Line,
        "arrow" | "arrowhead" => ShapeClass::Arrow,
        "star" => ShapeClass::Star,
        "check" => ShapeClass::Check,
        "x" | "cross" => ShapeClass::Cross,
        _ => ShapeClass::None,
    }
}

/// The loaded shape model.
pub struct ShapeModel {
    net: ConvNet,
    threshold: f32,
}

impl ShapeModel {
    /// Wraps a trained network.
    pub fn from_net(net: ConvNet, threshold: f32) -> Self {
        Self { net, threshold }
    }

    /// Classifies `ink` and fits the clean shape.
    pub fn recognize(&self, ink: &Ink) -> Result<ShapeRecognition, InkError> {
        ink.validate()?;
        let probs = self
            .net
            .probabilities(&raster::features(ink, SIZE))
            .map_err(|_| InkError::Empty)?;
        Ok(self.decide(ink, &probs))
    }

    /// Turns class probabilities into the answer (threshold, alternatives, fit).
    pub fn decide(&self, ink: &Ink, probs: &[f32]) -> ShapeRecognition {
        let mut ranked: Vec<Scored<ShapeClass>> = ShapeClass::ALL
            .iter()
            .zip(probs)
            .map(|(&label, &confidence)| Scored { label, confidence })
            .collect();
        ranked.sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
        let best = ranked.remove(0);
        let (class, confidence) =
            if best.label != ShapeClass::None && best.confidence < self.threshold {
                let none = ShapeClass::ALL
                    .iter()
                    .position(|&c| c == ShapeClass::None)
                    .map_or(0.0, |i| probs[i]);
                (ShapeClass::None, none)
            } else {
                (best.label, best.confidence)
            };
        if class != best.label {
            ranked.insert(0, best);
            ranked.retain(|s| s.label != ShapeClass::None);
        }
        ranked.truncate(4);
        let shape = fit::fit(class, ink);
        ShapeRecognition {
            class: if shape.is_some() {
                class
            } else {
                ShapeClass::None
            },
            confidence,
            alternatives: ranked,
            shape,
        }
    }
}

/// Held-out figures of a shape model on labelled gesture samples.
#[derive(Debug, Clone, Default)]
pub struct ShapeEval {
    /// Accuracy on samples whose class is a shape.
    pub shape_accuracy: f64,
    /// Fraction of non-shape samples turned into a shape.
    pub none_converted: f64,
    /// Accuracy per true class.
    pub per_class: BTreeMap<String, f64>,
    /// (true, predicted) → count, for mistakes only.
    pub confusions: BTreeMap<(String, String), usize>,
    /// Samples evaluated.
    pub samples: usize,
}

impl ShapeEval {
    /// Human-readable summary.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "shape classes: {:.2} % correct; non-shapes converted: {:.2} % ({} samples)\n",
            self.shape_accuracy * 100.0,
            self.none_converted * 100.0,
            self.samples
        );
        for (c, a) in &self.per_class {
            s += &format!("  {c:<10} {:.2} %\n", a * 100.0);
        }
        let mut conf: Vec<_> = self.confusions.iter().collect();
        conf.sort_by(|a, b| b.1.cmp(a.1));
        for ((t, p), n) in conf.into_iter().take(8) {
            s += &format!("  confused {t} → {p}: {n}\n");
        }
        s
    }
}

/// Evaluates on labelled samples (labels mapped with [`class_of_sample`]).
pub fn evaluate(model: &ShapeModel, samples: &[Sample]) -> ShapeEval {
    tally(samples.iter().filter_map(|s| {
        let pred = model.recognize(&s.ink).ok()?.class;
        Some((s, pred))
    }))
}

/// The figures for (sample, predicted class) pairs; samples outside shape evaluation
/// ([`class_of_sample`] gives `None`) are skipped. Shared by the model's evaluation, the CLI
/// (which already has its predictions) and the $P baseline, so all report the same way.
pub fn tally<'a>(results: impl IntoIterator<Item = (&'a Sample, ShapeClass)>) -> ShapeEval {
    let mut per: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut ev = ShapeEval::default();
    let (mut shape_n, mut shape_ok, mut none_n, mut none_conv) = (0, 0, 0, 0);
    for (s, pred) in results {
        let Some(truth) = class_of_sample(s) else {
            continue;
        };
        ev.samples += 1;
        let e = per.entry(truth.name().to_string()).or_default();
        e.1 += 1;
        if pred == truth {
            e.0 += 1;
        } else {
            *ev.confusions
                .entry((
                    format!("{}/{}", truth.name(), s.label),
                    pred.name().to_string(),
                ))
                .or_default() += 1;
        }
        if truth == ShapeClass::None {
            none_n += 1;
            none_conv += usize::from(pred != ShapeClass::None);
        } else {
            shape_n += 1;
            shape_ok += usize::from(pred == truth);
        }
    }
    ev.shape_accuracy = shape_ok as f64 / shape_n.max(1) as f64;
    ev.none_converted = none_conv as f64 / none_n.max(1) as f64;
    ev.per_class = per
        .into_iter()
        .map(|(k, (ok, n))| (k, ok as f64 / n.max(1) as f64))
        .collect();
    ev
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

/// Labelled examples for the shape model from real data (class from [`class_of_label`])
/// plus `synthetic_per_class` generated examples per class.
pub fn shape_examples(samples: &[Sample], synthetic_per_class: usize, seed: u64) -> Vec<Example> {
    let mut out: Vec<Example> = samples
        .iter()
        .filter_map(|s| {
            let class = class_of_sample(s)?;
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

/// `inkroom train shapes`.
pub fn train_shapes(data_dir: &Path, out: &Path, opts: &TrainOptions) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut real = Vec::new();
    for name in TRAINING_SETS {
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
    let cfg = config();
    let (varmap, net) = train_classifier(&cfg, &train, &val, opts)?;
    let model = ShapeModel::from_net(net, DEFAULT_THRESHOLD);
    let mut report = Report::default();
    let eval_real = evaluate(&model, &val_real);
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
    let meta = ModelMeta::conv(
        "shapes",
        cfg,
        Some(DEFAULT_THRESHOLD),
        opts.command("shapes"),
        report,
    );
    save(out, &varmap, &meta)
}
