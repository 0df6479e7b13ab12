import type { Target } from '../lib.js';

export interface NimbusHandle {
  base: string;
  admin: { user: string; password: string };
}

const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

/** Issue 2's targets: status.php, capabilities and user metadata with Basic auth. */
export async function ocsTargets(n: NimbusHandle): Promise<{ targets: Target[]; userTarget: string }> {
  const auth = basic(n.admin.user, n.admin.password);
  const res = await fetch(`${n.base}/ocs/v2.php/cloud/users?format=json`, {
    method: 'POST',
    headers: { authorization: auth, 'OCS-APIRequest': 'true', 'content-type': 'application/x-www-form-urlencoded' },
    body: 'userid=benchuser&password=Bench-User-Pass-2026',
  });
  if (!res.ok) throw new Error(`creating the bench user failed: ${res.status} ${await res.text()}`);
  const headers = { authorization: auth, 'OCS-APIRequest': 'true' };
  return {
    userTarget: 'GET cloud/users/{id}',
    targets: [
      { name: 'GET /status.php', url: `${n.base}/status.php` },
      { name: 'GET cloud/capabilities', url: `${n.base}/ocs/v2.php/cloud/capabilities?format=json`, headers },
      { name: 'GET cloud/users/{id}', url: `${n.base}/ocs/v2.php/cloud/users/benchuser?format=json`, headers },
    ],
  };
}
