//! Editing the points of a line or arrow (Excalidraw's linear element editor, simplified): with
//! exactly one line or arrow selected, each point shows a handle that drags it, and a smaller
//! handle in the middle of each segment drags out a new point there.
//!
//! Dragging an arrow's end binds it to the shape it is released on or near, or releases it
//! (the same rule as drawing: [`crate::binding::target_at`]); the gesture sets both ends'
//! bindings itself, so the editor keeps them as given instead of treating the edit as the arrow
//! moving away from its shapes.

use super::select::selected_props;
use super::{Selection, ToolContext};
use crate::binding::{self, End};
use crate::element::{ElementId, ElementKind, Props};
use crate::geom::WorldPoint;
use crate::ops::Patch;
use crate::scene::Scene;

/// Diameter of a point handle, screen pixels.
pub const POINT_HANDLE_PX: f64 = 10.0;
/// Diameter of a segment's midpoint handle, screen pixels.
pub const MIDPOINT_HANDLE_PX: f64 = 7.0;
/// How far from a point handle's centre it can be grabbed, screen pixels.
const POINT_REACH_PX: f64 = 10.0;
/// Segments shorter than this on screen show no midpoint handle (it would sit on the points).
const MIDPOINT_MIN_SEGMENT_PX: f64 = 4.0 * POINT_REACH_PX;

/// A handle on a selected line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PointHandle {
    /// The point with this index.
    Point(usize),
    /// The middle of the segment from point `i` to point `i + 1`: dragging it adds a point.
    Between(usize),
}

/// The one selected element when it is a line or arrow (with at least two points).
pub fn editable<'a>(scene: &'a Scene, selection: &'a Selection) -> Option<(ElementId, &'a Props)> {
    let mut selected = selected_props(scene, selection);
    let only = selected.next().filter(|_| selected.next().is_none())?;
    let linear = matches!(only.1.kind, ElementKind::Line | ElementKind::Arrow);
    (linear && only.1.points.len() >= 2).then_some(only)
}

/// The handles of line `p` at `zoom`, where they are drawn and grabbed: the points, then the
/// segments' midpoints.
pub fn handles(p: &Props, zoom: f64) -> Vec<(PointHandle, WorldPoint)> {
    let pts = p.world_points();
    let zoom = if zoom.is_finite() && zoom > 0.0 {
        zoom
    } else {
        1.0
    };
    let mids = pts.windows(2).enumerate().filter_map(|(i, w)| {
        let long = (w[1] - w[0]).length() * zoom >= MIDPOINT_MIN_SEGMENT_PX;
        long.then(|| (PointHandle::Between(i), w[0] + (w[1] - w[0]) * 0.5))
    });
    let points = pts
        .iter()
        .enumerate()
        .map(|(i, &q)| (PointHandle::Point(i), q));
    points.chain(mids).collect()
}

/// The handle of line `p` within reach of `at`: the closest point, or else the closest
/// midpoint.
pub fn handle_at(p: &Props, at: WorldPoint, zoom: f64) -> Option<PointHandle> {
    let reach = POINT_REACH_PX / zoom.max(1e-9);
    let near = handles(p, zoom)
        .into_iter()
        .map(|(h, q)| (h, (q - at).length()))
        .filter(|(_, d)| *d <= reach);
    // Points win over midpoints, then the closer one.
    near.min_by(|a, b| {
        let rank = |h: &PointHandle| matches!(h, PointHandle::Between(_));
        (rank(&a.0), a.1)
            .partial_cmp(&(rank(&b.0), b.1))
            .unwrap_or(std::cmp::Ordering::Equal)
    })
    .map(|(h, _)| h)
}

/// A point being dragged.
#[derive(Clone, Debug, PartialEq)]
pub struct PointDrag {
    /// The line.
    pub id: ElementId,
    /// Its props when the drag began.
    pub before: Props,
    /// The same with the new point inserted, when a midpoint is dragged.
    base: Props,
    /// Which point moves.
    index: usize,
    /// Where the pointer went down.
    origin: WorldPoint,
    /// Where the point was then, world coordinates.
    grabbed: WorldPoint,
}

