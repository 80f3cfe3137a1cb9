//! The selection tool, as tldraw structures its `SelectTool`: explicit states, each handling
//! only the events that mean something to it.
//!
//! ```text
//!             ┌─ on a handle ───────────────► Resizing | Rotating ─┐
//! Idle ─ down ┼─ on a shape ─► PointingShape ──── drag ─► Translating ─┼─ up ─► Idle (commit)
//!             ├─ inside the frame ─► PointingSelection ─ drag ┘        │
//!             └─ on empty canvas ─► PointingCanvas ─ drag ─► Brushing ─┘
//! ```
//!
//! Pointing states wait for the pointer to travel [`DRAG_PX`] before deciding between a click
//! and a drag, so a slightly shaky click never moves anything. Clicks change the selection
//! (shift adds or removes); drags show their result as a preview and commit one `Update` per
//! element on release. Locked elements cannot be picked.

use super::points::{self, PointDrag, PointHandle};
use super::transform::{self, Frame, Handle, ResizeMode, Scale};
use super::{
    Cursor, DRAG_PX, Edit, Feedback, PointerInput, Preview, Selection, Tool, ToolContext,
    ToolOutcome, pickable, selectable,
};
use crate::element::{Color, ElementId, ElementKind, Props};
use crate::geom::{Radians, Rect, Vec2, WorldPoint};
use crate::ops::Patch;
use crate::render::{DrawCommand, Stroke};
use crate::scene::Scene;
use crate::shape::PathEl;
use std::f64::consts::PI;

/// The accent colour of selection frames, handles and the marquee.
pub const SELECTION_COLOR: Color = Color::rgba(0x69, 0x65, 0xdb, 0xff);
/// Side of a drawn handle, screen pixels.
pub const HANDLE_PX: f64 = 8.0;
/// How far from a handle's centre it can be grabbed, screen pixels: larger than the drawn
/// square so handles stay usable with a finger.
pub const HANDLE_REACH_PX: f64 = 11.0;
/// Gap between the selected shapes and their frame, screen pixels.
pub const FRAME_PAD_PX: f64 = 4.0;
/// Distance of the rotation knob above the frame, screen pixels.
pub const ROTATE_OFFSET_PX: f64 = 22.0;
/// Width of the band highlighting the shape an arrow end would attach to, screen pixels.
pub const BIND_HIGHLIGHT_PX: f64 = 6.0;
/// Frames narrower (or lower) than this on screen hide their mid-edge handles, which would
/// otherwise cover the corners.
const SIDE_HANDLES_MIN_PX: f64 = 36.0;

/// The selected elements as stored, in id order (skipping anything no longer selectable).
pub fn selected_props<'a>(
    scene: &'a Scene,
    selection: &'a Selection,
) -> impl Iterator<Item = (ElementId, &'a Props)> + 'a {
    selection
        .ids()
        .filter_map(|id| scene.get(id).map(|e| (id, e.props())))
        .filter(|(_, p)| selectable(p))
}

/// The handles of `frame` at `zoom`: where each is drawn and grabbed (on the padded frame).
pub fn handles(frame: &Frame, zoom: f64) -> Vec<(Handle, WorldPoint)> {
    let zoom = if zoom.is_finite() && zoom > 0.0 {
        zoom
    } else {
        1.0
    };
    let padded = frame.inflate(FRAME_PAD_PX / zoom);
    let (w_px, h_px) = (padded.rect.width() * zoom, padded.rect.height() * zoom);
    let mut out: Vec<(Handle, WorldPoint)> = Handle::RESIZE
        .into_iter()
        .filter_map(|h| {
            let (u, v) = h.uv()?;
            let hidden = (u == 0.5 && w_px < SIDE_HANDLES_MIN_PX)
                || (v == 0.5 && h_px < SIDE_HANDLES_MIN_PX);
            (!hidden).then(|| (h, padded.point(u, v)))
        })
        .collect();
    let (s, c) = frame.angle.0.sin_cos();
    let up = Vec2::new(s, -c);
    out.push((
        Handle::Rotate,
        padded.point(0.5, 0.0) + up * (ROTATE_OFFSET_PX / zoom),
    ));
    out
}

/// The handle of `frame` within reach of `at`, if any (the closest one).
pub fn handle_at(frame: &Frame, at: WorldPoint, zoom: f64) -> Option<Handle> {
    let reach = HANDLE_REACH_PX / zoom.max(1e-9);
    handles(frame, zoom)
        .into_iter()
        .map(|(h, p)| (h, (p - at).length()))
        .filter(|(_, d)| *d <= reach)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(h, _)| h)
}

