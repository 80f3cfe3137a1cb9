//! The laser pointer (Excalidraw's K): a red trail that follows the pointer while the button is
//! held and fades out within [`LASER_FADE_MS`]. It is for pointing at things while talking about
//! them, so it changes nothing: no element, no op, no undo entry.
//!
//! The core has no clock: the trail's points are stamped with the time the host last gave the
//! editor ([`crate::editor::Editor::set_clock`]), and the host keeps painting while
//! [`Laser::is_showing`] so the fade animates.

use crate::element::{Color, StrokeStyle};
use crate::geom::{Rect, WorldPoint};
use crate::render::{DrawCommand, Stroke};
use crate::shape::PathEl;

/// How long a point of the trail stays visible, milliseconds.
pub const LASER_FADE_MS: f64 = 1000.0;
/// The trail's colour (Excalidraw's laser red).
pub const LASER_COLOR: Color = Color::rgba(0xff, 0x2e, 0x2e, 0xff);
/// The width of the trail's newest part, screen pixels (it thins as it fades).
const LASER_WIDTH_PX: f64 = 4.0;
/// Points kept at most: a trail only lives a second, so this bounds a frantic scribble.
const MAX_LASER_POINTS: usize = 4000;

/// A point of the trail and when the pointer was there.
type Stamped = (WorldPoint, f64);

/// The laser trail.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Laser {
    /// One list of points per press, oldest first.
    strokes: Vec<Vec<Stamped>>,
    /// Whether the button is held (the last stroke is growing).
    pressed: bool,
}

impl Laser {
    /// The button went down at `at`: a new stroke starts.
    pub fn press(&mut self, at: WorldPoint, now_ms: f64) {
        if !at.is_finite() {
            return;
        }
        self.pressed = true;
        self.strokes.push(vec![(at, now_ms)]);
        self.bound();
    }

    /// The pointer moved to `at`. Returns whether the trail grew (only while pressed).
    pub fn drag(&mut self, at: WorldPoint, now_ms: f64) -> bool {
        if !self.pressed || !at.is_finite() {
            return false;
        }
        match self.strokes.last_mut() {
            Some(stroke) => stroke.push((at, now_ms)),
            None => self.strokes.push(vec![(at, now_ms)]),
        }
        self.bound();
        true
    }

    /// The button was released (or the gesture abandoned): the trail fades from here.
    pub fn release(&mut self) {
        self.pressed = false;
    }

    /// Whether the button is held.
    pub fn is_pressed(&self) -> bool {
        self.pressed
    }

    /// Forgets what has faded by `now_ms`. While the button is held the pointer's own point
    /// stays lit, so a resting pointer shows a dot rather than nothing.
    pub fn fade(&mut self, now_ms: f64) {
        if self.pressed
            && let Some(head) = self.strokes.last_mut().and_then(|s| s.last_mut())
        {
            head.1 = now_ms;
        }
        for stroke in &mut self.strokes {
            stroke.retain(|&(_, t)| now_ms - t < LASER_FADE_MS);
        }
        self.strokes.retain(|s| !s.is_empty());
    }

    /// How many points of the trail are kept (0 once it has faded).
    pub fn point_count(&self) -> usize {
        self.strokes.iter().map(Vec::len).sum()
    }

    /// Whether any of the trail is still visible.
    pub fn is_showing(&self) -> bool {
        !self.strokes.is_empty()
    }

    /// Drops the oldest points beyond [`MAX_LASER_POINTS`].
    fn bound(&mut self) {
        let mut total: usize = self.strokes.iter().map(Vec::len).sum();
        while total > MAX_LASER_POINTS && !self.strokes.is_empty() {
            let first = &mut self.strokes[0];
            let drop = (total - MAX_LASER_POINTS).min(first.len());
            first.drain(..drop);
            total -= drop;
            if first.is_empty() {
                self.strokes.remove(0);
            }
        }
    }

    /// The trail's drawing commands at `now_ms` for a camera at `zoom` (world coordinates):
    /// one segment per pair of points, more transparent and thinner the older it is; a lone
    /// point is a dot.
    pub fn commands(&self, now_ms: f64, zoom: f64) -> Vec<DrawCommand> {
        let zoom = if zoom.is_finite() && zoom > 0.0 {
            zoom
        } else {
            1.0
        };
        let life = |t: f64| (1.0 - (now_ms - t) / LASER_FADE_MS).clamp(0.0, 1.0);
        let mut out = Vec::new();
        for stroke in &self.strokes {
            if let [(p, t)] = stroke.as_slice() {
                let r = LASER_WIDTH_PX / zoom / 2.0;
                out.push(DrawCommand::Path {
                    path: crate::shape::ellipse(Rect::from_corners(*p, *p).inflate(r)),
                    fill: Some(LASER_COLOR),
                    stroke: None,
                    opacity: life(*t),
                });
                continue;
            }
            for pair in stroke.windows(2) {
                let [(a, _), (b, t)] = pair else { continue };
                let alive = life(*t);
                if alive <= 0.0 {
                    continue;
                }
                out.push(DrawCommand::Path {
                    path: vec![PathEl::MoveTo(*a), PathEl::LineTo(*b)],
                    fill: None,
                    stroke: Some(Stroke {
                        color: LASER_COLOR,
                        width: LASER_WIDTH_PX / zoom * (0.3 + 0.7 * alive),
                        style: StrokeStyle::Solid,
                    }),
                    opacity: alive,
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(x: f64, y: f64) -> WorldPoint {
        WorldPoint::new(x, y)
    }

    #[test]
    fn the_trail_fades_oldest_first_and_is_gone_after_a_second() {
        let mut laser = Laser::default();
        assert!(!laser.drag(p(0.0, 0.0), 0.0), "nothing without a press");
        laser.press(p(0.0, 0.0), 0.0);
        assert!(laser.drag(p(10.0, 0.0), 300.0));
        assert!(laser.drag(p(20.0, 0.0), 600.0));
        laser.release();
        let opacities: Vec<f64> = laser
            .commands(700.0, 1.0)
            .iter()
            .map(|c| match c {
                DrawCommand::Path { opacity, .. } => *opacity,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(opacities.len(), 2);
        assert!(opacities[0] < opacities[1], "{opacities:?}");
        laser.fade(1_100.0);
        assert!(laser.is_showing());
        laser.fade(1_700.0);
        assert!(!laser.is_showing());
        assert!(laser.commands(1_700.0, 1.0).is_empty());
    }

    #[test]
    fn a_held_pointer_stays_lit_and_the_trail_is_bounded() {
        let mut laser = Laser::default();
        laser.press(p(5.0, 5.0), 0.0);
        laser.fade(5_000.0);
        assert!(
            laser.is_showing(),
            "the pointer's own point stays while pressed"
        );
        assert_eq!(laser.commands(5_000.0, 2.0).len(), 1, "a dot");
        for i in 0..MAX_LASER_POINTS + 10 {
            laser.drag(p(i as f64, 0.0), 5_000.0);
        }
        let total: usize = laser.strokes.iter().map(Vec::len).sum();
        assert_eq!(total, MAX_LASER_POINTS);
    }
}
