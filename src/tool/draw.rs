//! Tools that draw new shapes: boxes (rectangle, diamond, ellipse), lines and arrows, and
//! freehand ink.
//!
//! Each is a two-state machine, idle or drawing; while drawing, the shape is shown as a preview
//! with the style it will get, and pointer-up commits it as one `Create` edit (or nothing, for a
//! drag too short to mean a shape).

use super::{
    DRAG_PX, Edit, Feedback, PointerInput, Preview, Tool, ToolContext, ToolOutcome, snap_direction,
};
use crate::binding;
use crate::element::{ElementId, ElementKind, MAX_POINTS, Props};
use crate::geom::{Rect, Vec2, WorldPoint};

/// The box a drag from `anchor` to `current` spans. Shift makes it a square; alt makes `anchor`
/// the centre instead of a corner (Excalidraw's modifiers).
pub fn drag_rect(anchor: WorldPoint, current: WorldPoint, input: &PointerInput) -> Rect {
    let mut d = current - anchor;
    if input.modifiers.shift {
        let side = d.x.abs().max(d.y.abs());
        d = Vec2::new(side.copysign(d.x), side.copysign(d.y));
    }
    if input.modifiers.alt {
        Rect::from_corners(anchor - d, anchor + d)
    } else {
        Rect::from_corners(anchor, anchor + d)
    }
}

/// Draws box-shaped elements (rectangle, diamond, ellipse) by dragging from one corner to the
/// opposite one.
#[derive(Clone, Debug, PartialEq)]
pub struct BoxTool {
    kind: ElementKind,
    /// Drawing: where the drag started.
    anchor: Option<WorldPoint>,
    preview: Preview,
}

impl BoxTool {
    /// A tool that draws elements of `kind` (a box kind).
    pub fn new(kind: ElementKind) -> Self {
        Self {
            kind,
            anchor: None,
            preview: Preview::default(),
        }
    }

    fn shape(&self, input: &PointerInput, ctx: &ToolContext<'_>) -> Option<Props> {
        let rect = drag_rect(self.anchor?, ctx.snap(input), input);
        let mut props = Props::new(self.kind, rect, ctx.scene.next_index());
        ctx.style.apply(&mut props);
        Some(props)
    }
}

impl Tool for BoxTool {
    fn pointer_down(&mut self, input: &PointerInput, ctx: &mut ToolContext<'_>) -> Feedback {
        if input.at.is_finite() {
            self.anchor = Some(ctx.snap(input));
        }
        Feedback::None
    }

    fn pointer_move(&mut self, input: &PointerInput, ctx: &mut ToolContext<'_>) -> Feedback {
        if !input.at.is_finite() {
            return Feedback::None;
        }
        match self.shape(input, ctx) {
            Some(props) => {
                self.preview.added = vec![props];
                Feedback::Repaint
            }
            None => Feedback::None,
        }
    }

    fn pointer_up(&mut self, input: &PointerInput, ctx: &mut ToolContext<'_>) -> ToolOutcome {
        if input.at.is_finite() {
            self.pointer_move(input, ctx);
        }
        self.anchor = None;
        let shape = self.preview.added.pop();
        self.preview = Preview::default();
        let min = ctx.world(DRAG_PX);
        match shape {
            Some(p) if p.width >= min || p.height >= min => {
                ToolOutcome::Commit(vec![Edit::Create(p)])
            }
            _ => ToolOutcome::Nothing,
        }
    }

    fn cancel(&mut self) -> Feedback {
        let was = self.is_active();
        self.anchor = None;
        self.preview = Preview::default();
        Feedback::repaint_if(was)
    }

    fn is_active(&self) -> bool {
        self.anchor.is_some()
    }

    fn preview(&self) -> &Preview {
        &self.preview
    }
}

/// Draws straight lines and arrows by dragging from one end to the other (shift snaps the
/// direction to 15° steps). Arrows get their head at the end where the drag finished.
///
/// An arrow's ends bind to the shapes they start or finish on (or near: within
/// [`binding::BIND_PX`] screen pixels), as in Excalidraw: the ends snap to the outlines and the
/// shape under the end is highlighted while drawing, and on hover before pressing.
#[derive(Clone, Debug, PartialEq)]
pub struct LinearTool {
    kind: ElementKind,
    start: Option<WorldPoint>,
    /// Drawing: the shape the start is bound to.
    start_target: Option<ElementId>,
    /// Drawing: where the free end was last shown.
    end: Option<WorldPoint>,
    preview: Preview,
}

