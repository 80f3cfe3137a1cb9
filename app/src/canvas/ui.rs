//! The board's UI state, shared by its markup (which renders the same on the server and in the
//! browser) and the browser half of the engine (which writes it): the connection state,
//! toasts, what buttons ask for, the signals, who is in the room and what they are doing, and
//! the room's chat.

use inkroom_core::editor::{Command, SelectionSummary, StyleChange, ToolKind};
use inkroom_core::history::ActionId;
use inkroom_core::protocol::{Activity, ChatMessage, Participant};
use leptos::prelude::*;
use std::rc::Rc;

/// Colours chosen with the custom picker that the palette keeps offering (and the browser
/// remembers).
pub const MAX_RECENT_COLORS: usize = 5;

/// The state of a board's live connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkState {
    /// Not connected: changes stay local and sync once reconnected.
    Offline,
    /// Opening the connection.
    Connecting,
    /// Connected and in sync.
    Live,
    /// The server closed the connection for good: this user no longer has access to the room.
    Revoked,
}

impl LinkState {
    /// What the top bar says.
    pub fn label(self) -> &'static str {
        match self {
            Self::Offline => "Offline: changes will sync",
            Self::Connecting => "Connecting…",
            Self::Live => "Live",
            Self::Revoked => "No access: you were removed from this room",
        }
    }
}

/// A short message over the canvas, optionally with a "Keep ink" button that reverts the
/// conversion it reports.
#[derive(Clone, Debug, PartialEq)]
pub struct Toast {
    /// Distinguishes toasts, so an old one's timer never hides a newer one.
    pub id: u64,
    /// What happened.
    pub message: String,
    /// The conversion "Keep ink" reverts.
    pub keep_ink: Option<ActionId>,
    /// Whether it reports a failure.
    pub error: bool,
}

/// What the board's buttons ask the engine to do.
#[derive(Clone, Debug, PartialEq)]
pub enum UiAction {
    /// Undo the last own change.
    Undo,
    /// Redo.
    Redo,
    /// Delete the selection.
    Delete,
    /// Duplicate the selection.
    Duplicate,
    /// Read the selected ink as text and replace it.
    ConvertToText,
    /// Revert a conversion, bringing the ink back.
    KeepInk(ActionId),
    /// Change the style of the selection and of new shapes.
    Style(StyleChange),
    /// Run a keyboard command (the buttons that repeat a shortcut: tool lock, lock, align,
    /// distribute, layer order).
    Run(Command),
    /// Unlock every locked element.
    UnlockAll,
    /// Post a chat message.
    SendChat(String),
    /// Load the chat messages before the oldest one shown.
    OlderChat,
    /// This user is typing a chat message (presence shows "typing").
    ChatTyping,
}

/// What the engine gives the board's buttons to call.
pub type Dispatch = Rc<dyn Fn(UiAction)>;

/// The board's UI state, written by the engine and read by the markup.
#[derive(Clone, Copy)]
pub struct Ui {
    /// The active tool (the toolbar and the keyboard both set it).
    pub tool: RwSignal<ToolKind>,
    /// Live elements on the board.
    pub count: RwSignal<usize>,
    /// The selection, for the style panel and the selection actions.
    pub selection: RwSignal<SelectionSummary>,
    /// Whether fresh ink is sent to the shape recogniser.
    pub auto_shape: RwSignal<bool>,
    /// Whether undo and redo have something to do.
    pub history: RwSignal<(bool, bool)>,
    /// The message shown over the canvas.
    pub toast: RwSignal<Option<Toast>>,
    /// Whether the shortcuts dialog is open.
    pub help: RwSignal<bool>,
    /// Whether a handwriting recognition is in flight.
    pub busy: RwSignal<bool>,
    /// Whether drawing tools stay active after a shape (the editor's tool lock).
    pub tool_lock: RwSignal<bool>,
    /// How many elements are locked ("Unlock all" shows when some are).
    pub locked: RwSignal<usize>,
    /// Whether the grid is shown (and snapped to).
    pub grid: RwSignal<bool>,
    /// The room's chat.
    pub chat: Chat,
    /// Colours chosen with the custom picker, newest first (remembered by the browser).
    pub recent: RwSignal<Vec<String>>,
}

/// The room's chat as the panel shows it.
#[derive(Clone, Copy)]
pub struct Chat {
    /// The messages loaded so far, oldest first.
    pub messages: RwSignal<Vec<ChatMessage>>,
    /// Where older messages start (`before` for the next page); `None` once the first
    /// message of the room is loaded.
    pub older: RwSignal<Option<i64>>,
    /// Whether the first page was asked for (the panel asks when first opened).
    pub started: RwSignal<bool>,
    /// Whether a page of history is on its way.
    pub loading: RwSignal<bool>,
    /// Whether the panel is open.
    pub open: RwSignal<bool>,
    /// Messages that arrived while the panel was closed.
    pub unread: RwSignal<usize>,
    /// Why the last message could not be sent, if it could not.
    pub error: RwSignal<Option<String>>,
}

impl Chat {
    /// No messages yet.
    pub(crate) fn new() -> Self {
        Self {
            messages: RwSignal::new(Vec::new()),
            older: RwSignal::new(None),
            started: RwSignal::new(false),
            loading: RwSignal::new(false),
            open: RwSignal::new(false),
            unread: RwSignal::new(0),
            error: RwSignal::new(None),
        }
    }
}

/// Who is in the room and who follows whom, written by the live connection and read by the top
/// bar's presence badges.
#[derive(Clone, Copy)]
pub struct Presence {
    /// Everyone in the room (this user included).
    pub people: RwSignal<Vec<Participant>>,
    /// This user's id, once joined.
    pub me: RwSignal<Option<String>>,
    /// The user whose viewport this board follows. The badges set it; the engine clears it
    /// when this user pans or zooms, or the followed user leaves.
    pub following: RwSignal<Option<String>>,
    /// Who follows this user.
    pub followers: RwSignal<Vec<String>>,
    /// What each other participant is doing, by user id (absent: active).
    pub activity: RwSignal<Vec<(String, Activity)>>,
}

impl Presence {
    /// What `user_id` is doing (someone who never said is active).
    pub fn activity_of(&self, user_id: &str) -> Activity {
        self.activity.with(|a| {
            a.iter()
                .find(|(id, _)| id == user_id)
                .map_or(Activity::Active, |(_, act)| *act)
        })
    }

    /// Nobody yet.
    pub(crate) fn new() -> Self {
        Self {
            people: RwSignal::new(Vec::new()),
            me: RwSignal::new(None),
            following: RwSignal::new(None),
            followers: RwSignal::new(Vec::new()),
            activity: RwSignal::new(Vec::new()),
        }
    }
}
