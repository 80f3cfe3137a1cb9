//! `inkroom train …` and `inkroom ai recognize …`.

use super::train::TrainOptions;
use super::{Models, chars, data, shapes, words};
use clap::{Args, Subcommand, ValueEnum};
use inkroom_core::ink::{Charset, Ink, ShapeClass, TextRecognition};
use serde_json::json;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

/// Which model to train.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TrainTask {
    /// Freehand → shapes (`shapes.safetensors`).
    Shapes,
    /// Isolated characters (`chars.safetensors`).
    Chars,
    /// Words and lines, CTC (`words.safetensors`, `lexicon.txt`).
    Words,
    /// Isolated characters as pen paths, CTC (`glyphs.safetensors`).
    Glyphs,
}

/// `inkroom train`.
#[derive(Debug, Args)]
pub struct TrainArgs {
    /// The model to train.
    #[arg(value_enum)]
    pub task: TrainTask,
    /// Directory of the pen-stroke datasets (`*.jsonl.gz`).
    #[arg(long, default_value = "../shared/data/strokes")]
    pub data: PathBuf,
    /// Where to write the weights and report.
    #[arg(long, default_value_os_t = super::default_models_dir())]
    pub out: PathBuf,
    /// Seed for the split-independent randomness (shuffling, synthesis, augmentation, init).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Passes over the training data (default depends on the task).
    #[arg(long)]
    pub epochs: Option<usize>,
    /// Samples per optimisation step.
    #[arg(long)]
    pub batch: Option<usize>,
    /// Peak learning rate.
    #[arg(long)]
    pub lr: Option<f64>,
    /// Words only: a word list (one per line) added to the lexicon, e.g. Debian's
    /// `/usr/share/dict/american-english` (package `wamerican`).
    #[arg(long)]
    pub dictionary: Option<PathBuf>,
}

/// The task of `inkroom ai recognize`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RecognizeTask {
    /// Shape recognition.
    Shapes,
    /// Handwriting recognition.
    Handwriting,
}

/// `--charset`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CharsetArg {
    /// Any character.
    Any,
    /// 0–9.
    Digits,
    /// A–Z, a–z.
    Letters,
    /// A–Z.
    Upper,
    /// a–z.
    Lower,
}

impl From<CharsetArg> for Charset {
    fn from(c: CharsetArg) -> Self {
        match c {
            CharsetArg::Any => Charset::Any,
            CharsetArg::Digits => Charset::Digits,
            CharsetArg::Letters => Charset::Letters,
            CharsetArg::Upper => Charset::Upper,
            CharsetArg::Lower => Charset::Lower,
        }
    }
}

/// `inkroom ai …`.
#[derive(Debug, Subcommand)]
pub enum AiCommand {
    /// Runs a recogniser over a JSON-lines file of samples and prints one JSON line per sample.
    Recognize(RecognizeArgs),
    /// Measures the $P point-cloud baseline on the same writer-held-out shape split.
    Baseline(BaselineArgs),
}

/// `inkroom ai baseline`.
#[derive(Debug, Args)]
pub struct BaselineArgs {
    /// Directory of the pen-stroke datasets.
    #[arg(long, default_value = "../shared/data/strokes")]
    pub data: PathBuf,
    /// Templates per gesture label, taken from the training writers.
    #[arg(long, default_value_t = 10)]
    pub templates: usize,
}

/// `inkroom ai recognize`.
#[derive(Debug, Args)]
pub struct RecognizeArgs {
    /// Which recogniser.
    #[arg(long, value_enum)]
    pub task: RecognizeTask,
    /// Samples in the `../shared/data/strokes` format (`.jsonl` or `.jsonl.gz`).
    pub file: PathBuf,
    /// Print accuracy, per-class figures, confusions and time per sample instead of one line
    /// per sample (needs labels).
    #[arg(long)]
    pub eval: bool,
    /// Keep only the writers of our own held-out split (those the shipped models never saw).
    #[arg(long)]
    pub held_out: bool,
    /// Handwriting only: restrict readings to these characters.
    #[arg(long, value_enum, default_value_t = CharsetArg::Any)]
    pub charset: CharsetArg,
    /// Directory of the model files.
    #[arg(long, env = "INKROOM_MODELS", default_value_os_t = super::default_models_dir())]
    pub models: PathBuf,
}