/// `id` and the other members of its outermost group (Excalidraw's rule: clicking one element
/// of a group picks the whole group). Only elements in a group cost a pass over the scene.
pub fn with_group(scene: &Scene, id: ElementId) -> Vec<ElementId> {
    let Some(group) = scene.get(id).and_then(|e| e.props().group_ids.first()) else {
        return vec![id];
    };
    scene
        .iter_live()
        .filter(|e| selectable(e.props()) && e.props().group_ids.first() == Some(group))
        .map(|e| e.id)
        .collect()
}

/// Whether the selection's frame has resize and rotate handles: not for a single two-point
/// line or arrow, whose two point handles say everything (as in Excalidraw).
pub fn frame_handles(scene: &Scene, selection: &Selection) -> bool {
    points::editable(scene, selection).is_none_or(|(_, p)| p.points.len() > 2)
}

/// A gesture's starting state: the selected elements' props when it began.
type Snapshot = Vec<(ElementId, Props)>;

#[derive(Clone, Debug, Default, PartialEq)]
enum State {
    #[default]
    Idle,
    /// Pressed on empty canvas: a click clears the selection, a drag draws a marquee.
    PointingCanvas { origin: WorldPoint, additive: bool },
    /// Pressed on a shape: a click (re)selects it, a drag moves the selection.
    PointingShape {
        origin: WorldPoint,
        id: ElementId,
        was_selected: bool,
        additive: bool,
    },
    /// Pressed inside the selection's frame but on no shape: a drag moves the selection.
    PointingSelection { origin: WorldPoint },
    Translating {
        origin: WorldPoint,
        snapshot: Snapshot,
    },
    Resizing {
        handle: Handle,
        frame: Frame,
        /// Where on the handle it was grabbed, so the frame does not jump by the padding.
        grab: Vec2,
        snapshot: Snapshot,
        /// Text keeps its proportions (its font scales).
        keep_aspect: bool,
    },
    Rotating {
        center: WorldPoint,
        start: f64,
        frame_angle: Radians,
        snapshot: Snapshot,
    },
    Brushing {
        origin: WorldPoint,
        current: WorldPoint,
        initial: Selection,
    },
    /// Dragging a point of the one selected line (boxed: it holds the line's props twice).
    EditingPoint { drag: Box<PointDrag>, moved: bool },
}

/// The selection tool.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SelectTool {
    state: State,
    preview: Preview,
}

fn far_enough(from: WorldPoint, to: WorldPoint, ctx: &ToolContext<'_>) -> bool {
    (to - from).length() >= ctx.world(DRAG_PX)
}

fn snapshot(ctx: &ToolContext<'_>) -> Snapshot {
    selected_props(ctx.scene, ctx.selection)
        .map(|(id, p)| (id, p.clone()))
        .collect()
}

impl SelectTool {
    /// The selection tool, idle.
    pub fn new() -> Self {
        Self::default()
    }

    /// The marquee being dragged, if any.
    pub fn brush(&self) -> Option<Rect> {
        match self.state {
            State::Brushing {
                origin, current, ..
            } => Some(Rect::from_corners(origin, current)),
            _ => None,
        }
    }

    /// Whether a point of a line is being dragged.
    pub fn is_editing_point(&self) -> bool {
        matches!(self.state, State::EditingPoint { .. })
    }

    /// Whether the selection is being moved, resized or rotated (handles are hidden meanwhile).
    pub fn is_transforming(&self) -> bool {
        matches!(
            self.state,
            State::Translating { .. } | State::Resizing { .. } | State::Rotating { .. }
        )
    }

    /// Shows `snapshot` transformed by `f` as the preview.
    fn show(&mut self, snapshot: &Snapshot, f: impl Fn(&Props) -> Props) {
        self.preview.replaced = snapshot.iter().map(|(id, p)| (*id, f(p))).collect();
    }

