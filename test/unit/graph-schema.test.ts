import { describe, expect, it } from 'vitest';
import { expectSchema, schemaChecker, SPEC_PATH, toJsonSchema } from '../helpers/graph.js';

describe('the LibreGraph schema check', () => {
  it('accepts a drive as the reference emits it and rejects broken ones', () => {
    const drive = { id: 's$x', name: 'X', driveType: 'project', lastModifiedDateTime: '2026-01-01T00:00:00.000Z', quota: { total: 1, used: 0, remaining: 1, state: 'normal' } };
    expectSchema(drive, 'drive');
    expectSchema(drive, 'Drive');
    expect(() => expectSchema({ ...drive, name: undefined }, 'drive')).toThrow();
    expect(() => expectSchema({ ...drive, lastModifiedDateTime: 'yesterday' }, 'drive')).toThrow();
    expect(() => expectSchema({ ...drive, quota: { total: 'lots' } }, 'drive')).toThrow();
  });

  it('checks users, groups, role definitions and role assignments by either name spelling', () => {
    expectSchema({ id: 'alice', displayName: 'Alice', onPremisesSamAccountName: 'alice', memberOf: [{ id: 'g', displayName: 'G' }] }, 'User');
    expect(() => expectSchema({ displayName: 5, onPremisesSamAccountName: 'x' }, 'user')).toThrow();
    expect(() => expectSchema({ displayName: 'No account name' }, 'User')).toThrow();
    expect(() => expectSchema({ id: 'g', memberOf: 'x', members: [{ displayName: 1 }] }, 'Group')).toThrow();
    expectSchema({ id: 'r', displayName: 'R', '@libre.graph.weight': 0, rolePermissions: [{ allowedResourceActions: ['a'], condition: 'c' }] }, 'UnifiedRoleDefinition');
    // principalDisplayName is nullable in the spec (OpenAPI 3.0 `nullable`), appRoleId must be a UUID.
    const uuid = '71881883-1768-46bd-a24d-a356a2afdf7f';
    expectSchema({ appRoleId: uuid, principalId: uuid, resourceId: uuid, principalDisplayName: null }, 'AppRoleAssignment');
    expect(() => expectSchema({ appRoleId: 'admin', principalId: uuid, resourceId: uuid }, 'appRoleAssignment')).toThrow();
    // The one allowed divergence: principalId is a user name here.
    expectSchema({ appRoleId: uuid, principalId: 'alice', resourceId: uuid }, 'AppRoleAssignment');
    expect(() => expectSchema({ appRoleId: uuid, principalId: 'alice', resourceId: 'app' }, 'AppRoleAssignment')).toThrow();
  });

  it('translates OpenAPI 3.0 nullable and component references', () => {
    expect(toJsonSchema({ type: 'string', nullable: true })).toEqual({ type: ['string', 'null'] });
    expect(toJsonSchema({ $ref: '#/components/schemas/drive', nullable: true })).toEqual({ anyOf: [{ $ref: 'libregraph#/definitions/drive' }, { type: 'null' }] });
    expect(toJsonSchema({ items: { $ref: '#/components/schemas/user' } })).toEqual({ items: { $ref: 'libregraph#/definitions/user' } });
  });

  it('names an unknown schema, and fails loudly when the spec file is missing', () => {
    // The shared reference copy when it sits beside the project, else the vendored one.
    expect(SPEC_PATH).toMatch(/(shared[\\/]reference|test[\\/]fixtures)[\\/]libregraph-openapi-v1\.0\.yaml$/);
    expect(() => expectSchema({}, 'nope' as never)).toThrow(/not in the LibreGraph spec/);
    const missing = schemaChecker('/nonexistent/libregraph.yaml');
    expect(() => missing({ id: 'x' }, 'user')).toThrow(/spec not found/);
  });
});
