//! The challenge catalogue as a file: categories and prompts, scheduled one period after
//! another, imported by `inkroom challenges import FILE` (and by an admin for a new season).
//!
//! ```toml
//! [season]
//! starts = "2026-12-01"     # the first daily, weekly and monthly periods are those containing it
//!
//! [[category]]
//! slug = "creatures"
//! name = "Animals & Creatures"
//! description = "Real animals, pets, insects and sea life."
//! color = "#2f9e44"
//! icon = "paw"
//!
//! [[daily]]                 # also [[weekly]] and [[monthly]]
//! title = "Sleepy Fox"
//! prompt = "Draw a fox curled up asleep in the snow."
//! description = "Start with one big curve for the body and tuck the tail over the nose."
//! category = "creatures"
//! difficulty = "beginner"
//! tags = ["animals", "winter"]
//! # starts = "2027-02-14"   # optional: this entry's own period (the others continue after it)
//! # slug = "valentines-2027" # optional: otherwise "<kind>-<period start>"
//! ```
//!
//! Every entry is validated like an admin's form before anything is written; the import runs in
//! one transaction and rewrites entries by slug, so running it again changes nothing and a bad
//! file changes nothing either.

use super::db::{self, NewChallenge};
use super::model::{
    Category, Date, Difficulty, Kind, MAX_DESCRIPTION_CHARS, MAX_PROMPT_CHARS, MAX_TITLE_CHARS,
    validate_color, validate_date, validate_icon, validate_image_url, validate_line, validate_slug,
    validate_tags, validate_text,
};
use crate::error::AppError;
use crate::ssr::db::{Db, DbError};
use serde::Deserialize;

/// A catalogue file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    /// When it starts.
    pub season: Season,
    /// Categories (created or updated by slug).
    #[serde(default)]
    pub category: Vec<CategoryEntry>,
    /// Daily prompts, one per day from the season's start.
    #[serde(default)]
    pub daily: Vec<Entry>,
    /// Weekly prompts, one per ISO week.
    #[serde(default)]
    pub weekly: Vec<Entry>,
    /// Monthly prompts, one per month.
    #[serde(default)]
    pub monthly: Vec<Entry>,
}

/// The `[season]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Season {
    /// `YYYY-MM-DD`.
    pub starts: String,
}

/// A `[[category]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryEntry {
    /// Key.
    pub slug: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// `#rrggbb`.
    pub color: String,
    /// An icon name.
    pub icon: String,
}

/// A `[[daily]]`, `[[weekly]]` or `[[monthly]]` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Title.
    pub title: String,
    /// The ask.
    pub prompt: String,
    /// Guidance.
    #[serde(default)]
    pub description: String,
    /// A category slug.
    pub category: String,
    /// `beginner`, `intermediate` or `advanced`.
    pub difficulty: String,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// An optional reference image URL.
    pub image_url: Option<String>,
    /// An optional date whose period this entry takes.
    pub starts: Option<String>,
    /// An optional slug.
    pub slug: Option<String>,
}

/// What an import did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Imported {
    /// Categories written.
    pub categories: usize,
    /// Challenges written, per kind: daily, weekly, monthly.
    pub challenges: [usize; 3],
}

/// A challenge's fields as a person typed them (an admin's form or a catalogue entry), checked.
#[derive(Debug)]
pub struct Draft<'a> {
    /// Title.
    pub title: &'a str,
    /// Guidance.
    pub description: &'a str,
    /// The ask.
    pub prompt: &'a str,
    /// Difficulty name.
    pub difficulty: &'a str,
    /// Kind name.
    pub kind: &'a str,
    /// A date in the period it runs.
    pub starts_on: Date,
    /// Image URL.
    pub image_url: Option<&'a str>,
    /// Tags, comma- or space-separated.
    pub tags: &'a str,
}

impl Draft<'_> {
    /// The challenge to store in category `category_id` under `slug` (or the default
    /// `<kind>-<period start>`).
    pub fn validate(
        &self,
        category_id: String,
        slug: Option<&str>,
    ) -> Result<NewChallenge, AppError> {
        let kind = Kind::parse(self.kind)
            .ok_or_else(|| AppError::invalid("kind", "daily, weekly or monthly"))?;
        let difficulty = Difficulty::parse(self.difficulty)
            .ok_or_else(|| AppError::invalid("difficulty", "beginner, intermediate or advanced"))?;
        let period = kind.period(self.starts_on.start_ms());
        let slug = match slug {
            Some(s) => validate_slug("slug", s)?,
            None => default_slug(kind, period.start_ms),
        };
        Ok(NewChallenge {
            slug,
            title: validate_line("title", self.title, MAX_TITLE_CHARS)?,
            description: validate_text("description", self.description, MAX_DESCRIPTION_CHARS)?,
            prompt: validate_line("prompt", self.prompt, MAX_PROMPT_CHARS)?,
            category_id,
            difficulty,
            kind,
            starts_at: period.start_ms,
            ends_at: period.end_ms,
            image_url: validate_image_url(self.image_url)?,
            tags: validate_tags(self.tags)?,
        })
    }
}

/// `daily-2027-01-05`: the kind and the first day of its period.
pub fn default_slug(kind: Kind, start_ms: i64) -> String {
    format!("{}-{}", kind.as_str(), Date::of_ms(start_ms))
}

