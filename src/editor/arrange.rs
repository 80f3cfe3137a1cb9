//! Arranging the selection: nudging, aligning and distributing it, moving it in paint order, and
//! grouping and ungrouping it. Each is one action (one undo step).

use super::{Editor, Entropy};
use crate::element::{ElementId, GroupId, Props};
use crate::geom::{Rect, Vec2};
use crate::index::FracIndex;
use crate::ops::{Op, Patch};
use crate::tool::select::selected_props;

/// Which edge or centre line [`Command::Align`](super::Command::Align) lines the selection up
/// on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    /// Left edges.
    Left,
    /// Vertical centre lines.
    CenterX,
    /// Right edges.
    Right,
    /// Top edges.
    Top,
    /// Horizontal centre lines.
    CenterY,
    /// Bottom edges.
    Bottom,
}

/// The axis [`Command::Distribute`](super::Command::Distribute) spaces the selection along.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Axis {
    /// Equal horizontal gaps.
    Horizontal,
    /// Equal vertical gaps.
    Vertical,
}

/// Where [`Command::Layer`](super::Command::Layer) moves the selection in paint order
/// (Excalidraw's z-order actions).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layer {
    /// Above the next element that is not selected.
    Forward,
    /// Below the previous element that is not selected.
    Backward,
    /// Above everything.
    ToFront,
    /// Below everything.
    ToBack,
}

impl Editor {
    /// Puts the selection (two or more elements) into a new group around any groups they are
    /// already in (Excalidraw's Ctrl+G): clicking any of them then selects them all. One
    /// action; returns whether the board changed.
    pub fn group_selection(&mut self, env: &mut impl Entropy) -> bool {
        let chosen: Vec<(ElementId, Vec<GroupId>)> = selected_props(self.scene(), &self.selection)
            .map(|(id, p)| (id, p.group_ids.clone()))
            .collect();
        if chosen.len() < 2 {
            return false;
        }
        let Ok(group) = GroupId::try_from(env.element_id().to_string()) else {
            return false;
        };
        // Outermost first: the new group encloses the groups they were in.
        let ops = chosen
            .into_iter()
            .map(|(id, inner)| Op::Update {
                id,
                patch: Patch {
                    group_ids: Some(std::iter::once(group.clone()).chain(inner).collect()),
                    ..Patch::default()
                },
            })
            .collect();
        self.act(ops, env).is_some()
    }

    /// Takes every selected element out of its outermost group (Ctrl+Shift+G); the groups
    /// inside it stay. One action; returns whether the board changed.
    pub fn ungroup_selection(&mut self, env: &mut impl Entropy) -> bool {
        let ops: Vec<Op> = selected_props(self.scene(), &self.selection)
            .filter(|(_, p)| !p.group_ids.is_empty())
            .map(|(id, p)| Op::Update {
                id,
                patch: Patch {
                    group_ids: Some(p.group_ids[1..].to_vec()),
                    ..Patch::default()
                },
            })
            .collect();
        !ops.is_empty() && self.act(ops, env).is_some()
    }

    /// Moves the selection by `d` as one action. Returns whether anything changed.
    pub fn nudge(&mut self, d: Vec2, env: &mut impl Entropy) -> bool {
        let moves = selected_props(self.scene(), &self.selection)
            .map(|(id, p)| (id, p.clone(), d))
            .collect();
        self.shift_elements(moves, env)
    }

    /// The selected elements with their visual bounds (rotation and stroke included).
    fn selected_bounds(&self) -> Vec<(ElementId, Props, Rect)> {
        selected_props(self.scene(), &self.selection)
            .filter_map(|(id, p)| Some((id, p.clone(), self.scene().get(id)?.bounds())))
            .collect()
    }

    /// Moves elements by per-element offsets as one action (zero offsets are skipped).
    fn shift_elements(
        &mut self,
        moves: Vec<(ElementId, Props, Vec2)>,
        env: &mut impl Entropy,
    ) -> bool {
        let ops: Vec<Op> = moves
            .into_iter()
            .filter(|(_, _, d)| d.x.abs() > 1e-9 || d.y.abs() > 1e-9)
            .map(|(id, p, d)| Op::Update {
                id,
                patch: Patch {
                    x: Some(p.x + d.x),
                    y: Some(p.y + d.y),
                    ..Patch::default()
                },
            })
            .collect();
        self.act(ops, env).is_some()
    }

