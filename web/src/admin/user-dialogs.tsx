import { useState } from 'preact/hooks';
import { ApiError, SignedOut, signInAgain } from '../api/http.js';
import { Modal } from '../files/dialogs.js';
import { humanSize } from '../format.js';
import * as api from './provisioning.js';
import type { GroupRow, UserRow } from './provisioning.js';

const value = (e: Event) => (e.target as HTMLInputElement).value;

/** Runs the calls of a dialog; the server's refusal becomes the sentence shown, a lost session the sign-in page. */
function useRunner() {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async (what: string, steps: () => Promise<void>): Promise<boolean> => {
    setBusy(true);
    setError(null);
    try {
      await steps();
      return true;
    } catch (err) {
      if (err instanceof SignedOut) signInAgain();
      else setError(err instanceof ApiError ? `Could not ${what}: ${err.message}` : `Could not ${what}.`);
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { error, busy, run };
}

/** Checkboxes for groups; `locked` ones are shown but cannot change (groups a subadmin does not manage). */
function GroupPicker({ legend, groups, chosen, onChange, locked }: { legend: string; groups: string[]; chosen: Set<string>; onChange(next: Set<string>): void; locked?: (g: string) => boolean }) {
  if (!groups.length) return null;
  return (
    <fieldset class="group-picker">
      <legend>{legend}</legend>
      {groups.map((g) => (
        <label key={g} class="inline">
          <input
            type="checkbox"
            checked={chosen.has(g)}
            disabled={locked?.(g)}
            onChange={(e) => {
              const next = new Set(chosen);
              if ((e.target as HTMLInputElement).checked) next.add(g);
              else next.delete(g);
              onChange(next);
            }}
          />
          {g}
        </label>
      ))}
    </fieldset>
  );
}

/**
 * A new account. A password is required: the provisioning API would accept
 * an email address instead and "send a password link", but Nimbus sends no
 * mail, so such an account could never sign in.
 */
export function NewUserDialog({ groups, admin, onDone, onClose }: { groups: GroupRow[]; admin: boolean; onDone(id: string): void; onClose(): void }) {
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [quota, setQuota] = useState('');
  const [chosen, setChosen] = useState(new Set<string>());
  const [sub, setSub] = useState(new Set<string>());
  const { error, busy, run } = useRunner();
  const needsGroup = !admin && chosen.size === 0;
  const submit = async (e: Event) => {
    e.preventDefault();
    const body: Record<string, string | string[]> = { userid: id.trim(), password };
    if (name.trim()) body.displayName = name.trim();
    if (email.trim()) body.email = email.trim();
    if (quota.trim()) body.quota = quota.trim();
    if (chosen.size) body.groups = [...chosen];
    if (sub.size) body.subadmin = [...sub];
    if (await run('create the user', async () => void (await api.createUser(body)))) onDone(id.trim());
  };
  const ids = groups.map((g) => g.id);
  return (
    <Modal title="New user" onClose={onClose}>
      <form class="admin-form" onSubmit={submit}>
        <label>User name<input type="text" value={id} required autoFocus autoComplete="off" onInput={(e) => setId(value(e))} /></label>
        <label>Display name<input type="text" value={name} onInput={(e) => setName(value(e))} /></label>
        <label>Email<input type="email" value={email} onInput={(e) => setEmail(value(e))} /></label>
        <label>Password<input type="password" value={password} required autoComplete="new-password" onInput={(e) => setPassword(value(e))} /></label>
        <label>Quota<input type="text" value={quota} placeholder="Default (for example 5 GB, or none)" onInput={(e) => setQuota(value(e))} /></label>
        <GroupPicker legend="Groups" groups={ids.filter((g) => admin || groups.find((x) => x.id === g)?.canAdd)} chosen={chosen} onChange={setChosen} />
        {admin && <GroupPicker legend="Subadmin of" groups={ids.filter((g) => g !== 'admin')} chosen={sub} onChange={setSub} />}
        {needsGroup && <p class="dialog-note">Choose at least one of your groups for the new user.</p>}
        {error && <p class="field-error" role="alert">{error}</p>}
        <div class="buttons">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" class="primary" disabled={busy || !id.trim() || !password || needsGroup}>Create user</button>
        </div>
      </form>
    </Modal>
  );
}

const quotaField = (u: UserRow) => (u.quota.quota >= 0 && u.quota.total ? humanSize(u.quota.total) : '');

/** Edits what the caller may change: profile fields and quota, groups, and (admins only) the groups the user administers. */
export function EditUserDialog({ user, groups, admin, onDone, onClose }: { user: UserRow; groups: GroupRow[]; admin: boolean; onDone(): void; onClose(): void }) {
  const [name, setName] = useState(user.displayname);
  const [email, setEmail] = useState(user.email ?? '');
  const [quota, setQuota] = useState(quotaField(user));
  const [chosen, setChosen] = useState(new Set(user.groups));
  const [sub, setSub] = useState(new Set(user.subadmin));
  const { error, busy, run } = useRunner();
  const manageable = (g: string) => admin || !!groups.find((x) => x.id === g && x.canAdd);
  const submit = async (e: Event) => {
    e.preventDefault();
    const ok = await run('save the changes', async () => {
      if (name.trim() !== user.displayname) await api.editUser(user.id, 'displayname', name.trim());
      if (email.trim() !== (user.email ?? '')) await api.editUser(user.id, 'email', email.trim());
      if (quota.trim() !== quotaField(user)) await api.editUser(user.id, 'quota', quota.trim() || 'none');
      for (const g of chosen) if (!user.groups.includes(g)) await api.addToGroup(user.id, g);
      for (const g of user.groups) if (!chosen.has(g)) await api.removeFromGroup(user.id, g);
      if (admin) {
        for (const g of sub) if (!user.subadmin.includes(g)) await api.addSubadmin(user.id, g);
        for (const g of user.subadmin) if (!sub.has(g)) await api.removeSubadmin(user.id, g);
      }
    });
    // Part of the changes may have landed before a refusal: the list shows what the server holds.
    onDone();
    if (ok) onClose();
  };
  const all = [...new Set([...groups.map((g) => g.id), ...user.groups])];
  return (
    <Modal title={`Edit ${user.id}`} onClose={onClose}>
      <form class="admin-form" onSubmit={submit}>
        <label>Display name<input type="text" value={name} autoFocus onInput={(e) => setName(value(e))} /></label>
        <label>Email<input type="email" value={email} onInput={(e) => setEmail(value(e))} /></label>
        <label>Quota<input type="text" value={quota} placeholder="Unlimited (for example 5 GB)" onInput={(e) => setQuota(value(e))} /></label>
        <GroupPicker legend="Groups" groups={all} chosen={chosen} onChange={setChosen} locked={(g) => !manageable(g)} />
        {admin && <GroupPicker legend="Subadmin of" groups={all.filter((g) => g !== 'admin')} chosen={sub} onChange={setSub} />}
        {error && <p class="field-error" role="alert">{error}</p>}
        <div class="buttons">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" class="primary" disabled={busy}>Save</button>
        </div>
      </form>
    </Modal>
  );
}

/** Deleting an account removes its files for good: the person types its name to confirm. */
export function DeleteDialog({ kind, id, onConfirm, onClose }: { kind: 'user' | 'group'; id: string; onConfirm(): Promise<boolean>; onClose(): void }) {
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const what = kind === 'user' ? `This deletes the account "${id}" and all of its files. It cannot be undone.` : `This deletes the group "${id}". Its members keep their accounts.`;
  return (
    <Modal title={`Delete ${kind} ${id}`} onClose={onClose}>
      <form
        class="admin-form"
        onSubmit={async (e) => {
          e.preventDefault();
          if (typed !== id) return;
          setBusy(true);
          if (await onConfirm()) onClose();
          setBusy(false);
        }}
      >
        <p>{what}</p>
        <label>Type "{id}" to confirm<input type="text" value={typed} autoFocus autoComplete="off" onInput={(e) => setTyped(value(e))} /></label>
        <div class="buttons">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" class="danger" disabled={busy || typed !== id}>{kind === 'user' ? 'Delete user' : 'Delete group'}</button>
        </div>
      </form>
    </Modal>
  );
}
