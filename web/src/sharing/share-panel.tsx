import { useEffect, useRef, useState } from 'preact/hooks';
import { DavTree, type Entry } from '../api/dav.js';
import { ApiError, SignedOut, signInAgain } from '../api/http.js';
import { createShare, removeShare, SHARE_TYPE, type Share, type ShareChange, type Sharee, sharesOf, updateShare } from '../api/shares.js';
import { ConfirmDialog } from '../files/dialogs.js';
import { type Access, ACCESS_LABEL, accessOf, canReshare, internalPermissions, type LinkAccess, linkAccessOf, linkPermissions } from './permissions.js';
import { SEARCH_ID, ShareeSearch } from './sharee-search.js';
import './sharing.css';

/** The toolbar's "Share": brings the selected item's sharing section into view and puts the cursor in its search. */
export function focusSharing(): void {
  const target = document.getElementById(SEARCH_ID) ?? document.getElementById('sharing-title');
  target?.scrollIntoView({ block: 'nearest' });
  target?.focus();
}

const nameOf = (s: Share): string => s.share_with_displayname || s.share_with || '';

type Confirm = { share: Share; title: string; action: string };

/**
 * The "Sharing" section of the details of one item of the personal files:
 * who has it and with which rights, its public links, and the controls to
 * change all of that. Items of a space are shared as the space's members.
 */
