//! Word and line recognition: a temporal convolutional network over the pen trajectory with a
//! CTC (connectionist temporal classification) output, best-path decoding for the unconstrained
//! reading, and exact CTC scoring of lexicon words for the constrained one.
//!
//! Training uses the CTC loss through a surrogate: the forward–backward pass runs in plain Rust
//! on the network's log-probabilities, giving each frame's posterior symbol occupancy γ; the
//! loss `-Σ γ·log p` (γ held constant) has exactly the CTC gradient with respect to the
//! log-probabilities, and candle back-propagates it through the network. That keeps the
//! dynamic-programming loop out of the autograd graph, where it would cost thousands of tiny
//! tensor ops per batch.

use super::chars::CharModel;
use super::data::{self, Sample};
use super::model::{SeqConfig, SeqNet};
use super::train::{Report, TrainOptions, cosine_lr, optimizer, progress, save, say};
use super::{ModelMeta, RecognizeError};
use anyhow::Context;
use candle_core::{DType, Device, Tensor};
use candle_nn::{Optimizer, VarBuilder, VarMap};
use inkroom_core::ink::sequence::{self, FEATURES};
use inkroom_core::ink::{Charset, Ink, Scored, TextRecognition};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

/// Symbols the word model writes (index + 1 is the output index; 0 is the CTC blank).
pub const CHARSET: &str =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'\"-.,!?&:;()/\\";

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
    }
}

fn encode(label: &str) -> Option<Vec<usize>> {
    label
        .chars()
        .map(|c| CHARSET.chars().position(|a| a == c).map(|i| i + 1))
        .collect()
}

fn decode(symbols: &[usize]) -> String {
    symbols
        .iter()
        .filter_map(|&s| CHARSET.chars().nth(s.wrapping_sub(1)))
        .collect()
}

fn logsumexp(a: f32, b: f32) -> f32 {
    if a == f32::NEG_INFINITY {
        return b;
    }
    if b == f32::NEG_INFINITY {
        return a;
    }
    let m = a.max(b);
    m + ((a - m).exp() + (b - m).exp()).ln()
}

/// CTC log-likelihood of `label` given per-frame log-probabilities `lp` (`t × symbols`), and,
/// when `gamma` is given, the posterior occupancy of each (frame, symbol) written into it.
/// Returns `-inf` when the label cannot fit in `t` frames.
pub fn ctc(lp: &[f32], symbols: usize, label: &[usize], gamma: Option<&mut [f32]>) -> f32 {
    let t_len = lp.len() / symbols;
    let ext: Vec<usize> = std::iter::once(0)
        .chain(label.iter().flat_map(|&c| [c, 0]))
        .collect();
    let s_len = ext.len();
    let ninf = f32::NEG_INFINITY;
    if t_len == 0 {
        return ninf;
    }
    let y = |t: usize, s: usize| lp[t * symbols + ext[s]];
    let can_skip = |s: usize| s >= 2 && ext[s] != 0 && ext[s] != ext[s - 2];
    let mut alpha = vec![ninf; t_len * s_len];
    alpha[0] = y(0, 0);
    if s_len > 1 {
        alpha[1] = y(0, 1);
    }
    for t in 1..t_len {
        for s in 0..s_len {
            let prev = &alpha[(t - 1) * s_len..t * s_len];
            let mut a = prev[s];
            if s >= 1 {
                a = logsumexp(a, prev[s - 1]);
            }
            if can_skip(s) {
                a = logsumexp(a, prev[s - 2]);
            }
            alpha[t * s_len + s] = if a == ninf { ninf } else { a + y(t, s) };
        }
    }
    let last = (t_len - 1) * s_len;
    let mut logp = alpha[last + s_len - 1];
    if s_len > 1 {
        logp = logsumexp(logp, alpha[last + s_len - 2]);
    }
    let Some(gamma) = gamma else {
        return logp;
    };
    gamma.fill(0.0);
    if logp == ninf {
        return logp;
    }
    // β excludes the current frame's emission, so α·β is the mass of paths through (t, s).
    let mut beta = vec![ninf; t_len * s_len];
    beta[last + s_len - 1] = 0.0;
    if s_len > 1 {
        beta[last + s_len - 2] = 0.0;
    }
    for t in (0..t_len - 1).rev() {
        for s in 0..s_len {
            let next = (t + 1) * s_len;
            let mut b = beta[next + s] + y(t + 1, s);
            if s + 1 < s_len {
                b = logsumexp(b, beta[next + s + 1] + y(t + 1, s + 1));
            }
            if s + 2 < s_len && can_skip(s + 2) {
                b = logsumexp(b, beta[next + s + 2] + y(t + 1, s + 2));
            }
            beta[t * s_len + s] = b;
        }
    }
    for t in 0..t_len {
        for s in 0..s_len {
            let v = alpha[t * s_len + s] + beta[t * s_len + s] - logp;
            if v > -30.0 {
                gamma[t * symbols + ext[s]] += v.exp();
            }
        }
    }
    logp
}

