//! The grid (Excalidraw's Ctrl+'): while it is shown, drawing, moving and resizing snap to it.
//!
//! Snapping is done by the tools, on world coordinates, so every host and every test sees the
//! same numbers; the painting of the grid is the renderer's ([`crate::render::grid_commands`]).
//! What snaps, as in Excalidraw:
//! - a new box's corners and a new line's or arrow's ends (not freehand ink, which would turn
//!   into a staircase);
//! - a moved selection's top-left corner (the move is adjusted so that corner lands on the grid,
//!   rather than the move itself being a whole number of cells, which would keep an off-grid
//!   shape off the grid forever);
//! - the dragged handle of a resize.
//!
//! Holding Ctrl (Cmd) while dragging frees the pointer from the grid for that gesture's events.

use crate::geom::{Vec2, WorldPoint};

/// The side of a grid cell, world units (Excalidraw's 20).
pub const GRID_SIZE: f64 = 20.0;

/// `v` rounded to the nearest multiple of `size` (unchanged when `size` is not a positive finite
/// number).
pub fn snap_value(v: f64, size: f64) -> f64 {
    if size.is_finite() && size > 0.0 && v.is_finite() {
        (v / size).round() * size
    } else {
        v
    }
}

/// `p` moved to the nearest grid point.
pub fn snap_point(p: WorldPoint, size: f64) -> WorldPoint {
    WorldPoint::new(snap_value(p.x, size), snap_value(p.y, size))
}

/// The move closest to `d` that puts `anchor` on a grid point.
pub fn snap_move(anchor: WorldPoint, d: Vec2, size: f64) -> Vec2 {
    snap_point(anchor + d, size) - anchor
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_to_the_nearest_multiple_of_the_cell() {
        assert_eq!(snap_value(29.0, 20.0), 20.0);
        assert_eq!(snap_value(31.0, 20.0), 40.0);
        assert_eq!(snap_value(-9.0, 20.0), 0.0);
        assert_eq!(snap_value(-11.0, 20.0), -20.0);
        assert_eq!(snap_value(13.0, 0.0), 13.0, "no grid");
        assert_eq!(snap_value(13.0, f64::NAN), 13.0);
    }

    #[test]
    fn a_move_puts_the_anchor_on_the_grid() {
        let d = snap_move(WorldPoint::new(3.0, 47.0), Vec2::new(25.0, -1.0), 20.0);
        assert_eq!(d, Vec2::new(17.0, -7.0));
        assert_eq!(
            snap_point(WorldPoint::new(3.0, 47.0) + d, 20.0),
            WorldPoint::new(20.0, 40.0)
        );
    }
}
