import { useEffect, useState } from 'preact/hooks';
import { ApiError, BASE, SignedOut, signInAgain } from './api/http.js';
import { capabilities, currentUser, type Me } from './api/ocs.js';
import { announceTus, announceUploadLimits } from './api/uploads.js';
import { quotaText } from './format.js';
import { hrefOf, navigate, useRoute } from './router.js';
import { NotificationsMenu } from './notifications/notifications-menu.js';
import { UserMenu } from './user-menu.js';
import { type StorageFigure, VIEWS, viewOf } from './views.js';

export function App() {
  const [me, setMe] = useState<Me | null>(null);
  const [name, setName] = useState('Nimbus');
  const [failure, setFailure] = useState<string | null>(null);
  const [spaceStorage, showStorage] = useState<StorageFigure | null>(null);
  const route = useRoute();

  useEffect(() => {
    Promise.all([currentUser(), capabilities()])
      .then(([user, caps]) => {
        setMe(user);
        announceUploadLimits(caps.capabilities.files?.chunked_upload);
        announceTus(caps.capabilities.files?.tus_support);
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
  const view = viewOf(route.get('view'), me);
  const Screen = view.component;
  const refreshMe = () => currentUser().then(setMe).catch(() => undefined);
  const { quota } = me;
  const storage: StorageFigure = spaceStorage ?? { label: 'Your storage', used: quota.used, total: quota.quota >= 0 && quota.total ? quota.total : null };
  return (
    <div class="shell">
      <header class="top">
        <a class="brand" href={`${BASE}/apps/files/`}>{name}</a>
        <form class="search" role="search" onSubmit={(e) => {
          e.preventDefault();
          const q = String(new FormData(e.currentTarget).get('q') ?? '').trim();
          if (q) navigate({ view: 'search', q });
        }}>
          <input type="search" name="q" aria-label="Search files" placeholder="Search files" value={route.get('view') === 'search' ? route.get('q') ?? '' : ''} key={route.get('q') ?? ''} />
        </form>
        <NotificationsMenu />
        <UserMenu me={me} />
      </header>
      <div class="files">
        <nav class="side" aria-label="Views">
          {VIEWS.filter((v) => v.listed(me)).map((v) => (
            <a key={v.id} class={v === view || v.id === view.parent ? 'current' : ''} aria-current={v === view ? 'page' : v.id === view.parent ? 'true' : undefined} href={hrefOf({ view: v === VIEWS[0] ? undefined : v.id })} onClick={(e) => { e.preventDefault(); navigate({ view: v === VIEWS[0] ? undefined : v.id }); }}>
              {v.label}
            </a>
          ))}
          <div class="quota" aria-label={storage.label}>
            <progress max={storage.total ?? 1} value={storage.total ? storage.used : 0} />
            <span>{quotaText(storage)}</span>
          </div>
        </nav>
        <Screen key={view.id} me={me} refreshMe={refreshMe} showStorage={showStorage} />
      </div>
    </div>
  );
}