    fn drag(&mut self, input: &PointerInput, ctx: &mut ToolContext<'_>) -> Feedback {
        let at = input.at;
        match &mut self.state {
            State::Idle => return Feedback::None,
            State::PointingCanvas { origin, additive } => {
                if !far_enough(*origin, at, ctx) {
                    return Feedback::None;
                }
                let initial = if *additive {
                    ctx.selection.clone()
                } else {
                    Selection::default()
                };
                self.state = State::Brushing {
                    origin: *origin,
                    current: at,
                    initial,
                };
                return self.drag(input, ctx);
            }
            State::PointingShape { origin, .. } | State::PointingSelection { origin } => {
                if !far_enough(*origin, at, ctx) {
                    return Feedback::None;
                }
                self.state = State::Translating {
                    origin: *origin,
                    snapshot: snapshot(ctx),
                };
                return self.drag(input, ctx);
            }
            State::Brushing {
                origin,
                current,
                initial,
            } => {
                *current = at;
                let brush = Rect::from_corners(*origin, at);
                let inside = ctx.scene.query_rect(brush).into_iter().filter(|e| {
                    let b = e.bounds();
                    pickable(e.props()) && brush.contains(b.min) && brush.contains(b.max)
                });
                let ids: Vec<ElementId> = initial
                    .ids()
                    .chain(inside.flat_map(|e| with_group(ctx.scene, e.id)))
                    .collect();
                ctx.selection.set(ids);
            }
            State::Translating { origin, snapshot } => {
                let mut d = at - *origin;
                // Shift moves along one axis only.
                let (mut free_x, mut free_y) = (true, true);
                if input.modifiers.shift {
                    if d.x.abs() >= d.y.abs() {
                        (d.y, free_y) = (0.0, false);
                    } else {
                        (d.x, free_x) = (0.0, false);
                    }
                }
                // On the grid, the selection's top-left corner lands on a grid point.
                let corner = snapshot
                    .iter()
                    .map(|(_, p)| WorldPoint::new(p.x, p.y))
                    .reduce(|a, b| WorldPoint::new(a.x.min(b.x), a.y.min(b.y)));
                if let Some(corner) = corner {
                    let snapped = ctx.snap_at(corner + d, input) - corner;
                    d = Vec2::new(
                        if free_x { snapped.x } else { 0.0 },
                        if free_y { snapped.y } else { 0.0 },
                    );
                }
                let snapshot = std::mem::take(snapshot);
                self.show(&snapshot, |p| transform::translated(p, d));
                if let State::Translating { snapshot: s, .. } = &mut self.state {
                    *s = snapshot;
                }
            }
            State::Resizing {
                handle,
                frame,
                grab,
                snapshot,
                keep_aspect,
            } => {
                let mode = ResizeMode {
                    keep_aspect: *keep_aspect || input.modifiers.shift,
                    from_center: input.modifiers.alt,
                };
                let Some(scale): Option<Scale> =
                    transform::scale_for(frame, *handle, ctx.snap_at(at - *grab, input), mode)
                else {
                    return Feedback::None;
                };
                let (frame, snapshot) = (*frame, std::mem::take(snapshot));
                self.show(&snapshot, |p| transform::scaled(p, &frame, &scale));
                if let State::Resizing { snapshot: s, .. } = &mut self.state {
                    *s = snapshot;
                }
            }
            State::EditingPoint { drag, moved } => {
                if !*moved && !far_enough(drag.origin(), at, ctx) {
                    return Feedback::None;
                }
                *moved = true;
                let (props, target) = drag.props_at(at, ctx);
                self.preview.replaced = [(drag.id, props)].into();
                self.preview.rebinding = [drag.id].into();
                self.preview.bind_target = target;
            }
            State::Rotating {
                center,
                start,
                frame_angle,
                snapshot,
            } => {
                let now = (at.y - center.y).atan2(at.x - center.x);
                let mut delta = now - *start;
                // Shift turns the frame to multiples of 15°.
                if input.modifiers.shift {
                    let step = PI / 12.0;
                    delta = ((frame_angle.0 + delta) / step).round() * step - frame_angle.0;
                }
                let (center, snapshot) = (*center, std::mem::take(snapshot));
                self.show(&snapshot, |p| transform::rotated(p, center, Radians(delta)));
                if let State::Rotating { snapshot: s, .. } = &mut self.state {
                    *s = snapshot;
                }
            }
        }
        Feedback::Repaint
    }

