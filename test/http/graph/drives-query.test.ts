import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDb } from '../../helpers/app.js';
import { ids, SHARES, world, type World } from './drives-helpers.js';

/** `$filter` and `$orderby` on drive lists (libregraph.md §5), in the query string and in the documented path form. */
describeEachDb('Graph drive list options', (kind) => {
  let w: World;
  const names = (res: { data: { value: Array<{ name: string }> } }) => res.data.value.map((d) => d.name);
  const path = (options: string) => `/graph/v1.0/me/drives/${encodeURIComponent(options)}`;
  let alpha: string;

  beforeAll(async () => {
    w = await world(kind);
    // Created in an order that is neither by name nor reversed; "Space 10" after "Space 9" only with numeric collation.
    for (const name of ['Space 9', 'alpha', 'Space 10', "O'Neil and Co", 'Zulu']) {
      const d = await w.projectSpace(name);
      if (name === 'alpha') alpha = d.id;
      await new Promise((r) => setTimeout(r, 3));
    }
  });
  afterAll(async () => w.close());

  it('$filter=driveType eq …: project, personal (no Shares), virtual (only Shares), mountpoint (none yet)', async () => {
    const project = await w.call('viewer', 'GET', "/graph/v1.0/me/drives?$filter=driveType eq 'project'", { schema: 'drive' });
    expect(project.data.value.map((d: { driveType: string }) => d.driveType)).toEqual(Array(5).fill('project'));
    const personal = await w.call('viewer', 'GET', "/graph/v1.0/me/drives?$filter=driveType eq 'personal'", { schema: 'drive' });
    expect(ids(personal)).toEqual([`${w.storage}$${w.as.viewer!.user}`]);
    expect(ids(await w.call('viewer', 'GET', "/graph/v1.0/me/drives?$filter=driveType eq 'virtual'"))).toEqual([SHARES]);
    expect(ids(await w.call('viewer', 'GET', "/graph/v1.0/me/drives?$filter=driveType eq 'mountpoint'"))).toEqual([]);
    // Unquoted values as the documentation writes them.
    expect(ids(await w.call('viewer', 'GET', '/graph/v1.0/me/drives?$filter=driveType eq project'))).toEqual(ids(project));
    // Space Admins see every personal drive through /drives.
    const all = await w.call('spaceAdmin', 'GET', "/graph/v1.0/drives?$filter=driveType eq 'personal'", { schema: 'drive' });
    expect(ids(all)).toEqual(expect.arrayContaining([`${w.storage}$admin`, `${w.storage}$${w.as.viewer!.user}`]));
  });

  it('$filter=id eq …: full id, bare space id, the Shares id; an unknown id gives an empty list', async () => {
    expect(ids(await w.call('viewer', 'GET', `/graph/v1.0/me/drives?$filter=id eq '${alpha}'`))).toEqual([alpha]);
    expect(ids(await w.call('viewer', 'GET', `/graph/v1.0/me/drives?$filter=id eq '${alpha.split('$')[1]}'`))).toEqual([alpha]);
    expect(ids(await w.call('viewer', 'GET', `/graph/v1.0/me/drives?$filter=${encodeURIComponent(`id eq '${SHARES}'`)}`))).toEqual([SHARES]);
    expect(ids(await w.call('user', 'GET', `/graph/v1.0/me/drives?$filter=id eq '${alpha}'`))).toEqual([]);
    expect(ids(await w.call('viewer', 'GET', "/graph/v1.0/me/drives?$filter=id eq 'nothing'"))).toEqual([]);
  });

  it('eq on other properties is accepted and ignored, as the reference does', async () => {
    const all = ids(await w.call('viewer', 'GET', '/graph/v1.0/me/drives'));
    expect(ids(await w.call('viewer', 'GET', "/graph/v1.0/me/drives?$filter=name eq 'zzz'")).sort()).toEqual([...all].sort());
    // A quoted value may contain spaces, "and" and doubled quotes.
    expect(ids(await w.call('viewer', 'GET', `/graph/v1.0/me/drives?$filter=${encodeURIComponent("name eq 'O''Neil and Co'")}`)).sort()).toEqual([...all].sort());
  });

  it('other operators are 501 notSupported "unsupported filter operand: <op>"; non-OData is 400', async () => {
    const unsupported: Array<[string, string]> = [
      ["driveType ne 'project'", 'ne'],
      ["driveType eq 'project' and id eq 'x'", 'and'],
      ["driveType eq 'project' or driveType eq 'personal'", 'or'],
      ["contains(name,'a')", 'contains'],
      ["startswith(name, 'S')", 'startswith'],
      ["not (driveType eq 'project')", 'not'],
      ['quota/used gt 5', 'gt'],
    ];
    for (const [filter, op] of unsupported) {
      const res = await w.call('viewer', 'GET', `/graph/v1.0/me/drives?$filter=${encodeURIComponent(filter)}`);
      expect(res.statusCode, filter).toBe(501);
      expect(res.data.error).toMatchObject({ code: 'notSupported', message: `unsupported filter operand: ${op}` });
    }
    for (const filter of ['garbage', 'driveType eq', "driveType eq 'unterminated", "driveType eq 'a' )", 'driveType frob project', "(driveType eq 'x'"]) {
      const res = await w.call('viewer', 'GET', `/graph/v1.0/me/drives?$filter=${encodeURIComponent(filter)}`);
      expect(res.statusCode, filter).toBe(400);
      expect(res.data.error.code).toBe('invalidRequest');
    }
    // An empty $filter is no filter.
    expect((await w.call('viewer', 'GET', '/graph/v1.0/me/drives?$filter=')).statusCode).toBe(200);
  });

  it('$orderby=name: case-insensitive, numbers as numbers, asc by default, desc on request; Shares sorts among them', async () => {
    const asc = names(await w.call('viewer', 'GET', "/graph/v1.0/me/drives?$filter=driveType eq 'project'&$orderby=name"));
    expect(asc).toEqual(['alpha', "O'Neil and Co", 'Space 9', 'Space 10', 'Zulu']);
    const desc = names(await w.call('viewer', 'GET', "/graph/v1.0/me/drives?$filter=driveType eq 'project'&$orderby=name desc", { schema: 'drive' }));
    expect(desc).toEqual([...asc].reverse());
    const withShares = names(await w.call('viewer', 'GET', '/graph/v1.0/me/drives?$orderby=name asc'));
    expect(withShares).toEqual(['alpha', "O'Neil and Co", 'Shares', 'Space 9', 'Space 10', 'Vera Viewer', 'Zulu']);
  });

  it('$orderby=lastModifiedDateTime: drives without a date (Shares) first; desc reverses', async () => {
    const asc = await w.call('viewer', 'GET', '/graph/v1.0/me/drives?$orderby=lastModifiedDateTime asc');
    expect(asc.data.value[0].id).toBe(SHARES);
    const dates = asc.data.value.slice(1).map((d: { lastModifiedDateTime: string }) => Date.parse(d.lastModifiedDateTime));
    expect(dates).toEqual([...dates].sort((a, b) => a - b));
    const desc = await w.call('viewer', 'GET', '/graph/v1.0/me/drives?$orderby=lastModifiedDateTime desc');
    expect(ids(desc)).toEqual([...ids(asc)].reverse());
    expect(names(await w.call('viewer', 'GET', "/graph/v1.0/me/drives?$filter=driveType eq 'project'&$orderby=lastModifiedDateTime"))).toEqual([
      'Space 9',
      'alpha',
      'Space 10',
      "O'Neil and Co",
      'Zulu',
    ]);
  });

  it('$orderby on other fields is 400; two or more items are ignored; a bad direction is 400', async () => {
    const size = await w.call('viewer', 'GET', '/graph/v1.0/me/drives?$orderby=size');
    expect(size.statusCode).toBe(400);
    expect(size.data.error).toMatchObject({ code: 'invalidRequest', message: 'we do not support <size> as a order parameter' });
    expect((await w.call('viewer', 'GET', '/graph/v1.0/me/drives?$orderby=Name')).statusCode).toBe(400);
    expect((await w.call('viewer', 'GET', '/graph/v1.0/me/drives?$orderby=name,size')).statusCode).toBe(200);
    expect((await w.call('viewer', 'GET', '/graph/v1.0/me/drives?$orderby=name sideways')).statusCode).toBe(400);
  });

  it('the documented path form: /me/drives/$filter=…, /me/drives/$orderby=…, both, and /drives/$filter=…', async () => {
    const filtered = await w.call('viewer', 'GET', path('$filter=driveType eq project'), { schema: 'drive' });
    expect(filtered.data.value).toHaveLength(5);
    expect(names(await w.call('viewer', 'GET', path('$orderby=name desc')))[0]).toBe('Zulu');
    expect(names(await w.call('viewer', 'GET', path("$filter=driveType eq 'project'&$orderby=name asc")))).toEqual(['alpha', "O'Neil and Co", 'Space 9', 'Space 10', 'Zulu']);
    expect(ids(await w.call('viewer', 'GET', path(`$filter=id eq ${alpha}`)))).toEqual([alpha]);
    const admin = await w.call('admin', 'GET', `/graph/v1.0/drives/${encodeURIComponent('$filter=driveType eq project')}`, { schema: 'drive' });
    expect(admin.data.value.length).toBeGreaterThanOrEqual(5);
    expect((await w.call('viewer', 'GET', path('$filter=driveType ne project'))).statusCode).toBe(501);
    expect((await w.call('viewer', 'GET', '/graph/v1.0/me/drives/whatever')).statusCode).toBe(404);
  });

  it('paging options are ignored: no @odata.nextLink, everything in one answer', async () => {
    const res = await w.call('viewer', 'GET', '/graph/v1.0/me/drives?$top=1&$skip=1&$count=true');
    expect(res.data.value.length).toBe(7);
    expect(Object.keys(res.data)).toEqual(['value']);
  });
});
