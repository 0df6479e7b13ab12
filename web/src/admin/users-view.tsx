import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, SignedOut, signInAgain } from '../api/http.js';
import { isAdmin } from '../api/ocs.js';
import { quotaText } from '../format.js';
import type { ViewProps } from '../views.js';
import './admin.css';
import * as api from './provisioning.js';
import type { GroupRow, UserRow } from './provisioning.js';
import { DeleteDialog, EditUserDialog, NewUserDialog } from './user-dialogs.js';
import { ErrorBanner } from '../error-banner.js';

type Dialog = { kind: 'new' } | { kind: 'edit'; user: UserRow } | { kind: 'delete'; user: UserRow } | null;

/**
 * Users, for admins and subadmins: the provisioning API lists only those the
 * caller manages and refuses what they may not do; this screen hides what a
 * subadmin cannot change and shows any refusal as the server words it.
 * Fifty a page, searched on the server, more on request.
 */
export function UsersView({ me }: ViewProps) {
  const admin = isAdmin(me);
  const [search, setSearch] = useState('');
  const [rows, setRows] = useState<UserRow[] | null>(null);
  const [more, setMore] = useState(false);
  const [groups, setGroups] = useState<GroupRow[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [dialog, setDialog] = useState<Dialog>(null);

  const fail = (what: string, err: unknown) => {
    if (err instanceof SignedOut) return signInAgain();
    setError(err instanceof ApiError ? `Could not ${what}: ${err.message}` : `Could not ${what}.`);
  };

  const load = useCallback(async (query: string) => {
    try {
      const page = await api.listUsers(query, 0);
      setRows(page.rows);
      setMore(page.more);
    } catch (err) {
      fail('list the users', err);
    }
  }, []);
  const loadGroups = () => api.listGroups().then(setGroups).catch((err: unknown) => fail('list the groups', err));

  useEffect(() => {
    const timer = setTimeout(() => void load(search), search ? 250 : 0);
    return () => clearTimeout(timer);
  }, [search, load]);
  useEffect(() => void loadGroups(), []);

  const loadMore = async () => {
    try {
      const page = await api.listUsers(search, rows?.length ?? 0);
      setRows([...(rows ?? []), ...page.rows]);
      setMore(page.more);
    } catch (err) {
      fail('list more users', err);
    }
  };
  /** After a change, the row is read back from the server: what it shows is what the server holds. */
  const reread = async (id: string) => {
    try {
      const fresh = await api.getUser(id);
      setRows((list) => (list ?? []).map((r) => (r.id === id ? fresh : r)));
    } catch (err) {
      fail('read the user again', err);
    }
  };
  const toggle = async (u: UserRow) => {
    setError(null);
    try {
      await api.setEnabled(u.id, u.enabled === false);
      await reread(u.id);
    } catch (err) {
      fail(u.enabled === false ? 'enable the user' : 'disable the user', err);
    }
  };
  const remove = async (u: UserRow): Promise<boolean> => {
    setError(null);
    try {
      await api.deleteUser(u.id);
      setRows((list) => (list ?? []).filter((r) => r.id !== u.id));
      return true;
    } catch (err) {
      fail('delete the user', err);
      return false;
    }
  };

  return (
    <main class="content admin">
      <h1>Users</h1>
      <div class="toolbar">
        <input type="search" class="search" aria-label="Search users" placeholder="Search users" value={search} onInput={(e) => setSearch((e.target as HTMLInputElement).value)} />
        <button type="button" class="primary" onClick={() => setDialog({ kind: 'new' })}>New user</button>
      </div>
      <ErrorBanner message={error} onDismiss={() => setError(null)} />
      {rows === null ? (
        <p class="loading">Loading…</p>
      ) : rows.length === 0 ? (
        <p class="empty">{search ? `No user matches "${search}".` : 'No users.'}</p>
      ) : (
        <div class="table-wrap">
          <table class="admin-table">
            <thead>
              <tr><th>User</th><th>Email</th><th>Quota</th><th>Groups</th><th>Status</th><th><span class="visually-hidden">Actions</span></th></tr>
            </thead>
            <tbody>
              {rows.map((u) => (
                <tr key={u.id} data-user={u.id} class={u.enabled === false ? 'disabled' : ''}>
                  <td><strong class="user-name">{u.displayname}</strong><span class="user-id">{u.id}</span></td>
                  <td class="email">{u.email ?? ''}</td>
                  <td class="quota-cell">
                    {u.quota.quota >= 0 && u.quota.total ? <progress max={u.quota.total} value={u.quota.used} aria-hidden="true" /> : null}
                    <span>{quotaText(u.quota)}</span>
                  </td>
                  <td class="groups">
                    {u.groups.join(', ')}
                    {u.subadmin.length > 0 && <span class="subadmin">Subadmin of {u.subadmin.join(', ')}</span>}
                  </td>
                  <td class="status">{u.enabled === false ? 'Disabled' : 'Enabled'}</td>
                  <td class="actions">
                    {u.id !== me.id && u.enabled !== undefined && (
                      <>
                        <button type="button" onClick={() => setDialog({ kind: 'edit', user: u })}>Edit</button>
                        <button type="button" onClick={() => toggle(u)}>{u.enabled === false ? 'Enable' : 'Disable'}</button>
                        <button type="button" class="danger" onClick={() => setDialog({ kind: 'delete', user: u })}>Delete user</button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {more && <button type="button" class="more" onClick={loadMore}>Show more users</button>}
        </div>
      )}
      {dialog?.kind === 'new' && (
        <NewUserDialog
          groups={groups}
          admin={admin}
          onClose={() => setDialog(null)}
          onDone={() => {
            setDialog(null);
            void load(search);
            void loadGroups();
          }}
        />
      )}
      {dialog?.kind === 'edit' && (
        <EditUserDialog
          user={dialog.user}
          groups={groups}
          admin={admin}
          onClose={() => setDialog(null)}
          onDone={() => {
            void reread(dialog.user.id);
            void loadGroups();
          }}
        />
      )}
      {dialog?.kind === 'delete' && <DeleteDialog kind="user" id={dialog.user.id} onConfirm={() => remove(dialog.user)} onClose={() => setDialog(null)} />}
    </main>
  );
}
