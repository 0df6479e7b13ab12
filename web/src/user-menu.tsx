import { useEffect, useState } from 'preact/hooks';
import { PasswordDialog } from './account/password-dialog.js';
import { BASE, authHeaders } from './api/http.js';
import type { Me } from './api/ocs.js';
import { quotaText } from './format.js';

/** The account menu in the header: quota, Devices & sessions, change password, sign-out (a form post with the session's token). */
export function UserMenu({ me }: { me: Me }) {
  const [open, setOpen] = useState(false);
  const [token, setToken] = useState('');
  const [changing, setChanging] = useState(false);
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
          <button type="button" role="menuitem" onClick={() => { setOpen(false); setChanging(true); }}>Change password</button>
          <form method="post" action={`${BASE}/logout`}>
            <input type="hidden" name="requesttoken" value={token} />
            <button type="submit" role="menuitem">Sign out</button>
          </form>
        </div>
      )}
      {changing && <PasswordDialog me={me.id} onClose={() => setChanging(false)} />}
    </div>
  );
}
