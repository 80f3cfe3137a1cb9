//! CTC (connectionist temporal classification) for the sequence networks, the word model's and
//! the glyph model's: the symbols they write, the CTC likelihood and its occupancies,
//! best-path decoding, and the CTC training loop ([`fit_ctc`]) both models train with.
//!
//! Training uses the CTC loss through a surrogate: the forward–backward pass runs in plain Rust
//! on the network's log-probabilities, giving each frame's posterior symbol occupancy γ; the
//! loss `-Σ γ·log p` (γ held constant) has exactly the CTC gradient with respect to the
//! log-probabilities, and candle back-propagates it through the network. That keeps the
//! dynamic-programming loop out of the autograd graph, where it would cost thousands of tiny
//! tensor ops per batch.

use super::data::Sample;
use super::model::{SeqConfig, SeqNet};
use super::train::{TrainOptions, cosine_lr, optimizer, progress, say};
use candle_core::{DType, Device, Tensor};
use candle_nn::{Optimizer, VarBuilder, VarMap};
use inkroom_core::ink::Ink;
use inkroom_core::ink::sequence::{self, FEATURES};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rayon::prelude::*;

/// Symbols the sequence networks write (index + 1 is the output index; 0 is the CTC blank).
pub const CHARSET: &str =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'\"-.,!?&:;()/\\";

/// The output symbol of `c` (0 is the CTC blank), or `None` outside [`CHARSET`].
pub fn symbol(c: char) -> Option<usize> {
    CHARSET.chars().position(|a| a == c).map(|i| i + 1)
}

/// The output symbols of `label`, or `None` when it uses a character outside [`CHARSET`].
pub fn encode(label: &str) -> Option<Vec<usize>> {
    label.chars().map(symbol).collect()
}

/// The text of output symbols (the inverse of [`encode`]; the blank and unknown codes are
/// dropped).
pub fn decode(symbols: &[usize]) -> String {
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

/// Best-path decoding: the most likely symbol per frame, repeats merged, blanks dropped.
/// Returns the symbols and the mean per-frame log-probability of the path.
pub fn best_path(lp: &[f32], symbols: usize) -> (Vec<usize>, f32) {
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

/// Per-frame log-probabilities of `net` for `ink` (`frames × symbols`, flattened); `None` when
/// the ink has too little extent to make a sequence.
pub fn log_probs(net: &SeqNet, ink: &Ink) -> Option<Vec<f32>> {
    let (f, len) = sequence::features(ink)?;
    let x = Tensor::from_vec(f, (1, len, FEATURES), &Device::Cpu).ok()?;
    let y = net.forward(&x, false).ok()?;
    y.flatten_all().ok()?.to_vec1().ok()
}

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
