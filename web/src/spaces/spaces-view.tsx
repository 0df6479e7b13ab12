import { useEffect, useMemo, useState } from 'preact/hooks';
import { DavTree } from '../api/dav.js';
import {
  canManage, createDrive, disableDrive, type Drive, drive, isDisabled, type MeDirectory, mayCreateSpaces, maySetQuotas, meDirectory, myRole, projectDrives, purgeDrive, restoreDrive, type RoleDefinition, roleDefinitions,
} from '../api/graph.js';
import { ApiError, SignedOut, signInAgain } from '../api/http.js';
import { ConfirmDialog, Modal } from '../files/dialogs.js';
import { FilesView } from '../files/files-view.js';
import { humanSize } from '../format.js';
import { hrefOf, navigate, useRoute } from '../router.js';
import type { ViewProps } from '../views.js';
import { QuotaField } from './quota-field.js';
import { SpaceSettings } from './space-settings.js';
import './spaces.css';
import { ErrorBanner } from '../error-banner.js';

type Dialog = { kind: 'new' } | { kind: 'settings'; space: Drive } | { kind: 'disable'; space: Drive } | { kind: 'purge'; space: Drive };

const spaceHref = (id: string) => hrefOf({ view: 'space', space: id });

function quotaLine(d: Drive): string {
  const used = d.quota?.used ?? 0;
  const total = d.quota?.total ?? 0;
  if (isDisabled(d)) return total ? `Quota ${humanSize(total)}` : 'No quota';
  return total ? `${humanSize(used)} of ${humanSize(total)} used` : `${humanSize(used)} used, no limit`;
}

/** The project spaces the user belongs to; managers manage them here, Admins and Space Admins create them. */
export function SpacesView({ me }: ViewProps) {
  const [dir, setDir] = useState<MeDirectory | null>(null);
  const [roles, setRoles] = useState<RoleDefinition[]>([]);
  const [spaces, setSpaces] = useState<Drive[] | null>(null);
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  const fail = (err: unknown) => {
    if (err instanceof SignedOut) return signInAgain();
    setMessage(err instanceof ApiError ? err.message : 'Something went wrong. Try again.');
  };
  const reload = () => projectDrives().then(setSpaces).catch(fail);
  useEffect(() => {
    Promise.all([meDirectory(), roleDefinitions()])
      .then(([d, r]) => { setDir(d); setRoles(r); })
      .catch(fail);
    void reload();
  }, []);

  async function run(work: () => Promise<unknown>) {
    setDialog(null);
    setMessage(null);
    try {
      await work();
    } catch (err) {
      fail(err);
    }
    await reload();
  }

  const enabled = (spaces ?? []).filter((d) => !isDisabled(d));
  const disabled = (spaces ?? []).filter(isDisabled);
  const roleOf = (d: Drive) => (dir ? myRole(d, dir, roles) : undefined);

  return (
    <div class="screen">
      <main class="content spaces">
        <div class="spaces-head">
          <h1>Spaces</h1>
          {dir && mayCreateSpaces(dir) && <button type="button" class="primary" onClick={() => setDialog({ kind: 'new' })}>New space</button>}
        </div>
        <ErrorBanner message={message} onDismiss={() => setMessage(null)} />
        {spaces === null ? <p class="loading">Loading…</p> : enabled.length === 0 ? (
          <p class="empty">{disabled.length ? 'No project space is in use: every one you manage is disabled.' : 'You are not a member of any project space yet.'}</p>
        ) : (
          <ul class="space-list" aria-label="Project spaces">
            {enabled.map((d) => {
              const role = roleOf(d);
              return (
                <li key={d.id} class="space-card" data-space={d.name}>
                  <div class="space-main">
                    <a class="space-name" href={spaceHref(d.id)} onClick={(e) => { e.preventDefault(); navigate({ view: 'space', space: d.id }); }}>{d.name}</a>
                    {d.description && <p class="space-description">{d.description}</p>}
                    <p class="space-meta">
                      <span>{quotaLine(d)}</span>
                      {role && <span class="role-badge">{role.displayName}</span>}
                    </p>
                    {!!d.quota?.total && <progress class="space-quota" aria-label={`Storage of ${d.name}`} max={d.quota.total} value={d.quota.used ?? 0} />}
                  </div>
                  {canManage(role) && (
                    <div class="space-actions">
                      <button type="button" aria-label={`Settings of ${d.name}`} onClick={() => setDialog({ kind: 'settings', space: d })}>Settings</button>
                    </div>
                  )}
                </li>
              );
            })}
          </ul>
        )}
        {disabled.length > 0 && (
          <section class="disabled-spaces" aria-labelledby="disabled-head">
            <h2 id="disabled-head">Disabled spaces</h2>
            <p class="muted-inline">Nobody can open these until a manager restores them.</p>
            <ul class="space-list" aria-label="Disabled spaces">
              {disabled.map((d) => (
                <li key={d.id} class="space-card disabled" data-space={d.name}>
                  <div class="space-main">
                    <span class="space-name">{d.name}</span>
                    <p class="space-meta"><span>{quotaLine(d)}</span></p>
                  </div>
                  <div class="space-actions">
                    <button type="button" aria-label={`Restore ${d.name}`} onClick={() => run(() => restoreDrive(d.id))}>Restore</button>
                    <button type="button" class="danger" aria-label={`Delete ${d.name} forever`} onClick={() => setDialog({ kind: 'purge', space: d })}>Delete forever</button>
                  </div>
                </li>
              ))}
            </ul>
          </section>
        )}
      </main>
      {dialog?.kind === 'new' && <NewSpaceDialog onClose={() => setDialog(null)} onCreated={(d) => { setDialog(null); void reload(); navigate({ view: 'space', space: d.id }); }} />}
      {dialog?.kind === 'settings' && (
        <SpaceSettings space={dialog.space} me={me.id} quotaEditable={!!dir && maySetQuotas(dir)} onChanged={() => void reload()} onDisable={() => setDialog({ kind: 'disable', space: dialog.space })} onClose={() => setDialog(null)} />
      )}
      {dialog?.kind === 'disable' && (
        <ConfirmDialog
          title={`Disable "${dialog.space.name}"?`}
          message="Its members will no longer see it or its files. A manager can restore it later; nothing is deleted."
          action="Disable"
          onClose={() => setDialog(null)}
          onConfirm={() => run(() => disableDrive(dialog.space.id))}
        />
      )}
      {dialog?.kind === 'purge' && <PurgeDialog space={dialog.space} onClose={() => setDialog(null)} onConfirm={() => run(() => purgeDrive(dialog.space.id))} />}
    </div>
  );
}

