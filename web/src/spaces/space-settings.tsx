import { useEffect, useRef, useState } from 'preact/hooks';
import { changeRole, type Drive, invite, type Members, members, type Permission, type Principal, removeMember, searchPrincipals, updateDrive } from '../api/graph.js';
import { ApiError, SignedOut, signInAgain } from '../api/http.js';
import { ConfirmDialog, Modal } from '../files/dialogs.js';
import { QuotaField } from './quota-field.js';

const failure = (err: unknown): string => {
  if (err instanceof SignedOut) signInAgain();
  return err instanceof ApiError ? err.message : 'Something went wrong. Try again.';
};

/** A space's settings for its managers: name, description, quota, members, and disabling it. */
export function SpaceSettings({ space, me, quotaEditable, onChanged, onDisable, onClose }: { space: Drive; me: string; quotaEditable: boolean; onChanged(): void; onDisable(): void; onClose(): void }) {
  const [tab, setTab] = useState<'details' | 'members'>('details');
  return (
    <Modal title={`Settings of "${space.name}"`} onClose={onClose}>
      {/* Arrow keys move between the tabs, as the ARIA tabs pattern has it. */}
      <div class="tabs" role="tablist" aria-label="Settings" onKeyDown={(e) => { if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') { const next = tab === 'details' ? 'members' : 'details'; setTab(next); document.getElementById(`tab-${next}`)?.focus(); } }}>
        <button type="button" role="tab" id="tab-details" tabIndex={tab === 'details' ? 0 : -1} aria-selected={tab === 'details'} aria-controls="panel-details" onClick={() => setTab('details')}>Details</button>
        <button type="button" role="tab" id="tab-members" tabIndex={tab === 'members' ? 0 : -1} aria-selected={tab === 'members'} aria-controls="panel-members" onClick={() => setTab('members')}>Members</button>
      </div>
      {tab === 'details' ? (
        <div role="tabpanel" id="panel-details" aria-labelledby="tab-details">
          <DetailsForm space={space} quotaEditable={quotaEditable} onSaved={onChanged} onDisable={onDisable} onClose={onClose} />
        </div>
      ) : (
        <div role="tabpanel" id="panel-members" aria-labelledby="tab-members">
          <MembersPanel space={space} me={me} onChanged={onChanged} />
          <div class="buttons">
            <button type="button" onClick={onClose}>Close</button>
          </div>
        </div>
      )}
    </Modal>
  );
}

function DetailsForm({ space, quotaEditable, onSaved, onDisable, onClose }: { space: Drive; quotaEditable: boolean; onSaved(): void; onDisable(): void; onClose(): void }) {
  const [name, setName] = useState(space.name);
  const [description, setDescription] = useState(space.description ?? '');
  const [quota, setQuota] = useState<number | null>(space.quota?.total ?? 0);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const problem = !name.trim() ? 'Enter a name.' : quota === null ? 'Enter a quota above 0, or choose Unlimited.' : null;

  async function save(e: Event) {
    e.preventDefault();
    if (problem || quota === null) return;
    const changes: { name?: string; description?: string; quotaTotal?: number } = {};
    if (name.trim() !== space.name) changes.name = name.trim();
    if (description !== (space.description ?? '')) changes.description = description;
    if (quota !== (space.quota?.total ?? 0)) changes.quotaTotal = quota;
    setBusy(true);
    try {
      if (Object.keys(changes).length) await updateDrive(space.id, changes);
      onSaved();
      onClose();
    } catch (err) {
      setError(failure(err));
    }
    setBusy(false);
  }

  return (
    <form onSubmit={save}>
      <label>
        Name
        <input type="text" value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} aria-invalid={!name.trim()} />
      </label>
      <label>
        Description
        <input type="text" value={description} onInput={(e) => setDescription((e.target as HTMLInputElement).value)} />
      </label>
      {quotaEditable ? <QuotaField initial={space.quota?.total ?? 0} onChange={setQuota} /> : <p class="muted-inline">Only Admins and Space Admins can change the quota.</p>}
      {problem && <p class="field-error">{problem}</p>}
      {error && <p class="field-error" role="alert">{error}</p>}
      <div class="buttons spread">
        <button type="button" class="danger" onClick={onDisable}>Disable</button>
        <span class="grow" />
        <button type="button" onClick={onClose}>Cancel</button>
        <button type="submit" class="primary" disabled={!!problem || busy}>Save</button>
      </div>
    </form>
  );
}

const who = (p: Permission) => p.grantedToV2?.user ?? p.grantedToV2?.group;

function MembersPanel({ space, me, onChanged }: { space: Drive; me: string; onChanged(): void }) {
  const [data, setData] = useState<Members | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [removing, setRemoving] = useState<Permission | null>(null);
  const load = () => members(space.id).then(setData).catch((err: unknown) => setError(failure(err)));
  useEffect(() => void load(), [space.id]);

  const act = async (work: () => Promise<unknown>) => {
    setError(null);
    try {
      await work();
      onChanged();
    } catch (err) {
      setError(failure(err));
    }
    await load();
  };

  if (!data) return error ? <p class="field-error" role="alert">{error}</p> : <p class="loading">Loading members…</p>;
  const taken = new Set(data.members.map((m) => m.id));
  return (
    <div class="members">
      <AddMember roles={data.roles} taken={taken} onAdd={(p, role) => act(() => invite(space.id, p, role))} />
      {error && <p class="field-error" role="alert">{error}</p>}
      <ul class="member-list" aria-label="Members">
        {data.members.map((m) => {
          const person = who(m);
          const name = person?.displayName || person?.id || m.id;
          const self = m.grantedToV2?.user?.id === me;
          return (
            <li key={m.id} data-member={m.id}>
              <span class="member-name">
                {name}
                {m.grantedToV2?.group ? <span class="muted-inline"> (group)</span> : self ? <span class="muted-inline"> (you)</span> : null}
              </span>
              <select aria-label={`Role of ${name}`} value={m.roles?.[0] ?? ''} onChange={(e) => act(() => changeRole(space.id, m.id, (e.target as HTMLSelectElement).value))}>
                {!data.roles.some((r) => r.id === m.roles?.[0]) && <option value={m.roles?.[0] ?? ''}>Other</option>}
                {data.roles.map((r) => <option key={r.id} value={r.id}>{r.displayName}</option>)}
              </select>
              <button type="button" class="danger" aria-label={`Remove ${name}`} onClick={() => setRemoving(m)}>Remove</button>
            </li>
          );
        })}
      </ul>
      {removing && (
        <ConfirmDialog
          title={`Remove ${who(removing)?.displayName || removing.id}?`}
          message={`They will no longer see "${space.name}" or its files.`}
          action="Remove"
          onClose={() => setRemoving(null)}
          onConfirm={() => { const m = removing; setRemoving(null); void act(() => removeMember(space.id, m.id)); }}
        />
      )}
    </div>
  );
}

/** Search as you type (users and groups), pick a role, add. */
function AddMember({ roles, taken, onAdd }: { roles: Members['roles']; taken: Set<string>; onAdd(p: Principal, role: string): Promise<void> }) {
  const [term, setTerm] = useState('');
  const [found, setFound] = useState<Principal[]>([]);
  const [active, setActive] = useState(0);
  const [picked, setPicked] = useState<Principal | null>(null);
  const [role, setRole] = useState(roles[0]?.id ?? '');
  const [note, setNote] = useState<string | null>(null);
  const pending = useRef<AbortController | null>(null);

  useEffect(() => {
    pending.current?.abort();
    setFound([]);
    setActive(0);
    if (picked || term.trim().length < 3) {
      setNote(term.trim() && !picked && term.trim().length < 3 ? 'Type at least 3 characters.' : null);
      return;
    }
    const ctl = new AbortController();
    pending.current = ctl;
    const timer = setTimeout(() => {
      searchPrincipals(term.trim(), ctl.signal)
        .then((list) => {
          const fresh = list.filter((p) => !taken.has(`${p.type === 'user' ? 'u' : 'g'}:${p.id}`));
          setFound(fresh);
          setNote(fresh.length ? null : 'Nobody found who is not a member yet.');
        })
        .catch((err: unknown) => { if (!ctl.signal.aborted) setNote(failure(err)); });
    }, 250);
    return () => { clearTimeout(timer); ctl.abort(); };
  }, [term, picked]);

  const choose = (p: Principal) => { setPicked(p); setTerm(p.displayName); setFound([]); };
  const onKey = (e: KeyboardEvent) => {
    if (!found.length) return;
    if (e.key === 'ArrowDown') { e.preventDefault(); setActive((a) => (a + 1) % found.length); }
    if (e.key === 'ArrowUp') { e.preventDefault(); setActive((a) => (a - 1 + found.length) % found.length); }
    if (e.key === 'Enter') { e.preventDefault(); choose(found[active]!); }
    if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); setFound([]); }
  };
  const add = async (e: Event) => {
    e.preventDefault();
    if (!picked || !role) return;
    await onAdd(picked, role);
    setPicked(null);
    setTerm('');
  };

  return (
    <form class="add-member" onSubmit={add}>
      <div class="combo">
        <label>
          Add a person or group
          <input
            type="search"
            role="combobox"
            aria-expanded={found.length > 0}
            aria-controls="member-options"
            aria-autocomplete="list"
            aria-activedescendant={found.length ? `member-option-${active}` : undefined}
            value={term}
            placeholder="Name or email"
            onInput={(e) => { setPicked(null); setTerm((e.target as HTMLInputElement).value); }}
            onKeyDown={onKey}
          />
        </label>
        {found.length > 0 && (
          <ul class="options" id="member-options" role="listbox" aria-label="People and groups found">
            {found.map((p, i) => (
              <li key={`${p.type}:${p.id}`} id={`member-option-${i}`} role="option" aria-selected={i === active} class={i === active ? 'active' : ''} onMouseDown={(e) => { e.preventDefault(); choose(p); }}>
                <span>{p.displayName}</span>
                {p.detail && <span class="muted-inline"> {p.detail}</span>}
              </li>
            ))}
          </ul>
        )}
      </div>
      <div class="add-row">
        <select aria-label="Role for the new member" value={role} onChange={(e) => setRole((e.target as HTMLSelectElement).value)}>
          {roles.map((r) => <option key={r.id} value={r.id} title={r.description}>{r.displayName}</option>)}
        </select>
        <button type="submit" class="primary" disabled={!picked || !role}>Add</button>
      </div>
      {note && <p class="muted-inline note">{note}</p>}
    </form>
  );
}
