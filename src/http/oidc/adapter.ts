import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { OidcService } from '../../services/identity/oidc.service.js';

/**
 * The provider library's storage interface, onto the database through
 * OidcService (and the oidc_models repository): nothing lives in process
 * memory, so any process serves any step of a flow.
 */
export function adapterFor(oidc: OidcService): new (name: string) => Adapter {
  return class DatabaseAdapter implements Adapter {
    constructor(private readonly name: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      await oidc.saveModel({
        model: this.name,
        id,
        payload: JSON.stringify(payload),
        grantId: typeof payload.grantId === 'string' ? payload.grantId : null,
        uid: typeof payload.uid === 'string' ? payload.uid : null,
        userCode: typeof payload.userCode === 'string' ? payload.userCode : null,
        expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : null,
        consumedAt: null,
      });
    }

    find(id: string): Promise<AdapterPayload | undefined> {
      return this.read('id', id);
    }

    findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return this.read('uid', uid);
    }

    findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return this.read('userCode', userCode);
    }

    async consume(id: string): Promise<void> {
      await oidc.consumeModel(this.name, id);
    }

    destroy(id: string): Promise<void> {
      return oidc.destroyModel(this.name, id);
    }

    revokeByGrantId(grantId: string): Promise<void> {
      return oidc.revokeGrant(grantId);
    }

    private async read(by: 'id' | 'uid' | 'userCode', value: string): Promise<AdapterPayload | undefined> {
      const row = await oidc.findModel(this.name, by, value);
      if (!row) return undefined;
      const payload = JSON.parse(row.payload) as AdapterPayload;
      // The library tells a replayed code or refresh token by this field (seconds since the epoch).
      return row.consumedAt === null ? payload : { ...payload, consumed: Math.floor(row.consumedAt / 1000) };
    }
  };
}
