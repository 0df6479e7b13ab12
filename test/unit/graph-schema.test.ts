import { describe, expect, it } from 'vitest';
import { expectSchema } from '../helpers/graph.js';

describe('the LibreGraph schema check', () => {
  it('accepts a drive as the reference emits it and rejects broken ones', () => {
    const drive = { id: 's$x', name: 'X', driveType: 'project', lastModifiedDateTime: '2026-01-01T00:00:00.000Z', quota: { total: 1, used: 0, remaining: 1, state: 'normal' } };
    expectSchema(drive, 'drive');
    expect(() => expectSchema({ ...drive, name: undefined }, 'drive')).toThrow();
    expect(() => expectSchema({ ...drive, lastModifiedDateTime: 'yesterday' }, 'drive')).toThrow();
    expect(() => expectSchema({ ...drive, quota: { total: 'lots' } }, 'drive')).toThrow();
    expect(() => expectSchema({ displayName: 5 }, 'user')).toThrow();
  });
});
