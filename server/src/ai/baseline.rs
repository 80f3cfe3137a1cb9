//! The $P point-cloud recogniser (Vatavu, Anthony & Wobbrock, ICMI 2012), as a baseline to
//! measure the shape model against on the same writer-held-out split.
//!
//! Each sample becomes a cloud of 32 points (resampled over all strokes, scaled, centred), and a
//! query takes the label of the template cloud with the smallest greedy matching distance.
//! Stroke order and direction are ignored, as in our model; unlike our model it has no notion of
//! "none" beyond the non-shape templates it is given.

use super::data::Sample;
use super::shapes;
use inkroom_core::ink::{Ink, InkPoint, ShapeClass};
use rayon::prelude::*;
use std::collections::BTreeMap;

/// Points per cloud, as in the paper.
const N: usize = 32;

/// A normalised point cloud.
#[derive(Clone, Debug)]
pub struct Cloud(Vec<InkPoint>);

impl Cloud {
    /// The cloud of `ink`, or `None` for ink without length.
    pub fn new(ink: &Ink) -> Option<Self> {
        let ink = ink.cleaned();
        let len = ink.path_length();
        if len <= 0.0 {
            return None;
        }
        let mut pts: Vec<InkPoint> = ink
            .resampled(len / (N - 1) as f64)
            .points()
            .copied()
            .collect();
        pts.truncate(N);
        while pts.len() < N {
            pts.push(*pts.last()?);
        }
        let b = Ink::new(vec![pts.clone()]).bounds()?;
        let scale = b.width().max(b.height()).max(1e-9);
        let (cx, cy) = (
            pts.iter().map(|p| p.x).sum::<f64>() / N as f64,
            pts.iter().map(|p| p.y).sum::<f64>() / N as f64,
        );
        Some(Self(
            pts.iter()
                .map(|p| InkPoint::new((p.x - cx) / scale, (p.y - cy) / scale))
                .collect(),
        ))
    }

    fn cloud_distance(a: &[InkPoint], b: &[InkPoint], start: usize) -> f64 {
        let mut matched = [false; N];
        let mut sum = 0.0;
        let mut i = start;
        loop {
            let mut best = (usize::MAX, f64::MAX);
            for (j, q) in b.iter().enumerate() {
                if !matched[j] {
                    let d = a[i].dist(*q);
                    if d < best.1 {
                        best = (j, d);
                    }
                }
            }
            matched[best.0] = true;
            let weight = 1.0 - ((i + N - start) % N) as f64 / N as f64;
            sum += weight * best.1;
            i = (i + 1) % N;
            if i == start {
                return sum;
            }
        }
    }

    /// Greedy matching distance to `other` ($P's GREEDY-CLOUD-MATCH with ε = 0.5).
    pub fn distance(&self, other: &Cloud) -> f64 {
        let step = (N as f64).sqrt().floor() as usize;
        let mut min = f64::MAX;
        for start in (0..N).step_by(step) {
            let d1 = Self::cloud_distance(&self.0, &other.0, start);
            let d2 = Self::cloud_distance(&other.0, &self.0, start);
            min = min.min(d1).min(d2);
        }
        min
    }
}

/// A $P recogniser over labelled template clouds.
pub struct PointCloudRecognizer {
    templates: Vec<(Cloud, String)>,
}

impl PointCloudRecognizer {
    /// Uses up to `per_label` samples of each label (the first ones, in file order) as
    /// templates.
    pub fn train(samples: &[Sample], per_label: usize) -> Self {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        let mut templates = Vec::new();
        for s in samples {
            let c = counts.entry(s.label.as_str()).or_default();
            if *c < per_label
                && let Some(cloud) = Cloud::new(&s.ink)
            {
                *c += 1;
                templates.push((cloud, s.label.clone()));
            }
        }
        Self { templates }
    }

    /// The label of the nearest template.
    pub fn classify(&self, ink: &Ink) -> Option<&str> {
        let q = Cloud::new(ink)?;
        self.templates
            .iter()
            .map(|(t, label)| (q.distance(t), label.as_str()))
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, l)| l)
    }
}

/// $P's figures on held-out shape gestures, tallied exactly like the model's
/// ([`shapes::tally`]).
pub fn evaluate_shapes(rec: &PointCloudRecognizer, samples: &[Sample]) -> shapes::ShapeEval {
    let results: Vec<(&Sample, ShapeClass)> = samples
        .par_iter()
        .filter(|s| shapes::class_of_sample(s).is_some())
        .filter_map(|s| Some((s, shapes::class_of_label(rec.classify(&s.ink)?))))
        .collect();
    shapes::tally(results)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(label: &str, pts: &[(f64, f64)]) -> Sample {
        Sample {
            dataset: "t".into(),
            label: label.into(),
            writer: "w".into(),
            ink: Ink::new(vec![
                pts.iter().map(|&(x, y)| InkPoint::new(x, y)).collect(),
            ]),
            orientation_unknown: false,
        }
    }

    #[test]
    fn nearest_template_wins_whatever_the_scale_and_direction() {
        let square = sample(
            "rectangle",
            &[
                (0.0, 0.0),
                (10.0, 0.0),
                (10.0, 10.0),
                (0.0, 10.0),
                (0.0, 0.0),
            ],
        );
        let line = sample("line", &[(0.0, 0.0), (10.0, 0.0)]);
        let rec = PointCloudRecognizer::train(&[square, line], 1);
        let big_square = Ink::new(vec![
            [
                (0.0, 0.0),
                (0.0, 50.0),
                (50.0, 50.0),
                (50.0, 0.0),
                (0.0, 0.0),
            ]
            .iter()
            .map(|&(x, y)| InkPoint::new(x + 3.0, y - 7.0))
            .collect(),
        ]);
        assert_eq!(rec.classify(&big_square), Some("rectangle"));
        let long_line = Ink::new(vec![vec![
            InkPoint::new(100.0, 5.0),
            InkPoint::new(0.0, 6.0),
        ]]);
        assert_eq!(rec.classify(&long_line), Some("line"));
    }
}
