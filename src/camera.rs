//! The camera: how the infinite world is mapped onto the screen.
//!
//! `screen = (world - origin) * zoom`, where `origin` is the world point shown at the canvas's
//! top-left corner. Device pixels are a separate concern of the painter (`screen * dpr`), so the
//! camera is the same on a phone and on a 4K monitor.

use crate::geom::{Rect, ScreenPoint, ScreenVec, Vec2, WorldPoint};
use serde::{Deserialize, Serialize};

/// The smallest zoom factor (10 %).
pub const MIN_ZOOM: f64 = 0.1;
/// The largest zoom factor (3000 %).
pub const MAX_ZOOM: f64 = 30.0;

/// The pan/zoom state of one viewer.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Camera {
    /// The world point shown at the top-left corner of the canvas.
    pub origin: WorldPoint,
    /// Screen pixels per world unit, clamped to [`MIN_ZOOM`, `MAX_ZOOM`].
    pub zoom: f64,
}

impl Default for Camera {
    fn default() -> Self {
        Self {
            origin: WorldPoint::ORIGIN,
            zoom: 1.0,
        }
    }
}

impl Camera {
    /// Where a world point appears on screen.
    pub fn world_to_screen(&self, p: WorldPoint) -> ScreenPoint {
        ScreenPoint::new(
            (p.x - self.origin.x) * self.zoom,
            (p.y - self.origin.y) * self.zoom,
        )
    }

    /// The world point under a screen point.
    pub fn screen_to_world(&self, p: ScreenPoint) -> WorldPoint {
        WorldPoint::new(
            p.x / self.zoom + self.origin.x,
            p.y / self.zoom + self.origin.y,
        )
    }

    /// Moves the view so that the content follows a pointer dragged by `delta` screen pixels.
    pub fn pan_by(&mut self, delta: ScreenVec) {
        self.origin = self.origin - Vec2::new(delta.x / self.zoom, delta.y / self.zoom);
    }

    /// Sets the zoom to `zoom` (clamped) while keeping the world point under `anchor` fixed, which
    /// is what zooming "around the pointer" means.
    pub fn zoom_at(&mut self, anchor: ScreenPoint, zoom: f64) {
        if !zoom.is_finite() {
            return;
        }
        let before = self.screen_to_world(anchor);
        self.zoom = zoom.clamp(MIN_ZOOM, MAX_ZOOM);
        let after = self.screen_to_world(anchor);
        self.origin = self.origin + (before - after);
    }

    /// Frames `rect` in a `width` × `height` viewport with `padding` pixels around it, zooming
    /// no further in than `max_zoom` (so a single small shape is not blown up to fill the
    /// screen).
    pub fn fit(&mut self, rect: Rect, width: f64, height: f64, padding: f64, max_zoom: f64) {
        let (w, h) = (
            (width - 2.0 * padding).max(1.0),
            (height - 2.0 * padding).max(1.0),
        );
        let zoom = (w / rect.width().max(1e-9)).min(h / rect.height().max(1e-9));
        if !zoom.is_finite() {
            return;
        }
        self.zoom = zoom.min(max_zoom).clamp(MIN_ZOOM, MAX_ZOOM);
        let c = rect.center();
        self.origin = WorldPoint::new(
            c.x - width / 2.0 / self.zoom,
            c.y - height / 2.0 / self.zoom,
        );
    }

    /// The part of the world visible in a viewport of `width` × `height` CSS pixels.
    pub fn visible_rect(&self, width: f64, height: f64) -> Rect {
        Rect::from_corners(
            self.screen_to_world(ScreenPoint::new(0.0, 0.0)),
            self.screen_to_world(ScreenPoint::new(width, height)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn screen_and_world_round_trip() {
        let cam = Camera {
            origin: WorldPoint::new(-120.5, 33.0),
            zoom: 2.5,
        };
        let w = WorldPoint::new(17.25, -4.0);
        let back = cam.screen_to_world(cam.world_to_screen(w));
        assert!(close(back.x, w.x) && close(back.y, w.y));
    }

    #[test]
    fn zooming_keeps_the_point_under_the_pointer_fixed() {
        let mut cam = Camera::default();
        let anchor = ScreenPoint::new(300.0, 200.0);
        let before = cam.screen_to_world(anchor);
        cam.zoom_at(anchor, 4.0);
        let after = cam.screen_to_world(anchor);
        assert!(close(before.x, after.x) && close(before.y, after.y));
        assert_eq!(cam.zoom, 4.0);
    }

    #[test]
    fn zoom_is_clamped_and_ignores_nan() {
        let mut cam = Camera::default();
        cam.zoom_at(ScreenPoint::new(0.0, 0.0), 1000.0);
        assert_eq!(cam.zoom, MAX_ZOOM);
        cam.zoom_at(ScreenPoint::new(0.0, 0.0), 0.0);
        assert_eq!(cam.zoom, MIN_ZOOM);
        cam.zoom_at(ScreenPoint::new(0.0, 0.0), f64::NAN);
        assert_eq!(cam.zoom, MIN_ZOOM);
    }

    #[test]
    fn panning_moves_content_with_the_pointer() {
        let mut cam = Camera {
            origin: WorldPoint::ORIGIN,
            zoom: 2.0,
        };
        let w = WorldPoint::new(50.0, 50.0);
        let s0 = cam.world_to_screen(w);
        cam.pan_by(ScreenVec::new(30.0, -10.0));
        let s1 = cam.world_to_screen(w);
        assert!(close(s1.x - s0.x, 30.0) && close(s1.y - s0.y, -10.0));
    }

    #[test]
    fn visible_rect_scales_with_zoom() {
        let cam = Camera {
            origin: WorldPoint::new(10.0, 20.0),
            zoom: 2.0,
        };
        let r = cam.visible_rect(800.0, 600.0);
        assert_eq!(r.min, WorldPoint::new(10.0, 20.0));
        assert!(close(r.width(), 400.0) && close(r.height(), 300.0));
    }
}
