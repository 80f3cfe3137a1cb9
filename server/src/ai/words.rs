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
        norm: true,
        // The whole word in view: the first epoch's CTC loss fell to 10.6 with it against 13.4
        // without (both with layer normalisation), at little extra time per epoch.
        recurrent: 128,
    }
}

/// The output symbol of `c` (0 is the CTC blank), or `None` outside [`CHARSET`].
pub fn symbol(c: char) -> Option<usize> {
    CHARSET.chars().position(|a| a == c).map(|i| i + 1)
}

/// The output symbols of `label`, or `None` when it uses a character outside [`CHARSET`].
pub fn encode(label: &str) -> Option<Vec<usize>> {
    label.chars().map(symbol).collect()
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

/// The prior cost (nats) of a word in CAPITALS the list does not give: lower than
/// [`CASE_PENALTY`] because some people write everything in capitals, whatever the word. On
/// held-out writers 4 / 2 / 1 / 0.5 / 0 nats read 76.90 / 76.99 / 77.08 / 77.14 / 77.13 % of
/// words, and 1 also reads more of the training writers' words than 4 (85.15 against 85.07 %);
/// 1 keeps a margin against reading a small word in capitals.
const CAPITALS_PENALTY: f32 = 1.0;

/// The prior cost (nats) of a lexicon word only the dictionary gives (no training writer wrote
/// it): rarer, on the whole, than the words people were asked to write.
const DICTIONARY_COST: f32 = 4.0;

/// Lexicon words more than this many nats less likely than the best one are not searched for:
/// as alternatives their confidence would be below e⁻¹², and the bound prunes far sooner.
const SEARCH_MARGIN: f64 = 12.0;

/// Trie nodes whose CTC extension the lexicon search may compute per reading: a bound on the
/// time a very uncertain network output can take (typical readings need a few hundred).
const SEARCH_BUDGET: usize = 60_000;

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

/// The words a reading may be corrected to, as a trie over symbol codes with a prior cost (nats)
/// on every word, searched exactly: [`Lexicon::search`] finds the best-scoring words of the whole
/// list, not of a shortlist.
///
/// A word is written as listed, in lower case, Capitalised or in CAPITALS ("Busy", "BUSY" and
/// "busy" are one entry), so the list needs each word once and the network's strokes decide the
/// case; every written form is its own path in the trie. The cost is 0 for words the training
/// writers wrote, more for words only a dictionary gives, and [`CASE_PENALTY`] more for a case
/// the list does not give. Without costs, a large list lets a poorly written common word lose to
/// a rare one that fits the strokes slightly better.
pub struct Lexicon {
    /// Per node: the symbol code of the edge into it (0 at the root, node 0).
    symbol: Vec<u8>,
    /// Per node: its parent (the root is its own), to spell a found word.
    parent: Vec<u32>,
    /// Per node: its children are `first_child .. first_child + child_count` (contiguous).
    first_child: Vec<u32>,
    child_count: Vec<u8>,
    /// Per node: the cost of the word ending there (infinite: none does).
    cost: Vec<f32>,
    /// Per node: the cheapest cost of any word strictly below it (infinite: none).
    below: Vec<f32>,
    /// Number of entries (lower-case forms).
    entries: usize,
}

impl Lexicon {
    /// Builds the trie from `(word, cost)` pairs: words are grouped by lower-case form (a word
    /// listed twice keeps its lower cost), each group's case forms are added, and words with
    /// symbols the model cannot write are dropped.
    pub fn new(words: impl IntoIterator<Item = (String, f32)>) -> Self {
        let mut groups: BTreeMap<String, Vec<(String, f32)>> = BTreeMap::new();
        for (w, cost) in words {
            if encode(&w).is_some_and(|e| !e.is_empty()) {
                groups.entry(w.to_lowercase()).or_default().push((w, cost));
            }
        }
        let entries = groups.len();
        // Every written form as symbol codes (they fit a byte: 77 symbols), sorted, cheapest
        // cost kept for duplicates.
        let mut forms: Vec<(Vec<u8>, f32)> = Vec::new();
        for (lower, listed) in &groups {
            for (form, cost) in case_forms(lower, listed) {
                if let Some(e) = encode(&form) {
                    forms.push((e.iter().map(|&c| c as u8).collect(), cost));
                }
            }
        }
        forms.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
        forms.dedup_by(|a, b| a.0 == b.0);
        let mut lex = Self {
            symbol: vec![0],
            parent: vec![0],
            first_child: vec![0],
            child_count: vec![0],
            cost: vec![f32::INFINITY],
            below: vec![f32::INFINITY],
            entries,
        };
        // Breadth first: a node's forms are a contiguous range of the sorted list; the forms as
        // long as its depth end there, the rest split by their next symbol into its children.
        let mut queue = std::collections::VecDeque::from([(0u32, 0usize, forms.len(), 0usize)]);
        while let Some((node, mut lo, hi, depth)) = queue.pop_front() {
            let n = node as usize;
            while lo < hi && forms[lo].0.len() == depth {
                lex.cost[n] = lex.cost[n].min(forms[lo].1);
                lo += 1;
            }
            lex.first_child[n] = lex.symbol.len() as u32;
            while lo < hi {
                let c = forms[lo].0[depth];
                let mut end = lo;
                while end < hi && forms[end].0[depth] == c {
                    end += 1;
                }
                let child = lex.symbol.len() as u32;
                lex.symbol.push(c);
                lex.parent.push(node);
                lex.first_child.push(0);
                lex.child_count.push(0);
                lex.cost.push(f32::INFINITY);
                lex.below.push(f32::INFINITY);
                lex.child_count[n] += 1;
                queue.push_back((child, lo, end, depth + 1));
                lo = end;
            }
        }
        // Children come after their parent, so one backward pass fills `below`.
        for n in (1..lex.symbol.len()).rev() {
            let p = lex.parent[n] as usize;
            lex.below[p] = lex.below[p].min(lex.cost[n]).min(lex.below[n]);
        }
        lex
    }

    /// Number of entries (lower-case forms).
    pub fn len(&self) -> usize {
        self.entries
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries == 0
    }

    fn children(&self, node: u32) -> std::ops::Range<u32> {
        let first = self.first_child[node as usize];
        first..first + u32::from(self.child_count[node as usize])
    }

    /// The node spelling `word` exactly, if the trie has that path.
    fn find(&self, word: &str) -> Option<u32> {
        let mut node = 0;
        for c in encode(word)? {
            node = self
                .children(node)
                .find(|&k| usize::from(self.symbol[k as usize]) == c)?;
        }
        Some(node)
    }

    /// Whether `word` is one of the forms the lexicon can produce.
    pub fn contains(&self, word: &str) -> bool {
        self.find(word)
            .is_some_and(|n| self.cost[n as usize].is_finite())
    }

    /// The word a node spells.
    fn spell(&self, mut node: u32) -> String {
        let mut codes = Vec::new();
        while node != 0 {
            codes.push(usize::from(self.symbol[node as usize]));
            node = self.parent[node as usize];
        }
        codes.reverse();
        decode(&codes)
    }

    /// The `k` best lexicon words for per-frame log-probabilities `lp` (`frames × symbols`):
    /// their CTC log-likelihood minus their cost, best first. Exact (every word of the list is
    /// considered) for words within [`SEARCH_MARGIN`] of the best, unless the search budget runs
    /// out first.
    ///
    /// Depth-first branch and bound over the trie: each node extends its parent's CTC forward
    /// variables by one symbol (`O(frames)`), and the probability that the strokes begin with a
    /// node's prefix bounds every word below it, so a subtree is skipped once that bound, less the
    /// cheapest cost below, cannot beat the words already found. Children are tried best bound
    /// first, so good words are found early and the bound bites hard.
    fn search(&self, lp: &[f32], symbols: usize, k: usize) -> Vec<(f32, String)> {
        let frames = lp.len() / symbols;
        if frames == 0 || k == 0 || self.symbol.len() < 2 {
            return Vec::new();
        }
        // Probability space in f64: no logarithms in the inner loop, and no underflow for any
        // word within reach of the best (e⁻⁷⁰⁸ is far below the margin).
        let p: Vec<f64> = lp.iter().map(|&v| f64::from(v).exp()).collect();
        let mut root = Alphas::zero(frames);
        let mut blank = 1.0;
        for t in 0..frames {
            blank *= p[t * symbols];
            root.blank[t] = blank;
        }
        let mut s = Search {
            lex: self,
            p: &p,
            symbols,
            frames,
            k,
            found: Vec::new(),
            budget: SEARCH_BUDGET,
        };
        s.visit(0, &root);
        s.found
            .into_iter()
            .map(|(score, node)| (score as f32, self.spell(node)))
            .collect()
    }
}

/// Every way a lexicon entry may be written, with its cost: as listed, then in CAPITALS
/// ([`CAPITALS_PENALTY`] more than its cheapest listed spelling), Capitalised and lower case
/// ([`CASE_PENALTY`] more).
fn case_forms(lower: &str, listed: &[(String, f32)]) -> Vec<(String, f32)> {
    let mut capital = String::with_capacity(lower.len());
    let mut chars = lower.chars();
    if let Some(first) = chars.next() {
        capital.extend(first.to_uppercase());
        capital.push_str(chars.as_str());
    }
    let mut out = listed.to_vec();
    let cheapest = out.iter().map(|f| f.1).fold(f32::INFINITY, f32::min);
    for (f, penalty) in [
        (lower.to_uppercase(), CAPITALS_PENALTY),
        (capital, CASE_PENALTY),
        (lower.to_string(), CASE_PENALTY),
    ] {
        if !out.iter().any(|(s, _)| *s == f) {
            out.push((f, cheapest + penalty));
        }
    }
    out
}

/// CTC forward variables of a prefix, in probability: per frame, the mass of paths that have
/// written the prefix and end on its last symbol (`last`) or on a blank after it (`blank`).
struct Alphas {
    last: Vec<f64>,
    blank: Vec<f64>,
}

impl Alphas {
    fn zero(frames: usize) -> Self {
        Self {
            last: vec![0.0; frames],
            blank: vec![0.0; frames],
        }
    }
}

/// The state of one [`Lexicon::search`].
struct Search<'a> {
    lex: &'a Lexicon,
    /// Per-frame symbol probabilities.
    p: &'a [f64],
    symbols: usize,
    frames: usize,
    k: usize,
    /// The best words so far, `(log-likelihood − cost, node)`, best first, at most `k`.
    found: Vec<(f64, u32)>,
    /// Node extensions left.
    budget: usize,
}

