//! # Inkroom core
//!
//! The part of Inkroom that both the server and the browser's canvas engine run: the element
//! model, geometry, the camera, tool state machines and the renderer's drawing commands. It does
//! no I/O (no sockets, files, clocks or DOM), so it compiles to native code and to
//! `wasm32-unknown-unknown` alike and is tested natively.
//!
//! # Layout
//! - [`geom`]: world and screen points as distinct types, vectors, angles and rectangles.
//! - `bench` (feature `bench`, off by default): synthetic boards of N mixed elements for the
//!   canvas benchmark.
//! - [`challenge`]: drawing challenges' calendar (UTC periods), the gallery's hot order, streaks.
//! - [`camera`]: the pan/zoom transform between screen pixels and world units.
//! - [`element`]: elements (shapes) and the only functions allowed to change them.
//! - [`shape`]: each kind's outline, bounds and hit-testing; [`freehand`]: pressure-sensitive ink.
//! - [`index`]: fractional z-order keys.
//! - [`ink`]: pen strokes for the recognisers: normalisation, model inputs, clean-shape fitting.
//! - [`scene`]: an ordered collection of elements.
//! - [`binding`]: arrow ends attached to shapes; [`container`]: text inside shapes;
//!   [`follow`]: what else a change must change so that both stay with their shapes.
//! - [`ops`]: changes as data (create, per-property patch, delete) and how they apply.
//! - [`replica`]: the server's ordering authority and clients' optimistic replicas.
//! - [`sequencer`]: a room's ordering and durability pipeline (group commit, acknowledgement
//!   after durability, catch-up for joiners), without I/O.
//! - [`history`]: undo/redo of a user's own changes.
//! - [`clipboard`]: copy and paste (the clipboard format) and the one way copies are made.
//! - [`protocol`]: the WebSocket messages (`docs/protocol.md`).
//! - [`editor`]: the canvas engine's state, input handling and keyboard commands, browser-free.
//! - [`tool`]: the tools (select, shapes, lines, pencil, text, eraser) as explicit state
//!   machines fed with pointer events, and recognised ink turned into elements.
//! - [`render`]: turns a scene into back-end independent drawing commands.
//!
//! # Examples
//! ```
//! use inkroom_core::editor::{Editor, Entropy, PointerButton, ToolKind};
//! use inkroom_core::element::ElementId;
//! use inkroom_core::geom::ScreenPoint;
//!
//! struct Fixed;
//! impl Entropy for Fixed {
//!     fn element_id(&mut self) -> ElementId { ElementId::from_u128(1) }
//!     fn nonce(&mut self) -> u32 { 0 }
//!     fn now_ms(&mut self) -> i64 { 0 }
//! }
//!
//! let mut editor = Editor::default();
//! editor.set_tool(ToolKind::Rectangle);
//! editor.pointer_down(ScreenPoint::new(10.0, 10.0), PointerButton::Primary);
//! editor.pointer_move(ScreenPoint::new(110.0, 60.0));
//! let id = editor.pointer_up(ScreenPoint::new(110.0, 60.0), &mut Fixed).unwrap();
//! assert_eq!(editor.scene().get(id).unwrap().props().width, 100.0);
//! ```

// Compiled for the core's own tests too, so the generator stays tested without the feature.
#[cfg(any(test, feature = "bench"))]
pub mod bench;
pub mod binding;
pub mod camera;
pub mod challenge;
pub mod clipboard;
pub mod container;
pub mod editor;
pub mod element;
pub mod follow;
pub mod freehand;
pub mod geom;
pub mod history;
pub mod index;
pub mod ink;
pub mod linkify;
pub mod ops;
pub mod protocol;
pub mod render;
pub mod replica;
pub mod rough;
pub mod scene;
pub mod sequencer;
pub mod shape;
#[cfg(test)]
mod testing;
pub mod tool;
