//! Keeping attached elements in step: what else a change must change so that bound arrows and
//! container text stay with their shapes.
//!
//! Rather than teaching every path that moves a shape (the select tool's move, resize and
//! rotate, nudging, align and distribute, style changes, undoable recognition, …) about arrows
//! and text, the editor hands every action to [`consequences`] before applying it, and the
//! returned ops join the action: one undo entry, one batch for the server. A path added later
//! gets the behaviour for free. Gesture previews use the same [`derive`], so what is shown while
//! dragging is what the commit does.
//!
//! The rules (Excalidraw's):
//! - text inside a shape is laid out in it ([`crate::container::layout`]) whenever either
//!   changes, and the shape grows to fit; it is deleted with its shape;
//! - a bound arrow end follows its target ([`crate::binding::follow`]); an end whose target is
//!   deleted is released where it is;
//! - an arrow moved (or reshaped) on its own lets go of targets that did not move with it,
//!   unless the action sets its bindings itself (editing its points rebinds explicitly).
//!
//! Only the author's editor derives: others receive the derived ops like any other, so replicas
//! never compute consequences of remote ops (which would echo them back). An author derives from
//! what it has seen, which concurrent edits can overtake (an arrow bound to a shape someone else
//! just deleted, a label typed into a shape being moved): the server settles what each batch of
//! ops touched with [`repair`], and sequences the result as its own ops, so every replica ends
//! up consistent.

use crate::binding::{self, End};
use crate::container;
use crate::element::{ElementId, ElementKind, Props};
use crate::ops::{Op, Patch};
use crate::scene::Scene;
use std::collections::{BTreeMap, BTreeSet};

/// What an action does to one element.
#[derive(Clone, Debug, PartialEq)]
pub struct Change<'a> {
    /// Its props before (`None`: the action creates it).
    pub before: Option<&'a Props>,
    /// Its props after.
    pub after: Props,
    /// The action sets the element's bindings itself: they are kept as given (and followed).
    pub rebinds: bool,
}

/// Whether the outline or the placement of an element differs: what arrows and container text
/// depend on (position, size, turn, points, corners, text and font, deletion).
fn reshaped(before: &Props, after: &Props) -> bool {
    before.x != after.x
        || before.y != after.y
        || before.width != after.width
        || before.height != after.height
        || before.angle != after.angle
        || before.points != after.points
        || before.roundness != after.roundness
        || before.is_deleted != after.is_deleted
        || before.text != after.text
        || before.font_size != after.font_size
        || before.font_family != after.font_family
}

/// An element's props as the action leaves it, consequences so far included.
fn current<'a>(
    id: ElementId,
    derived: &'a BTreeMap<ElementId, Props>,
    changes: &'a BTreeMap<ElementId, Change<'_>>,
    scene: &'a Scene,
) -> Option<&'a Props> {
    derived
        .get(&id)
        .or_else(|| changes.get(&id).map(|c| &c.after))
        .or_else(|| scene.get(id).map(|e| e.props()))
}

/// A copy of [`current`] unless deleted.
fn live(
    id: ElementId,
    derived: &BTreeMap<ElementId, Props>,
    changes: &BTreeMap<ElementId, Change<'_>>,
    scene: &Scene,
) -> Option<Props> {
    current(id, derived, changes, scene)
        .filter(|p| !p.is_deleted)
        .cloned()
}