impl LinearTool {
    /// A tool that draws elements of `kind` ([`ElementKind::Line`] or [`ElementKind::Arrow`]).
    pub fn new(kind: ElementKind) -> Self {
        Self {
            kind,
            start: None,
            start_target: None,
            end: None,
            preview: Preview::default(),
        }
    }

    /// Where the line ends: shift's 15° steps win over the grid (an angle and a grid point
    /// rarely agree).
    fn end(start: WorldPoint, input: &PointerInput, ctx: &ToolContext<'_>) -> WorldPoint {
        if input.modifiers.shift {
            snap_direction(start, input.at)
        } else {
            ctx.snap(input)
        }
    }

    /// The shape an end at `at` would bind to (never for lines).
    fn target(
        &self,
        at: WorldPoint,
        except: &[ElementId],
        ctx: &ToolContext<'_>,
    ) -> Option<ElementId> {
        let binds = self.kind == ElementKind::Arrow;
        binds
            .then(|| binding::target_at(ctx.scene, at, ctx.world(binding::BIND_PX), except))
            .flatten()
    }
}

impl Tool for LinearTool {
    fn pointer_down(&mut self, input: &PointerInput, ctx: &mut ToolContext<'_>) -> Feedback {
        if input.at.is_finite() {
            // The point snaps to the grid; what it binds to is what is under the pointer.
            self.start = Some(ctx.snap(input));
            self.start_target = self.target(input.at, &[], ctx);
        }
        Feedback::None
    }

    fn pointer_move(&mut self, input: &PointerInput, ctx: &mut ToolContext<'_>) -> Feedback {
        if !input.at.is_finite() {
            return Feedback::None;
        }
        let Some(start) = self.start else {
            // Hovering: show what a press here would bind to.
            let target = self.target(input.at, &[], ctx);
            let changed = target != self.preview.bind_target;
            self.preview.bind_target = target;
            return Feedback::repaint_if(changed);
        };
        let end = Self::end(start, input, ctx);
        self.end = Some(end);
        let Some(mut props) = Props::through(self.kind, &[start, end], ctx.scene.next_index())
        else {
            return Feedback::None;
        };
        ctx.style.apply(&mut props);
        // A straight arrow cannot start and finish on the same shape.
        let except: Vec<ElementId> = self.start_target.into_iter().collect();
        let end_target = self.target(end, &except, ctx);
        let lookup = |id: ElementId| ctx.scene.get(id).map(|e| e.props());
        props.start_binding = self
            .start_target
            .and_then(|t| Some(binding::bind(t, lookup(t)?, start, end)));
        props.end_binding = end_target.and_then(|t| Some(binding::bind(t, lookup(t)?, end, start)));
        self.preview.added = vec![binding::follow(&props, lookup)];
        self.preview.bind_target = end_target;
        Feedback::Repaint
    }

    fn pointer_up(&mut self, input: &PointerInput, ctx: &mut ToolContext<'_>) -> ToolOutcome {
        self.pointer_move(input, ctx);
        let start = self.start.take();
        self.start_target = None;
        let shape = self.preview.added.pop();
        self.preview = Preview::default();
        // The drag's own length decides, not the snapped arrow's.
        let dragged = start.zip(self.end.take()).map(|(s, e)| (e - s).length());
        match (dragged, shape) {
            (Some(d), Some(p)) if d >= ctx.world(DRAG_PX) => {
                ToolOutcome::Commit(vec![Edit::Create(p)])
            }
            _ => ToolOutcome::Nothing,
        }
    }

    fn cancel(&mut self) -> Feedback {
        let was = self.is_active() || self.preview.bind_target.is_some();
        self.start = None;
        self.start_target = None;
        self.end = None;
        self.preview = Preview::default();
        Feedback::repaint_if(was)
    }

    fn is_active(&self) -> bool {
        self.start.is_some()
    }

    fn preview(&self) -> &Preview {
        &self.preview
    }
}

/// How strongly each new ink point is pulled towards the previous one (0: not at all). Light:
/// it removes the jitter of a mouse or a trembling hand without rounding corners off; the
/// renderer's freehand outline smooths again when it draws.
const STREAMLINE: f64 = 0.25;
/// Pointer moves shorter than this (screen pixels) add no point: they carry no shape, only
/// weight (a pen at rest reports dozens of identical positions).
const MIN_STEP_PX: f64 = 1.0;

