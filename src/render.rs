//! The renderer's front half: a scene becomes a list of back-end independent drawing commands.
//!
//! The browser paints these on a Canvas 2D context; the server will paint the same commands into
//! PNG and SVG for export. Keeping one command list means every back end draws the same picture.

use crate::camera::Camera;
use crate::element::{Color, Element, ElementKind, FillStyle, StrokeStyle};
use crate::geom::{Radians, Rect};
use crate::scene::Scene;
use crate::tool::ShapeDraft;

/// The canvas background (Excalidraw's white).
pub const BACKGROUND: Color = Color::rgba(0xff, 0xff, 0xff, 0xff);
/// Colour of in-progress previews.
pub const PREVIEW_STROKE: Color = Color::rgba(0x69, 0x65, 0xdb, 0xff);

/// How an outline is drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stroke {
    /// Colour.
    pub color: Color,
    /// Width in world units.
    pub width: f64,
    /// Dash pattern.
    pub style: StrokeStyle,
}

/// One drawing step.
#[derive(Clone, Debug, PartialEq)]
pub enum DrawCommand {
    /// Fill the whole surface with a colour.
    Clear(Color),
    /// From now on, coordinates are world units seen through this camera.
    SetCamera(Camera),
    /// A closed box-based shape (rectangle, diamond or ellipse) inscribed in `rect`, rotated by
    /// `angle` about its centre.
    Shape {
        /// Which outline to trace.
        kind: ElementKind,
        /// The unrotated box.
        rect: Rect,
        /// Rotation about the centre.
        angle: Radians,
        /// Outline, if any.
        stroke: Option<Stroke>,
        /// Interior colour, if filled.
        fill: Option<Color>,
        /// 0.0 – 1.0.
        opacity: f64,
    },
}

/// The commands that paint `scene` through `camera` in a `width` × `height` CSS-pixel viewport,
/// followed by `preview` (a shape being drawn). Elements outside the viewport are skipped.
pub fn scene_commands(
    scene: &Scene,
    camera: &Camera,
    width: f64,
    height: f64,
    preview: Option<&ShapeDraft>,
) -> Vec<DrawCommand> {
    let visible = camera.visible_rect(width, height);
    let mut out = vec![
        DrawCommand::Clear(BACKGROUND),
        DrawCommand::SetCamera(*camera),
    ];
    // The spatial index finds what is on screen without scanning the whole board.
    out.extend(
        scene
            .query_rect(visible)
            .into_iter()
            .filter_map(element_command),
    );
    if let Some(d) = preview {
        out.push(DrawCommand::Shape {
            kind: d.kind,
            rect: d.rect,
            angle: Radians::ZERO,
            stroke: Some(Stroke {
                color: PREVIEW_STROKE,
                width: 2.0,
                style: StrokeStyle::Solid,
            }),
            fill: None,
            opacity: 1.0,
        });
    }
    out
}

/// The command for one element, or `None` for kinds this renderer does not draw yet.
pub fn element_command(e: &Element) -> Option<DrawCommand> {
    let p = e.props();
    match p.kind {
        ElementKind::Rectangle | ElementKind::Diamond | ElementKind::Ellipse => {
            let fill = match p.fill_style {
                FillStyle::None => None,
                _ if p.background_color.is_transparent() => None,
                _ => Some(p.background_color),
            };
            Some(DrawCommand::Shape {
                kind: p.kind,
                rect: p.rect(),
                angle: p.angle,
                stroke: (!p.stroke_color.is_transparent()).then_some(Stroke {
                    color: p.stroke_color,
                    width: p.stroke_width,
                    style: p.stroke_style,
                }),
                fill,
                opacity: f64::from(p.opacity) / 100.0,
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::element::{ElementId, Props};
    use crate::geom::WorldPoint;

    fn add(scene: &mut Scene, n: u128, x: f64) {
        let r = Rect::from_corners(WorldPoint::new(x, 0.0), WorldPoint::new(x + 10.0, 10.0));
        let props = Props::new(ElementKind::Rectangle, r, scene.next_index());
        scene
            .insert(Element::new(ElementId::from_u128(n), props, 0, 0).unwrap())
            .unwrap();
    }

    #[test]
    fn offscreen_and_deleted_elements_are_culled() {
        let mut scene = Scene::default();
        add(&mut scene, 1, 0.0);
        add(&mut scene, 2, 5000.0);
        add(&mut scene, 3, 20.0);
        scene
            .mutate(ElementId::from_u128(3), 0, 0, |p| p.is_deleted = true)
            .unwrap();
        let cmds = scene_commands(&scene, &Camera::default(), 800.0, 600.0, None);
        let shapes = cmds
            .iter()
            .filter(|c| matches!(c, DrawCommand::Shape { .. }))
            .count();
        assert_eq!(shapes, 1);
        assert_eq!(cmds[0], DrawCommand::Clear(BACKGROUND));
    }

    #[test]
    fn a_preview_is_painted_last() {
        let scene = Scene::default();
        let draft = ShapeDraft {
            kind: ElementKind::Ellipse,
            rect: Rect::from_corners(WorldPoint::new(0.0, 0.0), WorldPoint::new(5.0, 5.0)),
        };
        let cmds = scene_commands(&scene, &Camera::default(), 100.0, 100.0, Some(&draft));
        assert!(matches!(
            cmds.last(),
            Some(DrawCommand::Shape {
                kind: ElementKind::Ellipse,
                ..
            })
        ));
    }
}
