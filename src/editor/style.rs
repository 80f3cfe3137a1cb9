//! Restyling: what the style panel changes ([`StyleChange`]), applied to the style of new shapes
//! and to the selected elements as one undoable action, and copying one element's style onto
//! others ("copy styles" / "paste styles", Ctrl+Alt+C / Ctrl+Alt+V).
//!
//! Which property each kind has is decided once, by [`StyleField::applies_to`]: a text never
//! gets a fill, a box never gets arrowheads, whichever way the style arrives.

use super::{Editor, Entropy};
use crate::element::{
    Arrowhead, Color, FillStyle, FontFamily, Gradient, Roundness, StrokeStyle, TextAlign,
};
use crate::ops::{Op, Patch};
use crate::tool::select::selected_props;
use crate::tool::{Style, StyleField};

/// A change from the style panel.
#[derive(Clone, Debug, PartialEq)]
pub enum StyleChange {
    /// Outline and text colour.
    StrokeColor(Color),
    /// Fill colour of closed shapes.
    BackgroundColor(Color),
    /// Fill pattern, with the gradient for [`FillStyle::Gradient`].
    FillStyle(FillStyle, Option<Gradient>),
    /// Outline width.
    StrokeWidth(f64),
    /// Solid, dashed or dotted.
    StrokeStyle(StrokeStyle),
    /// Sloppiness: 0 architect, 1 artist, 2 cartoonist.
    Roughness(u8),
    /// Opacity in percent.
    Opacity(u8),
    /// Sharp or round corners.
    Roundness(Roundness),
    /// The head at an arrow's start.
    StartArrowhead(Arrowhead),
    /// The head at an arrow's end.
    EndArrowhead(Arrowhead),
    /// Text typeface.
    FontFamily(FontFamily),
    /// Text size.
    FontSize(f64),
    /// Text alignment.
    TextAlign(TextAlign),
}

impl StyleChange {
    /// The property it changes.
    pub fn field(&self) -> StyleField {
        match self {
            Self::StrokeColor(_) => StyleField::StrokeColor,
            Self::BackgroundColor(_) => StyleField::BackgroundColor,
            Self::FillStyle(..) => StyleField::FillStyle,
            Self::StrokeWidth(_) => StyleField::StrokeWidth,
            Self::StrokeStyle(_) => StyleField::StrokeStyle,
            Self::Roughness(_) => StyleField::Roughness,
            Self::Opacity(_) => StyleField::Opacity,
            Self::Roundness(_) => StyleField::Roundness,
            Self::StartArrowhead(_) => StyleField::StartArrowhead,
            Self::EndArrowhead(_) => StyleField::EndArrowhead,
            Self::FontFamily(_) => StyleField::FontFamily,
            Self::FontSize(_) => StyleField::FontSize,
            Self::TextAlign(_) => StyleField::TextAlign,
        }
    }

    /// Whether the value is one an element may have (finite sizes in range, roughness 0–2,
    /// opacity at most 100, a gradient of two or three stops).
    pub fn is_valid(&self) -> bool {
        match self {
            Self::StrokeWidth(w) => *w > 0.0 && *w <= 100.0,
            Self::FontSize(s) => *s > 0.0 && *s <= crate::element::MAX_FONT_SIZE,
            Self::Roughness(r) => *r <= 2,
            Self::Opacity(o) => *o <= 100,
            Self::FillStyle(_, Some(g)) => g.validate().is_ok(),
            _ => true,
        }
    }

    /// Writes the change into `style` (a gradient fill without a gradient keeps the style's).
    pub fn apply_to(&self, s: &mut Style) {
        match self.clone() {
            Self::StrokeColor(c) => s.stroke_color = c,
            Self::BackgroundColor(c) => s.background_color = c,
            Self::FillStyle(f, g) => {
                s.fill_style = f;
                if g.is_some() || f != FillStyle::Gradient {
                    s.gradient = g;
                }
            }
            Self::StrokeWidth(w) => s.stroke_width = w,
            Self::StrokeStyle(v) => s.stroke_style = v,
            Self::Roughness(r) => s.roughness = r,
            Self::Opacity(o) => s.opacity = o,
            Self::Roundness(r) => s.roundness = r,
            Self::StartArrowhead(a) => s.start_arrowhead = a,
            Self::EndArrowhead(a) => s.end_arrowhead = a,
            Self::FontFamily(f) => s.font_family = f,
            Self::FontSize(v) => s.font_size = v,
            Self::TextAlign(a) => s.text_align = a,
        }
    }
}