    /// The edits that make the previewed transform real: one patch per element that changed.
    fn commit(&mut self, snapshot: &Snapshot) -> ToolOutcome {
        let replaced = std::mem::take(&mut self.preview.replaced);
        let edits: Vec<Edit> = snapshot
            .iter()
            .filter_map(|(id, before)| {
                let after = replaced.get(id)?;
                let patch = Patch::diff(before, after);
                (!patch.is_empty()).then_some(Edit::Update { id: *id, patch })
            })
            .collect();
        if edits.is_empty() {
            ToolOutcome::Nothing
        } else {
            ToolOutcome::Commit(edits)
        }
    }
}

impl Tool for SelectTool {
    fn pointer_down(&mut self, input: &PointerInput, ctx: &mut ToolContext<'_>) -> Feedback {
        let at = input.at;
        if !at.is_finite() {
            return Feedback::None;
        }
        self.preview = Preview::default();
        let line = points::editable(ctx.scene, ctx.selection);
        if let Some((id, p)) = line
            && let Some(handle) = points::handle_at(p, at, ctx.zoom)
            && let Some(drag) = PointDrag::start(id, p, handle, at)
        {
            self.state = State::EditingPoint {
                drag: Box::new(drag),
                moved: false,
            };
            return Feedback::None;
        }
        let frame = Frame::of(selected_props(ctx.scene, ctx.selection).map(|(_, p)| p));
        if let Some(frame) = frame.filter(|_| frame_handles(ctx.scene, ctx.selection))
            && let Some(handle) = handle_at(&frame, at, ctx.zoom)
        {
            let snapshot = snapshot(ctx);
            self.state = match handle.uv() {
                None => State::Rotating {
                    center: frame.center(),
                    start: (at.y - frame.center().y).atan2(at.x - frame.center().x),
                    frame_angle: frame.angle,
                    snapshot,
                },
                Some((u, v)) => State::Resizing {
                    handle,
                    frame,
                    grab: at - frame.point(u, v),
                    keep_aspect: snapshot.iter().any(|(_, p)| p.kind == ElementKind::Text),
                    snapshot,
                },
            };
            return Feedback::None;
        }
        let additive = input.modifiers.shift;
        if let Some(id) = ctx.hit(at) {
            let was_selected = ctx.selection.contains(id);
            if !was_selected {
                if !additive {
                    ctx.selection.clear();
                }
                for member in with_group(ctx.scene, id) {
                    ctx.selection.insert(member);
                }
            }
            self.state = State::PointingShape {
                origin: at,
                id,
                was_selected,
                additive,
            };
            return Feedback::repaint_if(!was_selected);
        }
        let padded = frame.map(|f| f.inflate(ctx.world(FRAME_PAD_PX)));
        if !additive && padded.is_some_and(|f| f.contains(at)) {
            self.state = State::PointingSelection { origin: at };
            return Feedback::None;
        }
        let cleared = !additive && ctx.selection.clear();
        self.state = State::PointingCanvas {
            origin: at,
            additive,
        };
        Feedback::repaint_if(cleared)
    }

    fn pointer_move(&mut self, input: &PointerInput, ctx: &mut ToolContext<'_>) -> Feedback {
        if !input.at.is_finite() {
            return Feedback::None;
        }
        self.drag(input, ctx)
    }

    fn pointer_up(&mut self, input: &PointerInput, ctx: &mut ToolContext<'_>) -> ToolOutcome {
        if input.at.is_finite() {
            self.drag(input, ctx);
        }
        let state = std::mem::take(&mut self.state);
        let outcome = match state {
            State::Translating { snapshot, .. }
            | State::Resizing { snapshot, .. }
            | State::Rotating { snapshot, .. } => self.commit(&snapshot),
            State::EditingPoint { drag, moved: true } => {
                match self.preview.replaced.remove(&drag.id) {
                    Some(after) => ToolOutcome::Commit(vec![Edit::Update {
                        id: drag.id,
                        patch: drag.patch(&after),
                    }]),
                    None => ToolOutcome::Nothing,
                }
            }
            State::PointingShape {
                id,
                was_selected: true,
                additive,
                ..
            } => {
                // A click on a selected shape: shift removes it, a plain click narrows the
                // selection to it (it stayed whole on press so that a drag moves everything).
                let group = with_group(ctx.scene, id);
                if additive {
                    for member in group {
                        ctx.selection.remove(member);
                    }
                } else {
                    ctx.selection.set(group);
                }
                ToolOutcome::Nothing
            }
            _ => ToolOutcome::Nothing,
        };
        self.preview = Preview::default();
        outcome
    }

