//! The room pages: the board page, the owner's settings, the share-link landing page, and the
//! room lists and forms the dashboard shows.

use super::api::{
    CreateRoom, CreateShareLink, DeleteRoom, JoinByCode, JoinByLink, JoinPublicRoom, KickMember,
    LeaveRoom, RenameRoom, RotateCode, SetMemberRole, SetRoomPassword, get_room, list_members,
    list_public_rooms, list_share_links,
};
use super::model::{Role, RoomDetails, RoomSummary};
use crate::api::{ApiForm, ErrorMessage, form_error, on_success};
use crate::canvas::Board;
use crate::error::AppError;
use crate::layout::{NavBar, session};
use crate::request::in_request;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

/// Public rooms, a page at a time (`?page=` keeps it working without JavaScript).
#[component]
pub fn PublicRooms() -> impl IntoView {
    const PAGE: i64 = 20;
    let query = use_query_map();
    let page = Memo::new(move |_| {
        query
            .read()
            .get("page")
            .and_then(|p| p.parse::<i64>().ok())
            .unwrap_or(0)
            .max(0)
    });
    let rooms = Resource::new(
        move || page.get(),
        |p| in_request(list_public_rooms(p * PAGE, PAGE)),
    );
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match rooms.await {
                    Ok(result) => {
                        let p = page.get_untracked();
                        view! {
                            <RoomList rooms=result.rooms empty="No public rooms yet." />
                            <p class="row pager">
                                {(p > 0).then(|| view! { <A href=format!("?page={}", p - 1)>"← Newer"</A> })}
                                {result.next_offset.map(|_| view! { <A href=format!("?page={}", p + 1)>"Older →"</A> })}
                            </p>
                        }.into_any()
                    }
                    Err(e) => view! { <p class="form-error">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// A list of rooms linking to their boards.
#[component]
pub fn RoomList(
    /// The rooms, in the order to list them.
    rooms: Vec<RoomSummary>,
    /// What to say when there are none.
    empty: &'static str,
) -> impl IntoView {
    if rooms.is_empty() {
        return view! { <p class="muted">{empty}</p> }.into_any();
    }
    view! {
        <ul class="room-list">
            {rooms
                .into_iter()
                .map(|r| {
                    let members = match r.member_count {
                        1 => "1 member".to_owned(),
                        n => format!("{n} members"),
                    };
                    view! {
                        <li>
                            <A href=format!("/r/{}", r.slug)>{r.name}</A>
                            <span class="muted">
                                {if r.is_private { "private" } else { "public" }} " · " {members}
                                " · by " {r.owner_name}
                            </span>
                            {r.role.map(|role| view! { <span class="badge">{role.as_str()}</span> })}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

/// Opens the board of the room a form answered with.
fn go_to_room(
    navigate: impl Fn(&str, leptos_router::NavigateOptions) + 'static,
) -> impl Fn(RoomDetails) {
    move |room: RoomDetails| navigate(&format!("/r/{}", room.slug), Default::default())
}

/// Create-a-room form.
#[component]
pub fn CreateRoomForm() -> impl IntoView {
    let action = ServerAction::<CreateRoom>::new();
    let error = form_error(action);
    on_success(action, go_to_room(use_navigate()));
    view! {
        <ApiForm action class="stack">
            <label>"Name" <input name="name" required maxlength="80" placeholder="Sprint planning" /></label>
            <label>"Visibility"
                <select name="is_private">
                    <option value="false">"Public: anyone can find and join it"</option>
                    <option value="true">"Private: join with a code"</option>
                </select>
            </label>
            <label>"Password (private rooms, optional)" <input type="password" name="password" autocomplete="new-password" /></label>
            <ErrorMessage error />
            <button type="submit" class="primary">"Create room"</button>
        </ApiForm>
    }
}

/// Join-by-code form.
#[component]
pub fn JoinByCodeForm() -> impl IntoView {
    let action = ServerAction::<JoinByCode>::new();
    let error = form_error(action);
    on_success(action, go_to_room(use_navigate()));
    view! {
        <ApiForm action class="stack">
            <label>"Room code" <input name="code" required autocomplete="off" placeholder="ABC234" maxlength="12" /></label>
            <label>"Password (if the room has one)" <input type="password" name="password" autocomplete="off" /></label>
            <ErrorMessage error />
            <button type="submit">"Join room"</button>
        </ApiForm>
    }
}

/// The `:slug` of the route.
fn slug_param() -> Memo<String> {
    let params = use_params_map();
    Memo::new(move |_| params.read().get("slug").unwrap_or_default())
}

/// A board page: the room's canvas if the caller may see it.
#[component]
pub fn RoomPage() -> impl IntoView {
    let slug = slug_param();
    let session = session();
    let joined = RwSignal::new(0u64);
    let room = Resource::new(
        move || (slug.get(), session.version(), joined.get()),
        |(slug, _, _)| in_request(get_room(slug)),
    );
    view! {
        <Title text=move || slug.get() />
        <Suspense fallback=|| view! { <p class="muted page">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match room.await {
                    Ok(room) => view! { <RoomView room joined /> }.into_any(),
                    Err(AppError::NotFound { .. }) => view! {
                        <NavBar />
                        <main class="page narrow">
                            <h1>"Room not found"</h1>
                            <p>"It does not exist, or it is private. Have a code?"</p>
                            <JoinByCodeForm />
                        </main>
                    }.into_any(),
                    Err(e) => view! { <NavBar /><main class="page"><p class="form-error">{e.to_string()}</p></main> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The board of a room the caller may see, with the top bar's room controls.
#[component]
fn RoomView(room: RoomDetails, joined: RwSignal<u64>) -> impl IntoView {
    let session = session();
    let join = ServerAction::<JoinPublicRoom>::new();
    on_success(join, move |_| joined.update(|v| *v += 1));
    let leave = ServerAction::<LeaveRoom>::new();
    let navigate = use_navigate();
    on_success(leave, move |()| navigate("/dashboard", Default::default()));
    let can_leave = room.role.is_some_and(|r| r != Role::Owner);
    let leave_slug = room.slug.clone();
    let read_only = !room.role.is_some_and(Role::can_edit);
    let can_join = !room.is_private && room.role.is_none();
    let slug = room.slug.clone();
    let settings = (room.role == Some(Role::Owner)).then(|| format!("/r/{}/settings", room.slug));
    view! {
        <Board slug=room.slug.clone() title=room.name.clone() read_only live=room.role.is_some()>
            {room.role.map(|r| view! { <span class="badge" data-testid="role">{r.as_str()}</span> })}
            {room.code.clone().map(|c| view! { <span class="code" title="Join code">"Code " <b data-testid="room-code">{c}</b></span> })}
            {room.role.is_some().then(|| view! { <crate::challenges::pages::ChallengeBar room=room.slug.clone() /> })}
            {settings.map(|href| view! { <A href=href>"Settings"</A> })}
            {can_leave.then(|| view! {
                <ApiForm action=leave class="inline">
                    <input type="hidden" name="slug" value=leave_slug />
                    <button type="submit">"Leave"</button>
                </ApiForm>
            })}
            {can_join.then(|| view! {
                <Transition fallback=|| ()>
                    {let slug = slug.clone(); move || {
                        let slug = slug.clone();
                        Suspend::new(async move {
                            match session.user.await {
                                Ok(Some(_)) => view! {
                                    <ApiForm action=join class="inline">
                                        <input type="hidden" name="slug" value=slug />
                                        <button type="submit" class="primary">"Join to draw"</button>
                                    </ApiForm>
                                }.into_any(),
                                _ => view! { <A href="/signin">"Sign in to draw"</A> }.into_any(),
                            }
                        })
                    }}
                </Transition>
            })}
        </Board>
    }
}

/// The owner's room settings.
#[component]
pub fn RoomSettingsPage() -> impl IntoView {
    let slug = slug_param();
    let session = session();
    let changed = RwSignal::new(0u64);
    let room = Resource::new(
        move || (slug.get(), session.version(), changed.get()),
        |(slug, _, _)| in_request(get_room(slug)),
    );
    view! {
        <Title text="Room settings" />
        <NavBar />
        <Suspense fallback=|| view! { <p class="muted page">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match room.await {
                    Ok(room) if room.role == Some(Role::Owner) => view! { <Settings room changed /> }.into_any(),
                    Ok(_) => view! { <main class="page narrow"><p class="form-error">{AppError::Forbidden.to_string()}</p></main> }.into_any(),
                    Err(e) => view! { <main class="page narrow"><p class="form-error">{e.to_string()}</p></main> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The settings of a room the caller owns.
#[component]
fn Settings(room: RoomDetails, changed: RwSignal<u64>) -> impl IntoView {
    let bump = move || changed.update(|v| *v += 1);
    let rename = ServerAction::<RenameRoom>::new();
    let rotate = ServerAction::<RotateCode>::new();
    let password = ServerAction::<SetRoomPassword>::new();
    let delete = ServerAction::<DeleteRoom>::new();
    let share = ServerAction::<CreateShareLink>::new();
    let kick = ServerAction::<KickMember>::new();
    let set_role = ServerAction::<SetMemberRole>::new();
    on_success(rename, move |_| bump());
    on_success(rotate, move |_| bump());
    on_success(password, move |_| bump());
    on_success(share, move |_| bump());
    on_success(kick, move |_| bump());
    on_success(set_role, move |_| bump());
    let navigate = use_navigate();
    on_success(delete, move |()| navigate("/dashboard", Default::default()));
    let slug = room.slug.clone();
    let members = Resource::new(
        move || (slug.clone(), changed.get()),
        |(s, _)| in_request(list_members(s)),
    );
    let slug = room.slug.clone();
    let links = Resource::new(
        move || (slug.clone(), changed.get()),
        |(s, _)| in_request(list_share_links(s)),
    );
    let slug = room.slug.clone();
    let [s_rename, s_members, s_share, s_delete] = std::array::from_fn(|_| room.slug.clone());
    let (rename_err, password_err, share_err) =
        (form_error(rename), form_error(password), form_error(share));
    let private_section = room.is_private.then(|| {
        let (slug1, slug2) = (slug.clone(), slug.clone());
        view! {
                <section class="card">
                    <h2>"Join code"</h2>
                    <p>"Code: " <b data-testid="settings-code">{room.code.clone()}</b></p>
                    <ApiForm action=rotate class="row">
                        <input type="hidden" name="slug" value=slug1 />
                        <button type="submit">"New code (the old one stops working)"</button>
                    </ApiForm>
                    <h2>"Password"</h2>
                    <p class="muted">{if room.has_password { "This room has a password." } else { "No password: the code is enough." }}</p>
                    <ApiForm action=password class="row">
                        <input type="hidden" name="slug" value=slug2 />
                        <input type="password" name="password" placeholder="New password (empty to remove)" autocomplete="new-password" />
                        <button type="submit">"Set password"</button>
                    </ApiForm>
                    <ErrorMessage error=password_err />
                </section>
        }
    });
    view! {
        <main class="page settings">
            <h1>{room.name.clone()} <A href=format!("/r/{}", room.slug)>"Open board"</A></h1>
            <section class="card">
                <h2>"Name"</h2>
                <ApiForm action=rename class="row">
                    <input type="hidden" name="slug" value=s_rename />
                    <input name="name" value=room.name.clone() required maxlength="80" />
                    <button type="submit">"Rename"</button>
                </ApiForm>
                <ErrorMessage error=rename_err />
            </section>
            {private_section}
            <section class="card">
                <h2>"Members"</h2>
                <Transition fallback=|| ()>
                    {let slug = s_members; move || {
                        let slug = slug.clone();
                        Suspend::new(async move {
                            let Ok(members) = members.await else { return view! { <p class="form-error">"Could not load members."</p> }.into_any() };
                            view! {
                                <ul class="members">
                                    {members.into_iter().map(|m| {
                                        let is_owner = m.role == Role::Owner;
                                        let (slug1, slug2) = (slug.clone(), slug.clone());
                                        let (id1, id2) = (m.user_id.clone(), m.user_id);
                                        view! {
                                            <li>
                                                <span>{m.display_name}</span>
                                                <span class="badge">{m.role.as_str()}</span>
                                                {(!is_owner).then(|| view! {
                                                    <ApiForm action=set_role class="inline">
                                                        <input type="hidden" name="slug" value=slug1 />
                                                        <input type="hidden" name="user_id" value=id1 />
                                                        <input type="hidden" name="role" value=if m.role == Role::Editor { "viewer" } else { "editor" } />
                                                        <button type="submit">{if m.role == Role::Editor { "Make viewer" } else { "Make editor" }}</button>
                                                    </ApiForm>
                                                    <ApiForm action=kick class="inline">
                                                        <input type="hidden" name="slug" value=slug2 />
                                                        <input type="hidden" name="user_id" value=id2 />
                                                        <button type="submit" class="danger">"Remove"</button>
                                                    </ApiForm>
                                                })}
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        })
                    }}
                </Transition>
            </section>
            <section class="card">
                <h2>"Share links"</h2>
                <ApiForm action=share class="row">
                    <input type="hidden" name="slug" value=s_share />
                    <select name="role">
                        <option value="viewer">"View only"</option>
                        <option value="editor">"Can edit"</option>
                    </select>
                    <button type="submit">"Create link"</button>
                </ApiForm>
                <ErrorMessage error=share_err />
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        let links = links.await.unwrap_or_default();
                        view! {
                            <ul class="links">
                                {links.into_iter().map(|l| view! {
                                    <li><code data-testid="share-link">{format!("/join/{}", l.token)}</code> <span class="badge">{l.role.as_str()}</span></li>
                                }).collect_view()}
                            </ul>
                        }
                    })}
                </Transition>
            </section>
            <section class="card danger-zone">
                <h2>"Delete room"</h2>
                <ApiForm action=delete class="row">
                    <input type="hidden" name="slug" value=s_delete />
                    <button type="submit" class="danger">"Delete this room and its board"</button>
                </ApiForm>
            </section>
        </main>
    }
}

/// `/join/:token`: joins the room behind a share link and opens it.
#[component]
pub fn JoinLinkPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let session = session();
    let join = ServerAction::<JoinByLink>::new();
    let error = form_error(join);
    on_success(join, go_to_room(use_navigate()));
    view! {
        <Title text="Join room" />
        <NavBar />
        <main class="page narrow">
            <h1>"Join a room"</h1>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match session.user.await {
                        Ok(Some(_)) => view! {
                            <ApiForm action=join class="stack">
                                <input type="hidden" name="token" value=token() />
                                <button type="submit" class="primary">"Join"</button>
                            </ApiForm>
                        }.into_any(),
                        _ => view! {
                            <p><A href=format!("/signin?next=/join/{}", token())>"Sign in"</A> " to join this room."</p>
                        }.into_any(),
                    }
                })}
            </Transition>
            <ErrorMessage error />
        </main>
    }
}