impl PointDrag {
    /// Starts dragging `handle` of line `id` (props `p`) from `origin`. `None` if the handle
    /// does not exist.
    pub fn start(
        id: ElementId,
        p: &Props,
        handle: PointHandle,
        origin: WorldPoint,
    ) -> Option<Self> {
        let mut pts = p.world_points();
        let (index, grabbed) = match handle {
            PointHandle::Point(i) => (i, *pts.get(i)?),
            PointHandle::Between(i) => {
                let (a, b) = (*pts.get(i)?, *pts.get(i + 1)?);
                let mid = a + (b - a) * 0.5;
                pts.insert(i + 1, mid);
                (i + 1, mid)
            }
        };
        let mut base = p.clone();
        base.set_world_points(&pts);
        Some(Self {
            id,
            before: p.clone(),
            base,
            index,
            origin,
            grabbed,
        })
    }

    /// The line with the point moved for the pointer at `at`, an arrow's dragged end bound to
    /// what it is over (or released), and bound ends snapped to their shapes; with the shape the
    /// dragged end binds to.
    pub fn props_at(&self, at: WorldPoint, ctx: &ToolContext<'_>) -> (Props, Option<ElementId>) {
        let mut pts = self.base.world_points();
        let n = pts.len();
        let pos = self.grabbed + (at - self.origin);
        pts[self.index] = pos;
        let mut p = self.base.clone();
        p.set_world_points(&pts);
        let mut target = None;
        let lookup = |t: ElementId| ctx.scene.get(t).map(|e| e.props());
        if binding::binds(&p) {
            for end in End::BOTH.into_iter().filter(|e| e.index(n) == self.index) {
                let mut except = vec![self.id];
                // A straight arrow cannot start and finish on the same shape.
                if n == 2 {
                    except.extend(end.other().binding(&p).map(|b| b.element_id));
                }
                target = binding::target_at(ctx.scene, pos, ctx.world(binding::BIND_PX), &except);
                let adjacent = pts[end.adjacent(n)];
                let b = target.and_then(|t| Some(binding::bind(t, lookup(t)?, pos, adjacent)));
                end.set_binding(&mut p, b);
            }
        }
        (binding::follow(&p, lookup), target)
    }

    /// Where the pointer went down.
    pub fn origin(&self) -> WorldPoint {
        self.origin
    }