/// The elements that must change because of `changes` (applied to `scene`), with their new
/// props: container text laid out (or deleted with its shape), containers grown to fit, bound
/// arrow ends followed or released. Elements of `changes` appear when the rules change them
/// further. Deterministic: elements are visited in id order.
pub fn derive(
    scene: &Scene,
    changes: &BTreeMap<ElementId, Change<'_>>,
) -> BTreeMap<ElementId, Props> {
    let mut derived: BTreeMap<ElementId, Props> = BTreeMap::new();
    let mut moved: BTreeSet<ElementId> = changes
        .iter()
        .filter(|(_, c)| c.before.is_none_or(|b| reshaped(b, &c.after)))
        .map(|(id, _)| *id)
        .collect();
    // The elements of a kind that may need to change: those attached to what moved, and
    // those the action changes itself.
    let related = |moved: &BTreeSet<ElementId>, kind: fn(&Props) -> bool| -> BTreeSet<ElementId> {
        let attached = moved.iter().flat_map(|id| scene.attached_to(*id));
        attached
            .filter(|e| kind(e.props()))
            .map(|e| e.id)
            .chain(
                changes
                    .iter()
                    .filter(|(_, c)| kind(&c.after))
                    .map(|(id, _)| *id),
            )
            .collect()
    };

    // Text first: a container that grows moves the arrows bound to it.
    let texts = related(&moved, |p| {
        p.kind == ElementKind::Text && p.container_id.is_some()
    });
    for id in texts {
        let Some(text) = live(id, &derived, changes, scene) else {
            continue;
        };
        let Some(cid) = text.container_id else {
            continue;
        };
        let Some(mut host) = current(cid, &derived, changes, scene).cloned() else {
            continue;
        };
        if !container::can_contain(&host) {
            // Deleted with its shape (or inside something that cannot hold text).
            let mut gone = text.clone();
            gone.is_deleted = true;
            derived.insert(id, gone);
            continue;
        }
        if let Some(grown) = container::grown_for(&host, &text) {
            host = grown.clone();
            derived.insert(cid, grown);
            moved.insert(cid);
        }
        let laid = container::layout(&text, &host);
        if laid != text {
            derived.insert(id, laid);
        }
    }

    let arrows = related(&moved, |p| {
        binding::binds(p) && (p.start_binding.is_some() || p.end_binding.is_some())
    });
    for id in arrows {
        let Some(arrow) = live(id, &derived, changes, scene) else {
            continue;
        };
        let mut next = arrow.clone();
        // Moved on its own: let go of what stayed behind.
        if let Some(c) = changes.get(&id)
            && !c.rebinds
            && c.before.is_some_and(|b| reshaped(b, &c.after))
        {
            for end in End::BOTH {
                if end
                    .binding(&next)
                    .is_some_and(|b| !moved.contains(&b.element_id))
                {
                    end.set_binding(&mut next, None);
                }
            }
        }
        let followed = binding::follow(&next, |t| current(t, &derived, changes, scene));
        if followed != arrow {
            derived.insert(id, followed);
        }
    }
    derived
}

/// The ops that must accompany `ops` (about to be applied to `scene` as one action) so that
/// attached elements stay in step; see the module's rules. Empty when nothing is attached.
pub fn consequences(scene: &Scene, ops: &[Op]) -> Vec<Op> {
    let mut changes: BTreeMap<ElementId, Change<'_>> = BTreeMap::new();
    for op in ops {
        let id = op.element_id();
        let entry = match op {
            Op::Create { element } => changes.entry(id).or_insert_with(|| Change {
                before: scene.get(id).map(|e| e.props()),
                after: element.props().clone(),
                rebinds: true,
            }),
            Op::Update { .. } | Op::Delete { .. } => {
                let Some(e) = scene.get(id) else { continue };
                changes.entry(id).or_insert_with(|| Change {
                    before: Some(e.props()),
                    after: e.props().clone(),
                    rebinds: false,
                })
            }
        };
        match op {
            Op::Create { .. } => {}
            Op::Update { patch, .. } => {
                patch.apply_to(&mut entry.after);
                entry.rebinds |= patch.start_binding.is_some() || patch.end_binding.is_some();
            }
            Op::Delete { .. } => entry.after.is_deleted = true,
        }
    }
    let derived = derive(scene, &changes);
    derived
        .into_iter()
        .filter_map(|(id, next)| {
            let now = changes
                .get(&id)
                .map(|c| &c.after)
                .or_else(|| scene.get(id).map(|e| e.props()))?;
            if next.is_deleted && !now.is_deleted {
                return Some(Op::Delete { id });
            }
            let patch = Patch::diff(now, &next);
            (!patch.is_empty()).then_some(Op::Update { id, patch })
        })
        .collect()
}

