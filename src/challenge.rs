//! Drawing challenges, the rules without storage: when a challenge runs, how a gallery's "hot"
//! order weighs likes against age, and how long a daily streak is.
//!
//! Every period is in **UTC** and half-open, `[start, end)`, in Unix milliseconds:
//! - a **daily** challenge runs from 00:00 to the next 00:00;
//! - a **weekly** one from Monday 00:00 to the next Monday 00:00 (ISO weeks);
//! - a **monthly** one from the 1st at 00:00 to the 1st of the next month.
//!
//! Which challenge is current is a question asked with the time ("which challenge's period
//! contains now?"), never a job that has to run at midnight: a server that was down at a
//! boundary, or several servers, give the same answer.

use serde::{Deserialize, Serialize};

/// Milliseconds in a day.
pub const DAY_MS: i64 = 86_400_000;

/// How long a challenge runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// One UTC day.
    Daily,
    /// One ISO week (Monday to Sunday, UTC).
    Weekly,
    /// One calendar month (UTC).
    Monthly,
}

impl Kind {
    /// Every kind, shortest first.
    pub const ALL: [Kind; 3] = [Kind::Daily, Kind::Weekly, Kind::Monthly];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Daily => "daily",
            Self::Weekly => "weekly",
            Self::Monthly => "monthly",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The period of this kind that contains `at_ms`.
    pub fn period(self, at_ms: i64) -> Period {
        let day = at_ms.div_euclid(DAY_MS);
        let (start, end) = match self {
            Self::Daily => (day, day + 1),
            Self::Weekly => {
                // 1970-01-01 was a Thursday: three days after a Monday.
                let monday = day - (day + 3).rem_euclid(7);
                (monday, monday + 7)
            }
            Self::Monthly => {
                let date = Date::from_days(day);
                let first = Date { day: 1, ..date };
                (first.days(), first.next_month().days())
            }
        };
        Period {
            start_ms: start * DAY_MS,
            end_ms: end * DAY_MS,
        }
    }

    /// The period after `period` (for scheduling a catalogue one period after another).
    pub fn next(self, period: Period) -> Period {
        self.period(period.end_ms)
    }
}

/// How hard a challenge is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Difficulty {
    /// Anyone can do it in the time.
    Beginner,
    /// Needs some practice or planning.
    Intermediate,
    /// A real project.
    Advanced,
}

impl Difficulty {
    /// Every difficulty, easiest first.
    pub const ALL: [Difficulty; 3] = [
        Difficulty::Beginner,
        Difficulty::Intermediate,
        Difficulty::Advanced,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Beginner => "beginner",
            Self::Intermediate => "intermediate",
            Self::Advanced => "advanced",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == s)
    }
}

/// A half-open span of time, `[start_ms, end_ms)`, in Unix milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    /// The first millisecond in it.
    pub start_ms: i64,
    /// The first millisecond after it.
    pub end_ms: i64,
}

impl Period {
    /// Whether `at_ms` falls in it.
    pub fn contains(self, at_ms: i64) -> bool {
        (self.start_ms..self.end_ms).contains(&at_ms)
    }
}

/// Where a challenge stands at some moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Not started: visible, not open for submissions.
    Upcoming,
    /// Running: submissions are taken and may be replaced.
    Open,
    /// Over: its gallery stays, submissions are final.
    Closed,
}

impl Status {
    /// The status of `period` at `now_ms`.
    pub fn of(period: Period, now_ms: i64) -> Self {
        if now_ms < period.start_ms {
            Self::Upcoming
        } else if now_ms < period.end_ms {
            Self::Open
        } else {
            Self::Closed
        }
    }
}

/// A calendar date (proleptic Gregorian, UTC).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// The year.
    pub year: i32,
    /// 1–12.
    pub month: u32,
    /// 1–31.
    pub day: u32,
}

impl Date {
    /// The date `days` days after 1970-01-01 (Howard Hinnant's `civil_from_days`).
    pub fn from_days(days: i64) -> Self {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = yoe + era * 400 + i64::from(month <= 2);
        Self {
            year: year as i32,
            month,
            day,
        }
    }