    fn cancel(&mut self) -> Feedback {
        let was = self.is_active();
        // A marquee's selection stays as it was last shown.
        self.state = State::Idle;
        self.preview = Preview::default();
        Feedback::repaint_if(was)
    }

    fn is_active(&self) -> bool {
        self.state != State::Idle
    }

    fn preview(&self) -> &Preview {
        &self.preview
    }

    fn cursor(&self, at: WorldPoint, ctx: &ToolContext<'_>) -> Cursor {
        match &self.state {
            State::Translating { .. } | State::EditingPoint { .. } => return Cursor::Move,
            State::Rotating { .. } => return Cursor::Rotate,
            State::Resizing { handle, frame, .. } => {
                return Cursor::Resize(transform::resize_axis(frame, *handle));
            }
            _ => {}
        }
        if let Some((_, p)) = points::editable(ctx.scene, ctx.selection)
            && points::handle_at(p, at, ctx.zoom).is_some()
        {
            return Cursor::Move;
        }
        let frame = Frame::of(selected_props(ctx.scene, ctx.selection).map(|(_, p)| p));
        if let Some(frame) = frame {
            let handle = frame_handles(ctx.scene, ctx.selection)
                .then(|| handle_at(&frame, at, ctx.zoom))
                .flatten();
            match handle {
                Some(Handle::Rotate) => return Cursor::Rotate,
                Some(h) => return Cursor::Resize(transform::resize_axis(&frame, h)),
                None => {}
            }
            if frame.inflate(ctx.world(FRAME_PAD_PX)).contains(at) {
                return Cursor::Move;
            }
        }
        if ctx.hit(at).is_some() {
            Cursor::Move
        } else {
            Cursor::Default
        }
    }
}

/// A closed polygon through `pts`.
fn polygon(pts: &[WorldPoint]) -> Vec<PathEl> {
    let mut path: Vec<PathEl> = pts
        .iter()
        .enumerate()
        .map(|(i, &p)| {
            if i == 0 {
                PathEl::MoveTo(p)
            } else {
                PathEl::LineTo(p)
            }
        })
        .collect();
    path.push(PathEl::Close);
    path
}

/// What the selection overlay shows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Overlay {
    /// The frame of each selected element (drawn thin when several are selected).
    pub element_frames: Vec<Frame>,
    /// The frame of the whole selection, with handles when `handles` is set.
    pub frame: Option<Frame>,
    /// Whether to draw the handles.
    pub handles: bool,
    /// The marquee being dragged.
    pub brush: Option<Rect>,
    /// The outline of the shape an arrow end would attach to (see [`crate::binding::outline`]).
    pub bind_target: Option<Vec<WorldPoint>>,
    /// The point handles of the one selected line (see [`points::handles`]).
    pub points: Vec<(PointHandle, WorldPoint)>,
}

