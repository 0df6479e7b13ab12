import QRCode from 'qrcode';
import { deviceLabel } from '../../domain/device-label.js';
import type { Device } from '../../services/identity/sessions.service.js';
import { Html, html, layout, shortDate } from './html.js';
import type { PageEnv } from './pages.js';
import { CSRF_FIELD } from './session-cookie.js';

/** The pages of signing in: the form, the signed-in start page, devices and app passwords, and the Login Flow grant. */

export const accountPath = (env: PageEnv, sub = ''): string => `${env.basePath}/account${sub}`;
export const loginPath = (env: PageEnv): string => `${env.basePath}/login`;

export interface LoginView {
  csrf: string;
  redirect: string | null;
  login: string;
  error: string | null;
  /** The trusted external provider's name, when "Sign in with …" is offered. */
  provider?: string | null;
}

/** "Sign in with <provider>": a form, so the start carries the sign-in form's CSRF token like the password form. */
function providerForm(env: PageEnv, view: LoginView): Html {
  if (!view.provider) return html``;
  const redirect = view.redirect ? html`<input type="hidden" name="redirect_url" value="${view.redirect}">` : html``;
  return html`<form class="auth provider" method="post" action="${loginPath(env)}/oidc">
<input type="hidden" name="${CSRF_FIELD}" value="${view.csrf}">${redirect}
<button type="submit" class="secondary">Sign in with ${view.provider}</button>
</form>`;
}

export function loginPage(env: PageEnv, view: LoginView): string {
  const redirect = view.redirect ? html`<input type="hidden" name="redirect_url" value="${view.redirect}">` : html``;
  const body = html`<h1>Sign in to ${env.instanceName}</h1>
${view.error ? html`<p class="error" role="alert">${view.error}</p>` : html``}<form class="auth" method="post" action="${loginPath(env)}">
<input type="hidden" name="${CSRF_FIELD}" value="${view.csrf}">${redirect}
<label>Account name or email <input type="text" name="user" value="${view.login}" autocomplete="username" autocapitalize="none" spellcheck="false" required autofocus></label>
<label>Password <input type="password" name="password" autocomplete="current-password" required></label>
<label class="check"><input type="checkbox" name="remember" value="1"> Stay signed in</label>
<button type="submit">Sign in</button>
</form>${providerForm(env, view)}`;
  return layout('Sign in', body, env, { narrow: true });
}

/**
 * After signing in on the way through the OpenID Connect provider: the
 * browser goes on by a refresh rather than a redirect of the form, because
 * browsers hold every redirect of a form post to its page's form-action
 * ('self'), and the provider's last redirect goes to the app's own address.
 */
export function continuePage(env: PageEnv, next: string): string {
  const body = html`<h1>Signed in</h1><p>Returning to the app… <a href="${next}">Continue</a></p>`;
  return layout('Signed in', body, env, { narrow: true }).replace('<head>', `<head>\n<meta http-equiv="refresh" content="0;url=${next.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)}">`);
}

function signOutForm(env: PageEnv, csrf: string): Html {
  return html`<form class="inline" method="post" action="${env.basePath}/logout"><input type="hidden" name="${CSRF_FIELD}" value="${csrf}"><button type="submit" class="secondary">Sign out</button></form>`;
}

export function accountPage(env: PageEnv, view: { displayName: string; userId: string; csrf: string }): string {
  const body = html`<h1>You are signed in as ${view.displayName}</h1>
<p class="meta">Account: ${view.userId}</p>
<p><a class="button" href="${accountPath(env, '/devices')}">Devices &amp; sessions</a> ${signOutForm(env, view.csrf)}</p>`;
  return layout('Signed in', body, env);
}

const when = (ms: number | null): Html => (ms === null ? html`never` : html`<time datetime="${new Date(ms).toISOString()}">${shortDate(ms)}</time>`);

function deviceRow(env: PageEnv, d: Device, csrf: string): Html {
  const kind = d.kind === 'session' ? 'Browser session' : 'App password';
  const label = d.current ? 'Sign out' : 'Revoke';
  const name = deviceLabel(d.name);
  return html`<tr><td><span title="${d.name}">${name}</span>${d.current ? html` <strong>(this browser)</strong>` : html``}<br><small class="meta">${d.name}</small></td><td class="nowrap">${kind}</td><td class="num">${when(d.createdAt)}</td><td class="num">${when(d.lastUsedAt)}</td>
<td><form class="inline" method="post" action="${accountPath(env, '/devices/revoke')}"><input type="hidden" name="${CSRF_FIELD}" value="${csrf}"><input type="hidden" name="kind" value="${d.kind}"><input type="hidden" name="id" value="${d.id}"><button type="submit" class="danger nowrap" aria-label="${label} ${name}">${label}</button></form></td></tr>`;
}

