//! Arrow bindings: where an arrow's end attaches to a shape, and where that end goes when the
//! shape (or the rest of the arrow) moves.
//!
//! The behaviour is Excalidraw's (`binding.ts`), in our own formulation. A [`Binding`] names the
//! target and keeps two numbers:
//!
//! - the **focus** says where across the target the arrow aims, seen from the arrow's adjacent
//!   point (the point next to the bound end): 0 straight at the centre, ±1 at the outline's
//!   extreme on either side. It is measured across the line from the adjacent point to the
//!   target's centre, so it survives the target moving, growing or turning;
//! - the **gap** is the distance kept between the end and the target's outline.
//!
//! Whenever the target or the adjacent point moves, [`bound_point`] puts the end back where the
//! ray from the adjacent point towards the focus point first meets the outline, stepped back by
//! the gap. Outlines come from [`crate::shape::outline`] (flattened), so rotation, rounded
//! corners and ellipses need no special cases: what you see is what arrows attach to.
//!
//! Rectangles, diamonds, ellipses and free text can be bound to; lines, arrows, ink and text
//! inside a shape cannot (Excalidraw's set, less images and frames, which Inkroom does not
//! have). Only arrows bind; plain lines never do, as in Excalidraw.

use crate::element::{Binding, ElementId, ElementKind, Props};
use crate::geom::{Vec2, WorldPoint};
use crate::scene::Scene;
use crate::shape;

/// How close, in screen pixels, an arrow's end must come to a shape's outline to bind to it
/// (inside the shape always counts). Screen pixels, so binding feels the same at every zoom.
pub const BIND_PX: f64 = 15.0;
/// The distance an arrow's end keeps from the outline it is bound to, world units: enough that
/// the arrowhead does not run into the shape's stroke.
pub const BINDING_GAP: f64 = 5.0;

/// The most passes [`follow`] makes to settle an arrow bound at both ends.
const SETTLE_PASSES: usize = 32;

/// One end of a line or arrow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum End {
    /// The first point.
    Start,
    /// The last point.
    End,
}

impl End {
    /// Both ends, start first.
    pub const BOTH: [End; 2] = [End::Start, End::End];

    /// This end's binding on `p`.
    pub fn binding(self, p: &Props) -> Option<Binding> {
        match self {
            End::Start => p.start_binding,
            End::End => p.end_binding,
        }
    }

    /// Sets this end's binding on `p`.
    pub fn set_binding(self, p: &mut Props, b: Option<Binding>) {
        match self {
            End::Start => p.start_binding = b,
            End::End => p.end_binding = b,
        }
    }

    /// The other end.
    pub fn other(self) -> End {
        match self {
            End::Start => End::End,
            End::End => End::Start,
        }
    }

    /// The index of this end among `n` points (`n` ≥ 1).
    pub fn index(self, n: usize) -> usize {
        match self {
            End::Start => 0,
            End::End => n.saturating_sub(1),
        }
    }

    /// The index of the point next to this end among `n` points (`n` ≥ 2).
    pub fn adjacent(self, n: usize) -> usize {
        match self {
            End::Start => 1.min(n.saturating_sub(1)),
            End::End => n.saturating_sub(2),
        }
    }
}

/// Whether an arrow's end may attach to `p`: a live rectangle, diamond or ellipse, or live text
/// that is not inside a shape (the arrow attaches to the shape instead).
pub fn is_bindable(p: &Props) -> bool {
    !p.is_deleted && (p.kind.is_box() || (p.kind == ElementKind::Text && p.container_id.is_none()))
}

/// Whether `p` is an element whose ends bind: an arrow (lines stay free, as in Excalidraw).
pub fn binds(p: &Props) -> bool {
    p.kind == ElementKind::Arrow
}

/// The outline arrows attach to, as a closed polygon in world coordinates: the drawn outline,
/// or for text its (turned) box.
pub fn outline(p: &Props) -> Vec<WorldPoint> {
    if p.kind == ElementKind::Text {
        let r = p.rect();
        let c = r.center();
        return [
            r.min,
            WorldPoint::new(r.max.x, r.min.y),
            r.max,
            WorldPoint::new(r.min.x, r.max.y),
        ]
        .map(|q| q.rotate_about(c, p.angle))
        .into();
    }
    shape::flatten(&shape::outline(p))
        .into_iter()
        .next()
        .map(|(pts, _)| pts)
        .unwrap_or_default()
}

