import { useState } from 'preact/hooks';
import { ApiError, SignedOut, signInAgain } from '../api/http.js';
import { ocs } from '../api/ocs.js';
import { Modal } from '../files/dialogs.js';
import './account.css';

/**
 * Changes the signed-in user's password with the provisioning API's
 * `PUT cloud/users/{me}` key `password`, as Nextcloud's settings do. That
 * call takes only the new password (Nextcloud asks for a recent password
 * confirmation instead, which Nimbus does not have). The password policy's
 * refusal is the server's own sentence. Nimbus binds sessions to the
 * password, so every session ends with the change, this one too: the dialog
 * then sends the person to sign in with the new one.
 */
export function PasswordDialog({ me, onClose }: { me: string; onClose(): void }) {
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const mismatch = repeat !== '' && password !== repeat;

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!password || password !== repeat) return;
    setBusy(true);
    setError(null);
    try {
      await ocs('PUT', `cloud/users/${encodeURIComponent(me)}`, { key: 'password', value: password });
      setDone(true);
    } catch (err) {
      if (err instanceof SignedOut) return signInAgain();
      setError(err instanceof ApiError ? err.message : 'The password could not be changed.');
    } finally {
      setBusy(false);
    }
  };

  if (done) {
    return (
      <Modal title="Password changed" onClose={signInAgain}>
        <p>Your password has been changed and your sessions have ended. Sign in again with the new password.</p>
        <div class="buttons">
          <button type="button" class="primary" autoFocus onClick={signInAgain}>Sign in</button>
        </div>
      </Modal>
    );
  }
  return (
    <Modal title="Change password" onClose={onClose}>
      <form class="account-form" onSubmit={submit}>
        <p class="dialog-note">Changing your password signs you out everywhere, on this device too.</p>
        <label>
          New password
          <input type="password" autoComplete="new-password" value={password} autoFocus required onInput={(e) => setPassword((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          Repeat the new password
          <input type="password" autoComplete="new-password" value={repeat} required aria-invalid={mismatch ? 'true' : 'false'} onInput={(e) => setRepeat((e.target as HTMLInputElement).value)} />
        </label>
        {mismatch && <p class="field-error">The two passwords are not the same.</p>}
        {error && <p class="field-error" role="alert">{error}</p>}
        <div class="buttons">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" class="primary" disabled={busy || !password || password !== repeat}>Change password</button>
        </div>
      </form>
    </Modal>
  );
}
