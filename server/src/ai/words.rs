//! Word and line recognition: a temporal convolutional network over the pen trajectory with a
//! CTC (connectionist temporal classification) output, best-path decoding for the unconstrained
//! reading, and exact CTC scoring of lexicon words for the constrained one; and its training
//! (`inkroom train words`).
//!
//! CTC itself (the likelihood, decoding, the training loop) is in [`super::ctc`], shared with the
//! glyph network; the lexicon and its search are in [`super::lexicon`]. Choosing between this
//! model and the character model for a given ink is [`super::handwriting`]'s job.

use super::ctc::{CHARSET, best_path, ctc, decode, encode, fit_ctc, log_probs};
use super::data::{self, Sample};
use super::lexicon::{DICTIONARY_COST, Lexicon, write_lexicon};
use super::meta::ModelMeta;
use super::model::{SeqConfig, SeqNet};
use super::train::{Report, TrainOptions, save};
use anyhow::Context;
use inkroom_core::ink::sequence::FEATURES;
use inkroom_core::ink::{Charset, Ink, Scored, TextRecognition};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

/// The shipped architecture.
pub fn config() -> SeqConfig {
    SeqConfig {
        in_features: FEATURES,
        width: 128,
        blocks: 3,
        kernel: 5,
        symbols: CHARSET.chars().count() + 1,
        // About 120 input points (several letters) of context on each side of a frame.
        late_dilations: vec![1, 2, 4, 8],
        norm: true,
        // The whole word in view: the first epoch's CTC loss fell to 10.6 with it against 13.4
        // without (both with layer normalisation), at little extra time per epoch.
        recurrent: 128,
    }
}

/// The loaded word model and its lexicon.
pub struct WordModel {
    net: SeqNet,
    lexicon: Lexicon,
}

impl WordModel {
    /// Wraps a trained network and its lexicon.
    pub fn new(net: SeqNet, lexicon: Vec<(String, f32)>) -> Self {
        Self {
            net,
            lexicon: Lexicon::new(lexicon),
        }
    }

    /// Per-frame log-probabilities (`frames × symbols`, flattened).
    fn log_probs(&self, ink: &Ink) -> Option<Vec<f32>> {
        log_probs(&self.net, ink)
    }

    /// Reads `ink`: the unconstrained best path, and the lexicon words ranked by their CTC
    /// likelihood (top `k`, with confidences normalised among them). Symbols outside `charset`
    /// are ruled out before decoding.
    pub fn read(&self, ink: &Ink, k: usize, charset: Charset) -> Option<WordReading> {
        Some(self.rank(self.decode(ink, charset)?, k))
    }

    /// The network's output for `ink` and its best path: cheap next to lexicon scoring, and
    /// enough to tell a lone character (which the character model reads better) from a word.
    pub(super) fn decode(&self, ink: &Ink, charset: Charset) -> Option<Decoded> {
        let mut lp = self.log_probs(ink)?;
        let symbols = self.net.config().symbols;
        if charset != Charset::Any {
            for (i, c) in CHARSET.chars().enumerate() {
                if !charset.allows(c) {
                    lp.iter_mut()
                        .skip(i + 1)
                        .step_by(symbols)
                        .for_each(|v| *v = f32::NEG_INFINITY);
                }
            }
        }
        let (path, path_score) = best_path(&lp, symbols);
        Some(Decoded {
            lp,
            path,
            path_score,
        })
    }

    /// Scores the lexicon against a decoded output (symbols outside the charset were ruled out
    /// in decoding, so words using them have no likelihood and are never found).
    fn rank(&self, d: Decoded, k: usize) -> WordReading {
        let symbols = self.net.config().symbols;
        let (lp, path) = (&d.lp, &d.path);
        let path_ll = ctc(lp, symbols, path, None);
        let scored = self.lexicon.search(lp, symbols, k);
        let top = scored.first().map_or(f32::NEG_INFINITY, |s| s.0);
        let total: f32 = scored.iter().map(|s| (s.0 - top).exp()).sum();
        let lexicon = scored
            .iter()
            .map(|(s, w)| Scored {
                label: w.clone(),
                confidence: (s - top).exp() / total,
            })
            .collect();
        WordReading {
            unconstrained: decode(path),
            path_confidence: d.path_score.exp(),
            path_log_likelihood: path_ll,
            lexicon,
            lexicon_log_likelihood: top,
        }
    }

    /// The text of a decoded output: the best lexicon word, unless no word fits or the reading
    /// as written is more than [`LEXICON_MARGIN`] nats likelier; lexicon words are the
    /// alternatives.
    pub(super) fn text(&self, d: Decoded) -> TextRecognition {
        let r = self.rank(d, 5);
        let use_lexicon = !r.lexicon.is_empty()
            && r.lexicon_log_likelihood >= r.path_log_likelihood - LEXICON_MARGIN;
        let (text, confidence, alternatives) = if use_lexicon {
            let mut l = r.lexicon.clone();
            let best = l.remove(0);
            // Scale the lexicon's relative confidence by how sure the network is of its frames.
            (best.label, best.confidence * r.path_confidence, l)
        } else {
            (
                r.unconstrained.clone(),
                r.path_confidence,
                r.lexicon.clone(),
            )
        };
        TextRecognition {
            text,
            confidence,
            alternatives,
            unconstrained: r.unconstrained,
        }
    }
}