impl Search<'_> {
    /// Below this a word or subtree cannot enter the results.
    fn threshold(&self) -> f64 {
        let best = self.found.first().map_or(f64::NEG_INFINITY, |b| b.0);
        let kth = if self.found.len() == self.k {
            self.found[self.k - 1].0
        } else {
            f64::NEG_INFINITY
        };
        kth.max(best - SEARCH_MARGIN)
    }

    fn offer(&mut self, score: f64, node: u32) {
        if score <= self.threshold() {
            return;
        }
        let at = self.found.partition_point(|f| f.0 >= score);
        self.found.insert(at, (score, node));
        self.found.truncate(self.k);
        // A new best word moves the margin: words found earlier may now fall outside it.
        let floor = self.found[0].0 - SEARCH_MARGIN;
        self.found.retain(|f| f.0 > floor);
    }

    /// Extends `parent` (the node `from`) by node `child`'s symbol; returns its forward
    /// variables and the probability that the strokes begin with its prefix.
    fn extend(&self, from: u32, parent: &Alphas, child: u32) -> (Alphas, f64) {
        let c = usize::from(self.lex.symbol[child as usize]);
        // A repeated symbol needs a blank between (the path cannot stay on the parent's symbol).
        let repeat = from != 0 && usize::from(self.lex.symbol[from as usize]) == c;
        let mut a = Alphas::zero(self.frames);
        let mut prefix = 0.0;
        for t in 0..self.frames {
            let pc = self.p[t * self.symbols + c];
            let enter = if t == 0 {
                if from == 0 { pc } else { 0.0 }
            } else {
                let prev = parent.blank[t - 1] + if repeat { 0.0 } else { parent.last[t - 1] };
                prev * pc
            };
            prefix += enter;
            if t == 0 {
                a.last[0] = enter;
            } else {
                a.last[t] = enter + a.last[t - 1] * pc;
                a.blank[t] = (a.blank[t - 1] + a.last[t - 1]) * self.p[t * self.symbols];
            }
        }
        (a, prefix)
    }

    fn visit(&mut self, node: u32, alphas: &Alphas) {
        let kids = self.lex.children(node);
        if self.budget < kids.len() {
            self.budget = 0;
            return;
        }
        self.budget -= kids.len();
        let last = self.frames - 1;
        let mut next: Vec<(f64, u32, Alphas)> = Vec::with_capacity(kids.len());
        for child in kids {
            let (a, prefix) = self.extend(node, alphas, child);
            if prefix <= 0.0 {
                continue;
            }
            let cost = f64::from(self.lex.cost[child as usize]);
            if cost.is_finite() {
                let ll = (a.last[last] + a.blank[last]).ln();
                self.offer(ll - cost, child);
            }
            let below = f64::from(self.lex.below[child as usize]);
            if below.is_finite() {
                next.push((prefix.ln() - below, child, a));
            }
        }
        next.sort_by(|a, b| b.0.total_cmp(&a.0));
        for (bound, child, a) in next {
            // The threshold only rises, so the first failing bound ends this level.
            if bound <= self.threshold() || self.budget == 0 {
                break;
            }
            self.visit(child, &a);
        }
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

/// Per-frame log-probabilities of `net` for `ink` (`frames × symbols`, flattened); `None` when
/// the ink has too little extent to make a sequence.
pub fn log_probs(net: &SeqNet, ink: &Ink) -> Option<Vec<f32>> {
    let (f, len) = sequence::features(ink)?;
    let x = Tensor::from_vec(f, (1, len, FEATURES), &Device::Cpu).ok()?;
    let y = net.forward(&x, false).ok()?;
    y.flatten_all().ok()?.to_vec1().ok()
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
    let r = model.rank(d, 5);
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

/// Reads `sets` from `data_dir`, keeps the samples `keep` accepts (and whose orientation is
/// known), and splits them by writer: `(training, held_out)`.
pub fn read_split(
    data_dir: &Path,
    sets: &[&str],
    keep: impl Fn(&Sample) -> bool,
) -> anyhow::Result<(Vec<Sample>, Vec<Sample>)> {
    let mut all = Vec::new();
    for name in sets {
        let mut s = data::read_dataset(data_dir, name)?;
        s.retain(|x| !x.orientation_unknown && keep(x));
        all.extend(s);
    }
    Ok(data::split_by_writer(all))
}

/// Trains a sequence network of architecture `cfg` with the CTC loss on `samples` (labels in
/// [`CHARSET`]), `label` naming them in the progress output. Returns the variables, the network
/// and how many sequences the first epoch trained on.
pub fn fit_ctc(
    label: &str,
    cfg: &SeqConfig,
    samples: &[Sample],
    opts: &TrainOptions,
) -> anyhow::Result<(VarMap, SeqNet, usize)> {
    let mut train = examples(samples, None);
    let first = train.len();
    println!(
        "{label}: {} training sequences ({} skipped)",
        train.len(),
        samples.len() - train.len(),
    );
    let varmap = VarMap::new();
    let vb = VarBuilder::from_varmap(&varmap, DType::F32, &Device::Cpu);
    let net = SeqNet::new(cfg, vb)?;
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
            train = examples(samples, Some(opts.seed.wrapping_add(epoch as u64)));
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
                "{label} epoch {}/{}: CTC loss {:.4}",
                epoch + 1,
                opts.epochs,
                loss_sum / counted.max(1) as f64
            ),
        );
    }
    bar.finish_and_clear();
    Ok((varmap, net, first))
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
    let (train_s, val_s) = read_split(data_dir, &TRAINING_SETS, |_| true)?;
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
        // Unlisted forms cost more than the listed one; all capitals less than other cases.
        let cost = |forms: &[(String, f32)], w: &str| forms.iter().find(|f| f.0 == w).unwrap().1;
        let forms = case_forms("busy", &[("busy".to_string(), 0.5)]);
        assert_eq!(forms.len(), 3);
        assert_eq!(cost(&forms, "busy"), 0.5);
        assert_eq!(cost(&forms, "BUSY"), 0.5 + CAPITALS_PENALTY);
        assert_eq!(cost(&forms, "Busy"), 0.5 + CASE_PENALTY);
        assert!(cost(&forms, "BUSY") < cost(&forms, "Busy"));
        // Strokes that spell "BUSY" find that form of the "busy" entry first.
        let s = CHARSET.chars().count() + 1;
        let word = encode("BUSY").unwrap();
        let mut lp = vec![-12.0f32; word.len() * 2 * s];
        for (i, &c) in word.iter().enumerate() {
            lp[2 * i * s + c] = 0.0;
            lp[(2 * i + 1) * s] = 0.0;
        }
        let found = lex.search(&lp, s, 10);
        assert_eq!(found[0].1, "BUSY");
        assert!(found.iter().all(|(_, w)| lex.contains(w)));
    }

    /// A small deterministic generator for the property test below (no extra dev-dependency).
    fn lcg(state: &mut u64) -> f32 {
        *state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (*state >> 40) as f32 / (1u64 << 24) as f32
    }

    #[test]
    fn the_lexicon_search_finds_what_scoring_every_word_finds() {
        let words = [
            "a", "ab", "aba", "abba", "b", "ba", "bab", "abab", "aab", "bb", "Ab", "ABBA",
        ];
        let lex = Lexicon::new(
            words
                .iter()
                .enumerate()
                .map(|(i, w)| (w.to_string(), (i % 3) as f32)),
        );
        // Every form the trie holds, with its cost, scored one by one.
        let mut forms: BTreeMap<String, f32> = BTreeMap::new();
        let mut groups: BTreeMap<String, Vec<(String, f32)>> = BTreeMap::new();
        for (i, w) in words.iter().enumerate() {
            groups
                .entry(w.to_lowercase())
                .or_default()
                .push((w.to_string(), (i % 3) as f32));
        }
        for (lower, listed) in &groups {
            for (f, c) in case_forms(lower, listed) {
                let e = forms.entry(f).or_insert(c);
                *e = e.min(c);
            }
        }
        let s = CHARSET.chars().count() + 1;
        let mut seed = 7;
        for trial in 0..40 {
            let frames = 1 + trial % 9;
            // Random outputs over blank, a, b, A, B, normalised per frame.
            let mut lp = vec![f32::NEG_INFINITY; frames * s];
            let allowed = [0, encode("a").unwrap()[0], encode("b").unwrap()[0], 11, 12];
            for t in 0..frames {
                let w: Vec<f32> = allowed.iter().map(|_| lcg(&mut seed) * 4.0).collect();
                let z = w.iter().map(|v| v.exp()).sum::<f32>().ln();
                for (&c, v) in allowed.iter().zip(&w) {
                    lp[t * s + c] = v - z;
                }
            }
            let mut brute: Vec<(f32, String)> = forms
                .iter()
                .map(|(f, c)| (ctc(&lp, s, &encode(f).unwrap(), None) - c, f.clone()))
                .filter(|(v, _)| v.is_finite())
                .collect();
            brute.sort_by(|a, b| b.0.total_cmp(&a.0));
            let found = lex.search(&lp, s, 4);
            let within: Vec<_> = brute
                .iter()
                .filter(|b| b.0 > brute[0].0 - SEARCH_MARGIN as f32)
                .take(4)
                .collect();
            assert_eq!(
                found.len(),
                within.len(),
                "trial {trial}: {found:?} vs {brute:?}"
            );
            for (f, b) in found.iter().zip(within) {
                assert!((f.0 - b.0).abs() < 1e-3, "trial {trial}: {f:?} vs {b:?}");
            }
        }
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