    /// Lines up two or more selected elements on the selection's edge or centre line.
    pub fn align(&mut self, align: Align, env: &mut impl Entropy) -> bool {
        let sel = self.selected_bounds();
        let Some(all) = sel.iter().map(|s| s.2).reduce(|a, b| a.union(&b)) else {
            return false;
        };
        if sel.len() < 2 {
            return false;
        }
        let moves = sel
            .into_iter()
            .map(|(id, p, b)| {
                let d = match align {
                    Align::Left => Vec2::new(all.min.x - b.min.x, 0.0),
                    Align::Right => Vec2::new(all.max.x - b.max.x, 0.0),
                    Align::CenterX => Vec2::new(all.center().x - b.center().x, 0.0),
                    Align::Top => Vec2::new(0.0, all.min.y - b.min.y),
                    Align::Bottom => Vec2::new(0.0, all.max.y - b.max.y),
                    Align::CenterY => Vec2::new(0.0, all.center().y - b.center().y),
                };
                (id, p, d)
            })
            .collect();
        self.shift_elements(moves, env)
    }

    /// Spaces three or more selected elements so the gaps between their bounding boxes are
    /// equal; the outermost two stay where they are.
    pub fn distribute(&mut self, axis: Axis, env: &mut impl Entropy) -> bool {
        let mut sel = self.selected_bounds();
        if sel.len() < 3 {
            return false;
        }
        let horizontal = axis == Axis::Horizontal;
        let lo = |r: &Rect| if horizontal { r.min.x } else { r.min.y };
        let size = |r: &Rect| if horizontal { r.width() } else { r.height() };
        sel.sort_by(|a, b| (lo(&a.2) + size(&a.2) / 2.0).total_cmp(&(lo(&b.2) + size(&b.2) / 2.0)));
        let start = sel.iter().map(|s| lo(&s.2)).fold(f64::INFINITY, f64::min);
        let end = sel
            .iter()
            .map(|s| lo(&s.2) + size(&s.2))
            .fold(f64::NEG_INFINITY, f64::max);
        let total: f64 = sel.iter().map(|s| size(&s.2)).sum();
        let gap = (end - start - total) / (sel.len() - 1) as f64;
        let mut at = start;
        let moves = sel
            .into_iter()
            .map(|(id, p, b)| {
                let delta = at - lo(&b);
                at += size(&b) + gap;
                let d = match axis {
                    Axis::Horizontal => Vec2::new(delta, 0.0),
                    Axis::Vertical => Vec2::new(0.0, delta),
                };
                (id, p, d)
            })
            .collect();
        self.shift_elements(moves, env)
    }

