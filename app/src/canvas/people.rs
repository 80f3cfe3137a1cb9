//! Who is in the room: coloured badges (click one to follow that person's view), what each is
//! doing ("Ann is drawing…", idle after a minute without input, away while their tab is
//! hidden), how many are here, and the banner shown while following someone.

use super::ui::Presence;
use inkroom_core::protocol::Activity;
use leptos::prelude::*;

/// The word for an activity, as in "Ann is drawing".
fn activity_label(a: Activity) -> &'static str {
    match a {
        Activity::Active => "here",
        Activity::Idle => "idle",
        Activity::Drawing => "drawing…",
        Activity::Typing => "typing…",
        Activity::Away => "away",
    }
}

/// The activity as a stable key for styles and tests.
fn activity_key(a: Activity) -> &'static str {
    match a {
        Activity::Active => "active",
        Activity::Idle => "idle",
        Activity::Drawing => "drawing",
        Activity::Typing => "typing",
        Activity::Away => "away",
    }
}

/// Everyone in the room as coloured initials. Clicking someone else follows their viewport
/// (clicking again stops); a ring marks the person followed, an eye those following you.
#[component]
pub(super) fn PresenceBadges(presence: Presence) -> impl IntoView {
    view! {
        <span class="people" data-testid="people">
            <span class="count" data-testid="participant-count" title="People in this room">
                {move || match presence.people.with(Vec::len) {
                    1 => "1 here".to_owned(),
                    n => format!("{n} here"),
                }}
            </span>
            {move || {
                let me = presence.me.get();
                presence.people.get().into_iter().map(|p| {
                    let initial: String = p.name.chars().next().map(|c| c.to_uppercase().collect()).unwrap_or_default();
                    let is_me = me.as_deref() == Some(p.user_id.as_str());
                    let id = p.user_id.clone();
                    let followed = {
                        let id = id.clone();
                        move || presence.following.with(|f| f.as_deref() == Some(id.as_str()))
                    };
                    let follows_me = {
                        let id = id.clone();
                        move || presence.followers.with(|f| f.contains(&id))
                    };
                    let title = if is_me {
                        format!("{} (you)", p.name)
                    } else {
                        format!("{} — click to follow their view", p.name)
                    };
                    let activity = {
                        let id = id.clone();
                        Memo::new(move |_| presence.activity_of(&id))
                    };
                    let name = p.name.clone();
                    let clicked = id.clone();
                    view! {
                        <button type="button" class="person" style=format!("background:{}", p.color)
                            title=title aria-label=p.name.clone() data-user=id.clone()
                            disabled=is_me
                            class:followed=followed.clone()
                            class:inactive=move || matches!(activity.get(), Activity::Idle | Activity::Away)
                            class:follows-me=follows_me
                            aria-pressed=move || followed().to_string()
                            on:click=move |_| presence.following.update(|f| {
                                *f = if f.as_deref() == Some(clicked.as_str()) { None } else { Some(clicked.clone()) };
                            })
                        >{initial}</button>
                        <span class="activity" data-testid="activity" data-user=id.clone()
                            data-activity=move || activity_key(activity.get())
                            hidden=move || is_me || activity.get() == Activity::Active>
                            {move || format!("{name} is {}", activity_label(activity.get()))}
                        </span>
                    }
                }).collect_view()
            }}
        </span>
    }
}

/// "Following Ada · Stop", over the canvas while following someone.
#[component]
pub(super) fn FollowBanner(presence: Presence) -> impl IntoView {
    let name = move || {
        let id = presence.following.get()?;
        presence.people.with(|people| {
            people
                .iter()
                .find(|p| p.user_id == id)
                .map(|p| p.name.clone())
        })
    };
    view! {
        <Show when=move || name().is_some()>
            <div class="follow-banner" role="status" data-testid="follow-banner">
                <span>"Following " {name}</span>
                <button type="button" on:click=move |_| presence.following.set(None)>"Stop"</button>
            </div>
        </Show>
    }
}
