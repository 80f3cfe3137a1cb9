//! What challenges are made of, as both sides see them, and the validation of what people type
//! into them (titles, descriptions, tags, colours, gallery cursors).

use crate::error::AppError;
pub use inkroom_core::challenge::{Date, Difficulty, Kind, Status, Streak};
use serde::{Deserialize, Serialize};

/// A challenge category.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    /// URL-safe key (`creatures`).
    pub slug: String,
    /// Shown name.
    pub name: String,
    /// One or two sentences.
    pub description: String,
    /// `#rrggbb`.
    pub color: String,
    /// One of [`ICONS`].
    pub icon: String,
}

/// A challenge as listed and shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Challenge {
    /// URL key: `daily-2027-01-05`, or an admin's own.
    pub slug: String,
    /// Short title.
    pub title: String,
    /// Guidance: one or two sentences.
    pub description: String,
    /// The ask, one sentence.
    pub prompt: String,
    /// Its category.
    pub category: Category,
    /// How hard it is.
    pub difficulty: Difficulty,
    /// How long it runs.
    pub kind: Kind,
    /// Start, Unix ms (UTC period boundary).
    pub starts_at: i64,
    /// End (exclusive), Unix ms.
    pub ends_at: i64,
    /// Retired challenges are hidden from everyone but admins.
    pub is_active: bool,
    /// An optional reference image (http/https URL).
    pub image_url: Option<String>,
    /// Lowercase tags.
    pub tags: Vec<String>,
    /// Where it stands at the moment of the answer.
    pub status: Status,
    /// Public submissions so far.
    pub submission_count: i64,
}

/// A challenge page's data: the challenge and the caller's part in it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChallengeDetails {
    /// The challenge.
    pub challenge: Challenge,
    /// The caller's board for it (a room slug), if they opened one.
    pub my_board: Option<String>,
    /// The caller's submission, if any.
    pub my_submission: Option<SubmissionCard>,
    /// Whether the caller is a site admin.
    pub is_admin: bool,
}

/// The challenges page: what runs now, what comes next, what just closed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overview {
    /// The open daily, weekly and monthly challenges (those that exist), in that order.
    pub current: Vec<Challenge>,
    /// The next few to open, soonest first.
    pub upcoming: Vec<Challenge>,
    /// The most recently closed, newest first.
    pub past: Vec<Challenge>,
    /// Whether the caller is a site admin.
    pub is_admin: bool,
    /// The caller's daily streak (zero when signed out).
    pub streak: Streak,
    /// The time of the answer, Unix ms (countdowns start from it).
    pub now: i64,
}

/// A page of challenges.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChallengePage {
    /// The challenges.
    pub challenges: Vec<Challenge>,
    /// Pass as `before` for the next page; `None` on the last.
    pub next: Option<i64>,
}

/// A submission in a gallery or list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmissionCard {
    /// Its id.
    pub id: String,
    /// The challenge's slug.
    pub challenge: String,
    /// The challenge's title.
    pub challenge_title: String,
    /// Title given by the author.
    pub title: String,
    /// The author's id.
    pub author_id: String,
    /// The author's display name.
    pub author: String,
    /// Likes.
    pub likes: i64,
    /// Whether the caller likes it.
    pub liked: bool,
    /// Public or only the author's.
    pub is_public: bool,
    /// Unix ms of the latest version.
    pub submitted_at: i64,
    /// The thumbnail's URL (changes with each replacement).
    pub thumbnail: String,
    /// The full image's URL.
    pub image: String,
}

/// A submission's page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmissionDetails {
    /// What the gallery shows.
    pub card: SubmissionCard,
    /// The author's description.
    pub description: String,
    /// Everyone credited (author first), as display names.
    pub credits: Vec<String>,
    /// Image size in pixels.
    pub width: i64,
    /// Image height in pixels.
    pub height: i64,
    /// Elements in the drawing.
    pub element_count: i64,
    /// Whether the caller may remove it (its author, or an admin).
    pub can_delete: bool,
}

/// A gallery page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gallery {
    /// The submissions, in the requested order.
    pub submissions: Vec<SubmissionCard>,
    /// Pass as `cursor` for the next page; `None` on the last.
    pub next: Option<String>,
}

/// The answer to a like or unlike.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Likes {
    /// Whether the caller now likes it.
    pub liked: bool,
    /// The count after the change.
    pub likes: i64,
}

