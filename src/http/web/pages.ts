import type { FileNode } from '../../domain/node.js';
import { type Html, html, humanSize, layout, shortDate } from './html.js';
import { CSRF_FIELD } from './session.js';
import { pathQuery } from './share-paths.js';

/** The share page's views: what the link shows, its password prompt, and every error as a page. */

export interface PageEnv {
  instanceName: string;
  /** The theming colour (INSTANCE_COLOR). */
  color: string;
  /** Path prefix of the public URL, '' at the root of a host. */
  basePath: string;
}

export const shareUrl = (env: PageEnv, token: string): string => `${env.basePath}/s/${encodeURIComponent(token)}`;

export interface UploadBox {
  target: readonly string[];
  csrf: string;
  /** Upload-only links ask for a name to file uploads under (required for file requests). */
  nickname: 'none' | 'optional' | 'required';
  /** Links that may change files offer to replace same-named files instead of keeping both. */
  canReplace: boolean;
}

export interface ShareView {
  token: string;
  /** Name of the shared file or folder. */
  name: string;
  note: string;
  /** The file or folder shown; null for upload-only links, which show nothing of what the folder holds. */
  node: FileNode | null;
  /** Place of `node` below the shared node. */
  rel: readonly string[];
  children: FileNode[] | null;
  canDownload: boolean;
  upload: UploadBox | null;
  /** Files just uploaded (after the redirect). */
  uploaded: number | null;
}

function crumbs(env: PageEnv, view: ShareView): Html {
  if (!view.rel.length) return html``;
  const base = shareUrl(env, view.token);
  const parts = [html`<a href="${base}">${view.name}</a>`];
  view.rel.forEach((seg, i) => {
    parts.push(i === view.rel.length - 1 ? html`/ <span>${seg}</span>` : html`/ <a href="${base}${pathQuery(view.rel.slice(0, i + 1))}">${seg}</a>`);
  });
  return html`<nav class="crumbs">${parts}</nav>`;
}

function listing(env: PageEnv, view: ShareView): Html {
  const base = shareUrl(env, view.token);
  const rows = view.children!.map((child) => {
    const rel = [...view.rel, child.name];
    const name =
      child.type === 'folder'
        ? html`<a href="${base}${pathQuery(rel)}">${child.name}/</a>`
        : view.canDownload
          ? html`<a href="${base}/download${pathQuery(rel)}">${child.name}</a>`
          : html`${child.name}`;
    return html`<tr><td>${name}</td><td class="num">${humanSize(child.size)}</td><td class="num"><time datetime="${new Date(child.mtime).toISOString()}">${shortDate(child.mtime)}</time></td></tr>`;
  });
  if (!rows.length) return html`<p class="meta">This folder is empty.</p>`;
  return html`<table><thead><tr><th>Name</th><th class="num">Size</th><th class="num">Modified</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function uploadForm(env: PageEnv, token: string, box: UploadBox): Html {
  const nickname =
    box.nickname === 'none'
      ? html``
      : html`<label>Your name${box.nickname === 'optional' ? ' (optional)' : ''} <input type="text" name="nickname" maxlength="64"${box.nickname === 'required' ? html` required` : html``}></label>`;
  const replace = box.canReplace ? html`<label><input type="checkbox" name="replace" value="1"> Replace files that have the same name</label>` : html``;
  return html`<form class="upload" method="post" action="${shareUrl(env, token)}/upload${pathQuery(box.target)}" enctype="multipart/form-data">
<input type="hidden" name="${CSRF_FIELD}" value="${box.csrf}">
${nickname}${replace}<label>Upload files <input type="file" name="files" multiple required></label>
<button type="submit">Upload</button>
</form>`;
}

export function sharePage(env: PageEnv, view: ShareView): string {
  const base = shareUrl(env, view.token);
  const node = view.node;
  const title = view.rel.length ? view.rel[view.rel.length - 1]! : view.name;
  const notice = view.uploaded !== null ? html`<p class="ok">${view.uploaded === 1 ? '1 file was uploaded.' : `${view.uploaded} files were uploaded.`}</p>` : html``;
  const note = view.note ? html`<p class="note">${view.note}</p>` : html``;
  if (!node) {
    const body = html`<h1>${view.name}</h1>
${note}<p class="meta">Upload files to ${view.name}. What the folder holds is not shown.</p>
${notice}${view.upload ? uploadForm(env, view.token, view.upload) : html``}`;
    return layout(view.name, body, env);
  }
  const folder = node.type === 'folder';
  const download = view.canDownload
    ? html`<p><a class="button" href="${base}/download${pathQuery(view.rel)}" download>${folder ? 'Download folder (zip)' : `Download (${humanSize(node.size)})`}</a></p>`
    : html``;
  const body = html`${crumbs(env, view)}<h1>${title}</h1>
<p class="meta">${folder ? 'Folder' : node.mimeType} · ${humanSize(node.size)} · modified <time datetime="${new Date(node.mtime).toISOString()}">${shortDate(node.mtime)}</time></p>
${note}${notice}${download}${folder && view.children ? listing(env, view) : html``}${view.upload ? uploadForm(env, view.token, view.upload) : html``}`;
  return layout(title, body, env);
}

export interface PasswordView {
  token: string;
  csrf: string;
  /** Where to go back to after the password: a place below the shared node. */
  rel: readonly string[];
  wrong: boolean;
}

/** Nextcloud's publicshareauth page and message. */
export function passwordPage(env: PageEnv, view: PasswordView): string {
  const back = view.rel.length ? html`<input type="hidden" name="path" value="${`/${view.rel.join('/')}`}">` : html``;
  const body = html`<h1>This share is password-protected</h1>
${view.wrong ? html`<p class="error" role="alert">The password is wrong or expired. Please check it and try again.</p>` : html``}<form class="auth" method="post" action="${shareUrl(env, view.token)}/authenticate">
<input type="hidden" name="${CSRF_FIELD}" value="${view.csrf}">${back}
<label>Password <input type="password" name="password" autocomplete="current-password" required autofocus></label>
<button type="submit">Submit</button>
</form>`;
  return layout('Password required', body, env);
}

export function errorPage(env: PageEnv, title: string, message: string): string {
  return layout(title, html`<h1>${title}</h1>\n<p>${message}</p>`, env);
}
