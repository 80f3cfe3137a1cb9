//! The challenge pages: what runs now (`/challenges`), one challenge with its gallery
//! (`/challenges/:slug`), a submission (`/submissions/:id`), the caller's submissions
//! (`/me/submissions`), a profile with its streak (`/u/:id`), the admins' page
//! (`/admin/challenges`), and the bar a challenge board shows with its submit dialog.
//!
//! Everything people typed (titles, descriptions, names) goes into the page as text nodes, never
//! as HTML.

use super::api::{
    DeleteSubmission, LikeSubmission, RemixSubmission, RetireChallenge, SaveCategory,
    SaveChallenge, StartChallenge, SubmitDrawing, board_challenge, challenge_gallery,
    challenge_overview, get_challenge, get_submission, list_categories, list_challenges,
    my_submissions, user_profile,
};
use super::model::{
    Category, Challenge, ChallengeDetails, Date, Difficulty, ICONS, Kind, Sort, Status, Streak,
    SubmissionCard,
};
use crate::api::{ApiForm, ErrorMessage, form_error, on_success};
use crate::layout::{NavBar, session};
use crate::request::in_request;
use crate::rooms::RoomDetails;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

/// Gallery cards per page.
const GALLERY_PAGE: i64 = 24;

/// A route parameter.
fn param(name: &'static str) -> Memo<String> {
    let params = use_params_map();
    Memo::new(move |_| params.read().get(name).unwrap_or_default())
}

/// `"5 h 12 min"`, `"3 days"`: how long until `ms` from `now`.
pub fn until(now: i64, ms: i64) -> String {
    let minutes = (ms - now).max(0) / 60_000;
    match minutes {
        0 => "less than a minute".to_owned(),
        m if m < 60 => format!("{m} min"),
        m if m < 48 * 60 => format!("{} h {} min", m / 60, m % 60),
        m => format!("{} days", m / (24 * 60)),
    }
}

/// `"7 Dec 2026"` for a UTC day.
fn day(ms: i64) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let d = Date::of_ms(ms);
    format!(
        "{} {} {}",
        d.day,
        MONTHS[(d.month as usize - 1) % 12],
        d.year
    )
}

/// When a challenge runs, in words.
fn period(c: &Challenge) -> String {
    match c.kind {
        Kind::Daily => day(c.starts_at),
        _ => format!("{} – {}", day(c.starts_at), day(c.ends_at - 1)),
    }
}

fn kind_label(kind: Kind) -> &'static str {
    match kind {
        Kind::Daily => "Daily",
        Kind::Weekly => "Weekly",
        Kind::Monthly => "Monthly",
    }
}

fn difficulty_label(d: Difficulty) -> &'static str {
    match d {
        Difficulty::Beginner => "Beginner",
        Difficulty::Intermediate => "Intermediate",
        Difficulty::Advanced => "Advanced",
    }
}

/// A category's icon as inline SVG (one simple path per icon name; unknown names draw a dot).
#[component]
pub fn Icon(
    /// One of [`ICONS`].
    name: String,
) -> impl IntoView {
    let d = match name.as_str() {
        "person" => "M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zm-7 8c0-3.9 3.1-6 7-6s7 2.1 7 6",
        "paw" => {
            "M8 10a2 2 0 1 0 0-4 2 2 0 0 0 0 4zm8 0a2 2 0 1 0 0-4 2 2 0 0 0 0 4zM5 14a2 2 0 1 0 0-4 2 2 0 0 0 0 4zm14 0a2 2 0 1 0 0-4 2 2 0 0 0 0 4zm-7 6c-3 0-5-1.5-5-3.5S9.5 12 12 12s5 2.5 5 4.5S15 20 12 20z"
        }
        "building" => "M4 21V5l8-3 8 3v16M9 21v-4h6v4M8 8h2M14 8h2M8 12h2M14 12h2",
        "cube" => "M12 2l9 5v10l-9 5-9-5V7zM3 7l9 5 9-5M12 12v10",
        "leaf" => "M5 19C5 9 11 4 20 4c0 9-5 15-15 15zM5 19l8-8",
        "diagram" => "M3 3h7v5H3zM14 16h7v5h-7zM6.5 8v5.5h11V16",
        "pen" => "M4 20l4-1L19 8l-3-3L5 16zM14 7l3 3",
        "book" => "M4 5c3-1 6-1 8 1 2-2 5-2 8-1v14c-3-1-6-1-8 1-2-2-5-2-8-1zM12 6v14",
        "star" => "M12 3l2.8 5.7 6.2.9-4.5 4.4 1.1 6.2L12 17.3 6.4 20.2l1.1-6.2L3 9.6l6.2-.9z",
        "shapes" => "M3 21l5-9 5 9zM15 3h6v6h-6zM8 8a3 3 0 1 0 0-.01",
        _ => "M12 12m-3 0a3 3 0 1 0 6 0a3 3 0 1 0-6 0",
    };
    view! {
        <svg class="icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true"
            fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round">
            <path d=d />
        </svg>
    }
}