/// The polygon's edges, the closing one included.
fn edges(poly: &[WorldPoint]) -> impl Iterator<Item = (WorldPoint, WorldPoint)> + '_ {
    let closing = (poly.len() > 2).then(|| (poly[poly.len() - 1], poly[0]));
    poly.windows(2).map(|w| (w[0], w[1])).chain(closing)
}

/// The distance from `at` to the polygon's outline.
fn distance_to(poly: &[WorldPoint], at: WorldPoint) -> f64 {
    edges(poly)
        .map(|(a, b)| shape::segment_distance(a, b, at))
        .fold(f64::INFINITY, f64::min)
}

/// The z component of the cross product.
fn cross(a: Vec2, b: Vec2) -> f64 {
    a.x * b.y - a.y * b.x
}

/// The element an arrow end at `at` would attach to: the topmost bindable element that
/// contains `at` or whose outline is within `reach` world units of it. Elements in `except`
/// are never chosen (the arrow itself, or what its other end is bound to).
pub fn target_at(
    scene: &Scene,
    at: WorldPoint,
    reach: f64,
    except: &[ElementId],
) -> Option<ElementId> {
    if !at.is_finite() {
        return None;
    }
    let reach = if reach.is_finite() {
        reach.max(0.0)
    } else {
        0.0
    };
    let probe = crate::geom::Rect::from_corners(at, at).inflate(reach);
    scene
        .query_rect(probe)
        .into_iter()
        .rev()
        .filter(|e| !except.contains(&e.id) && is_bindable(e.props()) && !e.props().locked)
        .find(|e| {
            let poly = outline(e.props());
            shape::contains(&poly, at) || distance_to(&poly, at) <= reach
        })
        .map(|e| e.id)
}

/// The frame a focus is measured in, seen from `from`: the target's centre, the unit vector
/// across the line from `from` to the centre, and the outline's half-extent along it.
fn focus_frame(target: &Props, poly: &[WorldPoint], from: WorldPoint) -> (WorldPoint, Vec2, f64) {
    let c = target.rect().center();
    let across = (c - from)
        .normalized()
        .map_or(Vec2::new(0.0, 1.0), |d| d.perp());
    let extent = poly
        .iter()
        .map(|&q| (q - c).dot(across))
        .fold(0.0, f64::max);
    (c, across, extent)
}

/// The binding of an arrow end at `end`, whose adjacent point is `adjacent`, to `target`
/// (`target_id`'s props): the focus is where the line from `adjacent` through `end` crosses
/// the target, and the gap is [`BINDING_GAP`].
pub fn bind(
    target_id: ElementId,
    target: &Props,
    end: WorldPoint,
    adjacent: WorldPoint,
) -> Binding {
    let poly = outline(target);
    let (c, across, extent) = focus_frame(target, &poly, adjacent);
    let focus = match (end - adjacent).normalized() {
        // The aimed line meets the line through the centre across it at c + across · t.
        Some(u) if cross(across, u).abs() > 1e-9 && extent > 1e-9 => {
            let t = cross(adjacent - c, u) / cross(across, u);
            (t / extent).clamp(-1.0, 1.0)
        }
        // Aiming alongside the target: the side the end lies on.
        Some(_) if extent > 1e-9 => ((end - c).dot(across) / extent).clamp(-1.0, 1.0),
        _ => 0.0,
    };
    Binding {
        element_id: target_id,
        focus: if focus.is_finite() { focus } else { 0.0 },
        gap: BINDING_GAP,
    }
}

/// Where an end bound by `b` to `target` goes when its adjacent point is at `adjacent`: where
/// the ray from `adjacent` towards the focus point first meets the outline, stepped back
/// towards `adjacent` by the gap. `None` when there is no direction to aim in (the adjacent
/// point is the focus point).
pub fn bound_point(target: &Props, b: &Binding, adjacent: WorldPoint) -> Option<WorldPoint> {
    let poly = outline(target);
    let (c, across, extent) = focus_frame(target, &poly, adjacent);
    let aim = c + across * (b.focus * extent);
    let u = (aim - adjacent).normalized()?;
    let first_hit = edges(&poly)
        .filter_map(|(a, q)| {
            let e = q - a;
            let denom = cross(u, e);
            if denom.abs() < 1e-12 {
                return None;
            }
            let along = cross(a - adjacent, e) / denom;
            let on_edge = cross(a - adjacent, u) / denom;
            ((-1e-9..=1.0 + 1e-9).contains(&on_edge) && along > 1e-9).then_some(along)
        })
        .fold(f64::INFINITY, f64::min);
    // Only a ray grazing the very edge can miss (focus ±1): the aim point is on the outline.
    let hit = if first_hit.is_finite() {
        adjacent + u * first_hit
    } else {
        aim
    };
    Some(hit - u * b.gap)
}

