import { test, expect } from '@playwright/test';
import { createRoomViaApi, open, signUpViaApi, uniqueEmail, waitForBoard } from './helpers';

test('sign up, create a private room, and a second person joins by code and password', async ({ page, browser }) => {
  // The owner signs up through the form.
  await open(page, '/signup');
  await page.getByLabel('Email').fill(uniqueEmail('owner'));
  await page.getByLabel('Display name').fill('Olivia');
  await page.getByLabel('Password').fill('correct horse');
  await page.getByRole('button', { name: 'Sign up' }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByTestId('signed-in-as')).toHaveText('Olivia');

  // …and creates a private room with a password.
  const roomName = `Design crit ${Date.now()}`;
  await page.getByLabel('Name').fill(roomName);
  await page.getByLabel('Visibility').selectOption('true');
  await page.getByLabel('Password (private rooms, optional)').fill('letmein1');
  await page.getByRole('button', { name: 'Create room' }).click();
  await expect(page).toHaveURL(/\/r\/design-crit-/);
  await waitForBoard(page);
  await expect(page.getByTestId('role')).toHaveText('owner');
  const code = (await page.getByTestId('room-code').textContent())!.trim();
  expect(code).toMatch(/^[2-9A-HJKMNP-Z]{6}$/);
  const roomUrl = page.url();

  // A second person, in a separate browser context (own cookies), cannot see the room yet.
  const guestContext = await browser.newContext();
  const guest = await guestContext.newPage();
  await signUpViaApi(guest.request, 'Gus');
  await open(guest, roomUrl);
  await expect(guest.getByRole('heading', { name: 'Room not found' })).toBeVisible();

  // A wrong password is refused with a clear message…
  await open(guest, '/dashboard');
  await guest.getByLabel('Room code').fill(code.toLowerCase());
  await guest.getByLabel('Password (if the room has one)').fill('guessing');
  await guest.getByRole('button', { name: 'Join room' }).click();
  await expect(guest.getByRole('alert')).toHaveText('wrong room code or password');
  await expect(guest).toHaveURL(/\/dashboard$/);

  // …the right one opens the board as an editor.
  await guest.getByLabel('Password (if the room has one)').fill('letmein1');
  await guest.getByRole('button', { name: 'Join room' }).click();
  await expect(guest).toHaveURL(roomUrl);
  await waitForBoard(guest);
  await expect(guest.getByTestId('role')).toHaveText('editor');
  await expect(guest.locator('[data-tool=rectangle]')).toBeVisible();

  // Leaving takes the room off the guest's dashboard.
  await guest.getByRole('button', { name: 'Leave' }).click();
  await expect(guest).toHaveURL(/\/dashboard$/);
  await expect(guest.getByText('You are not in any room yet.')).toBeVisible();
  await guestContext.close();
});

test('a view-only share link gives a read-only board', async ({ page, browser }) => {
  await signUpViaApi(page.request, 'Owner');
  const room = await createRoomViaApi(page.request, `Gallery ${Date.now()}`, true);
  const link = await page.request.post('/api/rooms/share-links/create', {
    data: { slug: room.slug, role: 'viewer' },
  });
  const { token } = await link.json();

  const viewerContext = await browser.newContext();
  const viewer = await viewerContext.newPage();
  await signUpViaApi(viewer.request, 'Vera');
  await open(viewer, `/join/${token}`);
  await viewer.getByRole('button', { name: 'Join' }).click();
  await expect(viewer).toHaveURL(new RegExp(`/r/${room.slug}$`));
  await waitForBoard(viewer);
  await expect(viewer.getByTestId('role')).toHaveText('viewer');
  await expect(viewer.getByText('View only')).toBeVisible();
  await expect(viewer.locator('[data-tool=rectangle]')).toHaveCount(0);
  await viewerContext.close();
});

test('signing in never follows ?next= to another site', async ({ page }) => {
  // Browsers read a backslash, a tab or a newline after the leading slash as a second slash:
  // `/\evil.example` is `//evil.example`, a page of another site.
  const { email, password } = await signUpViaApi(page.request, 'Nina');
  for (const next of ['/\\evil.example', '/%09/evil.example', '//evil.example', '/%0a/evil.example']) {
    await page.request.post('/api/auth/sign-out', { data: {} });
    await open(page, `/signin?next=${next}`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(/\/dashboard$/);
    expect(new URL(page.url()).host).not.toContain('evil');
  }
  // A local path is still followed.
  await page.request.post('/api/auth/sign-out', { data: {} });
  await open(page, '/signin?next=/signup');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/signup$/);
});

test('a member removed from a room is shown it at once', async ({ page, browser }) => {
  await signUpViaApi(page.request, 'Owner');
  const room = await createRoomViaApi(page.request, `Crew ${Date.now()}`, true);
  const guestContext = await browser.newContext();
  const guest = await guestContext.newPage();
  const gus = await signUpViaApi(guest.request, 'Gus');
  const joined = await guest.request.post('/api/rooms/join-code', { data: { code: room.code } });
  expect(joined.status()).toBe(200);
  await open(guest, `/r/${room.slug}`);
  await waitForBoard(guest);
  await expect(guest.getByTestId('link-state')).toHaveAttribute('data-state', 'live');

  const me = await guest.request.post('/api/auth/me', { data: {} });
  const members = await page.request.post('/api/rooms/members', { data: { slug: room.slug } });
  const gusId = (await members.json()).find((m: { display_name: string }) => m.display_name === 'Gus').user_id;
  expect((await me.json()).id).toBe(gusId);
  const kicked = await page.request.post('/api/rooms/kick', { data: { slug: room.slug, user_id: gusId } });
  expect(kicked.status()).toBe(200);
  await expect(guest.getByTestId('link-state')).toHaveAttribute('data-state', 'revoked', { timeout: 5_000 });
  await expect(guest.getByTestId('link-state')).toHaveText(/removed from this room/);
  expect(gus.email).toContain('gus');
  await guestContext.close();
});