impl Overlay {
    /// The drawing commands, in world coordinates for a camera at `zoom` (line widths and
    /// handle sizes are constant on screen).
    pub fn commands(&self, zoom: f64) -> Vec<DrawCommand> {
        let zoom = if zoom.is_finite() && zoom > 0.0 {
            zoom
        } else {
            1.0
        };
        let line = Some(Stroke {
            color: SELECTION_COLOR,
            width: 1.0 / zoom,
            style: crate::element::StrokeStyle::Solid,
        });
        let outline = |path: Vec<PathEl>, fill: Option<Color>| DrawCommand::Path {
            path,
            fill,
            stroke: line,
            opacity: 1.0,
        };
        let pad = FRAME_PAD_PX / zoom;
        let mut out = Vec::new();
        if self.element_frames.len() > 1 {
            for f in &self.element_frames {
                out.push(outline(polygon(&f.inflate(pad / 2.0).corners()), None));
            }
        }
        if let Some(frame) = self.frame {
            out.push(outline(polygon(&frame.inflate(pad).corners()), None));
            if self.handles {
                let half = HANDLE_PX / zoom / 2.0;
                for (h, at) in handles(&frame, zoom) {
                    let path = if h == Handle::Rotate {
                        crate::shape::ellipse(Rect::from_corners(at, at).inflate(half))
                    } else {
                        let square = Frame {
                            rect: Rect::from_corners(at, at).inflate(half),
                            angle: frame.angle,
                        };
                        polygon(&square.corners())
                    };
                    out.push(outline(path, Some(Color::rgba(0xff, 0xff, 0xff, 0xff))));
                }
            }
        }
        for (h, at) in &self.points {
            let (size, fill) = match h {
                PointHandle::Point(_) => {
                    (points::POINT_HANDLE_PX, Color::rgba(0xff, 0xff, 0xff, 0xff))
                }
                PointHandle::Between(_) => (
                    points::MIDPOINT_HANDLE_PX,
                    Color::rgba(0x69, 0x65, 0xdb, 0x55),
                ),
            };
            let r = size / zoom / 2.0;
            let circle = crate::shape::ellipse(Rect::from_corners(*at, *at).inflate(r));
            out.push(outline(circle, Some(fill)));
        }
        if let Some(outline) = self.bind_target.as_deref().filter(|o| o.len() > 2) {
            // A wide, pale band along the outline, like Excalidraw's binding highlight.
            out.push(DrawCommand::Path {
                path: polygon(outline),
                fill: None,
                stroke: Some(Stroke {
                    color: Color::rgba(0x69, 0x65, 0xdb, 0x55),
                    width: BIND_HIGHLIGHT_PX / zoom,
                    style: crate::element::StrokeStyle::Solid,
                }),
                opacity: 1.0,
            });
        }
        if let Some(b) = self.brush {
            let corners = [
                b.min,
                WorldPoint::new(b.max.x, b.min.y),
                b.max,
                WorldPoint::new(b.min.x, b.max.y),
            ];
            out.push(outline(
                polygon(&corners),
                Some(Color::rgba(0x69, 0x65, 0xdb, 0x1a)),
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tool::testing::{at, ctx, scene_with, shift_at};

    fn id(n: u128) -> ElementId {
        ElementId::from_u128(n)
    }

    /// The selected fixtures' numbers.
    fn ids(sel: &Selection) -> Vec<u128> {
        sel.ids()
            .filter_map(|i| (1..=3).find(|n| id(*n) == i))
            .collect()
    }

    /// Three 100 × 100 rectangles side by side (x = 0, 200, 400).
    fn three() -> Scene {
        scene_with(&[
            (0.0, 0.0, 100.0, 100.0),
            (200.0, 0.0, 300.0, 100.0),
            (400.0, 0.0, 500.0, 100.0),
        ])
    }

    /// Where `handle` of element 1's frame is, at zoom 1.
    fn grip(scene: &Scene, handle: Handle) -> WorldPoint {
        let frame = Frame::of([scene.get(id(1)).unwrap().props()]).unwrap();
        handles(&frame, 1.0)
            .into_iter()
            .find(|(h, _)| *h == handle)
            .unwrap()
            .1
    }

    fn commit_patches(out: ToolOutcome) -> Vec<(ElementId, Patch)> {
        match out {
            ToolOutcome::Commit(edits) => edits
                .into_iter()
                .map(|e| match e {
                    Edit::Update { id, patch } => (id, patch),
                    other => panic!("expected updates, got {other:?}"),
                })
                .collect(),
            other => panic!("expected a commit, got {other:?}"),
        }
    }

    #[test]
    fn a_click_selects_the_shape_under_the_pointer_and_a_click_on_nothing_clears() {
        let scene = three();
        let mut sel = Selection::default();
        let mut c = ctx(&scene, &mut sel);
        let mut t = SelectTool::new();
        assert_eq!(t.pointer_down(&at(0.0, 50.0), &mut c), Feedback::Repaint);
        assert_eq!(t.pointer_up(&at(0.0, 50.0), &mut c), ToolOutcome::Nothing);
        assert_eq!(ids(c.selection), [1]);
        // Inside an unfilled rectangle is not on it, but it is inside the selection's frame:
        // the selection stays so it can be dragged from there.
        t.pointer_down(&at(50.0, 50.0), &mut c);
        t.pointer_up(&at(50.0, 50.0), &mut c);
        assert_eq!(ids(c.selection), [1]);
        t.pointer_down(&at(150.0, 300.0), &mut c);
        t.pointer_up(&at(150.0, 300.0), &mut c);
        assert!(c.selection.is_empty());
        assert!(!t.is_active());
    }

    #[test]
    fn shift_click_adds_and_removes() {
        let scene = three();
        let mut sel = Selection::default();
        let mut c = ctx(&scene, &mut sel);
        let mut t = SelectTool::new();
        t.pointer_down(&at(0.0, 50.0), &mut c);
        t.pointer_up(&at(0.0, 50.0), &mut c);
        t.pointer_down(&shift_at(200.0, 50.0), &mut c);
        t.pointer_up(&shift_at(200.0, 50.0), &mut c);
        assert_eq!(ids(c.selection), [1, 2]);
        // On the top edge, away from the frame's handles (which win over shapes).
        t.pointer_down(&shift_at(50.0, 0.0), &mut c);
        t.pointer_up(&shift_at(50.0, 0.0), &mut c);
        assert_eq!(ids(c.selection), [2]);
        // A plain click on one of several selected narrows the selection to it.
        t.pointer_down(&shift_at(400.0, 50.0), &mut c);
        t.pointer_up(&shift_at(400.0, 50.0), &mut c);
        t.pointer_down(&at(400.0, 50.0), &mut c);
        t.pointer_up(&at(400.0, 50.0), &mut c);
        assert_eq!(ids(c.selection), [3]);
    }

    #[test]
    fn a_marquee_selects_what_it_fully_encloses() {
        let scene = three();
        let mut sel = Selection::default();
        let mut c = ctx(&scene, &mut sel);
        let mut t = SelectTool::new();
        t.pointer_down(&at(-10.0, -10.0), &mut c);
        assert_eq!(t.pointer_move(&at(350.0, 120.0), &mut c), Feedback::Repaint);
        assert!(t.brush().is_some());
        assert_eq!(ids(c.selection), [1, 2]);
        // Shrinking the marquee drops what leaves it.
        t.pointer_move(&at(150.0, 120.0), &mut c);
        assert_eq!(ids(c.selection), [1]);
        assert_eq!(
            t.pointer_up(&at(150.0, 120.0), &mut c),
            ToolOutcome::Nothing
        );
        assert!(t.brush().is_none());
        assert_eq!(ids(c.selection), [1]);
    }

    #[test]
    fn dragging_a_shape_moves_the_whole_selection_in_one_commit() {
        let scene = three();
        let mut sel = Selection::default();
        sel.set([id(1), id(2)]);
        let mut c = ctx(&scene, &mut sel);
        let mut t = SelectTool::new();
        t.pointer_down(&at(200.0, 50.0), &mut c);
        t.pointer_move(&at(201.0, 50.0), &mut c);
        assert!(t.preview().replaced.is_empty(), "below the drag threshold");
        t.pointer_move(&at(230.0, 70.0), &mut c);
        assert_eq!(t.preview().replaced[&id(1)].x, 30.0);
        let patches = commit_patches(t.pointer_up(&at(240.0, 60.0), &mut c));
        assert_eq!(patches.len(), 2);
        for (_, p) in &patches {
            assert_eq!((p.x.is_some(), p.y, p.width), (true, Some(10.0), None));
        }
        assert_eq!(patches[1].1.x, Some(240.0));
        assert!(t.preview().is_empty());
        assert_eq!(ids(c.selection), [1, 2], "the moved shapes stay selected");
    }

    #[test]
    fn shift_drag_moves_along_one_axis() {
        let scene = three();
        let mut sel = Selection::default();
        let mut c = ctx(&scene, &mut sel);
        let mut t = SelectTool::new();
        t.pointer_down(&at(0.0, 50.0), &mut c);
        let patches = commit_patches(t.pointer_up(&shift_at(50.0, 60.0), &mut c));
        assert_eq!((patches[0].1.x, patches[0].1.y), (Some(50.0), None));
    }

    #[test]
    fn dragging_a_corner_handle_resizes_and_escape_abandons_it() {
        let scene = three();
        let mut sel = Selection::default();
        sel.insert(id(1));
        let mut c = ctx(&scene, &mut sel);
        let mut t = SelectTool::new();
        let se = grip(&scene, Handle::SE);
        assert_eq!(t.cursor(se, &c), Cursor::Resize(1));
        t.pointer_down(&PointerInput::at(se), &mut c);
        t.pointer_move(&PointerInput::at(se + Vec2::new(50.0, 20.0)), &mut c);
        assert_eq!(t.preview().replaced[&id(1)].width, 150.0);
        assert_eq!(t.cancel(), Feedback::Repaint);
        assert!(t.preview().is_empty());
        t.pointer_down(&PointerInput::at(se), &mut c);
        let patches =
            commit_patches(t.pointer_up(&PointerInput::at(se + Vec2::new(50.0, 20.0)), &mut c));
        assert_eq!(patches[0].1.width, Some(150.0));
        assert_eq!(patches[0].1.height, Some(120.0));
        assert_eq!(patches[0].1.x, None, "the top-left corner stays");
    }

    #[test]
    fn the_rotation_knob_turns_the_selection_and_shift_snaps_it() {
        let scene = three();
        let mut sel = Selection::default();
        sel.insert(id(1));
        let mut c = ctx(&scene, &mut sel);
        let mut t = SelectTool::new();
        let knob = grip(&scene, Handle::Rotate);
        let frame = Frame::of([scene.get(id(1)).unwrap().props()]).unwrap();
        assert_eq!(handle_at(&frame, knob, 1.0), Some(Handle::Rotate));
        t.pointer_down(&PointerInput::at(knob), &mut c);
        // From straight above the centre to nearly straight right of it: about a quarter turn.
        let patches = commit_patches(t.pointer_up(&shift_at(200.0, 47.0), &mut c));
        let angle = patches[0].1.angle.unwrap().0;
        assert!((angle - PI / 2.0).abs() < 1e-9, "{angle}");
    }

    #[test]
    fn locked_shapes_cannot_be_picked() {
        let mut scene = three();
        scene.mutate(id(1), 0, 0, |p| p.locked = true).unwrap();
        let mut sel = Selection::default();
        let mut c = ctx(&scene, &mut sel);
        let mut t = SelectTool::new();
        t.pointer_down(&at(0.0, 50.0), &mut c);
        t.pointer_up(&at(0.0, 50.0), &mut c);
        assert!(c.selection.is_empty());
        t.pointer_down(&at(-10.0, -10.0), &mut c);
        t.pointer_up(&at(600.0, 200.0), &mut c);
        assert_eq!(ids(c.selection), [2, 3]);
    }

    #[test]
    fn a_click_that_does_not_move_commits_nothing() {
        let scene = three();
        let mut sel = Selection::default();
        sel.insert(id(1));
        let mut c = ctx(&scene, &mut sel);
        let mut t = SelectTool::new();
        t.pointer_down(&at(0.0, 50.0), &mut c);
        t.pointer_move(&at(1.0, 50.0), &mut c);
        assert_eq!(t.pointer_up(&at(0.0, 50.0), &mut c), ToolOutcome::Nothing);
    }

    #[test]
    fn a_click_on_a_grouped_shape_selects_its_whole_group() {
        let mut scene = three();
        let group: crate::element::GroupId = "g1".parse().unwrap();
        for n in [1, 3] {
            scene
                .mutate(id(n), 0, 0, |p| p.group_ids = vec![group.clone()])
                .unwrap();
        }
        let mut sel = Selection::default();
        let mut c = ctx(&scene, &mut sel);
        let mut t = SelectTool::new();
        t.pointer_down(&at(0.0, 50.0), &mut c);
        t.pointer_up(&at(0.0, 50.0), &mut c);
        assert_eq!(ids(c.selection), [1, 3]);
        // Moving one moves the group.
        let patches = commit_patches({
            t.pointer_down(&at(50.0, 0.0), &mut c);
            t.pointer_up(&at(60.0, 0.0), &mut c)
        });
        assert_eq!(patches.len(), 2);
        // Shift-click takes the whole group out again.
        t.pointer_down(&shift_at(50.0, 0.0), &mut c);
        t.pointer_up(&shift_at(50.0, 0.0), &mut c);
        assert!(c.selection.is_empty());
    }

    fn props_of(scene: &Scene, n: u128) -> &Props {
        scene.get(id(n)).unwrap().props()
    }

    #[test]
    fn the_overlay_draws_frames_handles_and_the_marquee() {
        let scene = three();
        let props: Vec<&Props> = [1, 2].map(|n| scene.get(id(n)).unwrap().props()).into();
        let overlay = Overlay {
            element_frames: props.iter().map(|p| Frame::of([*p]).unwrap()).collect(),
            frame: Frame::of(props),
            handles: true,
            brush: Some(Rect::from_corners(
                WorldPoint::ORIGIN,
                WorldPoint::new(5.0, 5.0),
            )),
            bind_target: Some(crate::binding::outline(props_of(&scene, 3))),
            points: Vec::new(),
        };
        // Two element frames, the selection frame, 8 handles + the knob, the binding highlight,
        // the marquee.
        assert_eq!(overlay.commands(2.0).len(), 2 + 1 + 9 + 1 + 1);
    }
}
