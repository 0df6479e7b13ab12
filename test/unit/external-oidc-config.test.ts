import { describe, expect, it } from 'vitest';
import { maskedConfig } from '../../src/cli/commands/system.commands.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { OCIS_ROLE_MAPPING, roleFromClaim } from '../../src/domain/external-oidc.js';

const ISSUER = { OIDC_ISSUER: 'https://id.example.org/realms/main', OIDC_CLIENT_ID: 'nimbus' };
const fails = (env: Record<string, string>, message: string | RegExp) => {
  expect(() => loadConfig(env)).toThrow(ConfigError);
  expect(() => loadConfig(env)).toThrow(message);
};

describe('OIDC_ISSUER and its settings', () => {
  it('is off without OIDC_ISSUER, and refuses its settings alone', () => {
    expect(loadConfig({}).externalOidc).toBeNull();
    fails({ OIDC_CLIENT_ID: 'x', OIDC_ROLE_CLAIM: 'roles' }, 'OIDC_CLIENT_ID, OIDC_ROLE_CLAIM set without OIDC_ISSUER');
  });

  it('defaults as documented: audience the client id, preferred_username, no autoprovisioning, no role claim, oCIS\'s mapping', () => {
    const c = loadConfig({ ...ISSUER, OIDC_ISSUER: 'https://id.example.org/realms/main/' }).externalOidc!;
    expect(c).toMatchObject({ issuer: 'https://id.example.org/realms/main', name: 'id.example.org', clientId: 'nimbus', clientSecret: null, audience: 'nimbus', userClaim: 'preferred_username', autoprovision: false, roleClaim: null, allowHttp: false });
    expect(c.roleMapping).toEqual(OCIS_ROLE_MAPPING);
  });

  it('reads the role mapping in oCIS\'s role names', () => {
    const c = loadConfig({ ...ISSUER, OIDC_ROLE_CLAIM: 'roles', OIDC_ROLE_MAPPING: 'admin=it-admins, Space Admin=managers,user=staff,guest=visitors' }).externalOidc!;
    expect(c.roleMapping).toEqual([
      { role: 'admin', claimValue: 'it-admins' },
      { role: 'spaceAdmin', claimValue: 'managers' },
      { role: 'user', claimValue: 'staff' },
      { role: 'userLight', claimValue: 'visitors' },
    ]);
  });

  it('fails at start with a clear message on invalid values', () => {
    fails({ OIDC_ISSUER: 'not a url', OIDC_CLIENT_ID: 'x' }, "OIDC_ISSUER must be the provider's issuer URL");
    fails({ OIDC_ISSUER: 'http://id.example.org', OIDC_CLIENT_ID: 'x' }, 'OIDC_ISSUER must be an https:// URL');
    expect(loadConfig({ OIDC_ISSUER: 'http://127.0.0.1:9300', OIDC_CLIENT_ID: 'x', OIDC_ISSUER_ALLOW_HTTP: 'true' }).externalOidc!.allowHttp).toBe(true);
    fails({ OIDC_ISSUER: 'https://id.example.org?x=1', OIDC_CLIENT_ID: 'x' }, 'without query');
    fails({ OIDC_ISSUER: 'https://id.example.org' }, 'OIDC_CLIENT_ID is required with OIDC_ISSUER');
    fails({ ...ISSUER, OIDC_USER_CLAIM: 'nickname' }, 'OIDC_USER_CLAIM');
    fails({ ...ISSUER, OIDC_AUTOPROVISION: 'maybe' }, 'OIDC_AUTOPROVISION');
    fails({ ...ISSUER, OIDC_ROLE_MAPPING: 'owner=root' }, 'OIDC_ROLE_MAPPING: "owner=root" is not role=claim-value');
    fails({ ...ISSUER, OIDC_ROLE_MAPPING: 'admin=a,user=a' }, 'claim value "a" is mapped twice');
    fails({ ...ISSUER, OIDC_ROLE_MAPPING: ' , ' }, 'no role=claim-value pair');
  });

  it('masks the client secret in config:check', () => {
    const shown = maskedConfig(loadConfig({ ...ISSUER, OIDC_CLIENT_SECRET: 'very-secret-client-secret' }));
    expect(JSON.stringify(shown)).not.toContain('very-secret-client-secret');
    expect((shown.externalOidc as { clientSecret: string }).clientSecret).toBe('********');
  });
});

describe('the role a claim gives (oCIS oidc driver)', () => {
  it('takes a string or a list, ignores unmapped values, and gives none for no or several mapped roles', () => {
    expect(roleFromClaim('ocisAdmin', OCIS_ROLE_MAPPING)).toBe('admin');
    expect(roleFromClaim(['offline_access', 'ocisSpaceAdmin'], OCIS_ROLE_MAPPING)).toBe('spaceAdmin');
    expect(roleFromClaim(['ocisGuest'], OCIS_ROLE_MAPPING)).toBe('userLight');
    expect(roleFromClaim(['ocisUser', 'ocisAdmin'], OCIS_ROLE_MAPPING)).toBeNull();
    expect(roleFromClaim(['other'], OCIS_ROLE_MAPPING)).toBeNull();
    expect(roleFromClaim(undefined, OCIS_ROLE_MAPPING)).toBeNull();
    expect(roleFromClaim(42, OCIS_ROLE_MAPPING)).toBeNull();
  });
});