/// The prior cost (nats) of writing a lexicon word in a case the list does not give.
const CASE_PENALTY: f32 = 4.0;

/// The prior cost (nats) of a lexicon word only the dictionary gives (no training writer wrote
/// it): rarer, on the whole, than the words people were asked to write.
const DICTIONARY_COST: f32 = 4.0;

/// Lexicon words scored exactly per reading, at most (the closest by edit distance).
const SHORTLIST: usize = 300;

/// Levenshtein distance between two symbol strings.
fn edit_distance<T: PartialEq>(a: &[T], b: &[T]) -> usize {
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, x) in a.iter().enumerate() {
        let mut diag = row[0];
        row[0] = i + 1;
        for (j, y) in b.iter().enumerate() {
            let next = (row[j + 1] + 1)
                .min(row[j] + 1)
                .min(diag + usize::from(x != y));
            diag = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

/// Best-path decoding: the most likely symbol per frame, repeats merged, blanks dropped.
/// Returns the symbols and the mean per-frame log-probability of the path.
fn best_path(lp: &[f32], symbols: usize) -> (Vec<usize>, f32) {
    let mut out = Vec::new();
    let mut prev = 0;
    let mut score = 0.0;
    let t_len = lp.len() / symbols;
    for t in 0..t_len {
        let row = &lp[t * symbols..(t + 1) * symbols];
        let (k, v) = row
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map(|(i, v)| (i, *v))
            .unwrap_or((0, 0.0));
        score += v;
        if k != 0 && k != prev {
            out.push(k);
        }
        prev = k;
    }
    (out, score / t_len.max(1) as f32)
}

/// The symbol `s` with letters folded to lower case (A–Z are 11–36, a–z 37–62).
fn fold(s: usize) -> usize {
    if (11..=36).contains(&s) { s + 26 } else { s }
}

/// The words a reading may be corrected to, grouped by their lower-case form: a word is written
/// as listed, in lower case, Capitalised or in CAPITALS ("Busy", "BUSY" and "busy" are the same
/// entry), so the list needs each word once and the network's strokes decide the case.
///
/// Every spelling carries a prior cost in nats, added to its CTC score: 0 for words the
/// training writers wrote, more for words only a dictionary gives, and [`CASE_PENALTY`] more for
/// a case the list does not give. Without costs, a large list lets a poorly written common word
/// lose to a rare one that fits the strokes slightly better.
pub struct Lexicon {
    /// Lower-case symbol codes of each entry, for the edit-distance shortlist.
    keys: Vec<Box<[u8]>>,
    /// The spellings listed for each entry (usually one) and their costs.
    spellings: Vec<Spellings>,
}

/// The listed ways of writing one lexicon entry, with their prior costs in nats.
type Spellings = Vec<(String, f32)>;

impl Lexicon {
    /// Groups `(word, cost)` pairs by lower-case form (a word listed twice keeps its lower
    /// cost); words with symbols the model cannot write are dropped.
    pub fn new(words: impl IntoIterator<Item = (String, f32)>) -> Self {
        let mut groups: BTreeMap<String, Spellings> = BTreeMap::new();
        for (w, cost) in words {
            if encode(&w).is_some_and(|e| !e.is_empty()) {
                let spellings = groups.entry(w.to_lowercase()).or_default();
                match spellings.iter_mut().find(|(s, _)| *s == w) {
                    Some(known) => known.1 = known.1.min(cost),
                    None => spellings.push((w, cost)),
                }
            }
        }
        let mut entries: Vec<(Box<[u8]>, Spellings)> = groups
            .into_iter()
            .filter_map(|(lower, listed)| {
                // Symbol codes fit a byte (77 symbols): an eighth of the memory of `usize`s.
                let key = encode(&lower)?.iter().map(|&c| c as u8).collect();
                Some((key, listed))
            })
            .collect();
        // Sorted by code, not by text (the two orders differ), for `contains`.
        entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let (keys, spellings) = entries.into_iter().unzip();
        Self { keys, spellings }
    }

    /// Number of entries (lower-case forms).
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Every way entry `i` may be written, with its cost: as listed, then in CAPITALS,
    /// Capitalised and lower case.
    fn forms(&self, i: usize) -> Vec<(String, f32)> {
        let lower = decode(
            &self.keys[i]
                .iter()
                .map(|&c| usize::from(c))
                .collect::<Vec<_>>(),
        );
        let mut capital = String::with_capacity(lower.len());
        let mut chars = lower.chars();
        if let Some(first) = chars.next() {
            capital.extend(first.to_uppercase());
            capital.push_str(chars.as_str());
        }
        let mut out = self.spellings[i].clone();
        let cheapest = out.iter().map(|f| f.1).fold(f32::INFINITY, f32::min);
        for f in [lower.to_uppercase(), capital, lower] {
            if !out.iter().any(|(s, _)| *s == f) {
                out.push((f, cheapest + CASE_PENALTY));
            }
        }
        out
    }

    /// Whether `word` is one of the forms the lexicon can produce.
    pub fn contains(&self, word: &str) -> bool {
        let Some(key) = encode(&word.to_lowercase()) else {
            return false;
        };
        let key: Vec<u8> = key.iter().map(|&c| c as u8).collect();
        self.keys
            .binary_search_by(|k| k.as_ref().cmp(&key[..]))
            .is_ok_and(|i| self.forms(i).iter().any(|(f, _)| f == word))
    }

    /// The `n` entries closest to `path` by case-insensitive edit distance.
    fn shortlist(&self, path: &[usize], n: usize) -> Vec<usize> {
        let path: Vec<u8> = path.iter().map(|&s| fold(s) as u8).collect();
        let mut d: Vec<(usize, usize)> = self
            .keys
            .par_iter()
            .enumerate()
            .map(|(i, k)| (edit_distance(&path, k), i))
            .collect();
        let n = n.min(d.len());
        if n == 0 {
            return Vec::new();
        }
        d.select_nth_unstable(n - 1);
        d.truncate(n);
        d.sort_unstable();
        d.into_iter().map(|(_, i)| i).collect()
    }
}

/// The loaded word model and its lexicon.
pub struct WordModel {
    net: SeqNet,
    lexicon: Lexicon,
}

/// Lexicon words shipped next to the word model: one per line, optionally followed by a tab
/// and its prior cost in nats (none: 0).
pub fn read_lexicon(dir: &Path) -> anyhow::Result<Vec<(String, f32)>> {
    let path = dir.join("lexicon.txt");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let (word, cost) = l.split_once('\t').unwrap_or((l, "0"));
            let cost: f32 = cost
                .trim()
                .parse()
                .with_context(|| format!("{}: bad cost in {l:?}", path.display()))?;
            Ok((word.trim().to_string(), cost))
        })
        .collect()
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
        let (f, len) = sequence::features(ink)?;
        let x = Tensor::from_vec(f, (1, len, FEATURES), &Device::Cpu).ok()?;
        let y = self.net.forward(&x, false).ok()?;
        y.flatten_all().ok()?.to_vec1().ok()
    }

    /// Reads `ink`: the unconstrained best path, and the lexicon words ranked by their CTC
    /// likelihood (top `k`, with confidences normalised among them). Symbols outside `charset`
    /// are ruled out before decoding.
    pub fn read(&self, ink: &Ink, k: usize, charset: Charset) -> Option<WordReading> {
        Some(self.rank(self.decode(ink, charset)?, k, charset))
    }

    /// The network's output for `ink` and its best path: cheap next to lexicon scoring, and
    /// enough to tell a lone character (which the character model reads better) from a word.
    fn decode(&self, ink: &Ink, charset: Charset) -> Option<Decoded> {
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

    /// Scores the lexicon against a decoded output.
    fn rank(&self, d: Decoded, k: usize, charset: Charset) -> WordReading {
        let symbols = self.net.config().symbols;
        let frames = d.lp.len() / symbols;
        let (lp, path) = (&d.lp, &d.path);
        let path_ll = ctc(lp, symbols, path, None);
        // Exact CTC scoring of every lexicon word costs frames × length each; shortlist first by
        // case-insensitive edit distance to the free reading (cheap), then score every way of
        // writing each shortlisted word exactly: the strokes decide its case.
        let shortlist = self.lexicon.shortlist(path, SHORTLIST);
        let mut scored: Vec<(f32, String)> = shortlist
            .par_iter()
            .flat_map_iter(|&i| self.lexicon.forms(i))
            .filter(|(w, _)| w.chars().all(|c| charset.allows(c)))
            .filter_map(|(w, prior)| {
                let e = encode(&w)?;
                (e.len() <= frames).then(|| (ctc(lp, symbols, &e, None) - prior, w))
            })
            .filter(|(s, _)| s.is_finite())
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        scored.truncate(k);
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
}

/// The word network's output for one ink sample, before the lexicon.
struct Decoded {
    /// Per-frame log-probabilities (`frames × symbols`).
    lp: Vec<f32>,
    /// The best path's symbols.
    path: Vec<usize>,
    /// Mean per-frame log-probability of the best path.
    path_score: f32,
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

/// How sure the character model must be of a glyph the word model read as two symbols for the
/// glyph to win (measured on held-out writers: see `docs/ai.md`).
const CHAR_OVER_PAIR: f32 = 0.9;

/// Reads handwriting with whichever models are installed: one character is read by the
/// character model (sharper on isolated glyphs), longer ink by the word model.
pub fn read(
    chars: Option<&CharModel>,
    words: Option<&WordModel>,
    ink: &Ink,
    charset: Charset,
) -> Result<TextRecognition, RecognizeError> {
    let fail = |e: candle_core::Error| RecognizeError::Failed(e.to_string());
    let decoded = words.and_then(|w| Some((w, w.decode(ink, charset)?)));
    let path_len = decoded.as_ref().map_or(0, |(_, d)| d.path.len());
    // A lone glyph the word model splits in two (an `m` as `rn`, a `k` as `lc`) is still one
    // character when the character model is sure of it and surer than the word model is of its
    // path; real two-letter words rarely look like one confident glyph.
    let char_reading = match (chars, &decoded) {
        (Some(cm), _) if path_len <= 1 => Some(cm.top(ink, 5, charset).map_err(fail)?),
        (Some(cm), Some((_, d))) if path_len == 2 => {
            let top = cm.top(ink, 5, charset).map_err(fail)?;
            let sure =
                top[0].confidence >= CHAR_OVER_PAIR && top[0].confidence > d.path_score.exp();
            sure.then_some(top)
        }
        _ => None,
    };
    if let Some(top) = char_reading {
        let text = top[0].label.to_string();
        return Ok(TextRecognition {
            text: text.clone(),
            confidence: top[0].confidence,
            alternatives: top[1..]
                .iter()
                .map(|s| Scored {
                    label: s.label.to_string(),
                    confidence: s.confidence,
                })
                .collect(),
            unconstrained: text,
        });
    }
    // Only now, for a word, is the lexicon worth scoring.
    let (model, d) = decoded.ok_or(RecognizeError::Unavailable("handwriting"))?;
    let r = model.rank(d, 5, charset);
    let use_lexicon =
        !r.lexicon.is_empty() && r.lexicon_log_likelihood >= r.path_log_likelihood - LEXICON_MARGIN;
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
    Ok(TextRecognition {
        text,
        confidence,
        alternatives,
        unconstrained: r.unconstrained,
    })
}

/// Datasets `inkroom train words` reads.
pub const TRAINING_SETS: [&str; 1] = ["unipen_6_words"];

struct SeqExample {
    x: Vec<f32>,
    len: usize,
    label: Vec<usize>,
}

/// A writer's variation the training writers may not show: slant (shear), width and a slight
/// rotation, drawn per sample from `rng`. Height needs no variation: the features are scaled by
/// the ink's vertical spread.
fn augment(ink: &Ink, rng: &mut StdRng) -> Ink {
    use rand::Rng;
    let shear = rng.random_range(-0.3..0.3);
    let width = rng.random_range(0.8..1.2);
    let (sin, cos) = rng.random_range(-0.05f64..0.05).sin_cos();
    ink.map(|p| {
        let x = (p.x + shear * p.y) * width;
        inkroom_core::ink::InkPoint::new(x * cos - p.y * sin, x * sin + p.y * cos)
    })
}

/// Training sequences for `samples`; with `aug = Some(seed)` each ink is first varied by
/// [`augment`] (reproducibly: one generator per sample, seeded from `seed` and its index).
fn examples(samples: &[Sample], aug: Option<u64>) -> Vec<SeqExample> {
    samples
        .par_iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let label = encode(&s.label)?;
            let (x, len) = match aug {
                Some(seed) => {
                    let mut rng = StdRng::seed_from_u64(
                        seed ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15),
                    );
                    sequence::features(&augment(&s.ink, &mut rng))?
                }
                None => sequence::features(&s.ink)?,
            };
            // CTC needs at least one frame per symbol (more for doubled letters).
            (SeqNet::output_len(len) >= 2 * label.len()).then_some(SeqExample { x, len, label })
        })
        .collect()
}

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
    let mut all = Vec::new();
    for name in TRAINING_SETS {
        let mut s = data::read_dataset(data_dir, name)?;
        s.retain(|x| !x.orientation_unknown);
        all.extend(s);
    }
    let (train_s, val_s) = data::split_by_writer(all);
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
    let mut train = examples(&train_s, None);
    println!(
        "words: {} training sequences ({} skipped), {} held-out samples, lexicon {} words",
        train.len(),
        train_s.len() - train.len(),
        val_s.len(),
        lexicon.len()
    );
    let cfg = config();
    let varmap = VarMap::new();
    let vb = VarBuilder::from_varmap(&varmap, DType::F32, &Device::Cpu);
    let net = SeqNet::new(&cfg, vb)?;
    let mut opt = optimizer(&varmap, opts.lr)?;
    // Batches of similar length waste little padding: sort by length, batch, shuffle batches.
    let batches_of = |train: &[SeqExample]| -> Vec<Vec<usize>> {
        let mut order: Vec<usize> = (0..train.len()).collect();
        order.sort_by_key(|&i| train[i].len);
        order.chunks(opts.batch).map(<[usize]>::to_vec).collect()
    };
    let mut batches = batches_of(&train);
    // Augmentation changes lengths a little, and so the number of batches; the schedule counts
    // the clean epoch's.
    let total = (batches.len() * opts.epochs) as u64;
    let bar = progress(total);
    let mut rng = StdRng::seed_from_u64(opts.seed);
    let symbols = cfg.symbols;
    let mut step = 0usize;
    for epoch in 0..opts.epochs {
        // The first epoch sees the ink as written; later ones a fresh variation of it.
        if epoch > 0 {
            train = examples(&train_s, Some(opts.seed.wrapping_add(epoch as u64)));
            batches = batches_of(&train);
        }
        batches.shuffle(&mut rng);
        let mut loss_sum = 0.0f64;
        let mut counted = 0usize;
        for batch in &batches {
            let t_max = batch.iter().map(|&i| train[i].len).max().unwrap_or(1);
            let mut x = vec![0f32; batch.len() * t_max * FEATURES];
            for (b, &i) in batch.iter().enumerate() {
                let e = &train[i];
                x[b * t_max * FEATURES..b * t_max * FEATURES + e.len * FEATURES]
                    .copy_from_slice(&e.x);
            }
            let x = Tensor::from_vec(x, (batch.len(), t_max, FEATURES), &Device::Cpu)?;
            opt.set_learning_rate(cosine_lr(opts.lr, step, total));
            let lp = net.forward(&x, true)?;
            let frames = lp.dim(1)?;
            let host: Vec<f32> = lp.flatten_all()?.to_vec1()?;
            // Forward–backward per sequence on the host, in parallel.
            let per: Vec<(Vec<f32>, f32)> = batch
                .par_iter()
                .enumerate()
                .map(|(b, &i)| {
                    let e = &train[i];
                    let out_len = SeqNet::output_len(e.len);
                    let rows = &host[b * frames * symbols..(b * frames + out_len) * symbols];
                    let mut g = vec![0f32; frames * symbols];
                    let ll = ctc(rows, symbols, &e.label, Some(&mut g[..out_len * symbols]));
                    (g, ll)
                })
                .collect();
            let mut gamma = Vec::with_capacity(batch.len() * frames * symbols);
            for (g, ll) in &per {
                gamma.extend_from_slice(g);
                if ll.is_finite() {
                    loss_sum -= f64::from(*ll);
                    counted += 1;
                }
            }
            let gamma = Tensor::from_vec(gamma, lp.shape(), &Device::Cpu)?;
            let surrogate = (lp * gamma)?
                .sum_all()?
                .neg()?
                .affine(1.0 / batch.len() as f64, 0.0)?;
            opt.backward_step(&surrogate)?;
            step += 1;
            bar.inc(1);
            if step.is_multiple_of(20) {
                bar.set_message(format!(
                    "epoch {} CTC loss {:.3}",
                    epoch + 1,
                    loss_sum / counted.max(1) as f64
                ));
            }
        }
        say(
            &bar,
            format!(
                "epoch {}/{}: CTC loss {:.4}",
                epoch + 1,
                opts.epochs,
                loss_sum / counted.max(1) as f64
            ),
        );
    }
    bar.finish_and_clear();
    let model = WordModel::new(net, lexicon.clone().into_iter().collect());
    let mut report = Report::default();
    for (k, v) in evaluate(&model, &val_s, 2000) {
        report.accuracy.insert(k, v);
    }
    // The same figures on training writers' words tell under- from over-fitting.
    for (k, v) in evaluate(&model, &train_s, 1000) {
        report.accuracy.insert(format!("training_writers_{k}"), v);
    }
    report.counts.insert("train".into(), train.len());
    report
        .counts
        .insert("held_out".into(), val_s.len().min(2000));
    report.counts.insert("lexicon".into(), lexicon.len());
    report.seconds = started.elapsed().as_secs_f64();
    for (k, v) in &report.accuracy {
        println!("{k}: {:.2} %", v * 100.0);
    }
    std::fs::create_dir_all(out)?;
    let lines: String = lexicon
        .iter()
        .map(|(w, &cost)| {
            if cost > 0.0 {
                format!("{w}\t{cost}\n")
            } else {
                format!("{w}\n")
            }
        })
        .collect();
    std::fs::write(out.join("lexicon.txt"), lines)?;
    save(
        out,
        "words",
        &varmap,
        &ModelMeta::words(cfg, opts, dictionary, report),
    )
}