/// The ops that make what `touched` names consistent again in `scene` (ops already applied):
/// bound arrow ends put on their targets or released when the target is gone, container text
/// laid out in its shape or deleted with it. The rules are the author's ([`derive`]), applied
/// as if each touched element had just been created with its bindings as they are. Empty when
/// everything is in step, which is the rule when authors saw everything they acted on.
pub fn repair(scene: &Scene, touched: &BTreeSet<ElementId>) -> Vec<Op> {
    let changes: BTreeMap<ElementId, Change<'_>> = touched
        .iter()
        .filter_map(|id| {
            let e = scene.get(*id)?;
            Some((
                *id,
                Change {
                    before: None,
                    after: e.props().clone(),
                    rebinds: true,
                },
            ))
        })
        .collect();
    derive(scene, &changes)
        .into_iter()
        .filter_map(|(id, next)| {
            let now = scene.get(id)?.props();
            if next.is_deleted && !now.is_deleted {
                return Some(Op::Delete { id });
            }
            let patch = Patch::diff(now, &next);
            (!patch.is_empty()).then_some(Op::Update { id, patch })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::binding::BINDING_GAP;
    use crate::editor::{Align, Command, Editor, ToolKind};
    use crate::element::Binding;
    use crate::geom::{Vec2, WorldPoint};
    use crate::testing::{Ids, click, drag};

    const A: u128 = 1;
    const B: u128 = 2;
    const ARROW: u128 = 3;

    fn id(n: u128) -> ElementId {
        ElementId::from_u128(n)
    }

    fn props(ed: &Editor, n: u128) -> Props {
        ed.scene().get(id(n)).unwrap().props().clone()
    }

    /// Rectangles A (0..100 × 0..100) and B (300..400 × 0..100), and an arrow drawn from inside
    /// A to inside B: ids 1, 2, 3. The camera is at the origin at 100 %, so screen = world.
    fn board() -> (Editor, Ids) {
        let (mut ed, mut env) = (Editor::default(), Ids::default());
        ed.set_tool(ToolKind::Rectangle);
        drag(&mut ed, &mut env, (0.0, 0.0), (100.0, 100.0)).unwrap();
        // After one shape the tool hands over to select (see `Editor::tool_lock`).
        ed.set_tool(ToolKind::Rectangle);
        drag(&mut ed, &mut env, (300.0, 0.0), (400.0, 100.0)).unwrap();
        ed.set_tool(ToolKind::Arrow);
        drag(&mut ed, &mut env, (50.0, 50.0), (350.0, 50.0)).unwrap();
        ed.set_tool(ToolKind::Select);
        (ed, env)
    }

    /// How far the arrow's `end` is from `target`'s outline.
    fn gap(ed: &Editor, end: End, target: u128) -> f64 {
        let a = props(ed, ARROW);
        let at = a.world_points()[end.index(a.points.len())];
        let poly = binding::outline(&props(ed, target));
        (0..poly.len())
            .map(|i| crate::shape::segment_distance(poly[i], poly[(i + 1) % poly.len()], at))
            .fold(f64::INFINITY, f64::min)
    }

    fn assert_attached(ed: &Editor) {
        let a = props(ed, ARROW);
        assert_eq!(a.start_binding.map(|b| b.element_id), Some(id(A)));
        assert_eq!(a.end_binding.map(|b| b.element_id), Some(id(B)));
        // The gap is kept along the arrow, so the distance across to the outline is at most it.
        for (end, target) in [(End::Start, A), (End::End, B)] {
            let g = gap(ed, end, target);
            assert!(
                g > 1.0 && g <= BINDING_GAP + 1e-6,
                "{end:?} is {g} from its shape"
            );
        }
        // And each end is where its focus says: following again moves nothing.
        let scene = ed.scene();
        let again = binding::follow(&a, |t| scene.get(t).map(|e| e.props()));
        for (p, q) in again.world_points().into_iter().zip(a.world_points()) {
            assert!((p - q).length() < 1e-3, "{p:?} vs {q:?}");
        }
    }

    #[test]
    fn an_arrow_drawn_between_two_shapes_binds_and_snaps_to_both() {
        let (ed, _) = board();
        assert_attached(&ed);
        let pts = props(&ed, ARROW).world_points();
        assert_eq!(pts[0], WorldPoint::new(100.0 + BINDING_GAP, 50.0));
        assert_eq!(pts[1], WorldPoint::new(300.0 - BINDING_GAP, 50.0));
        let attached: Vec<ElementId> = ed.scene().attached_to(id(B)).map(|e| e.id).collect();
        assert_eq!(attached, [id(ARROW)], "the shape knows its arrow");
    }

    #[test]
    fn ends_bind_only_near_a_shape_and_lines_never_bind() {
        let (mut ed, mut env) = board();
        ed.set_tool(ToolKind::Arrow);
        // Starts 30 px left of A (beyond reach), ends 10 px left of B (within reach).
        let far = drag(&mut ed, &mut env, (-30.0, 200.0), (290.0, 50.0)).unwrap();
        let p = ed.scene().get(far).unwrap().props().clone();
        assert_eq!(p.start_binding, None);
        assert_eq!(p.end_binding.map(|b| b.element_id), Some(id(B)));
        ed.set_tool(ToolKind::Line);
        let line = drag(&mut ed, &mut env, (50.0, 50.0), (350.0, 50.0)).unwrap();
        let p = ed.scene().get(line).unwrap().props().clone();
        assert_eq!((p.start_binding, p.end_binding), (None, None));
    }

    #[test]
    fn the_reach_is_in_screen_pixels() {
        let (mut ed, mut env) = board();
        ed.camera
            .zoom_at(crate::geom::ScreenPoint::new(0.0, 0.0), 4.0);
        ed.set_tool(ToolKind::Arrow);
        // 10 world units left of B is 40 px at 400 %: too far.
        let a = drag(&mut ed, &mut env, (0.0, 800.0), (290.0 * 4.0, 200.0)).unwrap();
        assert_eq!(ed.scene().get(a).unwrap().props().end_binding, None);
    }

    #[test]
    fn moving_a_shape_takes_the_arrow_along_in_one_undoable_action() {
        let (mut ed, mut env) = board();
        let arrow_before = props(&ed, ARROW);
        // B's bottom edge, away from its handles.
        click(&mut ed, &mut env, (325.0, 100.0));
        drag(&mut ed, &mut env, (325.0, 100.0), (325.0, 300.0));
        assert_eq!(props(&ed, B).y, 200.0);
        assert_attached(&ed);
        assert_ne!(
            props(&ed, ARROW).world_points(),
            arrow_before.world_points()
        );
        // One undo puts both back; redo moves both again.
        assert!(ed.undo(&mut env));
        assert_eq!(props(&ed, B).y, 0.0);
        assert_eq!(props(&ed, ARROW), arrow_before);
        assert!(ed.redo(&mut env));
        assert_eq!(props(&ed, B).y, 200.0);
        assert_attached(&ed);
    }

    #[test]
    fn resizing_and_turning_a_shape_keep_the_arrow_on_its_outline() {
        let (mut ed, mut env) = board();
        click(&mut ed, &mut env, (400.0, 50.0));
        // B's bottom-right handle (the frame is padded by 4 px) dragged out: B grows.
        drag(&mut ed, &mut env, (404.0, 104.0), (504.0, 304.0));
        assert!(props(&ed, B).width > 150.0);
        assert_attached(&ed);
        // The rotation knob, 22 px above the padded frame's top middle, swung to the right.
        let b = props(&ed, B);
        let knob = (b.x + b.width / 2.0, b.y - 4.0 - 22.0);
        drag(
            &mut ed,
            &mut env,
            knob,
            (b.x + b.width + 100.0, b.y + b.height / 2.0),
        );
        assert!(props(&ed, B).angle.0.abs() > 0.5);
        assert_attached(&ed);
    }

    #[test]
    fn keyboard_moves_and_alignment_move_arrows_too() {
        let (mut ed, mut env) = board();
        ed.select([id(B)]);
        ed.run(Command::Nudge(Vec2::new(10.0, 40.0)), &mut env);
        assert_eq!((props(&ed, B).x, props(&ed, B).y), (310.0, 40.0));
        assert_attached(&ed);
        ed.select([id(A), id(B)]);
        ed.run(Command::Align(Align::Bottom), &mut env);
        assert_eq!(props(&ed, A).y, 40.0);
        assert_attached(&ed);
    }

    #[test]
    fn moving_the_arrow_alone_lets_go_but_moving_it_with_its_shapes_does_not() {
        let (mut ed, mut env) = board();
        ed.select([id(A), id(B), id(ARROW)]);
        ed.run(Command::Nudge(Vec2::new(5.0, 0.0)), &mut env);
        assert_attached(&ed);
        ed.select([id(ARROW)]);
        ed.run(Command::Nudge(Vec2::new(0.0, 30.0)), &mut env);
        let a = props(&ed, ARROW);
        assert_eq!((a.start_binding, a.end_binding), (None, None));
        // Undo binds it again.
        ed.undo(&mut env);
        assert_attached(&ed);
    }

    #[test]
    fn deleting_a_shape_releases_the_arrow_and_undo_reattaches_it() {
        let (mut ed, mut env) = board();
        let before = props(&ed, ARROW);
        ed.select([id(B)]);
        ed.run(Command::Delete, &mut env);
        let a = props(&ed, ARROW);
        assert!(!a.is_deleted, "the arrow stays");
        assert_eq!(a.end_binding, None);
        assert_eq!(a.start_binding, before.start_binding);
        assert_eq!(
            a.world_points(),
            before.world_points(),
            "released where it was"
        );
        ed.undo(&mut env);
        assert_eq!(props(&ed, ARROW), before);
    }

    #[test]
    fn consequences_of_a_move_are_ops_after_it() {
        let (ed, _) = board();
        let ops = vec![Op::Update {
            id: id(A),
            patch: Patch {
                y: Some(100.0),
                ..Patch::default()
            },
        }];
        let more = consequences(ed.scene(), &ops);
        assert!(
            matches!(more.as_slice(), [Op::Update { id, patch }] if *id == ElementId::from_u128(ARROW) && patch.points.is_some())
        );
        // Something unrelated has no consequences.
        let recolour = vec![Op::Update {
            id: id(A),
            patch: Patch {
                stroke_color: Some(crate::element::Color::TRANSPARENT),
                ..Patch::default()
            },
        }];
        assert!(consequences(ed.scene(), &recolour).is_empty());
    }

    #[test]
    fn an_action_that_sets_bindings_keeps_them() {
        let (ed, _) = board();
        let a = props(&ed, ARROW);
        // Moving the arrow on its own would let go of A and B, but this action sets the start
        // binding itself (as point editing does): both bindings stay, and the ends snap back.
        let ops = vec![Op::Update {
            id: id(ARROW),
            patch: Patch {
                y: Some(a.y + 10.0),
                start_binding: Some(Some(Binding {
                    element_id: id(A),
                    focus: 0.0,
                    gap: BINDING_GAP,
                })),
                ..Patch::default()
            },
        }];
        let more = consequences(ed.scene(), &ops);
        let [Op::Update { patch, .. }] = more.as_slice() else {
            panic!("the arrow is snapped back: {more:?}")
        };
        assert_eq!(
            patch.start_binding, None,
            "bindings left as the action set them"
        );
        assert!(patch.points.is_some() || patch.y.is_some());
    }
}

#[cfg(test)]
mod container_tests {
    use super::*;
    use crate::editor::{Command, Editor, ToolKind};
    use crate::geom::{ScreenPoint, Vec2};
    use crate::testing::{Ids, click, drag};
    use crate::tool::Modifiers;

    const SHAPE: u128 = 1;

    fn id(n: u128) -> ElementId {
        ElementId::from_u128(n)
    }

    fn props(ed: &Editor, id: ElementId) -> Props {
        ed.scene().get(id).unwrap().props().clone()
    }

    /// A 200 × 100 rectangle at (100, 100) (id 1) with "hello" typed into it by double-clicking
    /// its empty middle; returns the text's id.
    fn labelled() -> (Editor, Ids, ElementId) {
        let (mut ed, mut env) = (Editor::default(), Ids::default());
        ed.set_tool(ToolKind::Rectangle);
        drag(&mut ed, &mut env, (100.0, 100.0), (300.0, 200.0)).unwrap();
        ed.set_tool(ToolKind::Select);
        assert!(ed.double_click(ScreenPoint::new(200.0, 150.0)));
        let edit = ed.text_edit().unwrap();
        assert_eq!((edit.id, edit.props.container_id), (None, Some(id(SHAPE))));
        let text = ed
            .commit_text("hello", Some((40.0, 25.0)), &mut env)
            .unwrap();
        (ed, env, text)
    }

    fn assert_centred(ed: &Editor, text: ElementId) {
        let (t, c) = (props(ed, text), props(ed, id(SHAPE)));
        let (tc, cc) = (t.rect().center(), c.rect().center());
        assert!((tc - cc).length() < 1e-9, "{tc:?} vs {cc:?}");
        assert_eq!(t.angle, c.angle);
        assert_eq!(t.width, container::text_area(&c).width());
    }

    #[test]
    fn text_typed_into_a_shape_is_centred_in_it_and_one_undo_removes_it() {
        let (mut ed, mut env, text) = labelled();
        let t = props(&ed, text);
        assert_eq!(
            (t.text.as_str(), t.container_id),
            ("hello", Some(id(SHAPE)))
        );
        assert_centred(&ed, text);
        let attached: Vec<ElementId> = ed.scene().attached_to(id(SHAPE)).map(|e| e.id).collect();
        assert_eq!(attached, [text]);
        assert!(ed.undo(&mut env));
        assert!(props(&ed, text).is_deleted);
    }

    #[test]
    fn the_text_moves_and_turns_with_its_shape() {
        let (mut ed, mut env, text) = labelled();
        ed.select([id(SHAPE)]);
        ed.run(Command::Nudge(Vec2::new(30.0, -20.0)), &mut env);
        assert_centred(&ed, text);
        // The rotation knob above the padded frame, swung round to the right.
        let c = props(&ed, id(SHAPE));
        let knob = (c.x + c.width / 2.0, c.y - 4.0 - 22.0);
        drag(
            &mut ed,
            &mut env,
            knob,
            (c.x + c.width + 200.0, c.y + c.height),
        );
        assert!(props(&ed, id(SHAPE)).angle.0 > 0.3);
        assert_centred(&ed, text);
        // Resizing re-wraps it to the new width.
        ed.select([id(SHAPE)]);
        ed.undo(&mut env);
        ed.select([id(SHAPE)]);
        let c = props(&ed, id(SHAPE));
        drag(
            &mut ed,
            &mut env,
            (c.x + c.width + 4.0, c.y + c.height + 4.0),
            (c.x + c.width + 104.0, c.y + c.height + 4.0),
        );
        assert_eq!(props(&ed, id(SHAPE)).width, 300.0);
        assert_centred(&ed, text);
    }

    #[test]
    fn deleting_the_shape_deletes_its_text_and_undo_brings_both_back() {
        let (mut ed, mut env, text) = labelled();
        ed.select([id(SHAPE)]);
        ed.run(Command::Delete, &mut env);
        assert!(props(&ed, text).is_deleted);
        ed.undo(&mut env);
        assert!(!props(&ed, text).is_deleted && !props(&ed, id(SHAPE)).is_deleted);
        assert_centred(&ed, text);
    }

    #[test]
    fn enter_or_a_double_click_reopens_the_text_and_emptying_it_removes_it() {
        let (mut ed, mut env, text) = labelled();
        ed.select([id(SHAPE)]);
        let enter = Command::from_key("Enter", Modifiers::default()).unwrap();
        assert_eq!(enter, Command::EditText);
        ed.run(enter, &mut env);
        assert_eq!(ed.text_edit().and_then(|t| t.id), Some(text));
        ed.commit_text("hello world", None, &mut env);
        assert_eq!(props(&ed, text).text, "hello world");
        assert_centred(&ed, text);
        // Double-clicking on the text itself edits it too.
        assert!(ed.double_click(ScreenPoint::new(200.0, 150.0)));
        assert_eq!(ed.text_edit().and_then(|t| t.id), Some(text));
        ed.commit_text("  ", None, &mut env);
        assert!(props(&ed, text).is_deleted);
        assert!(!props(&ed, id(SHAPE)).is_deleted, "the shape stays");
    }

    #[test]
    fn long_text_wraps_to_the_shape_and_grows_it() {
        let (mut ed, mut env, text) = labelled();
        ed.select([id(SHAPE)]);
        ed.run(Command::EditText, &mut env);
        let long = "the quick brown fox jumps over the lazy dog ".repeat(4);
        ed.commit_text(&long, None, &mut env);
        let (t, c) = (props(&ed, text), props(&ed, id(SHAPE)));
        let lines = container::wrap(&t.text, t.width, t.font_size).len();
        assert!(lines > 4, "{lines} lines");
        assert!(c.height > 100.0, "grown to {}", c.height);
        assert_eq!(c.y, 100.0, "downwards");
        assert_centred(&ed, text);
        // The renderer draws the wrapped lines.
        let block = ed
            .draw_commands(800.0, 800.0)
            .into_iter()
            .find_map(|c| match c {
                crate::render::DrawCommand::Text(b) => Some(b),
                _ => None,
            })
            .unwrap();
        assert_eq!(block.lines.len(), lines);
        // One undo takes the longer text and the growth back.
        ed.undo(&mut env);
        assert_eq!(props(&ed, id(SHAPE)).height, 100.0);
    }

    #[test]
    fn the_text_is_picked_erased_and_selected_through_its_shape() {
        let (mut ed, mut env, text) = labelled();
        // A click on the text selects the shape.
        click(&mut ed, &mut env, (200.0, 150.0));
        assert_eq!(ed.selection().ids().collect::<Vec<_>>(), [id(SHAPE)]);
        ed.select_all();
        assert_eq!(ed.selection().ids().collect::<Vec<_>>(), [id(SHAPE)]);
        // The eraser over the text erases the shape and the text.
        ed.set_tool(ToolKind::Eraser);
        drag(&mut ed, &mut env, (195.0, 150.0), (205.0, 150.0));
        assert!(props(&ed, id(SHAPE)).is_deleted && props(&ed, text).is_deleted);
    }
}
