import { describe, expect, it } from 'vitest';
import { KqlError, naturalRange, parseKql } from '../../src/domain/kql.js';
import { ftsQueryOf } from '../../src/db/repositories/node-name-index.js';

// Wednesday 2026-12-02 08:00 UTC.
const NOW = Date.UTC(2026, 11, 2, 8);
const day = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d);
const name = (value: string) => ({ op: 'like', field: 'name', value });

describe('KQL as ownCloud Web sends it', () => {
  it('reads name terms: quoted with wildcards, free text as whole names', () => {
    expect(parseKql('name:"*report*"', NOW)).toEqual({ where: name('%report%'), scopes: [] });
    expect(parseKql('notes.txt', NOW).where).toEqual(name('notes.txt'));
    expect(parseKql('name:"100%_done?"', NOW).where).toEqual(name('100\\%\\_done_'));
  });

  it('joins terms of the same key with OR and different keys with AND (connect.go), NOT binding tighter than AND, AND than OR', () => {
    expect(parseKql('a b', NOW).where).toEqual({ op: 'or', of: [name('a'), name('b')] });
    expect(parseKql('name:"*a*" mediatype:pdf', NOW).where).toEqual({ op: 'and', of: [name('%a%'), { op: 'eq', field: 'mime', value: 'application/pdf' }] });
    expect(parseKql('a -b', NOW).where).toEqual({ op: 'and', of: [name('a'), { op: 'not', of: name('b') }] });
    expect(parseKql('a OR b AND c', NOW).where).toEqual({ op: 'or', of: [name('a'), { op: 'and', of: [name('b'), name('c')] }] });
    expect(parseKql('NOT (a OR b)', NOW).where).toEqual({ op: 'not', of: { op: 'or', of: [name('a'), name('b')] } });
  });

  it('maps media types as the oCIS compiler does, a group of them with OR', () => {
    const q = parseKql('name:"*x*" AND mediatype:("folder" OR "image")', NOW).where;
    expect(q).toEqual({ op: 'and', of: [name('%x%'), { op: 'or', of: [{ op: 'folder', value: true }, { op: 'like', field: 'mime', value: 'image/%' }] }] });
    expect(parseKql('mediatype:file', NOW).where).toEqual({ op: 'folder', value: false });
    expect(parseKql('mediatype:spreadsheet', NOW).where).toMatchObject({ op: 'or' });
    expect(parseKql('mediatype:text/*', NOW).where).toEqual({ op: 'like', field: 'mime', value: 'text/%' });
  });

  it('reads mtime as a natural-language range, a date or a date and time', () => {
    expect(naturalRange('today', NOW)).toEqual([day(2026, 12, 2), day(2026, 12, 3)]);
    expect(naturalRange('yesterday', NOW)).toEqual([day(2026, 12, 1), day(2026, 12, 2)]);
    expect(naturalRange('this week', NOW)).toEqual([day(2026, 11, 30), day(2026, 12, 7)]);
    expect(naturalRange('last week', NOW)).toEqual([day(2026, 11, 23), day(2026, 11, 30)]);
    expect(naturalRange('last 7 days', NOW)).toEqual([day(2026, 11, 26), day(2026, 12, 3)]);
    expect(naturalRange('last month', NOW)).toEqual([day(2026, 11, 1), day(2026, 12, 1)]);
    expect(naturalRange('last 30 days', NOW)).toEqual([day(2026, 11, 3), day(2026, 12, 3)]);
    expect(naturalRange('last year', NOW)).toEqual([day(2025, 1, 1), day(2026, 1, 1)]);
    const range = (from: number, to: number) => ({ op: 'and', of: [{ op: 'gte', field: 'mtime', value: from }, { op: 'lt', field: 'mtime', value: to }] });
    // ownCloud Web writes the keyword unquoted (useSearch.ts: `mtime:${lastModified}`).
    expect(parseKql('mtime:last 7 days', NOW).where).toEqual(range(day(2026, 11, 26), day(2026, 12, 3)));
    expect(parseKql('mtime:"today"', NOW).where).toEqual(range(day(2026, 12, 2), day(2026, 12, 3)));
    expect(parseKql('mtime>=2026-01-31', NOW).where).toEqual({ op: 'gte', field: 'mtime', value: day(2026, 1, 31) });
    expect(parseKql('mtime<2026-01-31T12:00:00Z', NOW).where).toEqual({ op: 'lt', field: 'mtime', value: Date.UTC(2026, 0, 31, 12) });
    expect(parseKql('mtime:2026-01-31', NOW).where).toEqual(range(day(2026, 1, 31), day(2026, 2, 1)));
  });

  it('takes scope: terms out of a top-level AND', () => {
    expect(parseKql('name:"*a*" AND scope:st$sp!n1', NOW)).toEqual({ where: name('%a%'), scopes: ['st$sp!n1'] });
  });

  it('refuses what it cannot answer with a message', () => {
    for (const bad of ['', '   ', 'name:"open', '(a', 'a)', 'AND', 'a OR', 'tag:x', 'content:"x"', 'mediatype:weird', 'mtime:soon', 'mtime>today', 'name>x', 'a OR scope:x', 'x:y:z', '"a" NOT', 'a'.repeat(1001)]) {
      expect(() => parseKql(bad, NOW), bad).toThrow(KqlError);
    }
    let deep = 'a';
    for (let i = 0; i < 20; i++) deep = `(${deep})`;
    expect(() => parseKql(deep, NOW)).toThrow(KqlError);
  });
});

describe('FTS5 trigram queries of LIKE patterns', () => {
  it('asks for every literal run of three characters or more, none when there is none', () => {
    expect(ftsQueryOf('%-4242%')).toBe('"-4242"');
    expect(ftsQueryOf('%rep%ort 2026%')).toBe('"rep" AND "ort 2026"');
    expect(ftsQueryOf('%ab%')).toBeNull();
    expect(ftsQueryOf('%')).toBeNull();
    expect(ftsQueryOf('100\\%\\_do"ne')).toBe('"100%_do""ne"');
  });
});