/// `arrow` with its bound ends put where their targets (looked up by `lookup`) say. An end
/// whose target is gone or no longer bindable loses its binding. Ends that do not move keep
/// their exact coordinates (no rounding noise in the ops).
pub fn follow<'a>(arrow: &Props, lookup: impl Fn(ElementId) -> Option<&'a Props>) -> Props {
    let mut out = arrow.clone();
    let n = arrow.points.len();
    if n < 2 || (arrow.start_binding.is_none() && arrow.end_binding.is_none()) {
        return out;
    }
    let mut pts = arrow.world_points();
    let mut moved = false;
    // On a two-point arrow bound at both ends each end aims from the other, so moving one moves
    // the other's aim: repeat until neither moves (it settles in a few passes; a settled arrow
    // must not creep on every later change).
    let both = arrow.start_binding.is_some() && arrow.end_binding.is_some();
    let passes = if n == 2 && both { SETTLE_PASSES } else { 1 };
    for _ in 0..passes {
        let mut step: f64 = 0.0;
        for end in End::BOTH {
            let Some(b) = end.binding(&out) else { continue };
            let Some(target) = lookup(b.element_id).filter(|t| is_bindable(t)) else {
                end.set_binding(&mut out, None);
                continue;
            };
            let Some(at) = bound_point(target, &b, pts[end.adjacent(n)]) else {
                continue;
            };
            let slot = &mut pts[end.index(n)];
            let d = (at - *slot).length();
            if d > 1e-9 {
                *slot = at;
                moved = true;
                step = step.max(d);
            }
        }
        if step <= 1e-9 {
            break;
        }
    }
    if moved {
        out.set_world_points(&pts);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::element::Element;
    use crate::geom::{Radians, Rect};
    use crate::index::FracIndex;

    fn boxed(kind: ElementKind, x0: f64, y0: f64, x1: f64, y1: f64) -> Props {
        let r = Rect::from_corners(WorldPoint::new(x0, y0), WorldPoint::new(x1, y1));
        Props::new(kind, r, FracIndex::between(None, None).unwrap())
    }

    fn arrow(from: (f64, f64), to: (f64, f64)) -> Props {
        let pts = [WorldPoint::new(from.0, from.1), WorldPoint::new(to.0, to.1)];
        Props::through(
            ElementKind::Arrow,
            &pts,
            FracIndex::between(None, None).unwrap(),
        )
        .unwrap()
    }

    fn close(a: WorldPoint, b: WorldPoint) -> bool {
        (a - b).length() < 1e-6
    }

    #[test]
    fn an_arrow_aimed_at_the_centre_has_focus_zero_and_stops_at_the_gap() {
        let target = boxed(ElementKind::Rectangle, 100.0, 0.0, 200.0, 100.0);
        let b = bind(
            ElementId::from_u128(1),
            &target,
            WorldPoint::new(110.0, 50.0),
            WorldPoint::new(0.0, 50.0),
        );
        assert!(b.focus.abs() < 1e-9, "{}", b.focus);
        let at = bound_point(&target, &b, WorldPoint::new(0.0, 50.0)).unwrap();
        assert!(
            close(at, WorldPoint::new(100.0 - BINDING_GAP, 50.0)),
            "{at:?}"
        );
    }

    #[test]
    fn the_focus_keeps_an_off_centre_aim_when_the_target_moves() {
        let mut target = boxed(ElementKind::Rectangle, 100.0, 0.0, 200.0, 100.0);
        let from = WorldPoint::new(0.0, 50.0);
        // Aimed so the line passes the centre's vertical 37.5 above it: three quarters of the
        // way from the centre to the top edge, on the near (negative) side.
        let b = bind(
            ElementId::from_u128(1),
            &target,
            WorldPoint::new(100.0, 25.0),
            from,
        );
        assert!((b.focus + 0.75).abs() < 1e-9, "{}", b.focus);
        target.y += 100.0;
        // Seen from above-left, the moved target is still met off-centre on the same side.
        let at = bound_point(&target, &b, from).unwrap();
        let centre_hit = bound_point(&target, &Binding { focus: 0.0, ..b }, from).unwrap();
        let (c, across, _) = focus_frame(&target, &outline(&target), from);
        assert!((centre_hit - c).dot(across).abs() < 1e-6);
        assert!((at - c).dot(across) < -10.0, "{at:?}");
    }

    #[test]
    fn ellipses_and_turned_shapes_are_met_on_their_drawn_outline() {
        let ellipse = boxed(ElementKind::Ellipse, 100.0, 0.0, 200.0, 100.0);
        let b = Binding {
            element_id: ElementId::from_u128(1),
            focus: 0.0,
            gap: 0.0,
        };
        // From straight above the ellipse's centre.
        let at = bound_point(&ellipse, &b, WorldPoint::new(150.0, -100.0)).unwrap();
        assert!(close(at, WorldPoint::new(150.0, 0.0)), "{at:?}");
        // A diamond's left tip; then the same diamond turned a quarter: its top tip is left.
        let mut diamond = boxed(ElementKind::Diamond, 100.0, 0.0, 300.0, 100.0);
        let from = WorldPoint::new(0.0, 50.0);
        assert!(close(
            bound_point(&diamond, &b, from).unwrap(),
            WorldPoint::new(100.0, 50.0)
        ));
        diamond.angle = Radians(-std::f64::consts::FRAC_PI_2);
        assert!(close(
            bound_point(&diamond, &b, from).unwrap(),
            WorldPoint::new(150.0, 50.0)
        ));
    }

    #[test]
    fn only_shapes_and_free_text_near_the_end_are_targets() {
        let mut scene = Scene::default();
        let mut add = |n: u128, p: Props| {
            let mut p = p;
            p.index = scene.next_index();
            scene
                .insert(Element::new(ElementId::from_u128(n), p, 0, 0).unwrap())
                .unwrap();
        };
        add(1, boxed(ElementKind::Rectangle, 0.0, 0.0, 100.0, 100.0));
        add(2, boxed(ElementKind::Ellipse, 40.0, 40.0, 60.0, 60.0));
        let mut ink = arrow((300.0, 0.0), (400.0, 0.0));
        ink.kind = ElementKind::Freedraw;
        ink.end_arrowhead = crate::element::Arrowhead::None;
        add(3, ink);
        let id = ElementId::from_u128;
        // Near the border, outside.
        assert_eq!(
            target_at(&scene, WorldPoint::new(-10.0, 50.0), 15.0, &[]),
            Some(id(1))
        );
        assert_eq!(
            target_at(&scene, WorldPoint::new(-20.0, 50.0), 15.0, &[]),
            None
        );
        // Inside both: the topmost.
        assert_eq!(
            target_at(&scene, WorldPoint::new(50.0, 50.0), 1.0, &[]),
            Some(id(2))
        );
        assert_eq!(
            target_at(&scene, WorldPoint::new(50.0, 50.0), 1.0, &[id(2)]),
            Some(id(1))
        );
        // Ink is never a target.
        assert_eq!(
            target_at(&scene, WorldPoint::new(350.0, 0.0), 15.0, &[]),
            None
        );
    }

    #[test]
    fn following_moves_only_bound_ends_and_drops_bindings_to_what_is_gone() {
        let target = boxed(ElementKind::Rectangle, 100.0, 0.0, 200.0, 100.0);
        let mut a = arrow((0.0, 50.0), (90.0, 50.0));
        a.end_binding = Some(bind(
            ElementId::from_u128(1),
            &target,
            WorldPoint::new(90.0, 50.0),
            WorldPoint::new(0.0, 50.0),
        ));
        let mut moved = target.clone();
        moved.x += 50.0;
        let f = follow(&a, |_| Some(&moved));
        let pts = f.world_points();
        assert!(
            close(pts[0], WorldPoint::new(0.0, 50.0)),
            "the free end stays"
        );
        assert!(close(pts[1], WorldPoint::new(145.0, 50.0)), "{pts:?}");
        assert!(f.end_binding.is_some());
        let unbound = follow(&a, |_| None);
        assert_eq!(unbound.end_binding, None);
        assert_eq!(unbound.world_points(), a.world_points());
    }

    #[test]
    fn a_turned_arrow_keeps_its_turn_when_an_end_moves() {
        let mut a = arrow((0.0, 0.0), (100.0, 0.0));
        a.angle = Radians(0.3);
        let mut world = a.world_points();
        world[1] = WorldPoint::new(world[1].x + 20.0, world[1].y + 5.0);
        let mut b = a.clone();
        b.set_world_points(&world);
        assert_eq!(b.angle, a.angle);
        for (got, want) in b.world_points().into_iter().zip(world) {
            assert!(close(got, want), "{got:?} vs {want:?}");
        }
    }
}