export function SharePanel({ tree, user, entry, onChanged }: { tree: DavTree; user: string; entry: Entry; onChanged(): void }) {
  const personal = tree.root === DavTree.personal(user).root;
  const path = '/' + entry.path.join('/');
  const itemType = entry.folder ? 'folder' : 'file';
  const [shares, setShares] = useState<Share[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [access, setAccess] = useState<Access>('edit');
  const [reshare, setReshare] = useState(false);
  const [confirm, setConfirm] = useState<Confirm | null>(null);
  const [askPassword, setAskPassword] = useState(false);
  const [newPassword, setNewPassword] = useState('');

  const fail = (err: unknown) => {
    if (err instanceof SignedOut) return signInAgain();
    setProblem(err instanceof ApiError ? err.message : 'Something went wrong. Try again.');
  };
  const reload = () => sharesOf(path).then(setShares).catch(fail);
  const run = async (work: () => Promise<unknown>): Promise<boolean> => {
    setProblem(null);
    try {
      await work();
      onChanged();
      return true;
    } catch (err) {
      fail(err);
      return false;
    } finally {
      await reload();
    }
  };

  useEffect(() => {
    setShares(null);
    setProblem(null);
    setAskPassword(false);
    if (personal) void reload();
  }, [path, personal]);

  if (!personal) {
    return (
      <section class="sharing" aria-labelledby="sharing-title">
        <h3 id="sharing-title" tabIndex={-1}>Sharing</h3>
        <p class="muted-small">What is in a space is shared by making people members of the space.</p>
      </section>
    );
  }
  const internal = (shares ?? []).filter((s) => s.share_type !== SHARE_TYPE.link);
  const links = (shares ?? []).filter((s) => s.share_type === SHARE_TYPE.link);
  const taken = new Set(internal.map((s) => `${s.share_type}:${s.share_with}`));

  const add = (s: Sharee) => void run(() => createShare({ path, shareType: s.shareType, shareWith: s.shareWith, permissions: internalPermissions(access, reshare, itemType) }));
  const addLink = async () => {
    const done = await run(() => createShare({ path, shareType: SHARE_TYPE.link, permissions: linkPermissions('view', itemType), ...(askPassword && newPassword ? { password: newPassword } : {}) }));
    if (done) {
      setAskPassword(false);
      setNewPassword('');
    } else setAskPassword(true);
  };

  return (
    <section class="sharing" aria-labelledby="sharing-title">
      <h3 id="sharing-title">Sharing</h3>
      <ShareeSearch itemType={itemType} exclude={taken} onPick={add} />
      <div class="share-defaults">
        <label>
          New shares
          <select value={access} onChange={(e) => setAccess((e.target as HTMLSelectElement).value as Access)}>
            <option value="view">View only</option>
            <option value="edit">Can edit</option>
          </select>
        </label>
        <label class="inline"><input type="checkbox" checked={reshare} onChange={(e) => setReshare((e.target as HTMLInputElement).checked)} /> Can reshare</label>
      </div>
      {problem && <p class="field-error" role="alert">{problem}</p>}
      {shares === null ? <p class="muted-small">Loading shares…</p> : (
        <>
          <ul class="share-list" aria-label="Shared with">
            {internal.map((s) => (
              <InternalRow key={s.id} share={s} itemType={itemType} onChange={(c) => void run(() => updateShare(s.id, c))} onRemove={() => setConfirm({ share: s, title: `Stop sharing with ${nameOf(s)}?`, action: 'Remove share' })} />
            ))}
            {internal.length === 0 && <li class="muted-small">Not shared with anyone yet.</li>}
          </ul>
          <h4>Public links</h4>
          <ul class="share-list" aria-label="Public links">
            {links.map((s) => (
              <LinkRow key={s.id} share={s} itemType={itemType} save={(c) => run(() => updateShare(s.id, c))} onRemove={() => setConfirm({ share: s, title: 'Remove this public link?', action: 'Remove link' })} />
            ))}
          </ul>
          {askPassword && (
            <label class="stacked">
              Password for the new link
              <input type="password" autocomplete="new-password" value={newPassword} onInput={(e) => setNewPassword((e.target as HTMLInputElement).value)} />
            </label>
          )}
          <button type="button" onClick={() => void addLink()}>{askPassword ? 'Create link with this password' : 'Create public link'}</button>
        </>
      )}
      {confirm && (
        <ConfirmDialog
          title={confirm.title}
          message={confirm.share.share_type === SHARE_TYPE.link ? 'Anyone opening this link will no longer reach the item.' : `${nameOf(confirm.share)} will no longer have access.`}
          action={confirm.action}
          onClose={() => setConfirm(null)}
          onConfirm={() => {
            const id = confirm.share.id;
            setConfirm(null);
            void run(() => removeShare(id));
          }}
        />
      )}
    </section>
  );
}

function InternalRow({ share, itemType, onChange, onRemove }: { share: Share; itemType: 'file' | 'folder'; onChange(c: ShareChange): void; onRemove(): void }) {
  const name = nameOf(share);
  const access = accessOf(share.permissions);
  const reshare = canReshare(share.permissions);
  return (
    <li class="share-row" data-share={share.share_with ?? ''}>
      <div class="share-who">
        <strong>{name}</strong>
        <span class="muted-small">{share.share_type === SHARE_TYPE.group ? 'Group' : share.share_type === SHARE_TYPE.remote ? 'Federated' : share.share_with}</span>
      </div>
      <div class="share-controls">
        <select aria-label={`Permissions for ${name}`} value={access} onChange={(e) => onChange({ permissions: internalPermissions((e.target as HTMLSelectElement).value as Access, reshare, itemType) })}>
          <option value="view">View only</option>
          <option value="edit">Can edit</option>
        </select>
        <label class="inline"><input type="checkbox" checked={reshare} onChange={(e) => onChange({ permissions: internalPermissions(access, (e.target as HTMLInputElement).checked, itemType) })} /> Can reshare</label>
        <button type="button" class="danger" aria-label={`Remove share with ${name}`} onClick={onRemove}>Remove</button>
      </div>
    </li>
  );
}

const dayOf = (expiration: string | null): string => (expiration ? expiration.slice(0, 10) : '');

function LinkRow({ share, itemType, save, onRemove }: { share: Share; itemType: 'file' | 'folder'; save(c: ShareChange): Promise<boolean>; onRemove(): void }) {
  const url = share.url ?? '';
  const title = share.label || 'Public link';
  const protectedLink = !!share.password;
  const [editing, setEditing] = useState(false);
  const [copied, setCopied] = useState<string | null>(null);
  const address = useRef<HTMLInputElement>(null);
  const form = useRef<HTMLFormElement>(null);
  const [label, setLabel] = useState(share.label ?? '');
  const [access, setAccess] = useState<LinkAccess>(linkAccessOf(share.permissions));
  const [hide, setHide] = useState(share.hide_download === 1);
  const [expiry, setExpiry] = useState(dayOf(share.expiration));
  const [password, setPassword] = useState('');

  useEffect(() => {
    setLabel(share.label ?? '');
    setAccess(linkAccessOf(share.permissions));
    setHide(share.hide_download === 1);
    setExpiry(dayOf(share.expiration));
  }, [share]);

  // Opened settings come into view, the cursor in their first field.
  useEffect(() => {
    if (!editing) return;
    form.current?.scrollIntoView({ block: 'nearest' });
    form.current?.querySelector('input')?.focus({ preventScroll: true });
  }, [editing]);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(url);
      setCopied('Copied');
    } catch {
      address.current?.select();
      setCopied('Selected: press Ctrl+C to copy');
    }
    setTimeout(() => setCopied(null), 4000);
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    const c: ShareChange = {};
    if (label !== (share.label ?? '')) c.label = label;
    if (access !== linkAccessOf(share.permissions)) c.permissions = linkPermissions(access, itemType);
    if (hide !== (share.hide_download === 1)) c.hideDownload = hide;
    if (expiry !== dayOf(share.expiration)) c.expireDate = expiry;
    if (password) c.password = password;
    if (Object.keys(c).length === 0) return setEditing(false);
    if (await save(c)) {
      setPassword('');
      setEditing(false);
    }
  };

  const formId = `link-settings-${share.id}`;
  return (
    <li class="share-row link-row" data-token={share.token ?? ''}>
      <div class="share-who">
        <strong>{title}</strong>
        <span class="muted-small">
          {ACCESS_LABEL[linkAccessOf(share.permissions)]}
          {protectedLink ? ' · password' : ''}
          {share.expiration ? ` · expires ${dayOf(share.expiration)}` : ''}
          {share.hide_download ? ' · download hidden' : ''}
        </span>
      </div>
      <div class="link-address">
        <input ref={address} type="text" readOnly value={url} aria-label={`Address of ${title}`} onFocus={(e) => (e.target as HTMLInputElement).select()} />
        <button type="button" class="primary" onClick={() => void copy()}>Copy link</button>
      </div>
      <p class="copied" role="status">{copied ?? ''}</p>
      <div class="share-controls">
        <button type="button" aria-expanded={editing ? 'true' : 'false'} aria-controls={formId} onClick={() => setEditing((v) => !v)}>Link settings</button>
        <button type="button" class="danger" aria-label={`Remove link ${title}`} onClick={onRemove}>Remove</button>
      </div>
      {editing && (
        <form ref={form} id={formId} class="link-settings" aria-label={`Settings of ${title}`} onSubmit={(e) => void submit(e)}>
          <label class="stacked">
            Label
            <input type="text" value={label} maxLength={255} onInput={(e) => setLabel((e.target as HTMLInputElement).value)} />
          </label>
          <label class="stacked">
            Anyone with the link
            <select value={access} onChange={(e) => setAccess((e.target as HTMLSelectElement).value as LinkAccess)}>
              <option value="view">{ACCESS_LABEL.view}</option>
              <option value="edit">{ACCESS_LABEL.edit}</option>
              {itemType === 'folder' && <option value="drop">{ACCESS_LABEL.drop}</option>}
            </select>
          </label>
          <label class="inline"><input type="checkbox" checked={hide} onChange={(e) => setHide((e.target as HTMLInputElement).checked)} /> Hide download</label>
          <label class="stacked">
            {protectedLink ? 'New password (leave empty to keep the current one)' : 'Password (optional)'}
            <input type="password" autocomplete="new-password" value={password} onInput={(e) => setPassword((e.target as HTMLInputElement).value)} />
          </label>
          {protectedLink && <button type="button" onClick={() => void save({ password: '' })}>Remove password</button>}
          <label class="stacked">
            Expires on (empty: never)
            <input type="date" value={expiry} min={new Date().toISOString().slice(0, 10)} onInput={(e) => setExpiry((e.target as HTMLInputElement).value)} />
          </label>
          <div class="buttons">
            <button type="button" onClick={() => setEditing(false)}>Cancel</button>
            <button type="submit" class="primary">Save</button>
          </div>
        </form>
      )}
    </li>
  );
}