/// A user's profile: streak and public submissions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    /// Display name.
    pub display_name: String,
    /// Daily-challenge streak.
    pub streak: Streak,
    /// Submissions the caller may see, newest first.
    pub submissions: Vec<SubmissionCard>,
}

/// A gallery order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    /// Newest first.
    New,
    /// Most liked first.
    Top,
    /// Likes decayed with age ([`inkroom_core::challenge::hot_score`]); the default.
    #[default]
    Hot,
}

impl Sort {
    /// Every order, as the gallery's tabs list them.
    pub const ALL: [Sort; 3] = [Sort::Hot, Sort::New, Sort::Top];

    /// The name in URLs and requests.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Top => "top",
            Self::Hot => "hot",
        }
    }

    /// Parses a name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == s)
    }
}

/// Category icons the UI draws (as SVG; see `pages::Icon`).
pub const ICONS: [&str; 10] = [
    "person", "paw", "building", "cube", "leaf", "diagram", "pen", "book", "star", "shapes",
];
/// Longest submission or challenge title, in characters.
pub const MAX_TITLE_CHARS: usize = 100;
/// Longest description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 2000;
/// Longest prompt, in characters.
pub const MAX_PROMPT_CHARS: usize = 300;
/// Most tags on a challenge.
pub const MAX_TAGS: usize = 8;
/// Most elements in a submission (a room may hold more; a gallery drawing may not).
pub const MAX_SUBMISSION_ELEMENTS: usize = 20_000;
/// Largest scene a submission stores, in bytes of JSON.
pub const MAX_SUBMISSION_SCENE_BYTES: usize = 8 << 20;
/// Largest gallery or list page.
pub const MAX_PAGE: i64 = 48;

/// A required single-line text of at most `max` characters, trimmed; control characters refused.
pub fn validate_line(field: &str, value: &str, max: usize) -> Result<String, AppError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(AppError::invalid(field, "must not be empty"));
    }
    validate_text(field, value, max)?;
    if value.contains(['\n', '\r']) {
        return Err(AppError::invalid(field, "must be one line"));
    }
    Ok(value.to_owned())
}