impl Editor {
    /// The style new shapes get.
    pub fn style(&self) -> &Style {
        &self.style
    }

    /// Changes the style of new shapes and of the selected elements that have the property,
    /// as one undoable action. Invalid values change nothing. Returns whether the board
    /// changed.
    pub fn set_style(&mut self, change: StyleChange, env: &mut impl Entropy) -> bool {
        if !change.is_valid() {
            return false;
        }
        change.apply_to(&mut self.style);
        self.dirty = true;
        let field = change.field();
        let style = self.style.clone();
        self.restyle(&style, &[field], env)
    }

    /// Remembers the style of the first selected element for [`Editor::paste_style`]. Returns
    /// whether something was selected.
    pub fn copy_style(&mut self) -> bool {
        let first = selected_props(self.scene(), &self.selection)
            .next()
            .map(|(_, p)| self.style.with_props(p));
        match first {
            Some(style) => {
                self.copied_style = Some(style);
                true
            }
            None => false,
        }
    }

    /// Gives the selected elements the copied style (every property each one has), as one
    /// undoable action. Returns whether the board changed.
    pub fn paste_style(&mut self, env: &mut impl Entropy) -> bool {
        let Some(style) = self.copied_style.clone() else {
            return false;
        };
        self.restyle(&style, &StyleField::ALL, env)
    }