    /// The patch that makes `after` real. It always names both bindings, so the editor keeps
    /// them as this gesture set them.
    pub fn patch(&self, after: &Props) -> Patch {
        let mut patch = Patch::diff(&self.before, after);
        if binding::binds(after) {
            patch.start_binding = Some(after.start_binding);
            patch.end_binding = Some(after.end_binding);
        }
        patch
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::editor::{Editor, ToolKind};
    use crate::testing::{Ids, drag};

    /// A rectangle 300..400 × 0..100 (id 1) and a free arrow from (0, 50) to (200, 50) (id 2),
    /// selected.
    fn board() -> (Editor, Ids, ElementId, ElementId) {
        let (mut ed, mut env) = (Editor::default(), Ids::default());
        ed.set_tool(ToolKind::Rectangle);
        let shape = drag(&mut ed, &mut env, (300.0, 0.0), (400.0, 100.0)).unwrap();
        ed.set_tool(ToolKind::Arrow);
        let arrow = drag(&mut ed, &mut env, (0.0, 50.0), (200.0, 50.0)).unwrap();
        ed.set_tool(ToolKind::Select);
        ed.select([arrow]);
        (ed, env, shape, arrow)
    }

    fn props(ed: &Editor, id: ElementId) -> Props {
        ed.scene().get(id).unwrap().props().clone()
    }

    #[test]
    fn a_selected_arrow_shows_its_points_and_a_midpoint_and_no_frame_handles() {
        let (ed, _, _, arrow) = board();
        let p = props(&ed, arrow);
        let hs = handles(&p, 1.0);
        assert_eq!(
            hs.iter().map(|h| h.0).collect::<Vec<_>>(),
            [
                PointHandle::Point(0),
                PointHandle::Point(1),
                PointHandle::Between(0)
            ]
        );
        assert_eq!(hs[2].1, WorldPoint::new(100.0, 50.0));
        assert!(!crate::tool::select::frame_handles(
            ed.scene(),
            ed.selection()
        ));
        // The overlay draws them: three circles, no resize squares.
        let cmds = ed.draw_commands(800.0, 600.0);
        let circles = cmds
            .iter()
            .filter(
                |c| matches!(c, crate::render::DrawCommand::Path { path, .. } if path.len() == 6),
            )
            .count();
        assert_eq!(circles, 3);
    }

    #[test]
    fn dragging_an_arrow_end_onto_a_shape_binds_it_and_dragging_it_off_releases_it() {
        let (mut ed, mut env, shape, arrow) = board();
        drag(&mut ed, &mut env, (200.0, 50.0), (310.0, 60.0));
        let p = props(&ed, arrow);
        assert_eq!(p.end_binding.map(|b| b.element_id), Some(shape));
        let end = p.world_points()[1];
        assert!(
            end.x < 300.0 && end.x > 290.0,
            "snapped outside the outline: {end:?}"
        );
        assert_eq!(
            p.world_points()[0],
            WorldPoint::new(0.0, 50.0),
            "the start stays"
        );
        // Moving the shape now takes the end along.
        ed.select([shape]);
        ed.run(
            crate::editor::Command::Nudge(crate::geom::Vec2::new(50.0, 0.0)),
            &mut env,
        );
        assert!(props(&ed, arrow).world_points()[1].x > 340.0);
        // Dragged off again: released.
        ed.select([arrow]);
        let end = props(&ed, arrow).world_points()[1];
        drag(&mut ed, &mut env, (end.x, end.y), (150.0, 200.0));
        let p = props(&ed, arrow);
        assert_eq!(p.end_binding, None);
        assert_eq!(p.world_points()[1], WorldPoint::new(150.0, 200.0));
        // Each drag was one undo step.
        ed.undo(&mut env);
        assert_eq!(
            props(&ed, arrow).end_binding.map(|b| b.element_id),
            Some(shape)
        );
    }

    #[test]
    fn dragging_a_midpoint_adds_a_point_there() {
        let (mut ed, mut env, _, arrow) = board();
        drag(&mut ed, &mut env, (100.0, 50.0), (100.0, -50.0));
        let pts = props(&ed, arrow).world_points();
        assert_eq!(pts.len(), 3);
        assert_eq!(pts[1], WorldPoint::new(100.0, -50.0));
        assert_eq!(
            (pts[0], pts[2]),
            (WorldPoint::new(0.0, 50.0), WorldPoint::new(200.0, 50.0))
        );
        // A three-point arrow keeps its frame's handles too.
        assert!(crate::tool::select::frame_handles(
            ed.scene(),
            ed.selection()
        ));
    }

    #[test]
    fn moving_a_middle_point_keeps_the_ends_bound_and_aims_them_anew() {
        let (mut ed, mut env, shape, arrow) = board();
        drag(&mut ed, &mut env, (200.0, 50.0), (310.0, 50.0));
        // The end snapped to 295: the midpoint is half-way there.
        drag(&mut ed, &mut env, (147.5, 50.0), (147.5, 50.0 - 60.0));
        let p = props(&ed, arrow);
        assert_eq!(p.points.len(), 3);
        assert_eq!(
            p.end_binding.map(|b| b.element_id),
            Some(shape),
            "still bound"
        );
        // The end now comes from above-left: it meets the shape's left side above the middle,
        // or its top.
        let end = p.world_points()[2];
        assert!(end.y < 50.0 - 1.0, "{end:?}");
    }

    #[test]
    fn a_click_on_a_point_changes_nothing() {
        let (mut ed, mut env, _, arrow) = board();
        let before = props(&ed, arrow);
        crate::testing::click(&mut ed, &mut env, (200.0, 50.0));
        assert_eq!(props(&ed, arrow), before);
        assert!(!ed.can_redo());
        assert_eq!(ed.selection().ids().collect::<Vec<_>>(), [arrow]);
    }
}
