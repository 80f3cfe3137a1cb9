//! The text tool: a click opens the in-place text editor, on a new text element or on the text
//! element under the pointer.
//!
//! Typing happens outside the core (an HTML textarea over the canvas, which gives IME input,
//! spell-checking and accessibility for free); the editor then commits the text with
//! [`crate::editor::Editor::commit_text`]. The tool opens the editor on pointer-*up*, like a
//! click, so the textarea receives focus after the pointer gesture is over.

use super::{Cursor, Feedback, PointerInput, Preview, TextEdit, Tool, ToolContext, ToolOutcome};
use crate::element::{ElementId, ElementKind, LINE_HEIGHT, Props};
use crate::geom::WorldPoint;

/// The font size of new text, world units (Excalidraw's default).
pub const DEFAULT_FONT_SIZE: f64 = 20.0;

/// The text tool.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TextTool {
    pressed: Option<WorldPoint>,
    preview: Preview,
}

/// What a click at `at` edits: the topmost text element under it, or a new one whose first
/// line is centred vertically on the click.
pub fn text_at(at: WorldPoint, ctx: &ToolContext<'_>) -> TextEdit {
    let existing = ctx
        .scene
        .hit_test(at, ctx.world(super::HIT_PX))
        .into_iter()
        .find(|e| e.props().kind == ElementKind::Text && super::selectable(e.props()));
    if let Some(e) = existing {
        return TextEdit {
            id: Some(e.id),
            props: e.props().clone(),
        };
    }
    let size = ctx.style.font_size;
    let corner = WorldPoint::new(at.x, at.y - size * LINE_HEIGHT / 2.0);
    let mut props = Props::text(corner, "", DEFAULT_FONT_SIZE, ctx.scene.next_index());
    ctx.style.apply(&mut props);
    TextEdit { id: None, props }
}

/// Editing the text inside the shape `container`: its existing text, or new text laid out in
/// it (in the shape's colour). `None` if `container` cannot hold text.
pub fn text_in(container: ElementId, ctx: &ToolContext<'_>) -> Option<TextEdit> {
    let host = ctx.scene.get(container)?.props();
    if !crate::container::can_contain(host) || !super::selectable(host) {
        return None;
    }
    let existing = ctx
        .scene
        .attached_to(container)
        .find(|e| e.props().kind == ElementKind::Text && e.props().container_id == Some(container));
    if let Some(e) = existing {
        return Some(TextEdit {
            id: Some(e.id),
            props: e.props().clone(),
        });
    }
    let mut props = Props::text(
        WorldPoint::ORIGIN,
        "",
        DEFAULT_FONT_SIZE,
        ctx.scene.next_index(),
    );
    ctx.style.apply(&mut props);
    props.stroke_color = host.stroke_color;
    props.container_id = Some(container);
    Some(TextEdit {
        id: None,
        props: crate::container::layout(&props, host),
    })
}

impl Tool for TextTool {
    fn pointer_down(&mut self, input: &PointerInput, _ctx: &mut ToolContext<'_>) -> Feedback {
        self.pressed = input.at.is_finite().then_some(input.at);
        Feedback::None
    }

    fn pointer_move(&mut self, _input: &PointerInput, _ctx: &mut ToolContext<'_>) -> Feedback {
        Feedback::None
    }

    fn pointer_up(&mut self, _input: &PointerInput, ctx: &mut ToolContext<'_>) -> ToolOutcome {
        // The text goes where the press was: a finger lifting slightly off does not move it.
        match self.pressed.take() {
            Some(at) => ToolOutcome::EditText(Box::new(text_at(at, ctx))),
            None => ToolOutcome::Nothing,
        }
    }

    fn cancel(&mut self) -> Feedback {
        self.pressed = None;
        Feedback::None
    }

    fn is_active(&self) -> bool {
        self.pressed.is_some()
    }

    fn preview(&self) -> &Preview {
        &self.preview
    }

    fn cursor(&self, _at: WorldPoint, _ctx: &ToolContext<'_>) -> Cursor {
        Cursor::Text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::element::{Element, ElementId};
    use crate::scene::Scene;
    use crate::tool::Selection;
    use crate::tool::testing::{at, ctx};

    #[test]
    fn a_click_on_empty_canvas_opens_a_new_text_centred_on_the_click() {
        let (scene, mut sel) = (Scene::default(), Selection::default());
        let mut c = ctx(&scene, &mut sel);
        let mut t = TextTool::default();
        t.pointer_down(&at(50.0, 60.0), &mut c);
        let ToolOutcome::EditText(edit) = t.pointer_up(&at(52.0, 61.0), &mut c) else {
            panic!("expected the text editor")
        };
        assert_eq!(edit.id, None);
        assert_eq!(edit.props.kind, ElementKind::Text);
        assert_eq!(edit.props.x, 50.0);
        assert_eq!(edit.props.y, 60.0 - 12.5);
        assert!(edit.props.text.is_empty());
        assert!(!t.is_active());
    }

    #[test]
    fn a_click_on_existing_text_edits_it() {
        let mut scene = Scene::default();
        let props = Props::text(WorldPoint::new(0.0, 0.0), "hello", 20.0, scene.next_index());
        let id = ElementId::from_u128(9);
        scene
            .insert(Element::new(id, props, 0, 0).unwrap())
            .unwrap();
        let mut sel = Selection::default();
        let mut c = ctx(&scene, &mut sel);
        let mut t = TextTool::default();
        t.pointer_down(&at(10.0, 10.0), &mut c);
        let ToolOutcome::EditText(edit) = t.pointer_up(&at(10.0, 10.0), &mut c) else {
            panic!("expected the text editor")
        };
        assert_eq!(edit.id, Some(id));
        assert_eq!(edit.props.text, "hello");
    }

    #[test]
    fn a_release_without_a_press_does_nothing() {
        let (scene, mut sel) = (Scene::default(), Selection::default());
        let mut c = ctx(&scene, &mut sel);
        let mut t = TextTool::default();
        assert_eq!(t.pointer_up(&at(1.0, 1.0), &mut c), ToolOutcome::Nothing);
        t.pointer_down(&at(f64::NAN, 1.0), &mut c);
        assert_eq!(t.pointer_up(&at(1.0, 1.0), &mut c), ToolOutcome::Nothing);
    }
}
