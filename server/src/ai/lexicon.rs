//! The lexicon: the words a handwriting reading may be corrected to, each with a prior cost,
//! held as a trie and searched exactly (branch and bound over CTC prefix probabilities), and
//! its file `lexicon.txt` shipped beside the word model.

use super::ctc::{decode, encode};
use anyhow::Context;
use std::collections::BTreeMap;
use std::path::Path;

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
pub const DICTIONARY_COST: f32 = 4.0;

/// Lexicon words more than this many nats less likely than the best one are not searched for:
/// as alternatives their confidence would be below e⁻¹², and the bound prunes far sooner.
const SEARCH_MARGIN: f64 = 12.0;

/// Trie nodes whose CTC extension the lexicon search may compute per reading: a bound on the
/// time a very uncertain network output can take (typical readings need a few hundred).
const SEARCH_BUDGET: usize = 60_000;

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
    pub(super) fn search(&self, lp: &[f32], symbols: usize, k: usize) -> Vec<(f32, String)> {
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

/// The lexicon file's name, beside the word model's weights.
const FILE: &str = "lexicon.txt";

/// Lexicon words shipped next to the word model: one per line, optionally followed by a tab
/// and its prior cost in nats (none: 0).
pub fn read_lexicon(dir: &Path) -> anyhow::Result<Vec<(String, f32)>> {
    let path = dir.join(FILE);
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

/// Writes `words` as [`read_lexicon`] reads them, into `dir` (created if need be): sorted,
/// since a `BTreeMap` keeps them so, which makes the file reproducible.
pub fn write_lexicon(dir: &Path, words: &BTreeMap<String, f32>) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)?;
    let lines: String = words
        .iter()
        .map(|(w, &cost)| {
            if cost > 0.0 {
                format!("{w}\t{cost}\n")
            } else {
                format!("{w}\n")
            }
        })
        .collect();
    std::fs::write(dir.join(FILE), lines)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ai::ctc::{CHARSET, ctc};

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
    fn the_lexicon_file_reads_back_what_was_written() {
        let dir = tempfile::tempdir().unwrap();
        let words = BTreeMap::from([
            ("busy".to_string(), 0.0),
            ("Aachen".to_string(), 4.0),
            ("x-ray".to_string(), 2.5),
        ]);
        write_lexicon(dir.path(), &words).unwrap();
        let read: BTreeMap<String, f32> = read_lexicon(dir.path()).unwrap().into_iter().collect();
        assert_eq!(read, words);
    }
}