/// A stroke being drawn.
#[derive(Clone, Debug, PartialEq)]
struct Stroke {
    points: Vec<WorldPoint>,
    /// One per point when the device reports pressure, else empty.
    pressures: Vec<f32>,
    /// The last raw position, added at the end so the ink ends where the pen lifted.
    last_raw: WorldPoint,
}

/// Draws freehand ink. Points are smoothed lightly as they arrive and stored relative to the
/// element; pen pressure is recorded when the device reports it (mice and fingers get the
/// renderer's simulated pressure instead).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FreedrawTool {
    stroke: Option<Stroke>,
    preview: Preview,
}

fn pressure(input: &PointerInput) -> Option<f32> {
    input
        .pressure
        .filter(|p| p.is_finite())
        .map(|p| p.clamp(0.0, 1.0))
}

impl FreedrawTool {
    /// A pencil.
    pub fn new() -> Self {
        Self::default()
    }

    fn props(stroke: &Stroke, ctx: &ToolContext<'_>) -> Option<Props> {
        let mut props = Props::through(
            ElementKind::Freedraw,
            &stroke.points,
            ctx.scene.next_index(),
        )?;
        if stroke.pressures.len() == stroke.points.len() {
            props.pressures = stroke.pressures.clone();
        }
        ctx.style.apply(&mut props);
        Some(props)
    }

    fn push(stroke: &mut Stroke, p: WorldPoint, pressure: Option<f32>) {
        if stroke.points.len() >= MAX_POINTS {
            return;
        }
        stroke.points.push(p);
        if !stroke.pressures.is_empty() {
            stroke.pressures.push(pressure.unwrap_or(0.5));
        }
    }
}

impl Tool for FreedrawTool {
    fn pointer_down(&mut self, input: &PointerInput, ctx: &mut ToolContext<'_>) -> Feedback {
        if !input.at.is_finite() {
            return Feedback::None;
        }
        let stroke = Stroke {
            points: vec![input.at],
            pressures: pressure(input).into_iter().collect(),
            last_raw: input.at,
        };
        self.preview.added = Self::props(&stroke, ctx).into_iter().collect();
        self.stroke = Some(stroke);
        Feedback::Repaint
    }

    fn pointer_move(&mut self, input: &PointerInput, ctx: &mut ToolContext<'_>) -> Feedback {
        let Some(stroke) = self.stroke.as_mut().filter(|_| input.at.is_finite()) else {
            return Feedback::None;
        };
        stroke.last_raw = input.at;
        let Some(&last) = stroke.points.last() else {
            return Feedback::None;
        };
        if (input.at - last).length() < ctx.world(MIN_STEP_PX) {
            return Feedback::None;
        }
        let smoothed = last + (input.at - last) * (1.0 - STREAMLINE);
        Self::push(stroke, smoothed, pressure(input));
        let stroke = stroke.clone();
        self.preview.added = Self::props(&stroke, ctx).into_iter().collect();
        Feedback::Repaint
    }

    fn pointer_up(&mut self, input: &PointerInput, ctx: &mut ToolContext<'_>) -> ToolOutcome {
        self.preview = Preview::default();
        let Some(mut stroke) = self.stroke.take() else {
            return ToolOutcome::Nothing;
        };
        let end = if input.at.is_finite() {
            input.at
        } else {
            stroke.last_raw
        };
        if stroke.points.last().is_some_and(|&l| l != end) {
            Self::push(&mut stroke, end, pressure(input));
        }
        // A click leaves a dot, as on paper (and in Excalidraw).
        match Self::props(&stroke, ctx) {
            Some(p) => ToolOutcome::Commit(vec![Edit::Create(p)]),
            None => ToolOutcome::Nothing,
        }
    }

    fn cancel(&mut self) -> Feedback {
        let was = self.is_active();
        self.stroke = None;
        self.preview = Preview::default();
        Feedback::repaint_if(was)
    }

    fn is_active(&self) -> bool {
        self.stroke.is_some()
    }