/// A category's coloured badge.
#[component]
fn CategoryBadge(category: Category) -> impl IntoView {
    view! {
        <span class="category" style=format!("--category: {}", category.color) title=category.description>
            <Icon name=category.icon />
            {category.name}
        </span>
    }
}

/// A challenge as a card in the lists.
#[component]
fn ChallengeCard(challenge: Challenge, now: i64) -> impl IntoView {
    let when = match challenge.status {
        Status::Open => format!("closes in {}", until(now, challenge.ends_at)),
        Status::Upcoming => format!("opens in {}", until(now, challenge.starts_at)),
        Status::Closed => period(&challenge),
    };
    let entries = match challenge.submission_count {
        1 => "1 drawing".to_owned(),
        n => format!("{n} drawings"),
    };
    view! {
        <article class="card challenge-card" data-testid="challenge-card" data-kind=challenge.kind.as_str()>
            <p class="row meta">
                <span class="badge">{kind_label(challenge.kind)}</span>
                <CategoryBadge category=challenge.category.clone() />
                <span class="muted">{difficulty_label(challenge.difficulty)}</span>
            </p>
            <h3><A href=format!("/challenges/{}", challenge.slug)>{challenge.title.clone()}</A></h3>
            <p class="prompt">{challenge.prompt.clone()}</p>
            <p class="muted row"><span data-testid="when">{when}</span> " · " {entries}</p>
        </article>
    }
}

/// A list of challenge cards.
#[component]
fn ChallengeCards(challenges: Vec<Challenge>, now: i64, empty: &'static str) -> impl IntoView {
    if challenges.is_empty() {
        return view! { <p class="muted">{empty}</p> }.into_any();
    }
    view! {
        <div class="challenge-grid">
            {challenges.into_iter().map(|challenge| view! { <ChallengeCard challenge now /> }).collect_view()}
        </div>
    }
    .into_any()
}

/// A streak in words.
#[component]
fn StreakBadge(streak: Streak) -> impl IntoView {
    let text = match streak.current {
        0 => "No daily streak yet: today's challenge starts one".to_owned(),
        1 => "1-day streak".to_owned(),
        n => format!("{n}-day streak"),
    };
    view! {
        <p class="streak" data-testid="streak">
            <strong>{text}</strong>
            {(streak.best > 0).then(|| view! { <span class="muted">" · best " {streak.best}</span> })}
        </p>
    }
}