/// Checks a category as typed.
pub fn validate_category(c: &CategoryEntry) -> Result<Category, AppError> {
    Ok(Category {
        slug: validate_slug("slug", &c.slug)?,
        name: validate_line("name", &c.name, 60)?,
        description: validate_text("description", &c.description, 500)?,
        color: validate_color(&c.color)?,
        icon: validate_icon(&c.icon)?,
    })
}

/// Why an import failed.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file is not a catalogue.
    #[error("not a catalogue: {0}")]
    Parse(String),
    /// An entry is invalid.
    #[error("{at}: {message}")]
    Entry {
        /// Which entry (`daily #12 "Sleepy Fox"`).
        at: String,
        /// What is wrong.
        message: String,
    },
    /// Storage failed.
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Parses a catalogue.
pub fn parse(text: &str) -> Result<Catalogue, ImportError> {
    toml::from_str(text).map_err(|e| ImportError::Parse(e.to_string()))
}

/// Imports `catalogue`: every category and challenge is validated first, then all are written
/// in one transaction.
pub async fn import(db: &Db, catalogue: &Catalogue) -> Result<Imported, ImportError> {
    let season = validate_date("season.starts", &catalogue.season.starts).map_err(|e| {
        ImportError::Entry {
            at: "[season]".into(),
            message: e.to_string(),
        }
    })?;
    let categories = catalogue
        .category
        .iter()
        .map(|c| {
            validate_category(c).map_err(|e| ImportError::Entry {
                at: format!("category {:?}", c.slug),
                message: e.to_string(),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut tx = db.pool().begin().await.map_err(DbError::from)?;
    for c in &categories {
        db::upsert_category(&mut *tx, c).await?;
    }
    let mut imported = Imported {
        categories: categories.len(),
        ..Default::default()
    };
    for (n, (kind, entries)) in [
        (Kind::Daily, &catalogue.daily),
        (Kind::Weekly, &catalogue.weekly),
        (Kind::Monthly, &catalogue.monthly),
    ]
    .into_iter()
    .enumerate()
    {
        let mut period = kind.period(season.start_ms());
        for (i, entry) in entries.iter().enumerate() {
            let at = || format!("{} #{} {:?}", kind.as_str(), i + 1, entry.title);
            let fail = |e: AppError| ImportError::Entry {
                at: at(),
                message: e.to_string(),
            };
            if let Some(starts) = &entry.starts {
                period = kind.period(validate_date("starts", starts).map_err(fail)?.start_ms());
            }
            let category_id = db::category_id(&mut *tx, &entry.category)
                .await?
                .ok_or_else(|| fail(AppError::invalid("category", "no such category")))?;
            let tags = entry.tags.join(" ");
            let draft = Draft {
                title: &entry.title,
                description: &entry.description,
                prompt: &entry.prompt,
                difficulty: &entry.difficulty,
                kind: kind.as_str(),
                starts_on: Date::of_ms(period.start_ms),
                image_url: entry.image_url.as_deref(),
                tags: &tags,
            };
            let challenge = draft
                .validate(category_id, entry.slug.as_deref())
                .map_err(fail)?;
            db::upsert_challenge(&mut *tx, &challenge)
                .await
                .map_err(|e| match e {
                    DbError::Conflict(what) => ImportError::Entry {
                        at: at(),
                        message: format!(
                            "{what} already exists (starting {}); retire it or give this entry another `starts`",
                            Date::of_ms(period.start_ms)
                        ),
                    },
                    e => e.into(),
                })?;
            imported.challenges[n] += 1;
            period = kind.next(period);
        }
    }
    tx.commit().await.map_err(DbError::from)?;
    Ok(imported)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shipped catalogue parses, every entry validates, and nothing repeats.
    #[test]
    fn the_starter_catalogue_is_valid_and_has_a_year_without_repeats() {
        let text = include_str!("../../../catalogue/challenges.toml");
        let c = parse(text).unwrap();
        assert!(c.category.len() >= 8);
        for cat in &c.category {
            validate_category(cat).unwrap();
        }
        assert!(c.daily.len() >= 365, "{} daily prompts", c.daily.len());
        assert!(c.weekly.len() >= 52, "{} weekly prompts", c.weekly.len());
        assert!(c.monthly.len() >= 12, "{} monthly prompts", c.monthly.len());
        let mut titles = std::collections::HashSet::new();
        let mut prompts = std::collections::HashSet::new();
        let slugs: Vec<&str> = c.category.iter().map(|k| k.slug.as_str()).collect();
        for e in c.daily.iter().chain(&c.weekly).chain(&c.monthly) {
            assert!(
                titles.insert(e.title.to_lowercase()),
                "repeated title {:?}",
                e.title
            );
            assert!(
                prompts.insert(e.prompt.to_lowercase()),
                "repeated prompt {:?}",
                e.prompt
            );
            assert!(slugs.contains(&e.category.as_str()), "{:?}", e.category);
            let tags = e.tags.join(" ");
            Draft {
                title: &e.title,
                description: &e.description,
                prompt: &e.prompt,
                difficulty: &e.difficulty,
                kind: "daily",
                starts_on: Date::parse("2027-01-01").unwrap(),
                image_url: e.image_url.as_deref(),
                tags: &tags,
            }
            .validate(String::new(), None)
            .unwrap_or_else(|err| panic!("{:?}: {err}", e.title));
        }
    }

    #[test]
    fn damaged_files_are_refused_with_the_reason() {
        assert!(matches!(parse("not toml ["), Err(ImportError::Parse(_))));
        assert!(matches!(
            parse("[season]\nstarts = \"2027-01-01\"\nsurprise = 1"),
            Err(ImportError::Parse(_))
        ));
    }
}
