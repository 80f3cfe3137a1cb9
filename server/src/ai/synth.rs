//! Synthetic ink: procedurally drawn shapes with human-like imperfections, and random
//! augmentation of real samples.
//!
//! The real datasets have no diamonds and few lines, and their shapes are mostly upright; the
//! generator fills those gaps. Each shape starts as a clean outline ([`CleanShape::outlines`]),
//! then gets what hands do: a random starting corner and direction, a slow wobble along the
//! path, overshoot where a closed shape meets its start, corners cut or looped, and splits into
//! several strokes. "None" ink (zigzags, spirals, scribbles, open curves, waves) is generated
//! too, so the recogniser learns what to leave alone.

use inkroom_core::ink::fit::CleanShape;
use inkroom_core::ink::{Ink, InkPoint, ShapeClass};
use rand::Rng;
use rand::rngs::StdRng;
use std::f64::consts::{PI, TAU};

/// A random shape of `class` (for `None`, a random non-shape scribble).
pub fn shape(class: ShapeClass, rng: &mut StdRng) -> Ink {
    let size = rng.random_range(60.0..300.0);
    let aspect: f64 = rng.random_range(0.45..1.0);
    let (w, h) = if rng.random_bool(0.5) {
        (size, size * aspect)
    } else {
        (size * aspect, size)
    };
    let c = [0.0, 0.0];
    let clean = match class {
        ShapeClass::Rectangle => CleanShape::Rectangle {
            center: c,
            width: w,
            height: h,
            angle: 0.0,
        },
        ShapeClass::Ellipse => CleanShape::Ellipse {
            center: c,
            rx: w / 2.0,
            ry: h / 2.0,
            angle: 0.0,
        },
        ShapeClass::Triangle => {
            let apex = rng.random_range(-0.4..0.4) * w;
            CleanShape::Triangle {
                vertices: [[apex, -h / 2.0], [w / 2.0, h / 2.0], [-w / 2.0, h / 2.0]],
            }
        }
        ShapeClass::Diamond => CleanShape::Diamond {
            vertices: [
                [0.0, -h / 2.0],
                [w / 2.0, 0.0],
                [0.0, h / 2.0],
                [-w / 2.0, 0.0],
            ],
        },
        ShapeClass::Line => CleanShape::Line {
            start: [-size / 2.0, 0.0],
            end: [size / 2.0, rng.random_range(-0.05..0.05) * size],
        },
        ShapeClass::Arrow => CleanShape::Arrow {
            start: [-size / 2.0, 0.0],
            end: [size / 2.0, 0.0],
        },
        ShapeClass::Star => CleanShape::Star {
            center: c,
            outer_radius: size / 2.0,
            inner_radius: size / 2.0 * 0.38,
            angle: 0.0,
        },
        ShapeClass::Check => CleanShape::Check {
            points: [
                [-w * 0.3, 0.0],
                [0.0, h * 0.35],
                [w * rng.random_range(0.4..0.7), -h * 0.6],
            ],
        },
        ShapeClass::Cross => CleanShape::Cross {
            first: [[-w / 2.0, -h / 2.0], [w / 2.0, h / 2.0]],
            second: [[w / 2.0, -h / 2.0], [-w / 2.0, h / 2.0]],
        },
        ShapeClass::None => return scribble(size, rng),
    };
    let strokes = match (&clean, class) {
        // A star is drawn as one pentagram stroke, not as its outline.
        (CleanShape::Star { outer_radius, .. }, _) => {
            let r = *outer_radius;
            vec![
                (0..=5)
                    .map(|i| {
                        let t = -PI / 2.0 + TAU * ((2 * i) % 5) as f64 / 5.0;
                        [r * t.cos(), r * t.sin()]
                    })
                    .collect(),
            ]
        }
        (_, ShapeClass::Arrow) if rng.random_bool(0.5) => {
            // One stroke: shaft, then the head drawn as barb → tip → barb.
            let o = clean.outlines();
            vec![vec![o[0][0], o[0][1], o[1][0], o[1][1], o[1][2]]]
        }
        _ => clean.outlines(),
    };
    let closed = matches!(
        class,
        ShapeClass::Rectangle
            | ShapeClass::Ellipse
            | ShapeClass::Triangle
            | ShapeClass::Diamond
            | ShapeClass::Star
    );
    humanize(strokes, closed, size, rng)
}

/// Random ink that is not one of the shapes.
fn scribble(size: f64, rng: &mut StdRng) -> Ink {
    let n = rng.random_range(0..6);
    let pts: Vec<[f64; 2]> = match n {
        0 => {
            // Zigzag.
            let k = rng.random_range(3..8);
            (0..=k)
                .map(|i| {
                    let x = size * (i as f64 / k as f64 - 0.5);
                    [x, if i % 2 == 0 { -0.2 } else { 0.2 } * size]
                })
                .collect()
        }
        1 => {
            // Spiral.
            let turns = rng.random_range(1.5..3.5);
            (0..120)
                .map(|i| {
                    let t = i as f64 / 119.0;
                    let a = t * turns * TAU;
                    let r = size * 0.5 * t;
                    [r * a.cos(), r * a.sin()]
                })
                .collect()
        }
        2 => {
            // Wave.
            let k = rng.random_range(1.5..4.0);
            (0..80)
                .map(|i| {
                    let t = i as f64 / 79.0;
                    [size * (t - 0.5), size * 0.15 * (t * k * TAU).sin()]
                })
                .collect()
        }
        3 => {
            // An open arc (a "C" or "U"): not a closed ellipse.
            let span = rng.random_range(0.9..1.5) * PI;
            (0..60)
                .map(|i| {
                    let a = span * (i as f64 / 59.0 - 0.5);
                    [size * 0.5 * a.cos(), size * 0.5 * a.sin()]
                })
                .collect()
        }
        4 => {
            // A random smooth scribble.
            let mut p = [0.0, 0.0];
            let mut heading: f64 = rng.random_range(0.0..TAU);
            (0..100)
                .map(|_| {
                    heading += rng.random_range(-0.5..0.5);
                    p = [
                        p[0] + heading.cos() * size / 30.0,
                        p[1] + heading.sin() * size / 30.0,
                    ];
                    p
                })
                .collect()
        }
        _ => {
            // A rectangle with a side missing.
            let (w, h) = (size, size * rng.random_range(0.4..1.0));
            vec![
                [-w / 2.0, -h / 2.0],
                [-w / 2.0, h / 2.0],
                [w / 2.0, h / 2.0],
                [w / 2.0, -h / 2.0],
            ]
        }
    };
    humanize(vec![pts], false, size, rng)
}

