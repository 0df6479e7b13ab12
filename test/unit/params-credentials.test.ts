import { describe, expect, it } from 'vitest';
import { parseAuthorization, throttleAddress } from '../../src/http/common/credentials.js';
import { int, mergeParams, phpUrldecode, str, strList } from '../../src/http/common/params.js';

describe('mergeParams: PHP request parameters', () => {
  it('form arrays: groups[]=a&groups[]=b and groups[0]/groups[1] become one list', () => {
    // @fastify/formbody gives a repeated key as an array and a single one as a string.
    expect(strList(mergeParams({}, { 'groups[]': ['a', 'b'] }), 'groups')).toEqual(['a', 'b']);
    expect(strList(mergeParams({}, { 'groups[]': 'a' }), 'groups')).toEqual(['a']);
    expect(strList(mergeParams({}, { 'groups[0]': 'a', 'groups[1]': 'b' }), 'groups')).toEqual(['a', 'b']);
    expect(strList(mergeParams({ 'subadmin[]': ['x', 'y'] }, undefined), 'subadmin')).toEqual(['x', 'y']);
  });

  it('JSON bodies: lists stay lists, scalars are stringified like PHP', () => {
    const p = mergeParams({}, { limit: 5, groups: ['a', 1], flag: true, nothing: null });
    expect(int(p, 'limit')).toBe(5);
    expect(strList(p, 'groups')).toEqual(['a', '1']);
    expect(str(p, 'flag')).toBe('true');
    expect(str(p, 'nothing')).toBeUndefined();
    expect(strList(mergeParams({}, { groups: 'solo' }), 'groups')).toEqual(['solo']);
    expect(strList(mergeParams({}, { groups: '' }), 'groups')).toBeUndefined();
  });

  it('the body wins over the query, key by key', () => {
    const p = mergeParams({ userid: 'q', format: 'json', search: 's' }, { userid: 'b' });
    expect(str(p, 'userid')).toBe('b');
    expect(str(p, 'format')).toBe('json');
    expect(str(p, 'search')).toBe('s');
  });

  it('a body list replaces the query list as a whole (array_merge, not a deep merge)', () => {
    const p = mergeParams({ 'groups[]': ['q1', 'q2'] }, { 'groups[]': 'b1' });
    expect(strList(p, 'groups')).toEqual(['b1']);
    expect(strList(mergeParams({ 'groups[]': ['q1'] }, { userid: 'x' }), 'groups')).toEqual(['q1']);
  });

  it('ignores bodies that are not objects, and keeps structure for routes that want it', () => {
    expect(mergeParams({}, [1, 2])).toEqual({});
    expect(mergeParams({}, 'text')).toEqual({});
    expect(mergeParams(undefined, undefined)).toEqual({});
    expect(str(mergeParams({}, { o: { a: 1 } }), 'o')).toBeUndefined();
    expect(mergeParams({}, { o: { a: 1 } }).o).toEqual({ a: 1 });
    expect(str(mergeParams({}, { list: ['a'] }), 'list')).toBeUndefined();
  });

  it('int reads non-negative and negative integers, treats junk as absent', () => {
    expect(int(mergeParams({ limit: '10' }, {}), 'limit')).toBe(10);
    expect(int(mergeParams({ offset: ' 3 ' }, {}), 'offset')).toBe(3);
    expect(int(mergeParams({ limit: '-1' }, {}), 'limit')).toBe(-1);
    for (const junk of ['abc', '1.5', '', '1e3', '0x10']) expect(int(mergeParams({ limit: junk }, {}), 'limit'), junk).toBeUndefined();
  });
});

describe('phpUrldecode: the second decoding of group ids', () => {
  it('decodes %XX as bytes (UTF-8) and + as a space, like PHP urldecode', () => {
    expect(phpUrldecode('a%2Fb')).toBe('a/b');
    expect(phpUrldecode('a%2fb')).toBe('a/b');
    expect(phpUrldecode('a+b')).toBe('a b');
    expect(phpUrldecode('a%2Bb')).toBe('a+b');
    expect(phpUrldecode('%C3%A9quipe')).toBe('équipe');
    expect(phpUrldecode('équipe')).toBe('équipe');
  });

  it('leaves what is not an escape alone', () => {
    expect(phpUrldecode('50%')).toBe('50%');
    expect(phpUrldecode('100%zz')).toBe('100%zz');
    expect(phpUrldecode('%2')).toBe('%2');
    expect(phpUrldecode('plain')).toBe('plain');
    expect(phpUrldecode('')).toBe('');
  });
});