export interface DevicesView {
  devices: Device[];
  csrf: string;
  notice: string | null;
}

export function devicesPage(env: PageEnv, view: DevicesView): string {
  const rows = view.devices.map((d) => deviceRow(env, d, view.csrf));
  const table = rows.length
    ? html`<table><thead><tr><th>Device</th><th>Kind</th><th class="num">Created</th><th class="num">Last used</th><th><span class="meta">Action</span></th></tr></thead><tbody>${rows}</tbody></table>`
    : html`<p class="meta">No devices.</p>`;
  const body = html`<p class="crumbs"><a href="${accountPath(env)}">Account</a> / <span>Devices &amp; sessions</span></p>
<h1>Devices &amp; sessions</h1>
<p class="meta">Web, desktop and mobile clients that are signed in to your account. Revoking one signs it out at its next request.</p>
${view.notice ? html`<p class="ok" role="status">${view.notice}</p>` : html``}${table}
<h2>Create a new app password</h2>
<p class="meta">For a client that signs in with a password instead of in the browser. It is shown only once.</p>
<form class="auth" method="post" action="${accountPath(env, '/devices/app-password')}">
<input type="hidden" name="${CSRF_FIELD}" value="${view.csrf}">
<label>App name <input type="text" name="name" maxlength="120" required placeholder="e.g. Phone"></label>
<button type="submit">Create new app password</button>
</form>`;
  return layout('Devices & sessions', body, env);
}

/** The form of link Nextcloud's mobile apps scan and Login Flow v1 redirects to (client_apis/LoginFlow: values URL-encoded). */
export const ncLoginUrl = (server: string, loginName: string, password: string): string =>
  `nc://login/server:${encodeURIComponent(server)}&user:${encodeURIComponent(loginName)}&password:${encodeURIComponent(password)}`;

export async function appPasswordPage(env: PageEnv, view: { name: string; loginName: string; password: string; server: string }): Promise<string> {
  const link = ncLoginUrl(view.server, view.loginName, view.password);
  // The library draws only rects and paths from the text it is given: trusted markup.
  const qr = new Html(await QRCode.toString(link, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' }));
  const body = html`<p class="crumbs"><a href="${accountPath(env)}">Account</a> / <a href="${accountPath(env, '/devices')}">Devices &amp; sessions</a></p>
<h1>New app password for ${view.name}</h1>
<p class="ok" role="status">Use these credentials in your client. The password is shown only now.</p>
<p>Login name</p><p class="secret">${view.loginName}</p>
<p>Password</p><p class="secret" id="app-password">${view.password}</p>
<p>Or scan this with the Nextcloud mobile app:</p>
<div class="qr" role="img" aria-label="QR code for signing in the mobile app">${qr}</div>
<p><a href="${link}">Open in the Nextcloud app</a></p>
<p><a class="button" href="${accountPath(env, '/devices')}">Done</a></p>`;
  return layout('New app password', body, env);
}

export interface GrantView {
  clientName: string;
  displayName: string;
  csrf: string;
  loginToken: string;
  action: string;
}

/** Login Flow: which client asks, and the button that grants it (Nextcloud's "Account access" page). */
export function grantPage(env: PageEnv, view: GrantView): string {
  const body = html`<h1>Account access</h1>
<p><strong>${deviceLabel(view.clientName)}</strong> wants access to your account <strong>${view.displayName}</strong>.</p>
<p class="meta"><small>${view.clientName}</small></p>
<p class="meta">It gets an app password of its own, which you can revoke under Devices &amp; sessions.</p>
<form method="post" action="${view.action}">
<input type="hidden" name="${CSRF_FIELD}" value="${view.csrf}"><input type="hidden" name="token" value="${view.loginToken}">
<button type="submit">Grant access</button>
</form>`;
  return layout('Account access', body, env, { narrow: true });
}

export function grantedPage(env: PageEnv, clientName: string): string {
  const body = html`<h1>Account connected</h1>
<p class="ok" role="status">${deviceLabel(clientName)} is now signed in. You can close this window.</p>`;
  return layout('Account connected', body, env, { narrow: true });
}
