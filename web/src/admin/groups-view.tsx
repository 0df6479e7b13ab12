import { useEffect, useState } from 'preact/hooks';
import { ApiError, SignedOut, signInAgain } from '../api/http.js';
import { isAdmin } from '../api/ocs.js';
import { Modal } from '../files/dialogs.js';
import type { ViewProps } from '../views.js';
import './admin.css';
import * as api from './provisioning.js';
import type { GroupRow } from './provisioning.js';
import { DeleteDialog } from './user-dialogs.js';
import { ErrorBanner } from '../error-banner.js';

/** A new group: an id and, optionally, the name people see. */
function NewGroupDialog({ onCreate, onClose }: { onCreate(id: string, name: string): Promise<string | null>; onClose(): void }) {
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  return (
    <Modal title="New group" onClose={onClose}>
      <form
        class="admin-form"
        onSubmit={async (e) => {
          e.preventDefault();
          const problem = await onCreate(id.trim(), name.trim());
          if (problem) setError(problem);
          else onClose();
        }}
      >
        <label>Group id<input type="text" value={id} required autoFocus autoComplete="off" onInput={(e) => setId((e.target as HTMLInputElement).value)} /></label>
        <label>Display name<input type="text" value={name} placeholder="The same as the id" onInput={(e) => setName((e.target as HTMLInputElement).value)} /></label>
        {error && <p class="field-error" role="alert">{error}</p>}
        <div class="buttons">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" class="primary" disabled={!id.trim()}>Create group</button>
        </div>
      </form>
    </Modal>
  );
}

/**
 * Groups with their member counts; a group opens to list its members.
 * Admins create and delete groups; subadmins see the groups they manage.
 */
export function GroupsView({ me }: ViewProps) {
  const admin = isAdmin(me);
  const [groups, setGroups] = useState<GroupRow[] | null>(null);
  const [openId, setOpenId] = useState<string | null>(null);
  const [members, setMembers] = useState<string[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<string | null>(null);

  const words = (what: string, err: unknown): string => {
    if (err instanceof SignedOut) signInAgain();
    return err instanceof ApiError ? `Could not ${what}: ${err.message}` : `Could not ${what}.`;
  };
  const load = () => api.listGroups().then(setGroups).catch((err: unknown) => setError(words('list the groups', err)));
  useEffect(() => void load(), []);

  const toggle = async (id: string) => {
    if (openId === id) return setOpenId(null);
    setOpenId(id);
    setMembers(null);
    try {
      setMembers(await api.groupMembers(id));
    } catch (err) {
      setError(words('list the members', err));
    }
  };
  const create = async (id: string, name: string): Promise<string | null> => {
    try {
      await api.createGroup(id, name);
      await load();
      return null;
    } catch (err) {
      return words('create the group', err);
    }
  };
  const remove = async (id: string): Promise<boolean> => {
    setError(null);
    try {
      await api.deleteGroup(id);
      if (openId === id) setOpenId(null);
      await load();
      return true;
    } catch (err) {
      setError(words('delete the group', err));
      return false;
    }
  };

  return (
    <main class="content admin">
      <h1>Groups</h1>
      {admin && (
        <div class="toolbar">
          <button type="button" class="primary" onClick={() => setCreating(true)}>New group</button>
        </div>
      )}
      <ErrorBanner message={error} onDismiss={() => setError(null)} />
      {groups === null ? (
        <p class="loading">Loading…</p>
      ) : groups.length === 0 ? (
        <p class="empty">No groups.</p>
      ) : (
        <ul class="group-list">
          {groups.map((g) => (
            <li key={g.id} data-group={g.id}>
              <div class="group-head">
                <button type="button" class="link" aria-expanded={openId === g.id} onClick={() => toggle(g.id)}>
                  <strong>{g.displayname}</strong>
                  {g.displayname !== g.id && <span class="user-id">{g.id}</span>}
                </button>
                <span class="count">{g.usercount === 1 ? '1 member' : `${g.usercount} members`}</span>
                {admin && g.id !== 'admin' && (
                  <button type="button" class="danger" onClick={() => setDeleting(g.id)}>Delete group</button>
                )}
              </div>
              {openId === g.id && (
                <div class="members" aria-label={`Members of ${g.id}`}>
                  {members === null ? <p class="muted">Loading…</p> : members.length === 0 ? <p class="muted">No members.</p> : <ul>{members.map((m) => <li key={m}>{m}</li>)}</ul>}
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      {creating && <NewGroupDialog onCreate={create} onClose={() => setCreating(false)} />}
      {deleting && <DeleteDialog kind="group" id={deleting} onConfirm={() => remove(deleting)} onClose={() => setDeleting(null)} />}
    </main>
  );
}
