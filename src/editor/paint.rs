//! What the host paints: the scene layer and the overlay layer as drawing commands (with the
//! gesture's preview), which of them need painting ([`Repaint`]), and the host's clock for what
//! fades on its own (the laser trail).

use super::{Access, ActiveTool, Editor};
use crate::element::{Color, Props};
use crate::render::{DrawCommand, grid_commands, scene_commands_cached};
use crate::tool::points::{editable, handles};
use crate::tool::select::{Overlay, frame_handles, selected_props};
use crate::tool::transform::Frame;
use crate::tool::{Preview, SelectTool};
use std::borrow::Cow;

impl Editor {
    /// Tells the editor the time (ms, any monotonic origin) for what animates: the laser's
    /// trail is stamped with it and fades by it. Hosts call it before pointer events and before
    /// painting; while [`Editor::is_animating`], they keep painting.
    pub fn set_clock(&mut self, now_ms: f64) {
        if !now_ms.is_finite() {
            return;
        }
        self.clock_ms = now_ms;
        if self.laser.is_showing() {
            // Fading is a visible change, and so is the last point going out; the trail is on
            // the overlay, so the scene layer stays as it is.
            self.laser.fade(now_ms);
            self.overlay_dirty = true;
        }
    }

    /// Whether something fades on its own (the laser trail): the host should paint again
    /// next frame even without input.
    pub fn is_animating(&self) -> bool {
        self.laser.is_showing()
    }

    /// Whether the laser pointer is on (its button held): hosts share the pointer's position
    /// as a laser while it is.
    pub fn is_lasering(&self) -> bool {
        self.laser.is_pressed()
    }

    /// Marks the view as needing a repaint (a resize, a remote change).
    pub fn invalidate(&mut self) {
        self.dirty = true;
    }

    /// Marks only the overlay layer as needing a repaint (another user's cursor moved): the
    /// cached scene layer stays.
    pub fn invalidate_overlay(&mut self) {
        self.overlay_dirty = true;
    }

    /// Whether a repaint of anything is due, clearing the flags.
    pub fn take_dirty(&mut self) -> bool {
        let r = self.take_repaint();
        r.scene || r.overlay
    }

    /// Which layers need painting, clearing the flags. A host with one canvas paints both
    /// whenever either is due.
    pub fn take_repaint(&mut self) -> Repaint {
        let scene = std::mem::take(&mut self.dirty);
        let overlay = std::mem::take(&mut self.overlay_dirty) || scene;
        Repaint { scene, overlay }
    }

    /// What is drawn over the scene: the tool's preview, and the text being edited hidden
    /// (the host's text box shows it instead).
    fn preview(&self) -> Cow<'_, Preview> {
        let empty = || Cow::Owned(Preview::default());
        let mut preview = self
            .active
            .get()
            .map_or_else(empty, |t| Cow::Borrowed(t.preview()));
        if let Some(id) = self.text_edit.as_ref().and_then(|t| t.id) {
            preview.to_mut().hidden.insert(id);
        }
        // What is being dragged takes its arrows and text along, as the commit will.
        if !preview.replaced.is_empty() {
            let scene = self.replica.view();
            let changes = preview
                .replaced
                .iter()
                .filter_map(|(id, after)| {
                    let change = crate::follow::Change {
                        before: Some(scene.get(*id)?.props()),
                        after: after.clone(),
                        rebinds: preview.rebinding.contains(id),
                    };
                    Some((*id, change))
                })
                .collect();
            let derived = crate::follow::derive(scene, &changes);
            if !derived.is_empty() {
                preview.to_mut().replaced.extend(derived);
            }
        }
        preview
    }

    /// The selection frame, handles and marquee.
    fn overlay(&self, preview: &Preview) -> Overlay {
        let shown: Vec<&Props> = selected_props(self.scene(), &self.selection)
            .filter_map(|(id, p)| preview.shown(id, p))
            .collect();
        let select = match &self.active {
            ActiveTool::Select(t) => Some(t),
            _ => None,
        };
        Overlay {
            element_frames: shown.iter().filter_map(|p| Frame::of([*p])).collect(),
            frame: Frame::of(shown),
            handles: self.access == Access::Edit
                && select.is_some_and(|t| !t.is_transforming() && !t.is_editing_point())
                && frame_handles(self.scene(), &self.selection),
            brush: select.and_then(SelectTool::brush),
            points: select
                .filter(|t| self.access == Access::Edit && !t.is_transforming())
                .and_then(|_| editable(self.scene(), &self.selection))
                .and_then(|(id, p)| preview.shown(id, p))
                .map(|p| handles(p, self.camera.zoom))
                .unwrap_or_default(),
            bind_target: preview.bind_target.and_then(|id| {
                let own = self.scene().get(id)?.props();
                Some(crate::binding::outline(preview.shown(id, own)?))
            }),
        }
    }

    /// The drawing commands for a `width` × `height` CSS-pixel viewport: the grid when shown,
    /// the scene with the gesture's preview, then the selection overlay; flat (no
    /// [`DrawCommand::Shared`]), for hosts with one canvas and for inspection.
    pub fn draw_commands(&self, width: f64, height: f64) -> Vec<DrawCommand> {
        let preview = self.preview();
        let mut out = crate::render::flatten(self.scene_layer_with(&preview, width, height));
        out.extend(self.overlay_commands(&preview));
        out
    }

    /// The scene layer alone: background, grid and elements (with the gesture's preview). Hosts
    /// with two canvases cache it and repaint it only when [`Editor::take_repaint`] says so.
    pub fn scene_layer(&self, width: f64, height: f64) -> Vec<DrawCommand> {
        self.scene_layer_with(&self.preview(), width, height)
    }

    /// The overlay layer alone, for a transparent canvas over the scene layer: selection
    /// frames and handles, marquee, binding highlight and the laser trail.
    pub fn overlay_layer(&self) -> Vec<DrawCommand> {
        let mut out = vec![
            DrawCommand::Clear(Color::TRANSPARENT),
            DrawCommand::SetCamera(self.camera),
        ];
        out.extend(self.overlay_commands(&self.preview()));
        out
    }

    fn scene_layer_with(&self, preview: &Preview, width: f64, height: f64) -> Vec<DrawCommand> {
        let mut out = scene_commands_cached(
            self.replica.view(),
            &self.camera,
            width,
            height,
            Some(preview),
            &mut self.render_cache.borrow_mut(),
        );
        if let Some(size) = self.grid_size() {
            // After the clear and the camera, under every element.
            let at = out
                .iter()
                .position(|c| matches!(c, DrawCommand::SetCamera(_)))
                .map_or(0, |i| i + 1);
            out.splice(at..at, grid_commands(&self.camera, width, height, size));
        }
        out
    }

    fn overlay_commands(&self, preview: &Preview) -> Vec<DrawCommand> {
        let zoom = self.camera.zoom;
        let mut out = self.overlay(preview).commands(zoom);
        out.extend(self.laser.commands(self.clock_ms, zoom));
        out
    }
}

