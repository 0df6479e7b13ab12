import { useEffect, useState } from 'preact/hooks';
import { ApiError, BASE, SignedOut, authHeaders, signInAgain } from './api/http.js';
import { capabilities, currentUser, type Me } from './api/ocs.js';
import { FilesView } from './files/files-view.js';
import { quotaText } from './format.js';

export function App() {
  const [me, setMe] = useState<Me | null>(null);
  const [name, setName] = useState('Nimbus');
  const [failure, setFailure] = useState<string | null>(null);

  useEffect(() => {
    Promise.all([currentUser(), capabilities()])
      .then(([user, caps]) => {
        setMe(user);
        const instance = caps.capabilities.theming?.name;
        if (instance) {
          setName(instance);
          document.title = `Files - ${instance}`;
        }
      })
      .catch((err: unknown) => {
        if (err instanceof SignedOut) return signInAgain();
        setFailure(err instanceof ApiError ? err.message : 'Something went wrong while loading.');
      });
  }, []);

  if (failure) return <p class="banner error" role="alert">{failure}</p>;
  if (!me) return <p class="loading">Loading…</p>;
  return (
    <div class="shell">
      <header class="top">
        <a class="brand" href={`${BASE}/apps/files/`}>{name}</a>
        <UserMenu me={me} />
      </header>
      <FilesView user={me.id} onQuotaChange={() => currentUser().then(setMe).catch(() => undefined)} quota={me.quota} />
    </div>
  );
}

function UserMenu({ me }: { me: Me }) {
  const [open, setOpen] = useState(false);
  const [token, setToken] = useState('');
  useEffect(() => {
    authHeaders('POST').then((h) => setToken(h.requesttoken ?? '')).catch(() => undefined);
  }, []);
  return (
    <div class="user-menu">
      <button type="button" aria-haspopup="true" aria-expanded={open} onClick={() => setOpen(!open)}>
        <img class="avatar" src={`${BASE}/avatar/${encodeURIComponent(me.id)}/64`} alt="" width="28" height="28" />
        <span>{me.displayname || me.id}</span>
      </button>
      {open && (
        <div class="menu" role="menu">
          <p class="quota-line">{quotaText(me.quota)}</p>
          <a role="menuitem" href={`${BASE}/account/devices`}>Devices &amp; sessions</a>
          <form method="post" action={`${BASE}/logout`}>
            <input type="hidden" name="requesttoken" value={token} />
            <button type="submit" role="menuitem">Sign out</button>
          </form>
        </div>
      )}
    </div>
  );
}