describe('parseAuthorization', () => {
  const b64 = (s: string, enc: BufferEncoding = 'utf8') => Buffer.from(s, enc).toString('base64');

  it('decodes UTF-8 Basic credentials, the OCS spec example "contraseña"', () => {
    // The spec: UTF-8 "contraseña" is Y29udHJhc2XDsWE=; ISO-8859-1 (Y29udHJhc2XxYQ==) MUST NOT be used.
    expect(b64('contraseña')).toBe('Y29udHJhc2XDsWE=');
    expect(parseAuthorization(`Basic ${b64('user:contraseña')}`)).toEqual({ kind: 'basic', login: 'user', password: 'contraseña' });
    expect(parseAuthorization(`Basic ${b64('josé:日本語-pass')}`)).toEqual({ kind: 'basic', login: 'josé', password: '日本語-pass' });
  });

  it('refuses ISO-8859-1 credentials', () => {
    expect(b64('contrase\xf1a', 'latin1')).toBe('Y29udHJhc2XxYQ==');
    expect(parseAuthorization(`Basic ${b64('user:contrase\xf1a', 'latin1')}`)).toEqual({ kind: 'malformed' });
  });

  it('splits at the first colon; empty parts are allowed', () => {
    expect(parseAuthorization(`Basic ${b64('a:b:c')}`)).toEqual({ kind: 'basic', login: 'a', password: 'b:c' });
    expect(parseAuthorization(`Basic ${b64('user:')}`)).toEqual({ kind: 'basic', login: 'user', password: '' });
    expect(parseAuthorization(`Basic ${b64(':pw')}`)).toEqual({ kind: 'basic', login: '', password: 'pw' });
  });

  it('scheme is case-insensitive; surrounding spaces are tolerated', () => {
    expect(parseAuthorization(`basic ${b64('a:b')}`)).toEqual({ kind: 'basic', login: 'a', password: 'b' });
    expect(parseAuthorization(`BASIC   ${b64('a:b')}  `)).toEqual({ kind: 'basic', login: 'a', password: 'b' });
    expect(parseAuthorization('bearer abc')).toEqual({ kind: 'bearer', token: 'abc' });
    expect(parseAuthorization('Bearer abc')).toEqual({ kind: 'bearer', token: 'abc' });
  });

  it('flags malformed headers', () => {
    for (const header of [
      'Basic !!!',
      `Basic ${b64('nocolon')}`,
      'Basic',
      'Basic ',
      `Basic ${b64('a:b')} extra`,
      'Bearer',
      'Bearer ',
      'Digest username="a"',
      'Negotiate abc',
      'garbage',
    ]) {
      expect(parseAuthorization(header), header).toEqual({ kind: 'malformed' });
    }
    expect(parseAuthorization(undefined)).toBeNull();
    expect(parseAuthorization('')).toBeNull();
  });
});

describe('throttleAddress: IPv4 per address, IPv6 per /64', () => {
  it('IPv4 and IPv4-mapped IPv6 are one address', () => {
    expect(throttleAddress('10.1.2.3')).toBe('10.1.2.3');
    expect(throttleAddress('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(throttleAddress('::FFFF:10.1.2.3')).toBe('10.1.2.3');
    expect(throttleAddress('10.1.2.4')).not.toBe(throttleAddress('10.1.2.3'));
  });

  it('addresses inside one /64 share a key', () => {
    const key = throttleAddress('2001:db8:1:2:3:4:5:6');
    expect(key).toBe('2001:db8:1:2::/64');
    for (const same of ['2001:db8:1:2:ffff::1', '2001:db8:1:2::', '2001:0db8:0001:0002:0:0:0:9', '2001:DB8:1:2::abcd', 'fe80::1%eth0'.replace('fe80::1', '2001:db8:1:2::1')]) {
      expect(throttleAddress(same), same).toBe(key);
    }
  });

  it('different spellings of a zero-compressed prefix are one /64', () => {
    const key = throttleAddress('2001:db8::1');
    expect(key).toBe('2001:db8:0:0::/64');
    expect(throttleAddress('2001:db8::2')).toBe(key);
    expect(throttleAddress('2001:db8:0:0:1::7')).toBe(key);
    expect(throttleAddress('2001:0DB8:0000:0000:ffff:ffff:ffff:ffff')).toBe(key);
    expect(throttleAddress('::1')).toBe('0:0:0:0::/64');
  });

  it('another /64 is another key', () => {
    expect(throttleAddress('2001:db8:1:3::1')).not.toBe(throttleAddress('2001:db8:1:2::1'));
    expect(throttleAddress('2001:db8::1')).not.toBe(throttleAddress('2001:db9::1'));
  });

  it('an embedded IPv4 tail counts as the low 32 bits', () => {
    expect(throttleAddress('2001:db8:1:2::1.2.3.4')).toBe('2001:db8:1:2::/64');
    expect(throttleAddress('64:ff9b::192.0.2.1')).toBe('64:ff9b:0:0::/64');
  });

  it('something that is not an address is used as is (lower-cased)', () => {
    expect(throttleAddress('Unix-Socket')).toBe('unix-socket');
    expect(throttleAddress('1::2::3')).toBe('1::2::3');
  });

  it('a request whose client already hung up (no address left) gets one shared key instead of a TypeError', () => {
    expect(throttleAddress(undefined)).toBe('unknown');
    expect(throttleAddress('')).toBe('unknown');
  });
});