/// Which layers a host must paint (see [`Editor::take_repaint`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Repaint {
    /// The scene layer changed (and with it, possibly, the overlay).
    pub scene: bool,
    /// The overlay layer changed.
    pub overlay: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::editor::{PointerButton, ToolKind};
    use crate::geom::{ScreenPoint, WorldPoint};
    use crate::testing::{Ids as Counter, drag};

    #[test]
    fn the_scene_layer_is_repainted_only_when_the_scene_side_changes() {
        let (mut ed, mut env) = (Editor::default(), Counter::default());
        ed.set_tool(ToolKind::Rectangle);
        let id = drag(&mut ed, &mut env, (0.0, 0.0), (100.0, 100.0)).unwrap();
        assert_eq!(
            ed.take_repaint(),
            Repaint {
                scene: true,
                overlay: true
            }
        );
        assert_eq!(ed.take_repaint(), Repaint::default(), "nothing new");
        // A remote cursor: the overlay only, the cached scene stays.
        ed.invalidate_overlay();
        assert_eq!(
            ed.take_repaint(),
            Repaint {
                scene: false,
                overlay: true
            }
        );
        // The layers together are what one canvas would draw: the scene layer, then the
        // overlay (whose own clear is transparent and whose camera is the scene's).
        let (scene, overlay) = (ed.scene_layer(800.0, 600.0), ed.overlay_layer());
        assert_eq!(overlay[0], DrawCommand::Clear(Color::TRANSPARENT));
        assert_eq!(overlay[1], DrawCommand::SetCamera(ed.camera));
        let mut both = crate::render::flatten(scene.clone());
        both.extend(overlay[2..].iter().cloned());
        assert_eq!(both, ed.draw_commands(800.0, 600.0));
        // The new rectangle is selected: its frame is on the overlay, not in the scene layer.
        assert!(
            ed.selection_summary().count == 1 && overlay.len() > 2,
            "{id:?}"
        );
        assert!(scene.len() < both.len());
    }

    #[test]
    fn shapes_being_dragged_take_their_arrows_along_in_the_preview() {
        let (mut ed, mut env) = (Editor::default(), Counter::default());
        ed.set_tool(ToolKind::Rectangle);
        let a = drag(&mut ed, &mut env, (0.0, 0.0), (100.0, 100.0)).unwrap();
        ed.set_tool(ToolKind::Rectangle);
        let b = drag(&mut ed, &mut env, (300.0, 0.0), (400.0, 100.0)).unwrap();
        ed.set_tool(ToolKind::Arrow);
        // Hovering over a shape with the arrow tool highlights it, and so does drawing to one.
        ed.pointer_move(ScreenPoint::new(50.0, 2.0));
        assert_eq!(ed.preview().bind_target, Some(a));
        ed.pointer_down(ScreenPoint::new(50.0, 50.0), PointerButton::Primary);
        ed.pointer_move(ScreenPoint::new(350.0, 50.0));
        assert_eq!(ed.preview().bind_target, Some(b));
        let highlight = ed.overlay(&ed.preview()).bind_target.unwrap();
        assert!(
            highlight.contains(&WorldPoint::new(300.0, 0.0)),
            "B's outline"
        );
        let arrow = ed
            .pointer_up(ScreenPoint::new(350.0, 50.0), &mut env)
            .unwrap();
        assert_eq!(ed.preview().bind_target, None);
        ed.set_tool(ToolKind::Select);
        ed.select([b]);
        ed.pointer_down(ScreenPoint::new(325.0, 100.0), PointerButton::Primary);
        ed.pointer_move(ScreenPoint::new(325.0, 300.0));
        let shown = ed.preview().replaced[&arrow].world_points();
        let stored = ed.scene().get(arrow).unwrap().props().world_points();
        assert!(shown[1].y > stored[1].y + 50.0, "{shown:?}");
    }
}