    /// Days from 1970-01-01 to this date (`days_from_civil`).
    pub fn days(self) -> i64 {
        let year = i64::from(self.year) - i64::from(self.month <= 2);
        let era = year.div_euclid(400);
        let yoe = year.rem_euclid(400);
        let month = i64::from(self.month);
        let mp = if month > 2 { month - 3 } else { month + 9 };
        let doy = (153 * mp + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// Midnight UTC at the start of this date, in Unix milliseconds.
    pub fn start_ms(self) -> i64 {
        self.days() * DAY_MS
    }

    /// The date of the instant `at_ms`.
    pub fn of_ms(at_ms: i64) -> Self {
        Self::from_days(at_ms.div_euclid(DAY_MS))
    }

    /// Parses `YYYY-MM-DD`, refusing dates that do not exist (2027-02-30).
    pub fn parse(s: &str) -> Option<Self> {
        let mut parts = s.trim().splitn(3, '-');
        let year = parts.next()?.parse::<i32>().ok()?;
        let month = parts.next()?.parse::<u32>().ok()?;
        let day = parts.next()?.parse::<u32>().ok()?;
        let date = Self { year, month, day };
        (Self::from_days(date.days()) == date && (1..=9999).contains(&year)).then_some(date)
    }

    /// The first day of the next month.
    fn next_month(self) -> Self {
        if self.month == 12 {
            Self {
                year: self.year + 1,
                month: 1,
                day: 1,
            }
        } else {
            Self {
                month: self.month + 1,
                day: 1,
                ..self
            }
        }
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Seconds of recency that one tenfold increase of (likes + 1) is worth in the hot order:
/// 12.5 hours. A drawing with 9 likes ranks with one posted 12.5 hours later with none.
pub const HOT_SECONDS_PER_DECADE: f64 = 45_000.0;
/// Where the hot order's time axis starts (2026-01-01 UTC, in seconds), so scores stay small.
pub const HOT_EPOCH_S: i64 = 1_767_225_600;

/// The "hot" score of a submission with `likes` likes submitted at `submitted_ms`:
/// `log10(likes + 1) + (submitted − epoch) / 45,000 s`.
///
/// Newer drawings rise and older ones sink, but the score never changes with the clock: age
/// enters as the submission time, and every submission ages at the same rate, so ordering by a
/// stored score is the same as ordering by likes decayed with age. That is what lets the
/// gallery keep it in an index and page through it by key; only a like changes it.
pub fn hot_score(likes: i64, submitted_ms: i64) -> f64 {
    let likes = likes.max(0) as f64;
    let age = (submitted_ms.div_euclid(1000) - HOT_EPOCH_S) as f64;
    (likes + 1.0).log10() + age / HOT_SECONDS_PER_DECADE
}

/// A user's daily streak.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Streak {
    /// Consecutive daily challenges up to today's (or yesterday's, while today's is still open).
    pub current: u32,
    /// The longest run ever.
    pub best: u32,
}

/// The streak of someone who took part in the daily challenges of the days `days` (days since
/// 1970-01-01, any order, repeats allowed), on the day `today`.
///
/// Today's challenge not done yet does not break the streak: it is still open.
pub fn streak(days: &[i64], today: i64) -> Streak {
    let mut days: Vec<i64> = days.iter().copied().filter(|d| *d <= today).collect();
    days.sort_unstable();
    days.dedup();
    let (mut best, mut run) = (0u32, 0u32);
    let mut previous: Option<i64> = None;
    for &d in &days {
        run = if previous == Some(d - 1) { run + 1 } else { 1 };
        best = best.max(run);
        previous = Some(d);
    }
    let current = match previous {
        Some(last) if last >= today - 1 => run,
        _ => 0,
    };
    Streak { current, best }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(date: &str) -> i64 {
        Date::parse(date).unwrap().start_ms()
    }

    #[test]
    fn dates_round_trip_over_centuries() {
        for days in (-800_000..800_000).step_by(97) {
            assert_eq!(Date::from_days(days).days(), days);
        }
        assert_eq!(Date::from_days(0).to_string(), "1970-01-01");
        assert_eq!(Date::parse("2024-02-29").unwrap().to_string(), "2024-02-29");
        assert_eq!(Date::parse("2027-02-29"), None);
        assert_eq!(Date::parse("2027-13-01"), None);
        assert_eq!(Date::parse("27-1"), None);
    }

    #[test]
    fn a_day_runs_from_midnight_to_midnight_utc() {
        let p = Kind::Daily.period(ms("2026-12-07") + 1);
        assert_eq!((p.start_ms, p.end_ms), (ms("2026-12-07"), ms("2026-12-08")));
        // The last millisecond of a day still belongs to it; the next one does not.
        assert!(p.contains(ms("2026-12-08") - 1));
        assert!(!p.contains(ms("2026-12-08")));
        assert_eq!(
            Kind::Daily.period(ms("2026-12-08")).start_ms,
            ms("2026-12-08")
        );
    }

    #[test]
    fn a_week_runs_from_monday_to_monday() {
        // 2026-12-07 is a Monday; 2026-12-13 a Sunday.
        for d in ["2026-12-07", "2026-12-10", "2026-12-13"] {
            let p = Kind::Weekly.period(ms(d) + 3_600_000);
            assert_eq!(
                (p.start_ms, p.end_ms),
                (ms("2026-12-07"), ms("2026-12-14")),
                "{d}"
            );
        }
        assert_eq!(
            Kind::Weekly.period(ms("2026-12-14")).start_ms,
            ms("2026-12-14")
        );
        // Across a year boundary, and before 1970.
        let p = Kind::Weekly.period(ms("2027-01-01"));
        assert_eq!(p.start_ms, ms("2026-12-28"));
        assert_eq!(
            Kind::Weekly.period(ms("1969-12-31")).start_ms,
            ms("1969-12-29")
        );
    }

    #[test]
    fn a_month_runs_from_the_first_to_the_first() {
        let p = Kind::Monthly.period(ms("2027-02-28") + 1);
        assert_eq!((p.start_ms, p.end_ms), (ms("2027-02-01"), ms("2027-03-01")));
        let p = Kind::Monthly.period(ms("2026-12-31"));
        assert_eq!((p.start_ms, p.end_ms), (ms("2026-12-01"), ms("2027-01-01")));
        let leap = Kind::Monthly.period(ms("2028-02-29"));
        assert_eq!(leap.end_ms, ms("2028-03-01"));
        assert_eq!(Kind::Monthly.next(p).start_ms, ms("2027-01-01"));
    }

    #[test]
    fn status_follows_the_period() {
        let p = Kind::Daily.period(ms("2027-01-02"));
        assert_eq!(Status::of(p, p.start_ms - 1), Status::Upcoming);
        assert_eq!(Status::of(p, p.start_ms), Status::Open);
        assert_eq!(Status::of(p, p.end_ms - 1), Status::Open);
        assert_eq!(Status::of(p, p.end_ms), Status::Closed);
    }

    #[test]
    fn hot_weighs_likes_against_age() {
        let t = ms("2027-03-01");
        // More likes at the same time rank higher; a later post ranks higher at equal likes.
        assert!(hot_score(5, t) > hot_score(4, t));
        assert!(hot_score(0, t + 1000) > hot_score(0, t));
        // Nine likes are worth 12.5 hours.
        let later = t + 45_000_000;
        assert!((hot_score(9, t) - hot_score(0, later)).abs() < 1e-9);
        // Negative counts (never stored) do not produce NaN.
        assert!(hot_score(-3, t).is_finite());
    }

    #[test]
    fn streaks_count_consecutive_days_and_forgive_today() {
        assert_eq!(streak(&[], 100), Streak::default());
        assert_eq!(
            streak(&[98, 99, 100], 100),
            Streak {
                current: 3,
                best: 3
            }
        );
        // Today not done yet: yesterday's run still counts.
        assert_eq!(
            streak(&[97, 98, 99], 100),
            Streak {
                current: 3,
                best: 3
            }
        );
        // Two days ago ends it.
        assert_eq!(
            streak(&[97, 98], 100),
            Streak {
                current: 0,
                best: 2
            }
        );
        // A longer old run is the best one; repeats and order do not matter.
        assert_eq!(
            streak(&[100, 50, 51, 52, 53, 99, 99], 100),
            Streak {
                current: 2,
                best: 4
            }
        );
        // Future days (an upcoming challenge cannot be entered, but be safe) are ignored.
        assert_eq!(streak(&[101], 100), Streak::default());
    }
}
