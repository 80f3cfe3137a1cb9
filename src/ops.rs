//! Changes to a scene as data: what travels over the wire, what the server orders and logs, and
//! what undo inverts.
//!
//! An [`Op`] creates, updates or deletes one element. Updates carry a [`Patch`]: only the
//! properties that changed. Two people editing *different* properties of one shape at once therefore
//! both keep their change; for the *same* property the op the server ordered later wins
//! (per-property last-writer-wins under a total server order, Figma's published design).
//! Deletion is a tombstone property, so an edit that races a delete cannot resurrect the shape:
//! only an explicit `is_deleted = false` (undo of the delete) brings it back. A tombstone keeps
//! only what sync needs ([`Props::tombstone`]): the undo of a delete carries the whole element
//! back ([`Patch::restore`]).

use crate::element::{
    Arrowhead, Binding, Color, Element, ElementError, ElementId, FillStyle, FontFamily, Gradient,
    GroupId, Link, Props, Roundness, StrokeStyle, TextAlign, VerticalAlign,
};
use crate::geom::{LocalPoint, Radians};
use crate::index::FracIndex;
use crate::scene::Scene;
use serde::{Deserialize, Serialize};

macro_rules! patch_struct {
    ($( $(#[$doc:meta])* $field:ident : $ty:ty ),* $(,)?) => {
        /// A partial update of an element's [`Props`]: the fields that are `Some` are set, the
        /// rest are left alone. (The element's kind never changes after creation.)
        ///
        /// A field that is present is set, even to `null`: for nullable properties
        /// (`containerId`, bindings, `link`) `{"link": null}` clears the link, while leaving the
        /// field out leaves it alone.
        #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
        #[serde(rename_all = "camelCase", deny_unknown_fields)]
        pub struct Patch {
            $( $(#[$doc])* #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")] pub $field: Option<$ty>, )*
        }

        impl Patch {
            /// Whether the patch changes nothing.
            pub fn is_empty(&self) -> bool {
                true $( && self.$field.is_none() )*
            }

            /// Sets the patched fields on `props`.
            pub fn apply_to(&self, props: &mut Props) {
                $( if let Some(v) = &self.$field { props.$field = v.clone(); } )*
            }

            /// The fields where `after` differs from `before`, with `after`'s values.
            pub fn diff(before: &Props, after: &Props) -> Patch {
                Patch { $( $field: (before.$field != after.$field).then(|| after.$field.clone()), )* }
            }

            /// The patch that undoes this one on an element whose props were `before`: every field
            /// this patch sets, with `before`'s value. Fields it does not set are left out, so
            /// undoing never touches what others changed.
            pub fn inverse(&self, before: &Props) -> Patch {
                Patch { $( $field: self.$field.as_ref().map(|_| before.$field.clone()), )* }
            }

            /// Folds a later patch into this one (the later value wins per field).
            pub fn merge(&mut self, later: &Patch) {
                $( if later.$field.is_some() { self.$field = later.$field.clone(); } )*
            }

            /// The patch that brings a deleted element back as `before` was: every property the
            /// tombstone dropped, and `isDeleted: false`.
            pub fn restore(before: &Props) -> Patch {
                Patch::diff(&before.tombstone(), before)
            }

            /// The patch restricted to the fields `mask` sets.
            pub fn restricted_to(&self, mask: &Patch) -> Patch {
                Patch { $( $field: if mask.$field.is_some() { self.$field.clone() } else { None }, )* }
            }

            /// The patch without the fields `mask` sets.
            pub fn without(&self, mask: &Patch) -> Patch {
                Patch { $( $field: if mask.$field.is_some() { None } else { self.$field.clone() }, )* }
            }
        }
    };
}

/// Deserialises a field that is present as `Some`, whatever its value: with `#[serde(default)]`
/// an absent field stays `None`, so `Some(None)` ("clear it") and `None` ("leave it") differ for
/// nullable properties. (serde's own `Option` handling would read `null` as "absent".)
fn present<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

patch_struct! {
    /// Left edge.
    x: f64,
    /// Top edge.
    y: f64,
    /// Width.
    width: f64,
    /// Height.
    height: f64,
    /// Rotation.
    angle: Radians,
    /// Outline colour.
    stroke_color: Color,
    /// Fill colour.
    background_color: Color,
    /// Fill pattern.
    fill_style: FillStyle,
    /// Outline width.
    stroke_width: f64,
    /// Outline pattern.
    stroke_style: StrokeStyle,
    /// Sketchiness.
    roughness: u8,
    /// Opacity in percent.
    opacity: u8,
    /// Paint order.
    index: FracIndex,
    /// Tombstone.
    is_deleted: bool,
    /// Corner style.
    roundness: Roundness,
    /// Stroke points (relative to the corner).
    points: Vec<LocalPoint>,
    /// Pen pressures.
    pressures: Vec<f32>,
    /// Text.
    text: String,
    /// Typeface.
    font_family: FontFamily,
    /// Font size.
    font_size: f64,
    /// Horizontal text alignment.
    text_align: TextAlign,
    /// Vertical text alignment.
    vertical_align: VerticalAlign,
    /// Containing shape (`null` clears).
    container_id: Option<ElementId>,
    /// Start attachment (`null` clears).
    start_binding: Option<Binding>,
    /// End attachment (`null` clears).
    end_binding: Option<Binding>,
    /// Head at the first point.
    start_arrowhead: Arrowhead,
    /// Head at the last point.
    end_arrowhead: Arrowhead,
    /// Groups, innermost last.
    group_ids: Vec<GroupId>,
    /// Locked against pointer edits.
    locked: bool,
    /// Hyperlink (`null` clears).
    link: Option<Link>,
    /// The hand-drawn look's seed.
    seed: u32,
    /// Gradient fill (`null` clears).
    gradient: Option<Gradient>,
}

/// One change to a scene.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Op {
    /// Adds a new element.
    Create {
        /// The element, with its id.
        element: Element,
    },
    /// Changes some properties of an element.
    Update {
        /// Which element.
        id: ElementId,
        /// What changes.
        patch: Patch,
    },
    /// Deletes an element (leaves a tombstone). Idempotent.
    Delete {
        /// Which element.
        id: ElementId,
    },
}

impl Op {
    /// The element this op concerns.
    pub fn element_id(&self) -> ElementId {
        match self {
            Op::Create { element } => element.id,
            Op::Update { id, .. } | Op::Delete { id } => *id,
        }
    }
}

/// What applying an op did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applied {
    /// The scene changed.
    Changed,
    /// Nothing to do (deleting a deleted or unknown element, an empty patch).
    NoOp,
}

/// Why an op was refused. The scene is unchanged.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OpError {
    /// The op would break an element invariant (NaN coordinates, bad style…).
    #[error(transparent)]
    Invalid(#[from] ElementError),
    /// An update names an element that does not exist.
    #[error("unknown element {0}")]
    UnknownElement(ElementId),
}

/// Who applies an op and when: becomes the element's `version_nonce` and `updated_at`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamp {
    /// Version nonce to record.
    pub nonce: u32,
    /// Time to record, Unix milliseconds.
    pub at_ms: i64,
}

impl Scene {
    /// Applies one op. Invalid ops and updates of unknown elements are refused and change
    /// nothing; deleting twice or deleting the unknown is a no-op (idempotent erase).
    pub fn apply(&mut self, op: &Op, stamp: Stamp) -> Result<Applied, OpError> {
        match op {
            Op::Create { element } => {
                if let Some(existing) = self.get(element.id) {
                    // A replayed create (e.g. re-sent after a reconnect) is harmless.
                    return if existing.props() == element.props() {
                        Ok(Applied::NoOp)
                    } else {
                        Err(ElementError::Duplicate(element.id).into())
                    };
                }
                self.insert(element.clone())?;
                Ok(Applied::Changed)
            }
            Op::Update { id, patch } => {
                if patch.is_empty() {
                    return if self.get(*id).is_some() {
                        Ok(Applied::NoOp)
                    } else {
                        Err(OpError::UnknownElement(*id))
                    };
                }
                let found = self.mutate(*id, stamp.nonce, stamp.at_ms, |p| patch.apply_to(p))?;
                if found {
                    Ok(Applied::Changed)
                } else {
                    Err(OpError::UnknownElement(*id))
                }
            }
            Op::Delete { id } => match self.get(*id) {
                Some(e) if !e.props().is_deleted => {
                    self.mutate(*id, stamp.nonce, stamp.at_ms, |p| p.is_deleted = true)?;
                    Ok(Applied::Changed)
                }
                _ => Ok(Applied::NoOp),
            },
        }
    }

    /// The op that undoes `op` on this scene as it was *before* `op` was applied. `None` when
    /// `op` would change nothing here.
    pub fn inverse_of(&self, op: &Op) -> Option<Op> {
        match op {
            Op::Create { element } => self
                .get(element.id)
                .is_none()
                .then_some(Op::Delete { id: element.id }),
            Op::Update { id, patch } => {
                let before = self.get(*id)?.props();
                // A patch that deletes turns the element into a tombstone, which keeps nothing:
                // undoing it must bring everything back.
                let inverse = if patch.is_deleted == Some(true) && !before.is_deleted {
                    Patch::restore(before)
                } else {
                    patch.inverse(before)
                };
                (!inverse.is_empty()).then_some(Op::Update {
                    id: *id,
                    patch: inverse,
                })
            }
            Op::Delete { id } => {
                let e = self.get(*id)?;
                (!e.props().is_deleted).then_some(Op::Update {
                    id: *id,
                    patch: Patch::restore(e.props()),
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::element::ElementKind;

    const T: Stamp = Stamp { nonce: 1, at_ms: 1 };

    fn element(n: u128) -> Element {
        crate::testing::element(
            n,
            ElementKind::Rectangle,
            FracIndex::between(None, None).unwrap(),
        )
    }

    #[test]
    fn patches_on_different_properties_both_survive_in_either_order() {
        let mut a = Scene::default();
        a.apply(
            &Op::Create {
                element: element(1),
            },
            T,
        )
        .unwrap();
        let mut b = a.clone();
        let id = ElementId::from_u128(1);
        let move_it = Op::Update {
            id,
            patch: Patch {
                x: Some(50.0),
                ..Patch::default()
            },
        };
        let paint_it = Op::Update {
            id,
            patch: Patch {
                stroke_color: Some(Color::rgba(255, 0, 0, 255)),
                ..Patch::default()
            },
        };
        a.apply(&move_it, T).unwrap();
        a.apply(&paint_it, T).unwrap();
        b.apply(&paint_it, T).unwrap();
        b.apply(&move_it, T).unwrap();
        assert_eq!(a.get(id).unwrap().props(), b.get(id).unwrap().props());
        assert_eq!(a.get(id).unwrap().props().x, 50.0);
        assert_eq!(
            a.get(id).unwrap().props().stroke_color,
            Color::rgba(255, 0, 0, 255)
        );
    }

    #[test]
    fn deleting_is_idempotent_and_edits_do_not_resurrect() {
        let mut s = Scene::default();
        s.apply(
            &Op::Create {
                element: element(1),
            },
            T,
        )
        .unwrap();
        let id = ElementId::from_u128(1);
        assert_eq!(s.apply(&Op::Delete { id }, T).unwrap(), Applied::Changed);
        assert_eq!(s.apply(&Op::Delete { id }, T).unwrap(), Applied::NoOp);
        assert_eq!(
            s.apply(
                &Op::Delete {
                    id: ElementId::from_u128(9)
                },
                T
            )
            .unwrap(),
            Applied::NoOp
        );
        s.apply(
            &Op::Update {
                id,
                patch: Patch {
                    y: Some(3.0),
                    ..Patch::default()
                },
            },
            T,
        )
        .unwrap();
        assert!(s.get(id).unwrap().props().is_deleted);
    }

    #[test]
    fn invalid_ops_are_refused_and_change_nothing() {
        let mut s = Scene::default();
        s.apply(
            &Op::Create {
                element: element(1),
            },
            T,
        )
        .unwrap();
        let before = s.get(ElementId::from_u128(1)).unwrap().clone();
        let nan = Op::Update {
            id: before.id,
            patch: Patch {
                x: Some(f64::NAN),
                ..Patch::default()
            },
        };
        assert!(matches!(s.apply(&nan, T), Err(OpError::Invalid(_))));
        assert_eq!(s.get(before.id).unwrap(), &before);
        let ghost = Op::Update {
            id: ElementId::from_u128(7),
            patch: Patch {
                x: Some(1.0),
                ..Patch::default()
            },
        };
        assert_eq!(
            s.apply(&ghost, T),
            Err(OpError::UnknownElement(ElementId::from_u128(7)))
        );
        let mut other = element(1);
        other.mutate(0, 0, |p| p.x = 99.0).unwrap();
        assert!(
            s.apply(&Op::Create { element: other }, T).is_err(),
            "a different element under a taken id"
        );
        assert_eq!(
            s.apply(
                &Op::Create {
                    element: element(1)
                },
                T
            ),
            Ok(Applied::NoOp),
            "a replayed create"
        );
    }

    #[test]
    fn the_inverse_of_an_op_restores_only_what_it_changed() {
        let mut s = Scene::default();
        s.apply(
            &Op::Create {
                element: element(1),
            },
            T,
        )
        .unwrap();
        let id = ElementId::from_u128(1);
        let op = Op::Update {
            id,
            patch: Patch {
                x: Some(5.0),
                width: Some(40.0),
                ..Patch::default()
            },
        };
        let inverse = s.inverse_of(&op).unwrap();
        s.apply(&op, T).unwrap();
        // Someone else recolours it meanwhile.
        s.apply(
            &Op::Update {
                id,
                patch: Patch {
                    opacity: Some(50),
                    ..Patch::default()
                },
            },
            T,
        )
        .unwrap();
        s.apply(&inverse, T).unwrap();
        let p = s.get(id).unwrap().props();
        assert_eq!((p.x, p.width, p.opacity), (0.0, 10.0, 50));
    }

    #[test]
    fn ops_serialize_with_an_op_tag_and_only_changed_fields() {
        let op = Op::Update {
            id: ElementId::from_u128(1),
            patch: Patch {
                x: Some(2.5),
                ..Patch::default()
            },
        };
        let json = serde_json::to_value(&op).unwrap();
        assert_eq!(json["op"], "update");
        assert_eq!(json["patch"], serde_json::json!({ "x": 2.5 }));
        assert_eq!(serde_json::from_value::<Op>(json).unwrap(), op);
        assert!(
            serde_json::from_str::<Patch>(r#"{"kind":"ellipse"}"#).is_err(),
            "kind is not patchable"
        );
    }

    #[test]
    fn diff_then_apply_reproduces_the_target() {
        let a = element(1).props().clone();
        let mut b = a.clone();
        b.x = 3.0;
        b.fill_style = FillStyle::Solid;
        let patch = Patch::diff(&a, &b);
        assert_eq!(
            patch,
            Patch {
                x: Some(3.0),
                fill_style: Some(FillStyle::Solid),
                ..Patch::default()
            }
        );
        let mut c = a.clone();
        patch.apply_to(&mut c);
        assert_eq!(c, b);
    }

    #[test]
    fn a_null_in_a_patch_clears_a_nullable_property_and_absence_leaves_it() {
        let clear: Patch = serde_json::from_str(r#"{"link": null}"#).unwrap();
        assert_eq!(clear.link, Some(None));
        assert!(!clear.is_empty());
        let untouched: Patch = serde_json::from_str(r#"{"x": 1}"#).unwrap();
        assert_eq!(untouched.link, None);
        assert!(
            serde_json::from_str::<Patch>(r#"{"x": null}"#).is_err(),
            "null is no number"
        );
        let mut s = Scene::default();
        let mut e = element(1);
        e.mutate(0, 0, |p| {
            p.link = Some("https://example.com".parse().unwrap())
        })
        .unwrap();
        s.insert(e).unwrap();
        let id = ElementId::from_u128(1);
        s.apply(
            &Op::Update {
                id,
                patch: clear.clone(),
            },
            T,
        )
        .unwrap();
        assert_eq!(s.get(id).unwrap().props().link, None);
        assert_eq!(
            serde_json::to_value(&clear).unwrap(),
            serde_json::json!({ "link": null })
        );
    }

    #[test]
    fn concurrent_edits_of_points_and_style_both_survive() {
        let pts = [
            crate::geom::WorldPoint::new(0.0, 0.0),
            crate::geom::WorldPoint::new(10.0, 10.0),
        ];
        let props = Props::through(
            ElementKind::Arrow,
            &pts,
            FracIndex::between(None, None).unwrap(),
        )
        .unwrap();
        let id = ElementId::from_u128(1);
        let mut a = Scene::default();
        a.insert(Element::new(id, props, 0, 0).unwrap()).unwrap();
        let mut b = a.clone();
        let bend = Op::Update {
            id,
            patch: Patch {
                points: Some(vec![
                    LocalPoint::new(0.0, 0.0),
                    LocalPoint::new(5.0, 0.0),
                    LocalPoint::new(10.0, 10.0),
                ]),
                ..Patch::default()
            },
        };
        let head = Op::Update {
            id,
            patch: Patch {
                start_arrowhead: Some(Arrowhead::Dot),
                ..Patch::default()
            },
        };
        for op in [&bend, &head] {
            a.apply(op, T).unwrap();
        }
        for op in [&head, &bend] {
            b.apply(op, T).unwrap();
        }
        assert_eq!(a.get(id).unwrap().props(), b.get(id).unwrap().props());
        let p = a.get(id).unwrap().props();
        assert_eq!((p.points.len(), p.start_arrowhead), (3, Arrowhead::Dot));
    }
}