/// An optional multi-line text of at most `max` characters, trimmed.
pub fn validate_text(field: &str, value: &str, max: usize) -> Result<String, AppError> {
    let value = value.trim();
    // Count lazily: a 10 MB title is refused after `max + 1` characters, not after all of them.
    if value.chars().nth(max).is_some() {
        return Err(AppError::invalid(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(AppError::invalid(
            field,
            "must not contain control characters",
        ));
    }
    Ok(value.to_owned())
}

/// Tags: lowercase words (letters, digits, dashes), at most [`MAX_TAGS`], duplicates dropped.
/// Accepts them separated by commas or spaces.
pub fn validate_tags(value: &str) -> Result<Vec<String>, AppError> {
    let mut tags: Vec<String> = Vec::new();
    for tag in value
        .split([',', ' '])
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        let tag = tag.trim_start_matches('#').to_lowercase();
        if tag.len() > 32 || !tag.chars().all(|c| c.is_alphanumeric() || c == '-') {
            return Err(AppError::invalid(
                "tags",
                "tags are single words of letters, digits and dashes (up to 32 characters)",
            ));
        }
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    if tags.len() > MAX_TAGS {
        return Err(AppError::invalid(
            "tags",
            format!("at most {MAX_TAGS} tags"),
        ));
    }
    Ok(tags)
}

/// A slug: 2–64 lowercase letters, digits and dashes.
pub fn validate_slug(field: &str, value: &str) -> Result<String, AppError> {
    let value = value.trim();
    let ok = (2..=64).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !ok {
        return Err(AppError::invalid(
            field,
            "2 to 64 lowercase letters, digits and dashes",
        ));
    }
    Ok(value.to_owned())
}

/// A colour as `#rrggbb`.
pub fn validate_color(value: &str) -> Result<String, AppError> {
    let value = value.trim().to_lowercase();
    let ok = value.len() == 7
        && value.starts_with('#')
        && value[1..].bytes().all(|b| b.is_ascii_hexdigit());
    if !ok {
        return Err(AppError::invalid("color", "a colour like #1971c2"));
    }
    Ok(value)
}

/// One of [`ICONS`].
pub fn validate_icon(value: &str) -> Result<String, AppError> {
    let value = value.trim();
    if !ICONS.contains(&value) {
        return Err(AppError::invalid(
            "icon",
            format!("one of {}", ICONS.join(", ")),
        ));
    }
    Ok(value.to_owned())
}

/// An optional http(s) image URL (empty means none).
pub fn validate_image_url(value: Option<&str>) -> Result<Option<String>, AppError> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let ok = (value.starts_with("https://") || value.starts_with("http://"))
        && value.len() <= 500
        && !value.contains(char::is_whitespace);
    if !ok {
        return Err(AppError::invalid(
            "image_url",
            "an http or https address of at most 500 characters",
        ));
    }
    Ok(Some(value.to_owned()))
}

/// A date `YYYY-MM-DD`.
pub fn validate_date(field: &str, value: &str) -> Result<Date, AppError> {
    Date::parse(value).ok_or_else(|| AppError::invalid(field, "a date like 2027-01-31"))
}

/// A gallery position: the sort key and id of the last card shown.
#[derive(Clone, Debug, PartialEq)]
pub enum Cursor {
    /// After this submission time (newest order).
    New(i64, String),
    /// After this like count (top order).
    Top(i64, String),
    /// After this hot score.
    Hot(f64, String),
}

impl Cursor {
    /// The opaque text handed to clients.
    pub fn encode(&self) -> String {
        match self {
            Self::New(t, id) => format!("n{t}_{id}"),
            Self::Top(l, id) => format!("t{l}_{id}"),
            // `{}` of an f64 is the shortest text that parses back to the same value.
            Self::Hot(h, id) => format!("h{h}_{id}"),
        }
    }

    /// Parses a cursor for `sort`; a cursor of another order or a damaged one is refused.
    pub fn decode(sort: Sort, text: &str) -> Result<Self, AppError> {
        let bad = || AppError::invalid("cursor", "not a cursor of this gallery order");
        let (head, id) = text.split_once('_').ok_or_else(bad)?;
        if id.is_empty() || id.len() > 64 {
            return Err(bad());
        }
        let id = id.to_owned();
        let (tag, value) = head.split_at_checked(1).ok_or_else(bad)?;
        match (sort, tag) {
            (Sort::New, "n") => Ok(Self::New(value.parse().map_err(|_| bad())?, id)),
            (Sort::Top, "t") => Ok(Self::Top(value.parse().map_err(|_| bad())?, id)),
            (Sort::Hot, "h") => {
                let h: f64 = value.parse().map_err(|_| bad())?;
                if !h.is_finite() {
                    return Err(bad());
                }
                Ok(Self::Hot(h, id))
            }
            _ => Err(bad()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_bounded_lines() {
        assert!(validate_line("title", "  ", 10).is_err());
        assert_eq!(validate_line("title", " Owl ", 10).unwrap(), "Owl");
        assert!(validate_line("title", &"x".repeat(10_000_000), 100).is_err());
        assert!(validate_line("title", "a\nb", 10).is_err());
        assert!(validate_line("title", "a\u{0}b", 10).is_err());
        assert_eq!(validate_text("d", "two\nlines", 20).unwrap(), "two\nlines");
    }

    #[test]
    fn tags_colours_icons_and_urls() {
        assert_eq!(
            validate_tags("Sea, #light  sea").unwrap(),
            vec!["sea", "light"]
        );
        assert!(validate_tags("a<b").is_err());
        assert!(validate_tags("a b c d e f g h i").is_err());
        assert_eq!(validate_color("#1971C2").unwrap(), "#1971c2");
        assert!(validate_color("red").is_err());
        assert!(validate_icon("paw").is_ok());
        assert!(validate_icon("<svg>").is_err());
        assert_eq!(validate_image_url(Some("")).unwrap(), None);
        assert!(validate_image_url(Some("javascript:alert(1)")).is_err());
        assert!(validate_slug("slug", "Bad Slug").is_err());
    }

    #[test]
    fn cursors_round_trip_and_refuse_other_orders() {
        for (sort, c) in [
            (Sort::New, Cursor::New(1_800_000_000_000, "a-b".into())),
            (Sort::Top, Cursor::Top(42, "x".into())),
            (Sort::Hot, Cursor::Hot(123.456_789_012_345_67, "y".into())),
        ] {
            assert_eq!(Cursor::decode(sort, &c.encode()).unwrap(), c);
        }
        assert!(Cursor::decode(Sort::Top, &Cursor::New(1, "a".into()).encode()).is_err());
        assert!(Cursor::decode(Sort::Hot, "hNaN_a").is_err());
        assert!(Cursor::decode(Sort::New, "garbage").is_err());
        assert!(Cursor::decode(Sort::New, "n5_").is_err());
    }
}
