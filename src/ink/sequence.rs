//! The sequence input of the handwriting (word) model: the pen trajectory as a series of
//! per-point feature vectors.
//!
//! Words are read left to right in time, so unlike shapes the order of points matters. The ink
//! is scaled by its vertical spread (the standard deviation of y, which is far steadier across
//! writers than the bounding box because ascenders and descenders are a few points only),
//! resampled at a fixed arc-length step, and each point is described by its movement, its height
//! and the local direction and curvature. Pen lifts between strokes become one "jump" point.

use super::{Ink, InkPoint};

/// Features per point.
pub const FEATURES: usize = 8;
/// Arc-length step between points, in units of the ink's vertical standard deviation.
pub const STEP: f64 = 0.45;
/// The longest sequence the model reads; longer ink is resampled more coarsely.
pub const MAX_LEN: usize = 1024;

/// Turns ink into a `len × FEATURES` row-major matrix (`len` is returned). `None` for ink with
/// no extent.
pub fn features(ink: &Ink) -> Option<(Vec<f32>, usize)> {
    let ink = ink.cleaned();
    let n = ink.point_count();
    if n == 0 {
        return None;
    }
    let mean_y = ink.points().map(|p| p.y).sum::<f64>() / n as f64;
    let var_y = ink.points().map(|p| (p.y - mean_y).powi(2)).sum::<f64>() / n as f64;
    let b = ink.bounds()?;
    let mut sd = var_y.sqrt();
    if sd < 1e-9 {
        // A flat line: fall back to its length so it still has a sensible size.
        sd = (b.width() / 4.0).max(1e-9);
    }
    let scaled = ink.map(|p| InkPoint::new((p.x - b.min_x) / sd, (p.y - mean_y) / sd));
    let mut step = STEP;
    let len = scaled.path_length();
    if len / step > (MAX_LEN - scaled.strokes.len()) as f64 {
        step = len / (MAX_LEN - scaled.strokes.len()).max(1) as f64;
    }
    let res = scaled.resampled(step);
    let mut pts: Vec<(InkPoint, bool)> = Vec::new();
    for s in &res.strokes {
        for (i, p) in s.iter().enumerate() {
            pts.push((*p, i == 0));
        }
    }
    pts.truncate(MAX_LEN);
    let m = pts.len();
    let mut out = vec![0f32; m * FEATURES];
    let dir = |a: InkPoint, b: InkPoint| {
        let (dx, dy) = (b.x - a.x, b.y - a.y);
        let l = dx.hypot(dy);
        if l > 0.0 {
            (dx / l, dy / l)
        } else {
            (0.0, 0.0)
        }
    };
    for i in 0..m {
        let (p, start) = pts[i];
        let next = pts.get(i + 1).map(|q| q.0).unwrap_or(p);
        let prev = if i > 0 { pts[i - 1].0 } else { p };
        let (dx, dy) = ((next.x - p.x) / step, (next.y - p.y) / step);
        let (c1, s1) = dir(prev, p);
        let (c2, s2) = dir(p, next);
        let row = &mut out[i * FEATURES..(i + 1) * FEATURES];
        row[0] = (dx.clamp(-8.0, 8.0) / 4.0) as f32;
        row[1] = (dy.clamp(-8.0, 8.0) / 4.0) as f32;
        row[2] = if start { 1.0 } else { 0.0 };
        row[3] = (p.y / 2.0).clamp(-3.0, 3.0) as f32;
        row[4] = c2 as f32;
        row[5] = s2 as f32;
        // Turning: cos and sin of the angle between the incoming and outgoing directions.
        row[6] = (c1 * c2 + s1 * s2) as f32;
        row[7] = (c1 * s2 - s1 * c2) as f32;
    }
    Some((out, m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn features_are_scale_and_translation_invariant() {
        let a = Ink::new(vec![
            vec![
                InkPoint::new(0.0, 0.0),
                InkPoint::new(5.0, 10.0),
                InkPoint::new(10.0, 0.0),
            ],
            vec![InkPoint::new(12.0, 5.0), InkPoint::new(20.0, 5.0)],
        ]);
        let b = a.map(|p| InkPoint::new(p.x * 7.0 + 3.0, p.y * 7.0 - 100.0));
        let (fa, la) = features(&a).unwrap();
        let (fb, lb) = features(&b).unwrap();
        assert_eq!(la, lb);
        let diff: f32 = fa.iter().zip(&fb).map(|(x, y)| (x - y).abs()).sum();
        assert!(diff < 1e-3, "{diff}");
        // One pen lift marks the second stroke's first point.
        assert_eq!(
            fa.iter()
                .skip(2)
                .step_by(FEATURES)
                .filter(|&&v| v == 1.0)
                .count(),
            2
        );
    }

    #[test]
    fn very_long_ink_is_capped() {
        let long = Ink::new(vec![
            (0..20_000)
                .map(|i| InkPoint::new(i as f64, (i % 7) as f64))
                .collect(),
        ]);
        let (_, len) = features(&long).unwrap();
        assert!(len <= MAX_LEN);
        assert!(features(&Ink::default()).is_none());
    }
}