/// Held-out word accuracy (first `limit` samples): with the lexicon, unconstrained, and how
/// many of the words are in the lexicon at all (the ceiling of the lexicon reading).
pub fn evaluate(model: &WordModel, samples: &[Sample], limit: usize) -> BTreeMap<String, f64> {
    let results: Vec<(bool, bool, bool)> = samples
        .par_iter()
        .take(limit)
        .filter_map(|s| {
            let r = read(None, Some(model), &s.ink, Charset::Any).ok()?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn uniform(t: usize, s: usize) -> Vec<f32> {
        vec![-(s as f32).ln(); t * s]
    }

    #[test]
    fn ctc_of_a_certain_path_is_zero_and_gradients_sum_to_one_per_frame() {
        // Three symbols (blank, a, b); frames certain of "a", blank, "b".
        let s = 3;
        let mut lp = vec![-50.0f32; 3 * s];
        lp[1] = 0.0;
        lp[s] = 0.0;
        lp[2 * s + 2] = 0.0;
        let mut g = vec![0.0; 3 * s];
        let ll = ctc(&lp, s, &[1, 2], Some(&mut g));
        assert!(ll.abs() < 1e-3, "{ll}");
        assert!(
            (g[1] - 1.0).abs() < 1e-3
                && (g[s] - 1.0).abs() < 1e-3
                && (g[2 * s + 2] - 1.0).abs() < 1e-3
        );
        // Under uniform outputs every frame's occupancy still sums to one.
        let lp = uniform(6, s);
        let mut g = vec![0.0; 6 * s];
        let ll = ctc(&lp, s, &[1, 1], Some(&mut g));
        assert!(ll.is_finite());
        for t in 0..6 {
            let sum: f32 = g[t * s..(t + 1) * s].iter().sum();
            assert!((sum - 1.0).abs() < 1e-3, "frame {t}: {sum}");
        }
        // "aa" needs a blank between: impossible in one frame.
        assert_eq!(ctc(&uniform(1, s), s, &[1, 1], None), f32::NEG_INFINITY);
    }

    #[test]
    fn ctc_counts_paths_like_brute_force() {
        // Two frames, label "a": paths a-a, a-blank, blank-a → 3 of 9 equally likely.
        let ll = ctc(&uniform(2, 3), 3, &[1], None);
        assert!((ll - (3.0f32 / 9.0).ln()).abs() < 1e-5, "{ll}");
    }

    #[test]
    fn edit_distance_counts_insertions_deletions_and_substitutions() {
        assert_eq!(edit_distance(&[1, 2, 3], &[1, 2, 3]), 0);
        assert_eq!(edit_distance(&[1, 2, 3], &[1, 3]), 1);
        assert_eq!(edit_distance(&[1, 2, 3], &[4, 2, 3, 5]), 2);
        assert_eq!(edit_distance(&[], &[7, 7]), 2);
    }

    #[test]
    fn the_lexicon_offers_every_case_of_a_word_once() {
        let lex = Lexicon::new(
            ["busy", "Busy", "Aachen", "x-ray", "café"]
                .into_iter()
                .map(|w| (w.to_string(), 0.0)),
        );
        // "café" has a symbol the model cannot write; "busy" and "Busy" are one entry.
        assert_eq!(lex.len(), 3);
        for w in [
            "busy", "Busy", "BUSY", "Aachen", "aachen", "AACHEN", "X-ray", "x-ray",
        ] {
            assert!(lex.contains(w), "{w}");
        }
        for w in ["bUsy", "café", "busybody", ""] {
            assert!(!lex.contains(w), "{w}");
        }
        // The shortlist ignores case: "BUSY" is closest to the "busy" entry.
        let path = encode("BUSY").unwrap();
        let first = lex.shortlist(&path, 1)[0];
        assert!(lex.forms(first).iter().any(|(f, _)| f == "BUSY"));
        assert_eq!(lex.shortlist(&path, 10).len(), 3);
    }

    #[test]
    fn best_path_merges_repeats_and_drops_blanks() {
        let s = 3;
        let frames = [1, 1, 0, 1, 2, 2];
        let mut lp = vec![-9.0f32; frames.len() * s];
        for (t, &k) in frames.iter().enumerate() {
            lp[t * s + k] = 0.0;
        }
        assert_eq!(best_path(&lp, s).0, vec![1, 1, 2]);
        assert_eq!(decode(&encode("Hi, 2").unwrap_or_default()), "");
        assert_eq!(decode(&encode("Hi,2").unwrap()), "Hi,2");
    }
}
