//! Each element's drawing commands, kept per element version, so a frame recomputes only what
//! changed (the hand-drawn look costs more to compute than to draw).

use super::{DrawCommand, element_commands_with};
use crate::element::{Element, ElementId};
use std::collections::HashMap;
use std::sync::Arc;

/// Each element's drawing commands, kept until the element changes: what makes the hand-drawn
/// look (and hachures, arrowheads, freehand outlines) cost nothing on frames where the element
/// did not change. Entries not drawn for a while are dropped.
#[derive(Clone, Debug, Default)]
pub struct CommandCache {
    entries: HashMap<ElementId, CacheEntry>,
    /// Counts frames, to tell recently drawn entries from stale ones.
    frame: u64,
}

#[derive(Clone, Debug)]
struct CacheEntry {
    version: (u32, u32),
    /// The commands with the hand-drawn look, and drawn exactly (see [`ROUGH_MIN_PIXELS`]),
    /// each computed the first time it is needed.
    rough: Option<Arc<[DrawCommand]>>,
    exact: Option<Arc<[DrawCommand]>>,
    drawn: u64,
}

impl CommandCache {
    /// Frames an entry survives without being drawn (panning back within a few seconds is free).
    const KEEP_FRAMES: u64 = 240;

    /// How many elements have cached commands.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The commands of `e` at its current version (`exact`: without the hand-drawn look),
    /// computed if they are not cached.
    pub(super) fn get(&mut self, e: &Element, exact: bool) -> DrawCommand {
        let version = (e.version(), e.version_nonce());
        let frame = self.frame;
        let entry = self.entries.entry(e.id).or_insert_with(|| CacheEntry {
            version,
            rough: None,
            exact: None,
            drawn: frame,
        });
        if entry.version != version {
            *entry = CacheEntry {
                version,
                rough: None,
                exact: None,
                drawn: frame,
            };
        }
        entry.drawn = frame;
        let exact = exact && e.props().roughness > 0;
        let slot = if exact {
            &mut entry.exact
        } else {
            &mut entry.rough
        };
        let commands = slot.get_or_insert_with(|| element_commands_with(e, exact).into());
        DrawCommand::Shared(Arc::clone(commands))
    }

    /// Ends a frame: drops entries that have not been drawn for a while, once there are many.
    pub(super) fn end_frame(&mut self, drawn: usize) {
        self.frame += 1;
        if self.entries.len() > 2 * drawn + 1024 {
            let frame = self.frame;
            self.entries
                .retain(|_, e| frame.saturating_sub(e.drawn) <= Self::KEEP_FRAMES);
        }
    }
}