/// Runs `inkroom train`.
pub fn train(args: &TrainArgs) -> anyhow::Result<()> {
    let (epochs, batch, lr) = match args.task {
        TrainTask::Shapes => (12, 64, 2e-3),
        TrainTask::Chars => (6, 128, 2e-3),
        TrainTask::Words => (8, 32, 2e-3),
        TrainTask::Glyphs => (12, 64, 2e-3),
    };
    let opts = TrainOptions {
        epochs: args.epochs.unwrap_or(epochs),
        batch: args.batch.unwrap_or(batch),
        lr: args.lr.unwrap_or(lr),
        seed: args.seed,
    };
    match args.task {
        TrainTask::Shapes => shapes::train_shapes(&args.data, &args.out, &opts),
        TrainTask::Chars => chars::train_chars(&args.data, &args.out, &opts),
        TrainTask::Words | TrainTask::Glyphs => {
            // candle sorts the autograd graph recursively, and a recurrent layer unrolled over a
            // long word makes that graph thousands of ops deep: more than the main thread's
            // 8 MiB of stack. The thread's stack is only reserved, not used, until needed.
            std::thread::scope(|scope| {
                std::thread::Builder::new()
                    .name("train-sequence".into())
                    .stack_size(1 << 30)
                    .spawn_scoped(scope, || match args.task {
                        TrainTask::Glyphs => chars::train_glyphs(&args.data, &args.out, &opts),
                        _ => words::train_words(
                            &args.data,
                            &args.out,
                            &opts,
                            args.dictionary.as_deref(),
                        ),
                    })?
                    .join()
                    .map_err(|_| anyhow::anyhow!("sequence training panicked"))?
            })
        }
    }
}

/// Handwriting with unknown orientation: read both ways, keep the more confident reading.
fn read_text(
    models: &Models,
    ink: &Ink,
    unknown: bool,
    charset: Charset,
) -> Option<TextRecognition> {
    let a = models.recognize_text(ink, charset).ok();
    if !unknown {
        return a;
    }
    let mut flipped = ink.clone();
    flipped.flip_y();
    let b = models.recognize_text(&flipped, charset).ok();
    match (a, b) {
        (Some(a), Some(b)) => Some(if b.confidence > a.confidence { b } else { a }),
        (a, b) => a.or(b),
    }
}