    fn preview(&self) -> &Preview {
        &self.preview
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::element::Arrowhead;
    use crate::geom::LocalPoint;
    use crate::scene::Scene;
    use crate::tool::Selection;
    use crate::tool::testing::{at, ctx, shift_at};

    fn created(out: ToolOutcome) -> Props {
        match out {
            ToolOutcome::Commit(edits) => match edits.as_slice() {
                [Edit::Create(p)] => p.clone(),
                other => panic!("expected one create, got {other:?}"),
            },
            other => panic!("expected a commit, got {other:?}"),
        }
    }

    #[test]
    fn dragging_up_and_left_still_makes_a_positive_box() {
        let (scene, mut sel) = (Scene::default(), Selection::default());
        let mut c = ctx(&scene, &mut sel);
        let mut t = BoxTool::new(ElementKind::Rectangle);
        t.pointer_down(&at(100.0, 100.0), &mut c);
        let p = created(t.pointer_up(&at(40.0, 70.0), &mut c));
        assert_eq!((p.x, p.y, p.width, p.height), (40.0, 70.0, 60.0, 30.0));
        assert!(!t.is_active() && t.preview().is_empty());
    }

    #[test]
    fn a_click_without_drag_creates_no_box() {
        let (scene, mut sel) = (Scene::default(), Selection::default());
        let mut c = ctx(&scene, &mut sel);
        let mut t = BoxTool::new(ElementKind::Diamond);
        t.pointer_down(&at(5.0, 5.0), &mut c);
        assert_eq!(t.pointer_up(&at(6.0, 6.0), &mut c), ToolOutcome::Nothing);
    }

    #[test]
    fn shift_draws_a_square_and_alt_draws_from_the_centre() {
        let (scene, mut sel) = (Scene::default(), Selection::default());
        let mut c = ctx(&scene, &mut sel);
        let mut t = BoxTool::new(ElementKind::Ellipse);
        t.pointer_down(&at(0.0, 0.0), &mut c);
        let p = created(t.pointer_up(&shift_at(50.0, -20.0), &mut c));
        assert_eq!((p.x, p.y, p.width, p.height), (0.0, -50.0, 50.0, 50.0));
        let mut alt = at(10.0, 5.0);
        alt.modifiers.alt = true;
        t.pointer_down(&at(0.0, 0.0), &mut c);
        let p = created(t.pointer_up(&alt, &mut c));
        assert_eq!((p.x, p.y, p.width, p.height), (-10.0, -5.0, 20.0, 10.0));
    }

    #[test]
    fn moves_preview_only_while_dragging_and_cancel_forgets_the_shape() {
        let (scene, mut sel) = (Scene::default(), Selection::default());
        let mut c = ctx(&scene, &mut sel);
        let mut t = BoxTool::new(ElementKind::Ellipse);
        assert_eq!(t.pointer_move(&at(1.0, 1.0), &mut c), Feedback::None);
        t.pointer_down(&at(0.0, 0.0), &mut c);
        assert_eq!(t.pointer_move(&at(10.0, 10.0), &mut c), Feedback::Repaint);
        assert_eq!(t.preview().added[0].kind, ElementKind::Ellipse);
        assert_eq!(t.cancel(), Feedback::Repaint);
        assert!(t.preview().is_empty());
        assert_eq!(t.pointer_up(&at(20.0, 20.0), &mut c), ToolOutcome::Nothing);
    }

    #[test]
    fn non_finite_pointer_positions_are_ignored() {
        let (scene, mut sel) = (Scene::default(), Selection::default());
        let mut c = ctx(&scene, &mut sel);
        let mut t = BoxTool::new(ElementKind::Rectangle);
        t.pointer_down(&at(f64::NAN, 0.0), &mut c);
        assert!(!t.is_active());
        t.pointer_down(&at(0.0, 0.0), &mut c);
        t.pointer_move(&at(f64::INFINITY, 3.0), &mut c);
        let p = created(t.pointer_up(&at(30.0, 30.0), &mut c));
        assert_eq!((p.width, p.height), (30.0, 30.0));
    }

    #[test]
    fn the_click_threshold_is_in_screen_pixels() {
        let (scene, mut sel) = (Scene::default(), Selection::default());
        let mut c = ctx(&scene, &mut sel);
        c.zoom = 10.0; // 1 world unit = 10 px: a 1-unit drag is a real drag
        let mut t = BoxTool::new(ElementKind::Rectangle);
        t.pointer_down(&at(0.0, 0.0), &mut c);
        assert!(matches!(
            t.pointer_up(&at(1.0, 1.0), &mut c),
            ToolOutcome::Commit(_)
        ));
    }

    #[test]
    fn arrows_get_a_head_at_the_end_and_shift_snaps_the_direction() {
        let (scene, mut sel) = (Scene::default(), Selection::default());
        let mut c = ctx(&scene, &mut sel);
        let mut t = LinearTool::new(ElementKind::Arrow);
        t.pointer_down(&at(10.0, 10.0), &mut c);
        t.pointer_move(&at(60.0, 30.0), &mut c);
        let p = created(t.pointer_up(&shift_at(110.0, 13.0), &mut c));
        assert_eq!(p.kind, ElementKind::Arrow);
        assert_eq!(p.end_arrowhead, Arrowhead::Arrow);
        assert_eq!(p.start_arrowhead, Arrowhead::None);
        assert_eq!(p.points.len(), 2);
        assert!(p.height.abs() < 1e-9, "snapped horizontal: {p:?}");
        assert_eq!(p.points[0], LocalPoint::new(0.0, 0.0));
    }

    #[test]
    fn a_line_needs_some_length() {
        let (scene, mut sel) = (Scene::default(), Selection::default());
        let mut c = ctx(&scene, &mut sel);
        let mut t = LinearTool::new(ElementKind::Line);
        t.pointer_down(&at(0.0, 0.0), &mut c);
        assert_eq!(t.pointer_up(&at(1.0, 1.0), &mut c), ToolOutcome::Nothing);
        t.pointer_down(&at(0.0, 0.0), &mut c);
        let p = created(t.pointer_up(&at(0.0, 80.0), &mut c));
        assert_eq!(
            (p.kind, p.height, p.end_arrowhead),
            (ElementKind::Line, 80.0, Arrowhead::None)
        );
    }

    #[test]
    fn ink_is_stored_relative_to_the_element_and_ends_where_the_pen_lifted() {
        let (scene, mut sel) = (Scene::default(), Selection::default());
        let mut c = ctx(&scene, &mut sel);
        let mut t = FreedrawTool::new();
        t.pointer_down(&at(100.0, 100.0), &mut c);
        for i in 1..=20 {
            // A pen pausing at each position: the smoothed point catches up, then nothing more
            // is added.
            for _ in 0..4 {
                t.pointer_move(&at(100.0 + f64::from(i) * 5.0, 100.0), &mut c);
            }
        }
        let p = created(t.pointer_up(&at(200.0, 100.0), &mut c));
        assert_eq!(p.kind, ElementKind::Freedraw);
        assert_eq!((p.x, p.y), (100.0, 100.0));
        assert_eq!(p.points[0], LocalPoint::new(0.0, 0.0));
        let last = *p.points.last().unwrap();
        assert!((last.x - 100.0).abs() < 1e-9 && last.y.abs() < 1e-9);
        assert!(p.points.len() <= 2 * 20 + 2, "{} points", p.points.len());
        assert!(p.pressures.is_empty(), "a mouse records no pressure");
        // Smoothing keeps the points on the line and in order.
        assert!(p.points.windows(2).all(|w| w[1].x >= w[0].x));
    }

    #[test]
    fn pen_pressure_is_kept_one_value_per_point() {
        let (scene, mut sel) = (Scene::default(), Selection::default());
        let mut c = ctx(&scene, &mut sel);
        let mut t = FreedrawTool::new();
        let pen = |x: f64, p: f32| PointerInput {
            pressure: Some(p),
            ..at(x, 0.0)
        };
        t.pointer_down(&pen(0.0, 0.2), &mut c);
        t.pointer_move(&pen(10.0, 0.6), &mut c);
        t.pointer_move(&pen(20.0, 7.0), &mut c);
        let p = created(t.pointer_up(&pen(30.0, 0.9), &mut c));
        assert_eq!(p.pressures.len(), p.points.len());
        assert_eq!(p.pressures[0], 0.2);
        assert!(p.pressures.iter().all(|v| (0.0..=1.0).contains(v)));
    }

    #[test]
    fn a_click_with_the_pencil_leaves_a_dot() {
        let (scene, mut sel) = (Scene::default(), Selection::default());
        let mut c = ctx(&scene, &mut sel);
        let mut t = FreedrawTool::new();
        t.pointer_down(&at(5.0, 5.0), &mut c);
        let p = created(t.pointer_up(&at(5.0, 5.0), &mut c));
        assert_eq!(p.points.len(), 1);
    }

    #[test]
    fn a_stroke_stops_growing_at_the_point_cap() {
        let (scene, mut sel) = (Scene::default(), Selection::default());
        let mut c = ctx(&scene, &mut sel);
        let mut t = FreedrawTool::new();
        t.pointer_down(&at(0.0, 0.0), &mut c);
        for i in 1..(MAX_POINTS + 50) {
            t.pointer_move(&at(i as f64 * 2.0, 0.0), &mut c);
        }
        let p = created(t.pointer_up(&at(1e6, 0.0), &mut c));
        assert_eq!(p.points.len(), MAX_POINTS);
    }
}