    /// Sets `fields` of `style` on the selected elements that have them, as one action.
    fn restyle(&mut self, style: &Style, fields: &[StyleField], env: &mut impl Entropy) -> bool {
        let ops: Vec<Op> = selected_props(self.scene(), &self.selection)
            .filter_map(|(id, p)| {
                let mut next = p.clone();
                for &field in fields.iter().filter(|f| f.applies_to(p.kind)) {
                    style.set_field(field, &mut next);
                }
                let patch = Patch::diff(p, &next);
                (!patch.is_empty() && next.validate().is_ok()).then_some(Op::Update { id, patch })
            })
            .collect();
        self.act(ops, env).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::editor::{Command, ToolKind};
    use crate::element::ElementKind;
    use crate::testing::{Ids as Counter, drag};

    #[test]
    fn the_style_applies_to_the_selection_and_to_new_shapes() {
        let mut ed = Editor::default();
        let env = &mut Counter(0);
        ed.set_tool(ToolKind::Rectangle);
        let id = drag(&mut ed, env, (0.0, 0.0), (50.0, 50.0)).unwrap();
        ed.set_tool(ToolKind::Select);
        ed.select([id]);
        let red = Color::rgba(0xe0, 0x31, 0x31, 0xff);
        assert!(ed.set_style(StyleChange::StrokeColor(red), env));
        assert!(ed.set_style(StyleChange::BackgroundColor(red), env));
        assert!(ed.set_style(StyleChange::StrokeWidth(4.0), env));
        let p = ed.scene().get(id).unwrap().props().clone();
        assert_eq!(
            (p.stroke_color, p.background_color, p.stroke_width),
            (red, red, 4.0)
        );
        assert_eq!(ed.selection_summary().style.stroke_width, 4.0);
        ed.set_tool(ToolKind::Ellipse);
        let id = drag(&mut ed, env, (100.0, 0.0), (150.0, 50.0)).unwrap();
        assert_eq!(ed.scene().get(id).unwrap().props().stroke_color, red);
        assert!(!ed.set_style(StyleChange::StrokeWidth(f64::NAN), env));
        assert!(!ed.set_style(StyleChange::Roughness(3), env));
        assert!(!ed.set_style(StyleChange::Opacity(101), env));
    }

    #[test]
    fn every_panel_property_reaches_the_kinds_that_have_it_in_one_undo_step() {
        let mut ed = Editor::default();
        let env = &mut Counter(0);
        ed.set_tool(ToolKind::Rectangle);
        let boxed = drag(&mut ed, env, (0.0, 0.0), (50.0, 50.0)).unwrap();
        ed.set_tool(ToolKind::Arrow);
        let arrow = drag(&mut ed, env, (100.0, 0.0), (200.0, 50.0)).unwrap();
        ed.select([boxed, arrow]);
        let changes = [
            StyleChange::FillStyle(FillStyle::Zigzag, None),
            StyleChange::StrokeStyle(StrokeStyle::Dashed),
            StyleChange::Roughness(2),
            StyleChange::Opacity(40),
            StyleChange::Roundness(Roundness::Round),
            StyleChange::StartArrowhead(Arrowhead::Dot),
            StyleChange::FontFamily(FontFamily::Code),
        ];
        for c in changes {
            ed.set_style(c, env);
        }
        let (b, a) = (
            ed.scene().get(boxed).unwrap().props().clone(),
            ed.scene().get(arrow).unwrap().props().clone(),
        );
        assert_eq!(
            (
                b.fill_style,
                b.stroke_style,
                b.roughness,
                b.opacity,
                b.roundness
            ),
            (
                FillStyle::Zigzag,
                StrokeStyle::Dashed,
                2,
                40,
                Roundness::Round
            )
        );
        assert_eq!(b.start_arrowhead, Arrowhead::None, "boxes have no heads");
        assert_eq!(a.start_arrowhead, Arrowhead::Dot);
        assert_eq!(a.fill_style, FillStyle::Hachure, "arrows have no fill");
        assert_eq!(b.font_family, FontFamily::Hand, "only text has a font");
        // A gradient is a fill like the others; a bad one is refused.
        let g = Gradient::new(Color::INK, Color::TRANSPARENT, 45.0);
        assert!(ed.set_style(
            StyleChange::FillStyle(FillStyle::Gradient, Some(g.clone())),
            env
        ));
        assert_eq!(ed.scene().get(boxed).unwrap().props().gradient, Some(g));
        let bad = Gradient {
            stops: vec![Color::INK; 4],
            angle: 0.0,
        };
        assert!(!ed.set_style(StyleChange::FillStyle(FillStyle::Gradient, Some(bad)), env));
        // Each change was one step: undoing the gradient brings the zigzag back.
        ed.run(Command::Undo, env);
        assert_eq!(
            ed.scene().get(boxed).unwrap().props().fill_style,
            FillStyle::Zigzag
        );
    }

    #[test]
    fn the_summary_says_which_properties_are_mixed() {
        let mut ed = Editor::default();
        let env = &mut Counter(0);
        ed.set_tool(ToolKind::Rectangle);
        let a = drag(&mut ed, env, (0.0, 0.0), (50.0, 50.0)).unwrap();
        ed.set_tool(ToolKind::Rectangle);
        let b = drag(&mut ed, env, (100.0, 0.0), (150.0, 50.0)).unwrap();
        ed.set_tool(ToolKind::Select);
        ed.select([b]);
        ed.set_style(StyleChange::Roughness(0), env);
        ed.select([a, b]);
        let summary = ed.selection_summary();
        assert_eq!(summary.mixed, [StyleField::Roughness]);
        assert_eq!(summary.kinds, [ElementKind::Rectangle]);
        ed.set_style(StyleChange::Roughness(2), env);
        assert!(ed.selection_summary().mixed.is_empty());
    }

    #[test]
    fn copied_styles_paste_onto_other_kinds_where_they_apply() {
        let mut ed = Editor::default();
        let env = &mut Counter(0);
        ed.set_tool(ToolKind::Rectangle);
        let source = drag(&mut ed, env, (0.0, 0.0), (50.0, 50.0)).unwrap();
        ed.set_tool(ToolKind::Ellipse);
        let target = drag(&mut ed, env, (100.0, 0.0), (150.0, 50.0)).unwrap();
        ed.set_tool(ToolKind::Line);
        let line = drag(&mut ed, env, (0.0, 100.0), (100.0, 150.0)).unwrap();
        ed.select([source]);
        let red = Color::rgba(255, 0, 0, 255);
        ed.set_style(StyleChange::StrokeColor(red), env);
        ed.set_style(StyleChange::FillStyle(FillStyle::CrossHatch, None), env);
        ed.set_style(StyleChange::Opacity(50), env);
        assert!(ed.run(Command::CopyStyle, env) || ed.copied_style.is_some());
        ed.select([target, line]);
        assert!(ed.run(Command::PasteStyle, env));
        let t = ed.scene().get(target).unwrap().props().clone();
        let l = ed.scene().get(line).unwrap().props().clone();
        assert_eq!(
            (t.stroke_color, t.fill_style, t.opacity),
            (red, FillStyle::CrossHatch, 50)
        );
        assert_eq!((l.stroke_color, l.opacity), (red, 50));
        // One step undoes the paste on both.
        ed.run(Command::Undo, env);
        assert_ne!(ed.scene().get(target).unwrap().props().stroke_color, red);
        assert_ne!(ed.scene().get(line).unwrap().props().stroke_color, red);
    }
}