/** Deleting a space forever asks for its name typed out: nothing brings it back. */
function PurgeDialog({ space, onConfirm, onClose }: { space: Drive; onConfirm(): void; onClose(): void }) {
  const [typed, setTyped] = useState('');
  return (
    <Modal title={`Delete "${space.name}" forever?`} onClose={onClose}>
      <form onSubmit={(e) => { e.preventDefault(); if (typed === space.name) onConfirm(); }}>
        <p>The space and every file in it will be deleted. This cannot be undone.</p>
        <label>
          Type the space's name to confirm
          <input type="text" value={typed} autoFocus onInput={(e) => setTyped((e.target as HTMLInputElement).value)} />
        </label>
        <div class="buttons">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" class="danger" disabled={typed !== space.name}>Delete forever</button>
        </div>
      </form>
    </Modal>
  );
}

function NewSpaceDialog({ onCreated, onClose }: { onCreated(d: Drive): void; onClose(): void }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [quota, setQuota] = useState<number | null>(0);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const problem = !name.trim() ? 'Enter a name.' : quota === null ? 'Enter a quota above 0, or choose Unlimited.' : null;
  const submit = async (e: Event) => {
    e.preventDefault();
    if (problem || quota === null) return;
    setBusy(true);
    try {
      onCreated(await createDrive(name.trim(), description.trim(), quota));
    } catch (err) {
      if (err instanceof SignedOut) return signInAgain();
      setError(err instanceof ApiError ? err.message : 'Something went wrong. Try again.');
      setBusy(false);
    }
  };
  return (
    <Modal title="New space" onClose={onClose}>
      <form onSubmit={submit}>
        <label>
          Name
          <input type="text" value={name} autoFocus onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          Description
          <input type="text" value={description} onInput={(e) => setDescription((e.target as HTMLInputElement).value)} />
        </label>
        <QuotaField initial={0} onChange={setQuota} />
        {problem && name !== '' && <p class="field-error">{problem}</p>}
        {error && <p class="field-error" role="alert">{error}</p>}
        <div class="buttons">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" class="primary" disabled={!!problem || busy}>Create</button>
        </div>
      </form>
    </Modal>
  );
}

/** One space's files (`?view=space&space=<id>&dir=/…`), its breadcrumbs starting at its name. */
export function SpaceFiles({ me, refreshMe, showStorage }: ViewProps) {
  const route = useRoute();
  const id = route.get('space') ?? '';
  const [space, setSpace] = useState<Drive | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const tree = useMemo(() => DavTree.space(id), [id]);
  useEffect(() => {
    setSpace(null);
    setMessage(null);
    drive(id)
      .then((d) => (isDisabled(d) ? setMessage(`"${d.name}" is disabled. A manager can restore it in Spaces.`) : setSpace(d)))
      .catch((err: unknown) => {
        if (err instanceof SignedOut) return signInAgain();
        if (err instanceof ApiError && err.status === 404) return setMessage('This space does not exist, or you are no longer one of its members.');
        setMessage(err instanceof ApiError ? err.message : 'Something went wrong. Try again.');
      });
  }, [id]);
  // The side bar shows this space's storage while its files are open (Graph's drive quota; 0 or none is unlimited).
  useEffect(() => {
    showStorage(space ? { label: `Storage of ${space.name}`, used: space.quota?.used ?? 0, total: space.quota?.total || null } : null);
    return () => showStorage(null);
  }, [space]);
  const changed = () => {
    refreshMe();
    drive(id).then(setSpace).catch(() => undefined);
  };
  if (message) {
    return (
      <main class="content spaces">
        <p class="banner error" role="alert">{message}</p>
        <p><a href={hrefOf({ view: 'spaces' })} onClick={(e) => { e.preventDefault(); navigate({ view: 'spaces' }); }}>Back to Spaces</a></p>
      </main>
    );
  }
  if (!space) return <p class="loading">Loading…</p>;
  return <FilesView tree={tree} user={me.id} rootLabel={space.name} keep={{ view: 'space', space: id }} onChanged={changed} />;
}