/// `/challenges`: the open daily, weekly and monthly challenges, what comes next, what closed.
#[component]
pub fn ChallengesPage() -> impl IntoView {
    let session = session();
    let overview = Resource::new(
        move || session.version(),
        |_| in_request(challenge_overview()),
    );
    let query = use_query_map();
    let before = Memo::new(move |_| {
        query
            .read()
            .get("before")
            .and_then(|b| b.parse::<i64>().ok())
    });
    let past = Resource::new(
        move || before.get(),
        |before| in_request(list_challenges("past".into(), None, before, 12)),
    );
    view! {
        <Title text="Challenges" />
        <NavBar />
        <main class="page challenges">
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    // Streaks and "my submissions" mean nothing to a visitor who is signed out.
                    let signed_in = matches!(session.user.await, Ok(Some(_)));
                    match overview.await {
                        Ok(o) => view! {
                            <header class="row spread">
                                <div>
                                    <h1>"Drawing challenges"</h1>
                                    <p class="tagline">"A new prompt every day, every week and every month. Draw it, submit it, see everyone's."</p>
                                </div>
                                <div class="stack end">
                                    {signed_in.then(|| view! {
                                        <StreakBadge streak=o.streak />
                                        <A href="/me/submissions">"My submissions"</A>
                                    })}
                                    {o.is_admin.then(|| view! { <A href="/admin/challenges" attr:class="button">"Manage challenges"</A> })}
                                </div>
                            </header>
                            <h2>"Now"</h2>
                            <ChallengeCards challenges=o.current now=o.now empty="No challenge is running right now." />
                            <h2>"Coming up"</h2>
                            <ChallengeCards challenges=o.upcoming now=o.now empty="Nothing scheduled yet." />
                        }.into_any(),
                        Err(e) => view! { <p class="form-error">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
            <h2 id="past">"Past challenges"</h2>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match past.await {
                        Ok(page) => {
                            let now = page.challenges.first().map_or(0, |c| c.ends_at);
                            view! {
                                <ChallengeCards challenges=page.challenges now empty="None yet." />
                                <p class="row pager">
                                    {before.get_untracked().map(|_| view! { <A href="/challenges#past">"← Latest"</A> })}
                                    {page.next.map(|n| view! { <A href=format!("/challenges?before={n}#past")>"Older →"</A> })}
                                </p>
                            }.into_any()
                        }
                        Err(e) => view! { <p class="form-error">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </main>
    }
}

/// `/challenges/:slug`: the prompt, the caller's part, and the gallery.
#[component]
pub fn ChallengePage() -> impl IntoView {
    let slug = param("slug");
    let session = session();
    let changed = RwSignal::new(0u64);
    let details = Resource::new(
        move || (slug.get(), session.version(), changed.get()),
        |(slug, _, _)| in_request(get_challenge(slug)),
    );
    view! {
        <Title text="Challenge" />
        <NavBar />
        <main class="page challenge">
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match details.await {
                        Ok(d) => view! { <ChallengeView details=d changed /> }.into_any(),
                        Err(e) => view! {
                            <h1>"Challenge not found"</h1>
                            <p class="form-error">{e.to_string()}</p>
                            <p><A href="/challenges">"All challenges"</A></p>
                        }.into_any(),
                    }
                })}
            </Transition>
        </main>
    }
}

#[component]
fn ChallengeView(details: ChallengeDetails, changed: RwSignal<u64>) -> impl IntoView {
    let session = session();
    let c = details.challenge.clone();
    let start = ServerAction::<StartChallenge>::new();
    let start_error = form_error(start);
    let navigate = use_navigate();
    on_success(start, move |room: RoomDetails| {
        navigate(&format!("/r/{}", room.slug), Default::default())
    });
    let retire = ServerAction::<RetireChallenge>::new();
    on_success(retire, move |()| changed.update(|v| *v += 1));
    let signed_in = move || session.user.get().and_then(|u| u.ok()).flatten().is_some();
    let status_line = match c.status {
        Status::Open => "Open for submissions",
        Status::Upcoming => "Not started yet",
        Status::Closed => "Closed: the gallery stays",
    };
    let slug = c.slug.clone();
    let active = c.is_active;
    view! {
        <Title text=c.title.clone() />
        <header class="challenge-head">
            <p class="row meta">
                <span class="badge">{kind_label(c.kind)}</span>
                <CategoryBadge category=c.category.clone() />
                <span class="muted">{difficulty_label(c.difficulty)}</span>
                <span class="muted">{period(&c)} " (UTC)"</span>
                {(!c.is_active).then(|| view! { <span class="badge warn">"retired"</span> })}
            </p>
            <h1 data-testid="challenge-title">{c.title.clone()}</h1>
            <p class="prompt big">{c.prompt.clone()}</p>
            {(!c.description.is_empty()).then(|| view! { <p>{c.description.clone()}</p> })}
            {c.image_url.clone().map(|u| view! { <p><a href=u rel="noopener noreferrer nofollow" target="_blank">"Reference image"</a></p> })}
            {(!c.tags.is_empty()).then(|| view! {
                <p class="tags">{c.tags.iter().map(|t| view! { <span class="tag">"#" {t.clone()}</span> }).collect_view()}</p>
            })}
            <p class="muted" data-testid="status">{status_line}</p>
        </header>
        <section class="row actions">
            {match (&details.my_board, c.status) {
                (Some(board), _) => view! { <A href=format!("/r/{board}") attr:class="button primary">"Open your board"</A> }.into_any(),
                (None, Status::Open) => {
                    let slug = slug.clone();
                    let sign_in = format!("/signin?next=/challenges/{slug}");
                    view! {
                        <Show when=signed_in fallback=move || view! { <A href=sign_in.clone() attr:class="button primary">"Sign in to take part"</A> }>
                            {let slug = slug.clone(); view! {
                                <ApiForm action=start class="inline">
                                    <input type="hidden" name="slug" value=slug />
                                    <button type="submit" class="primary">"Start drawing"</button>
                                </ApiForm>
                            }}
                        </Show>
                    }.into_any()
                }
                _ => ().into_any(),
            }}
            {details.is_admin.then(|| view! {
                <A href=format!("/admin/challenges?edit={slug}") attr:class="button">"Edit"</A>
                <ApiForm action=retire class="inline">
                    <input type="hidden" name="slug" value=slug.clone() />
                    <input type="hidden" name="active" value=(!active).to_string() />
                    <button type="submit">{if active { "Retire" } else { "Restore" }}</button>
                </ApiForm>
            })}
        </section>
        <ErrorMessage error=start_error />
        {details.my_submission.map(|card| view! {
            <section>
                <h2>"Your submission"</h2>
                <div class="gallery"><SubmissionTile card /></div>
            </section>
        })}
        <Gallery challenge=c.slug.clone() />
    }
}

/// A challenge's gallery: tabs for the order, a page at a time, "More" appends the next.
#[component]
fn Gallery(challenge: String) -> impl IntoView {
    let query = use_query_map();
    let sort = Memo::new(move |_| {
        query
            .read()
            .get("sort")
            .and_then(|s| Sort::parse(&s))
            .unwrap_or_default()
    });
    let cards = RwSignal::new(Vec::<SubmissionCard>::new());
    let cursor = RwSignal::new(None::<String>);
    let more = RwSignal::new(0u32);
    let page = Resource::new(
        {
            let challenge = challenge.clone();
            move || (challenge.clone(), sort.get(), more.get())
        },
        move |(challenge, sort, n)| {
            let cursor = if n == 0 { None } else { cursor.get_untracked() };
            in_request(challenge_gallery(
                challenge,
                Some(sort.as_str().to_owned()),
                cursor,
                GALLERY_PAGE,
            ))
        },
    );
    view! {
        <section class="gallery-section">
            <div class="row spread">
                <h2>"Gallery"</h2>
                <nav class="tabs" aria-label="Order">
                    {Sort::ALL.into_iter().map(|s| {
                        let label = match s { Sort::Hot => "Hot", Sort::New => "Newest", Sort::Top => "Most liked" };
                        view! {
                            <A href=format!("?sort={}", s.as_str()) attr:class=move || if sort.get() == s { "tab active" } else { "tab" }>{label}</A>
                        }
                    }).collect_view()}
                </nav>
            </div>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(g) => {
                            let first = more.get_untracked() == 0;
                            let mut all = if first { Vec::new() } else { cards.get_untracked() };
                            all.extend(g.submissions);
                            cards.set(all.clone());
                            cursor.set(g.next.clone());
                            if all.is_empty() {
                                return view! { <p class="muted">"No drawings yet. Be the first!"</p> }.into_any();
                            }
                            view! {
                                <div class="gallery" data-testid="gallery">
                                    {all.into_iter().map(|card| view! { <SubmissionTile card /> }).collect_view()}
                                </div>
                                {g.next.map(|_| view! {
                                    <p><button on:click=move |_| more.update(|n| *n += 1)>"More"</button></p>
                                })}
                            }.into_any()
                        }
                        Err(e) => view! { <p class="form-error">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// One submission in a gallery: thumbnail, title, author, likes.
#[component]
pub fn SubmissionTile(
    /// The submission.
    card: SubmissionCard,
) -> impl IntoView {
    let href = format!("/submissions/{}", card.id);
    let author_href = format!("/u/{}", card.author_id);
    let private = (!card.is_public).then(|| view! { " · " <span class="badge">"private"</span> });
    let SubmissionCard {
        title,
        thumbnail,
        author,
        likes,
        ..
    } = card;
    let alt = title.clone();
    view! {
        <article class="tile" data-testid="submission-tile">
            <A href=href.clone()>
                <img src=thumbnail alt=alt loading="lazy" width="240" height="180" />
            </A>
            <div class="tile-text">
                <A href=href attr:class="title">{title}</A>
                <span class="muted">
                    "by " <A href=author_href>{author}</A>
                    " · " <span data-testid="tile-likes">{likes}</span> " ♥"
                    {private}
                </span>
            </div>
        </article>
    }
}

/// `/submissions/:id`: the full picture, credits, likes, remix.
#[component]
pub fn SubmissionPage() -> impl IntoView {
    let id = param("id");
    let session = session();
    let details = Resource::new(
        move || (id.get(), session.version()),
        |(id, _)| in_request(get_submission(id)),
    );
    view! {
        <Title text="Drawing" />
        <NavBar />
        <main class="page submission">
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match details.await {
                        Ok(d) => view! { <SubmissionView details=d /> }.into_any(),
                        Err(e) => view! { <h1>"Drawing not found"</h1><p class="form-error">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </main>
    }
}

#[component]
fn SubmissionView(details: super::model::SubmissionDetails) -> impl IntoView {
    let session = session();
    let card = details.card.clone();
    let likes = RwSignal::new(card.likes);
    let liked = RwSignal::new(card.liked);
    let like = ServerAction::<LikeSubmission>::new();
    let like_error = form_error(like);
    on_success(like, move |l| {
        likes.set(l.likes);
        liked.set(l.liked);
    });
    let remix = ServerAction::<RemixSubmission>::new();
    let remix_error = form_error(remix);
    let navigate = use_navigate();
    on_success(remix, move |room: RoomDetails| {
        navigate(&format!("/r/{}", room.slug), Default::default())
    });
    let delete = ServerAction::<DeleteSubmission>::new();
    let navigate = use_navigate();
    on_success(delete, move |()| {
        navigate("/challenges", Default::default())
    });
    let signed_in = move || session.user.get().and_then(|u| u.ok()).flatten().is_some();
    let id = card.id.clone();
    let id2 = card.id.clone();
    let id3 = card.id.clone();
    let challenge_href = format!("/challenges/{}", card.challenge);
    let author_href = format!("/u/{}", card.author_id);
    let with =
        (details.credits.len() > 1).then(|| format!(" with {}", details.credits[1..].join(", ")));
    let private = (!card.is_public).then(|| view! { " · " <span class="badge">"private"</span> });
    let description = (!details.description.is_empty()).then(|| {
        let text = details.description.clone();
        view! { <p class="description">{text}</p> }
    });
    let when = day(card.submitted_at);
    let (width, height) = (details.width.to_string(), details.height.to_string());
    let SubmissionCard {
        title,
        challenge_title,
        author,
        image,
        ..
    } = card;
    let (page_title, alt) = (title.clone(), title.clone());
    view! {
        <Title text=page_title />
        <p class="muted"><A href=challenge_href>{challenge_title}</A></p>
        <h1 data-testid="submission-title">{title}</h1>
        <p class="muted">
            "by " <A href=author_href>{author}</A>
            {with}
            " · " {when}
            {private}
        </p>
        {description}
        <figure class="picture">
            <img src=image alt=alt width=width height=height />
        </figure>
        <section class="row actions">
            <Show when=signed_in fallback=move || view! { <span class="muted"><span data-testid="likes">{likes.get()}</span> " ♥"</span> }>
                {let (id, id2) = (id.clone(), id2.clone()); view! {
                    <ApiForm action=like class="inline">
                        <input type="hidden" name="id" value=id />
                        <input type="hidden" name="like" prop:value=move || (!liked.get()).to_string() />
                        <button type="submit" class=move || if liked.get() { "like liked" } else { "like" } aria-pressed=move || liked.get().to_string()>
                            {move || if liked.get() { "♥ Liked" } else { "♡ Like" }}
                            " · " <span data-testid="likes">{move || likes.get()}</span>
                        </button>
                    </ApiForm>
                    <ApiForm action=remix class="inline">
                        <input type="hidden" name="id" value=id2 />
                        <button type="submit">"Open a copy as a board"</button>
                    </ApiForm>
                }}
            </Show>
            {details.can_delete.then(|| view! {
                <ApiForm action=delete class="inline">
                    <input type="hidden" name="id" value=id3.clone() />
                    <button type="submit" class="danger">"Remove"</button>
                </ApiForm>
            })}
            <span class="muted">{details.element_count} " elements"</span>
        </section>
        <ErrorMessage error=like_error />
        <ErrorMessage error=remix_error />
    }
}

/// `/me/submissions`: the caller's own, private ones included.
#[component]
pub fn MySubmissionsPage() -> impl IntoView {
    let session = session();
    let mine = Resource::new(move || session.version(), |_| in_request(my_submissions()));
    view! {
        <Title text="My submissions" />
        <NavBar />
        <main class="page">
            <h1>"My submissions"</h1>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match mine.await {
                        Ok(cards) if cards.is_empty() => view! {
                            <p class="muted">"Nothing yet. " <A href="/challenges">"Pick a challenge"</A></p>
                        }.into_any(),
                        Ok(cards) => view! {
                            <div class="gallery">{cards.into_iter().map(|card| view! { <SubmissionTile card /> }).collect_view()}</div>
                        }.into_any(),
                        Err(e) => view! { <p class="form-error">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </main>
    }
}

/// `/u/:id`: a person's streak and drawings.
#[component]
pub fn ProfilePage() -> impl IntoView {
    let id = param("id");
    let session = session();
    let profile = Resource::new(
        move || (id.get(), session.version()),
        |(id, _)| in_request(user_profile(id)),
    );
    view! {
        <Title text="Profile" />
        <NavBar />
        <main class="page">
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match profile.await {
                        Ok(p) => view! {
                            <h1>{p.display_name}</h1>
                            <StreakBadge streak=p.streak />
                            <div class="gallery">{p.submissions.into_iter().map(|card| view! { <SubmissionTile card /> }).collect_view()}</div>
                        }.into_any(),
                        Err(e) => view! { <p class="form-error">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </main>
    }
}

/// `/admin/challenges`: schedule or edit a challenge, add a category, restore retired ones.
#[component]
pub fn AdminPage() -> impl IntoView {
    let changed = RwSignal::new(0u64);
    let categories = Resource::new(move || changed.get(), |_| in_request(list_categories()));
    let retired = Resource::new(
        move || changed.get(),
        |_| in_request(list_challenges("retired".into(), None, None, 48)),
    );
    let upcoming = Resource::new(
        move || changed.get(),
        |_| in_request(list_challenges("upcoming".into(), None, None, 48)),
    );
    let query = use_query_map();
    let edit = Memo::new(move |_| query.read().get("edit").filter(|s| !s.is_empty()));
    let editing = Resource::new(
        move || edit.get(),
        |slug| {
            in_request(async move {
                match slug {
                    Some(slug) => get_challenge(slug).await.map(Some),
                    None => Ok(None),
                }
            })
        },
    );
    let save = ServerAction::<SaveChallenge>::new();
    let save_error = form_error(save);
    let navigate = use_navigate();
    on_success(save, move |c: Challenge| {
        navigate(&format!("/challenges/{}", c.slug), Default::default())
    });
    let category = ServerAction::<SaveCategory>::new();
    let category_error = form_error(category);
    on_success(category, move |_| changed.update(|v| *v += 1));
    let retire = ServerAction::<RetireChallenge>::new();
    let retire_error = form_error(retire);
    on_success(retire, move |()| changed.update(|v| *v += 1));
    view! {
        <Title text="Manage challenges" />
        <NavBar />
        <main class="page admin">
            <h1>"Manage challenges"</h1>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    // Only admins see retired challenges: the answer says whether the caller is one.
                    if let Err(e) = retired.await {
                        return view! { <p class="form-error">{e.to_string()}</p> }.into_any();
                    }
                    let cats = match categories.await {
                        Ok(c) => c,
                        Err(e) => return view! { <p class="form-error">{e.to_string()}</p> }.into_any(),
                    };
                    let editing = editing.await.ok().flatten().map(|d| d.challenge);
                    let e = editing.clone();
                    let v = move |f: fn(&Challenge) -> String| e.as_ref().map(f).unwrap_or_default();
                    let all_categories = cats.clone();
                    view! {
                        <section class="card">
                            <h2>{if editing.is_some() { "Edit challenge" } else { "New challenge" }}</h2>
                            <ApiForm action=save class="stack">
                                <input type="hidden" name="slug" value=v(|c| c.slug.clone()) />
                                <label>"Title" <input name="title" required maxlength="100" value=v(|c| c.title.clone()) /></label>
                                <label>"Prompt" <input name="prompt" required maxlength="300" value=v(|c| c.prompt.clone()) placeholder="Draw a lighthouse as its lamp comes on." /></label>
                                <label>"Description" <textarea name="description" maxlength="2000" prop:value=v(|c| c.description.clone())></textarea></label>
                                <div class="row">
                                    <label>"Kind"
                                        <select name="kind">
                                            {Kind::ALL.into_iter().map(|k| view! { <option value=k.as_str() selected=v(|c| c.kind.as_str().to_owned()) == k.as_str()>{kind_label(k)}</option> }).collect_view()}
                                        </select>
                                    </label>
                                    <label>"Runs in the period of (UTC)" <input type="date" name="starts_on" required value=v(|c| Date::of_ms(c.starts_at).to_string()) /></label>
                                    <label>"Difficulty"
                                        <select name="difficulty">
                                            {Difficulty::ALL.into_iter().map(|d| view! { <option value=d.as_str() selected=v(|c| c.difficulty.as_str().to_owned()) == d.as_str()>{difficulty_label(d)}</option> }).collect_view()}
                                        </select>
                                    </label>
                                    <label>"Category"
                                        <select name="category">
                                            {cats.iter().map(|k| view! { <option value=k.slug.clone() selected=v(|c| c.category.slug.clone()) == k.slug>{k.name.clone()}</option> }).collect_view()}
                                        </select>
                                    </label>
                                </div>
                                <label>"Tags (comma-separated)" <input name="tags" value=v(|c| c.tags.join(", ")) /></label>
                                <label>"Reference image URL (optional)" <input name="image_url" type="url" value=v(|c| c.image_url.clone().unwrap_or_default()) /></label>
                                <ErrorMessage error=save_error />
                                <button type="submit" class="primary">{if editing.is_some() { "Save" } else { "Schedule" }}</button>
                            </ApiForm>
                        </section>
                        <section class="card">
                            <h2>"Category"</h2>
                            <p class="muted">"A new slug adds a category; an existing one is updated."</p>
                            <ApiForm action=category class="stack">
                                <div class="row">
                                    <label>"Slug" <input name="slug" required pattern="[a-z0-9-]{2,64}" /></label>
                                    <label>"Name" <input name="name" required maxlength="60" /></label>
                                    <label>"Colour" <input name="color" type="color" value="#1971c2" /></label>
                                    <label>"Icon"
                                        <select name="icon">{ICONS.into_iter().map(|i| view! { <option value=i>{i}</option> }).collect_view()}</select>
                                    </label>
                                </div>
                                <label>"Description" <input name="description" maxlength="500" /></label>
                                <ErrorMessage error=category_error />
                                <button type="submit">"Save category"</button>
                            </ApiForm>
                            <ul class="plain">
                                {all_categories.into_iter().map(|category| view! { <li><CategoryBadge category /></li> }).collect_view()}
                            </ul>
                        </section>
                    }.into_any()
                })}
            </Transition>
            <ErrorMessage error=retire_error />
            <h2>"Scheduled"</h2>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match upcoming.await {
                        Ok(page) => view! { <AdminList challenges=page.challenges retire /> }.into_any(),
                        Err(e) => view! { <p class="form-error">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
            <h2>"Retired"</h2>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match retired.await {
                        Ok(page) => view! { <AdminList challenges=page.challenges retire /> }.into_any(),
                        Err(e) => view! { <p class="form-error">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </main>
    }
}

#[component]
fn AdminList(challenges: Vec<Challenge>, retire: ServerAction<RetireChallenge>) -> impl IntoView {
    if challenges.is_empty() {
        return view! { <p class="muted">"None."</p> }.into_any();
    }
    view! {
        <ul class="admin-list">
            {challenges.into_iter().map(|c| {
                let when = period(&c);
                let href = format!("/challenges/{}", c.slug);
                let active = c.is_active;
                view! {
                    <li data-testid="admin-challenge">
                        <span class="badge">{kind_label(c.kind)}</span>
                        " " <A href=href>{c.title}</A>
                        " " <span class="muted">{when}</span>
                        <ApiForm action=retire class="inline">
                            <input type="hidden" name="slug" value=c.slug />
                            <input type="hidden" name="active" value=(!active).to_string() />
                            <button type="submit">{if active { "Retire" } else { "Restore" }}</button>
                        </ApiForm>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

/// The selection of the board on this page, provided by the board for its top bar.
#[derive(Clone, Copy)]
pub struct BoardSelection(pub RwSignal<inkroom_core::editor::SelectionSummary>);

/// A challenge board's top-bar part: which challenge, and the submit dialog.
#[component]
pub fn ChallengeBar(
    /// The room's slug.
    room: String,
) -> impl IntoView {
    let details = Resource::new(
        {
            let room = room.clone();
            move || room.clone()
        },
        |x| in_request(board_challenge(x)),
    );
    view! {
        <Transition fallback=|| ()>
            {let room = room.clone(); move || {
                let room = room.clone();
                Suspend::new(async move {
                    match details.await {
                        Ok(Some(d)) => view! { <SubmitDialog room details=d /> }.into_any(),
                        _ => ().into_any(),
                    }
                })
            }}
        </Transition>
    }
}

#[component]
fn SubmitDialog(room: String, details: ChallengeDetails) -> impl IntoView {
    let open = RwSignal::new(false);
    let selection = use_context::<BoardSelection>();
    let submit = ServerAction::<SubmitDrawing>::new();
    let error = form_error(submit);
    let navigate = use_navigate();
    on_success(submit, move |card: SubmissionCard| {
        navigate(&format!("/submissions/{}", card.id), Default::default())
    });
    let c = details.challenge.clone();
    let is_open = c.status == Status::Open;
    let previous = details.my_submission.clone();
    let prior_title = previous
        .as_ref()
        .map(|s| s.title.clone())
        .unwrap_or_default();
    let href = format!("/challenges/{}", c.slug);
    let Challenge { title, prompt, .. } = c;
    let selected = move || {
        selection
            .map(|s| {
                s.0.with(|s| {
                    s.ids
                        .iter()
                        .map(|id| id.to_string())
                        .collect::<Vec<_>>()
                        .join(" ")
                })
            })
            .unwrap_or_default()
    };
    let selected_count = move || selection.map_or(0, |s| s.0.with(|s| s.ids.len()));
    view! {
        <A href=href attr:class="challenge-link" attr:title=prompt>
            "Challenge: " {title}
        </A>
        {is_open.then(|| view! {
            <button class="primary" data-testid="open-submit" on:click=move |_| open.update(|o| *o = !*o)>
                {if previous.is_some() { "Resubmit" } else { "Submit" }}
            </button>
        })}
        <Show when=move || open.get()>
            <div class="dialog submit-dialog" role="dialog" aria-label="Submit your drawing">
                {let (room, prior_title) = (room.clone(), prior_title.clone()); view! {
                <ApiForm action=submit class="stack">
                    <input type="hidden" name="room" value=room />
                    <label>"Title" <input name="title" required maxlength="100" value=prior_title /></label>
                    <label>"Description (optional)" <textarea name="description" maxlength="2000"></textarea></label>
                    <label>"Visibility"
                        <select name="is_public">
                            <option value="true">"Public: in the gallery"</option>
                            <option value="false">"Private: only you"</option>
                        </select>
                    </label>
                    <label>"What to submit"
                        <select name="element_ids">
                            <option value="">"The whole board"</option>
                            {move || (selected_count() > 0).then(|| view! {
                                <option value=selected()>{format!("The selection ({} elements)", selected_count())}</option>
                            })}
                        </select>
                    </label>
                    <p class="muted">"The server draws the picture from the board; you can replace it until the challenge closes."</p>
                    <ErrorMessage error />
                    <div class="row">
                        <button type="submit" class="primary" disabled=move || submit.pending().get()>"Submit drawing"</button>
                        <button type="button" on:click=move |_| open.set(false)>"Cancel"</button>
                    </div>
                </ApiForm>
                }}
            </div>
        </Show>
    }
}