/// Turns clean polylines into hand-drawn-looking strokes.
fn humanize(strokes: Vec<Vec<[f64; 2]>>, closed: bool, size: f64, rng: &mut StdRng) -> Ink {
    let mut out = Vec::new();
    for mut s in strokes {
        if closed && s.len() > 2 {
            // Start at a random vertex, in a random direction.
            s.pop();
            let k = rng.random_range(0..s.len());
            s.rotate_left(k);
            if rng.random_bool(0.5) {
                s.reverse();
            }
            s.push(s[0]);
            // Overshoot past the start, or stop a little short.
            let f = rng.random_range(-0.08..0.15);
            let (a, b) = (s[0], s[1]);
            let end = if f >= 0.0 {
                [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f]
            } else {
                let p = s[s.len() - 2];
                [a[0] + (p[0] - a[0]) * -f, a[1] + (p[1] - a[1]) * -f]
            };
            s.push(end);
        } else if rng.random_bool(0.5) && s.len() == 2 {
            s.reverse();
        }
        let ink = Ink::new(vec![s.iter().map(|p| InkPoint::new(p[0], p[1])).collect()]);
        let dense = ink.resampled(size / 40.0);
        let pts = &dense.strokes[0];
        // Low-frequency wobble along the path: two random sinusoids per axis.
        let amp = size * rng.random_range(0.0..0.035);
        let waves: Vec<(f64, f64, f64)> = (0..4)
            .map(|_| {
                (
                    rng.random_range(0.5..3.0),
                    rng.random_range(0.0..TAU),
                    rng.random_range(0.3..1.0),
                )
            })
            .collect();
        let n = pts.len().max(2) as f64;
        let stroke: Vec<InkPoint> = pts
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let t = i as f64 / (n - 1.0) * TAU;
                let dx: f64 = waves[..2]
                    .iter()
                    .map(|(f, ph, a)| a * (f * t + ph).sin())
                    .sum();
                let dy: f64 = waves[2..]
                    .iter()
                    .map(|(f, ph, a)| a * (f * t + ph).sin())
                    .sum();
                InkPoint::new(p.x + amp * dx, p.y + amp * dy)
            })
            .collect();
        // Sometimes lift the pen mid-way (a multi-stroke rendering of the same path).
        if stroke.len() > 12 && rng.random_bool(0.25) {
            let cut = rng.random_range(4..stroke.len() - 4);
            out.push(stroke[..=cut].to_vec());
            out.push(stroke[cut..].to_vec());
        } else {
            out.push(stroke);
        }
    }
    Ink::new(out)
}

/// A random affine distortion of real or synthetic ink: rotation within `max_rotation`,
/// anisotropic scale, shear, small jitter, and sometimes reversed strokes or stroke order.
pub fn augment(ink: &Ink, max_rotation: f64, rng: &mut StdRng) -> Ink {
    let Some(b) = ink.bounds() else {
        return ink.clone();
    };
    let c = b.center();
    let side = b.width().max(b.height()).max(1e-9);
    let rot = if max_rotation > 0.0 {
        rng.random_range(-max_rotation..=max_rotation)
    } else {
        0.0
    };
    let (sx, sy) = (rng.random_range(0.85..1.18), rng.random_range(0.85..1.18));
    let shear = rng.random_range(-0.15..0.15);
    let (s, co) = rot.sin_cos();
    let jitter = side * 0.004;
    let mut out = ink.map(|p| {
        let (x, y) = ((p.x - c.x) * sx, (p.y - c.y) * sy);
        let x = x + shear * y;
        InkPoint {
            x: x * co - y * s + rng.random_range(-jitter..=jitter),
            y: x * s + y * co + rng.random_range(-jitter..=jitter),
            t: p.t,
        }
    });
    if rng.random_bool(0.3) {
        for st in &mut out.strokes {
            st.reverse();
        }
    }
    if out.strokes.len() > 1 && rng.random_bool(0.3) {
        out.strokes.reverse();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn every_class_generates_valid_ink_reproducibly() {
        for class in ShapeClass::ALL {
            let a = shape(class, &mut StdRng::seed_from_u64(7));
            let b = shape(class, &mut StdRng::seed_from_u64(7));
            assert_eq!(a, b, "{class:?}");
            assert!(a.validate().is_ok(), "{class:?}");
            let aug = augment(&a, PI, &mut StdRng::seed_from_u64(1));
            assert!(aug.validate().is_ok());
            assert_eq!(aug.point_count(), a.point_count());
        }
    }
}
