import { describe, expect, it } from 'vitest';
import { parseAuthorization, throttleAddress } from '../../src/http/common/credentials.js';
import { int, mergeParams, str, strList } from '../../src/http/common/params.js';

describe('request parameters', () => {
  it('merges query and body, body winning, with PHP-style arrays', () => {
    const p = mergeParams({ userid: 'q', format: 'json', 'groups[]': ['a'] }, { userid: 'b', 'groups[]': 'b', 'subadmin[0]': 'x' });
    expect(str(p, 'userid')).toBe('b');
    expect(strList(p, 'groups')).toEqual(['a', 'b']);
    expect(strList(p, 'subadmin')).toEqual(['x']);
    expect(str(p, 'format')).toBe('json');
  });

  it('reads JSON scalars and lists, ignores non-object bodies', () => {
    const p = mergeParams({}, { limit: 5, groups: ['a', 1], flag: true });
    expect(int(p, 'limit')).toBe(5);
    expect(strList(p, 'groups')).toEqual(['a', '1']);
    expect(str(p, 'flag')).toBe('true');
    expect(mergeParams({}, [1, 2])).toEqual({});
    expect(int(mergeParams({ limit: 'abc' }, undefined), 'limit')).toBeUndefined();
    expect(str(mergeParams({}, { o: { a: 1 } }), 'o')).toBeUndefined();
  });
});

describe('Authorization header', () => {
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

  it('decodes UTF-8 Basic credentials (the OCS spec example)', () => {
    expect(parseAuthorization(`Basic ${b64('user:contraseña')}`)).toEqual({ kind: 'basic', login: 'user', password: 'contraseña' });
    expect(Buffer.from('user:contraseña', 'utf8').toString('base64')).toBe('dXNlcjpjb250cmFzZcOxYQ==');
    expect(parseAuthorization(`basic ${b64('a:b:c')}`)).toEqual({ kind: 'basic', login: 'a', password: 'b:c' });
  });

  it('refuses malformed or non-UTF-8 credentials', () => {
    expect(parseAuthorization('Basic !!!')).toEqual({ kind: 'malformed' });
    expect(parseAuthorization(`Basic ${b64('nocolon')}`)).toEqual({ kind: 'malformed' });
    // ISO-8859-1 "contraseña" is invalid per the OCS spec.
    expect(parseAuthorization(`Basic ${Buffer.from('user:contrase\xf1a', 'latin1').toString('base64')}`)).toEqual({ kind: 'malformed' });
    expect(parseAuthorization('Digest abc')).toEqual({ kind: 'malformed' });
    expect(parseAuthorization(undefined)).toBeNull();
    expect(parseAuthorization('Bearer abc')).toEqual({ kind: 'bearer', token: 'abc' });
  });

  it('throttles IPv4 per address and IPv6 per /64', () => {
    expect(throttleAddress('10.1.2.3')).toBe('10.1.2.3');
    expect(throttleAddress('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(throttleAddress('2001:db8:1:2:3:4:5:6')).toBe(throttleAddress('2001:db8:1:2:ffff::1'));
  });
});