/// The word network's output for one ink sample, before the lexicon ([`WordModel::decode`]).
pub(super) struct Decoded {
    /// Per-frame log-probabilities (`frames × symbols`).
    lp: Vec<f32>,
    /// The best path's symbols.
    pub(super) path: Vec<usize>,
    /// Mean per-frame log-probability of the best path.
    pub(super) path_score: f32,
}

/// What the word model read.
#[derive(Debug, Clone)]
pub struct WordReading {
    /// Best-path text.
    pub unconstrained: String,
    /// Geometric mean of the best path's per-frame probabilities.
    pub path_confidence: f32,
    /// CTC log-likelihood of the best-path text.
    pub path_log_likelihood: f32,
    /// Lexicon words, best first, confidences normalised among them.
    pub lexicon: Vec<Scored<String>>,
    /// CTC log-likelihood of the best lexicon word.
    pub lexicon_log_likelihood: f32,
}

/// How much less likely (in nats) the best lexicon word may be than the unconstrained reading
/// and still win: the lexicon corrects small slips, but a word clearly outside it is kept.
const LEXICON_MARGIN: f32 = 10.0;

/// Datasets `inkroom train words` reads.
pub const TRAINING_SETS: [&str; 1] = ["unipen_6_words"];

/// `inkroom train words`: trains the CTC word model and writes it with its lexicon (the
/// training writers' vocabulary).
///
/// `dictionary` (a word per line, such as Debian's `/usr/share/dict/american-english`) joins the
/// lexicon: the training writers' vocabulary alone misses about one held-out word in six.
/// Possessives (`…'s`) are left out: they would double the list for little gain.
pub fn train_words(
    data_dir: &Path,
    out: &Path,
    opts: &TrainOptions,
    dictionary: Option<&Path>,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let (train_s, val_s) = data::read_split(data_dir, &TRAINING_SETS, |_| true)?;
    // Words the training writers wrote cost nothing; words only the dictionary gives cost
    // DICTIONARY_COST (a BTreeMap: the written list is sorted and reproducible).
    let mut lexicon: BTreeMap<String, f32> =
        train_s.iter().map(|s| (s.label.clone(), 0.0)).collect();
    if let Some(path) = dictionary {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        for w in text.lines().map(str::trim) {
            if !w.is_empty() && !w.ends_with("'s") && encode(w).is_some() {
                lexicon.entry(w.to_string()).or_insert(DICTIONARY_COST);
            }
        }
    }
    println!(
        "words: {} held-out samples, lexicon {} words",
        val_s.len(),
        lexicon.len()
    );
    let cfg = config();
    let (varmap, net, trained) = fit_ctc("words", &cfg, &train_s, opts)?;
    let model = WordModel::new(net, lexicon.clone().into_iter().collect());
    let mut report = Report::default();
    for (k, v) in evaluate(&model, &val_s, 2000) {
        report.accuracy.insert(k, v);
    }
    // The same figures on training writers' words tell under- from over-fitting.
    for (k, v) in evaluate(&model, &train_s, 1000) {
        report.accuracy.insert(format!("training_writers_{k}"), v);
    }
    report.counts.insert("train".into(), trained);
    report
        .counts
        .insert("held_out".into(), val_s.len().min(2000));
    report.counts.insert("lexicon".into(), lexicon.len());
    report.seconds = started.elapsed().as_secs_f64();
    for (k, v) in &report.accuracy {
        println!("{k}: {:.2} %", v * 100.0);
    }
    write_lexicon(out, &lexicon)?;
    let mut command = opts.command("words");
    if let Some(d) = dictionary {
        command.push_str(&format!(" --dictionary {}", d.display()));
    }
    save(out, &varmap, &ModelMeta::seq("words", cfg, command, report))
}

/// Held-out word accuracy (first `limit` samples): with the lexicon, unconstrained, and how
/// many of the words are in the lexicon at all (the ceiling of the lexicon reading).
pub fn evaluate(model: &WordModel, samples: &[Sample], limit: usize) -> BTreeMap<String, f64> {
    let results: Vec<(bool, bool, bool)> = samples
        .par_iter()
        .take(limit)
        .filter_map(|s| {
            let r = model.text(model.decode(&s.ink, Charset::Any)?);
            Some((
                r.text == s.label,
                r.unconstrained == s.label,
                model.lexicon.contains(&s.label),
            ))
        })
        .collect();
    let n = results.len().max(1) as f64;
    let count =
        |f: fn(&(bool, bool, bool)) -> bool| results.iter().filter(|r| f(r)).count() as f64 / n;
    BTreeMap::from([
        ("words_with_lexicon".to_string(), count(|r| r.0)),
        ("words_unconstrained".to_string(), count(|r| r.1)),
        ("words_in_lexicon".to_string(), count(|r| r.2)),
    ])
}