    /// Moves the selection in paint order as one action, keeping the selected elements' order
    /// among themselves. Returns whether the board changed.
    pub fn reorder(&mut self, layer: Layer, env: &mut impl Entropy) -> bool {
        let order: Vec<(ElementId, FracIndex)> = self
            .scene()
            .iter_live()
            .map(|e| (e.id, e.props().index.clone()))
            .collect();
        let chosen: Vec<usize> = (0..order.len())
            .filter(|&i| self.selection.contains(order[i].0))
            .collect();
        let (Some(&bottom), Some(&top)) = (chosen.first(), chosen.last()) else {
            return false;
        };
        let key = |i: usize| order.get(i).map(|o| o.1.clone());
        // The new indices go strictly between `lo` and `hi`.
        let (lo, hi) = match layer {
            Layer::ToFront => (order.last().map(|o| o.1.clone()), None),
            Layer::ToBack => (None, order.first().map(|o| o.1.clone())),
            Layer::Forward => {
                let Some(p) = (top + 1..order.len()).find(|i| !chosen.contains(i)) else {
                    return false;
                };
                (key(p), key(p + 1))
            }
            Layer::Backward => {
                let Some(p) = (0..bottom).rev().find(|i| !chosen.contains(i)) else {
                    return false;
                };
                (p.checked_sub(1).and_then(key), key(p))
            }
        };
        let mut prev = lo;
        let mut ops = Vec::with_capacity(chosen.len());
        for &i in &chosen {
            let Ok(index) = FracIndex::between(prev.as_ref(), hi.as_ref()) else {
                return false;
            };
            prev = Some(index.clone());
            ops.push(Op::Update {
                id: order[i].0,
                patch: Patch {
                    index: Some(index),
                    ..Patch::default()
                },
            });
        }
        self.act(ops, env).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::editor::{Command, NUDGE_FAR, ToolKind};
    use crate::element::Element;
    use crate::testing::{Ids as Counter, click, drag};
    use crate::tool::Modifiers;

    #[test]
    fn grouping_makes_one_click_select_the_group_and_ungrouping_undoes_it() {
        let (mut ed, mut env) = (Editor::default(), Counter::default());
        ed.set_tool(ToolKind::Rectangle);
        let a = drag(&mut ed, &mut env, (0.0, 0.0), (100.0, 100.0)).unwrap();
        ed.set_tool(ToolKind::Rectangle);
        let b = drag(&mut ed, &mut env, (300.0, 0.0), (400.0, 100.0)).unwrap();
        let groups = |ed: &Editor, id| ed.scene().get(id).unwrap().props().group_ids.clone();
        // One element is no group.
        assert!(!ed.run(Command::Group, &mut env));
        ed.run(Command::SelectAll, &mut env);
        ed.take_outbox();
        assert!(ed.run(Command::Group, &mut env));
        assert_eq!(ed.take_outbox().len(), 2, "one op per element");
        let g = groups(&ed, a);
        assert_eq!((g.len(), &g), (1, &groups(&ed, b)));
        // A click on one selects both.
        ed.run(Command::Escape, &mut env);
        click(&mut ed, &mut env, (50.0, 0.0));
        assert_eq!(ed.selection_summary().count, 2);
        // Grouping again nests: the new group is outermost.
        assert!(ed.run(Command::Group, &mut env));
        let nested = groups(&ed, a);
        assert_eq!((nested.len(), &nested[1]), (2, &g[0]));
        // Ungroup peels the outer group only; undo puts it back in one step.
        assert!(ed.run(Command::Ungroup, &mut env));
        assert_eq!(groups(&ed, a), g);
        assert!(ed.run(Command::Undo, &mut env));
        assert_eq!(groups(&ed, b), nested);
        assert!(ed.run(Command::Ungroup, &mut env));
        assert!(ed.run(Command::Ungroup, &mut env));
        assert!(groups(&ed, a).is_empty() && groups(&ed, b).is_empty());
        assert!(
            !ed.run(Command::Ungroup, &mut env),
            "nothing left to ungroup"
        );
        assert_eq!(
            Command::from_key(
                "g",
                Modifiers {
                    ctrl: true,
                    ..Modifiers::default()
                }
            ),
            Some(Command::Group)
        );
        assert_eq!(
            Command::from_key(
                "G",
                Modifiers {
                    ctrl: true,
                    shift: true,
                    ..Modifiers::default()
                }
            ),
            Some(Command::Ungroup)
        );
    }

    #[test]
    fn moving_several_shapes_is_one_undo_step() {
        let mut ed = Editor::default();
        let env = &mut Counter(0);
        // Several shapes in a row: keep the tool.
        ed.set_tool_lock(true);
        ed.set_tool(ToolKind::Ellipse);
        drag(&mut ed, env, (0.0, 0.0), (50.0, 50.0));
        drag(&mut ed, env, (100.0, 0.0), (150.0, 50.0));
        ed.run(Command::SelectAll, env);
        assert_eq!(ed.selection().len(), 2);
        assert_eq!(ed.tool(), ToolKind::Select);
        assert!(ed.run(Command::Nudge(Vec2::new(NUDGE_FAR, 0.0)), env));
        let xs = |ed: &Editor| {
            ed.scene()
                .iter_live()
                .map(|e| e.props().x)
                .collect::<Vec<_>>()
        };
        assert_eq!(xs(&ed), [10.0, 110.0]);
        ed.run(Command::Undo, env);
        assert_eq!(xs(&ed), [0.0, 100.0]);
    }

    #[test]
    fn align_and_distribute_line_up_and_space_the_selection() {
        let mut ed = Editor::default();
        let env = &mut Counter(0);
        // Several shapes in a row: keep the tool.
        ed.set_tool_lock(true);
        ed.set_tool(ToolKind::Rectangle);
        drag(&mut ed, env, (10.0, 10.0), (60.0, 40.0)).unwrap();
        drag(&mut ed, env, (100.0, 70.0), (120.0, 100.0)).unwrap();
        drag(&mut ed, env, (300.0, 30.0), (340.0, 90.0)).unwrap();
        ed.set_tool(ToolKind::Select);
        ed.run(Command::SelectAll, env);
        let bounds = |ed: &Editor| {
            let mut b: Vec<Rect> = ed.scene().iter_live().map(Element::bounds).collect();
            b.sort_by(|x, y| x.min.x.total_cmp(&y.min.x));
            b
        };
        assert!(ed.run(Command::Align(Align::Top), env));
        let b = bounds(&ed);
        assert!(b.iter().all(|r| (r.min.y - b[0].min.y).abs() < 1e-9));
        assert!(ed.run(Command::Distribute(Axis::Horizontal), env));
        let b = bounds(&ed);
        let gap1 = b[1].min.x - b[0].max.x;
        let gap2 = b[2].min.x - b[1].max.x;
        assert!((gap1 - gap2).abs() < 1e-9, "{gap1} {gap2}");
        assert!(
            !ed.run(Command::Distribute(Axis::Horizontal), env),
            "already evenly spaced: nothing to do"
        );
        // One undo per command.
        ed.run(Command::Undo, env);
        ed.run(Command::Undo, env);
        assert!(bounds(&ed).iter().any(|r| (r.min.y - 70.0).abs() < 3.0));
        let ctrl_shift = Modifiers {
            ctrl: true,
            shift: true,
            ..Modifiers::default()
        };
        assert_eq!(
            Command::from_key("ArrowLeft", ctrl_shift),
            Some(Command::Align(Align::Left))
        );
    }

    #[test]
    fn z_order_commands_move_the_selection_and_undo() {
        let mut ed = Editor::default();
        let env = &mut Counter(0);
        // Several shapes in a row: keep the tool.
        ed.set_tool_lock(true);
        ed.set_tool(ToolKind::Rectangle);
        let ids: Vec<ElementId> = (0..4)
            .map(|i| {
                let x = 10.0 + 100.0 * f64::from(i);
                drag(&mut ed, env, (x, 10.0), (x + 50.0, 50.0)).unwrap()
            })
            .collect();
        let order = |ed: &Editor| ed.scene().iter_live().map(|e| e.id).collect::<Vec<_>>();
        ed.set_tool(ToolKind::Select);
        click(&mut ed, env, (135.0, 10.0)); // the second box, by its top edge
        assert!(ed.run(Command::Layer(Layer::Forward), env));
        assert_eq!(order(&ed), vec![ids[0], ids[2], ids[1], ids[3]]);
        assert!(ed.run(Command::Layer(Layer::ToFront), env));
        assert_eq!(order(&ed), vec![ids[0], ids[2], ids[3], ids[1]]);
        assert!(
            !ed.run(Command::Layer(Layer::Forward), env),
            "already on top"
        );
        assert!(ed.run(Command::Layer(Layer::ToBack), env));
        assert_eq!(order(&ed), vec![ids[1], ids[0], ids[2], ids[3]]);
        assert!(ed.run(Command::Layer(Layer::Forward), env));
        assert_eq!(order(&ed), vec![ids[0], ids[1], ids[2], ids[3]]);
        assert!(ed.run(Command::Layer(Layer::Backward), env));
        assert_eq!(order(&ed), vec![ids[1], ids[0], ids[2], ids[3]]);
        ed.run(Command::Undo, env);
        assert_eq!(order(&ed), vec![ids[0], ids[1], ids[2], ids[3]]);
        let ctrl_shift = Modifiers {
            ctrl: true,
            shift: true,
            ..Modifiers::default()
        };
        assert_eq!(
            Command::from_key("}", ctrl_shift),
            Some(Command::Layer(Layer::ToFront))
        );
    }
}