/// Runs `inkroom ai recognize`.
pub fn recognize(args: &RecognizeArgs) -> anyhow::Result<()> {
    let load = Instant::now();
    let (models, errors) = Models::load(&args.models);
    let load_ms = load.elapsed().as_secs_f64() * 1e3;
    let needed = match args.task {
        RecognizeTask::Shapes => models.shapes.is_some(),
        RecognizeTask::Handwriting => models.chars.is_some() || models.words.is_some(),
    };
    if !needed {
        for e in errors {
            eprintln!("error: {e:#}");
        }
        anyhow::bail!("no model for this task in {}", args.models.display());
    }
    let mut samples = data::read_file(&args.file)?;
    if args.held_out {
        samples.retain(|s| data::is_held_out(&s.dataset, &s.writer));
    }
    let mut out = std::io::stdout().lock();
    let mut times = Vec::with_capacity(samples.len());
    let mut shape_rows = Vec::new();
    // Per group: (right, right ignoring case, read).
    let mut text_right: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    let mut confusions: BTreeMap<(String, String), usize> = BTreeMap::new();
    for s in &samples {
        let t = Instant::now();
        let line = match args.task {
            RecognizeTask::Shapes => match models.recognize_shape(&s.ink) {
                Ok(r) => {
                    times.push(t.elapsed().as_secs_f64());
                    shape_rows.push((s, r.class));
                    json!({"label": s.label, "writer": s.writer, "prediction": r.class, "confidence": r.confidence, "alternatives": r.alternatives, "shape": r.shape})
                }
                Err(e) => json!({"label": s.label, "error": e.to_string()}),
            },
            RecognizeTask::Handwriting => {
                match read_text(&models, &s.ink, s.orientation_unknown, args.charset.into()) {
                    Some(r) => {
                        times.push(t.elapsed().as_secs_f64());
                        let group = text_group(&s.label);
                        let e = text_right.entry(group.to_string()).or_default();
                        e.2 += 1;
                        if r.text.eq_ignore_ascii_case(&s.label) {
                            e.1 += 1;
                        }
                        if r.text == s.label {
                            e.0 += 1;
                        } else if group != "words" {
                            *confusions
                                .entry((s.label.clone(), r.text.clone()))
                                .or_default() += 1;
                        }
                        json!({"label": s.label, "writer": s.writer, "prediction": r.text, "confidence": r.confidence, "alternatives": r.alternatives, "unconstrained": r.unconstrained})
                    }
                    None => json!({"label": s.label, "error": "could not read this ink"}),
                }
            }
        };
        if !args.eval {
            writeln!(out, "{line}")?;
        }
    }
    if !args.eval {
        return Ok(());
    }
    let n = times.len().max(1) as f64;
    let mean_ms = times.iter().sum::<f64>() / n * 1e3;
    times.sort_by(f64::total_cmp);
    let p95_ms = times
        .get((times.len() * 95 / 100).min(times.len().saturating_sub(1)))
        .copied()
        .unwrap_or(0.0)
        * 1e3;
    // `out`, not `println!`: piping the report into `head` must end quietly, not panic.
    match args.task {
        RecognizeTask::Shapes => {
            write!(out, "{}", shapes::tally(shape_rows).summary())?;
            let classes: Vec<&str> = ShapeClass::ALL.iter().map(|c| c.name()).collect();
            writeln!(out, "classes: {}", classes.join(", "))?;
        }
        RecognizeTask::Handwriting => {
            let pc = |k: usize, n: usize| k as f64 / n.max(1) as f64 * 100.0;
            for (g, &(ok, ok_case, n)) in &text_right {
                // Case is reported apart because isolated "C" and "c" are often the same ink.
                writeln!(
                    out,
                    "{g}: {:.2} % of {n} ({:.2} % ignoring case)",
                    pc(ok, n),
                    pc(ok_case, n)
                )?;
            }
            let mut conf: Vec<_> = confusions.into_iter().collect();
            conf.sort_by_key(|c| std::cmp::Reverse(c.1));
            for ((t, p), c) in conf.into_iter().take(10) {
                writeln!(out, "  confused {t} → {p}: {c}")?;
            }
        }
    }
    writeln!(
        out,
        "{} samples; {mean_ms:.2} ms mean, {p95_ms:.2} ms p95 per sample; models loaded in {load_ms:.0} ms",
        samples.len()
    )?;
    Ok(())
}

/// Runs `inkroom ai baseline`.
pub fn baseline(args: &BaselineArgs) -> anyhow::Result<()> {
    for name in ["dollar1_unistroke", "mmg_multistroke"] {
        let (train, held) = data::split_by_writer(data::read_dataset(&args.data, name)?);
        let rec = super::baseline::PointCloudRecognizer::train(&train, args.templates);
        let t = Instant::now();
        let ev = super::baseline::evaluate_shapes(&rec, &held);
        let ms = t.elapsed().as_secs_f64() * 1e3 / held.len().max(1) as f64;
        println!(
            "$P on {name} (held-out writers, {} templates per label), {ms:.2} ms per sample (all cores):",
            args.templates
        );
        print!("{}", ev.summary());
    }
    Ok(())
}

fn text_group(label: &str) -> &'static str {
    let mut it = label.chars();
    match (it.next(), it.next()) {
        (Some(c), None) if c.is_ascii_digit() => "digits",
        (Some(c), None) if c.is_ascii_uppercase() => "upper",
        (Some(_), None) => "lower",
        _ => "words",
    }
}
