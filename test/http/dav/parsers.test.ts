import { describe, expect, it } from 'vitest';
import { DavError } from '../../../src/http/dav/errors.js';
import { evaluateIf, parseIfHeader, submittedTokens } from '../../../src/http/dav/if-header.js';
import { encodeSegment, hrefOf, parseDavPathname, pathnameOfHref } from '../../../src/http/dav/location.js';
import { contentDisposition, parseRange } from '../../../src/http/dav/methods/get.js';
import { parseTimeout, MAX_TIMEOUT } from '../../../src/http/dav/methods/lock.js';
import { parsePropfind, propfindDepth } from '../../../src/http/dav/methods/propfind.js';
import { parsePropertyUpdate } from '../../../src/http/dav/methods/proppatch.js';
import { propElement, propResponse } from '../../../src/http/dav/multistatus.js';
import { innerXml, parseXmlBody } from '../../../src/http/dav/xml.js';
import { chunkOrder } from '../../../src/services/files/chunked-uploads.service.js';

const status = (fn: () => unknown): number | undefined => {
  try {
    fn();
  } catch (e) {
    return e instanceof DavError ? e.status : -1;
  }
  return undefined;
};

describe('If header (RFC 4918 §10.4)', () => {
  it('parses untagged lists with tokens, etags and Not', () => {
    expect(parseIfHeader('(<opaquelocktoken:a> ["x"]) (Not <DAV:no-lock>)')).toEqual([
      { resource: null, conditions: [{ not: false, kind: 'token', value: 'opaquelocktoken:a' }, { not: false, kind: 'etag', value: '"x"' }] },
      { resource: null, conditions: [{ not: true, kind: 'token', value: 'DAV:no-lock' }] },
    ]);
  });

  it('parses tagged lists, several lists per tag', () => {
    const lists = parseIfHeader('<http://h/a> (<t1>) (["e"]) </b> (Not ["f"])');
    expect(lists.map((l) => l.resource)).toEqual(['http://h/a', 'http://h/a', '/b']);
  });

  it.each(['', '(', '(<a>', '()', '<x>', '(<a>) <b> (<c>)', 'garbage', '(<a> x)'])('refuses malformed %j with 400', (h) => {
    expect(status(() => parseIfHeader(h))).toBe(400);
  });

  it('counts tokens outside Not as submitted', () => {
    expect([...submittedTokens(parseIfHeader('(<a>) (Not <b>) (<c> ["e"])'))]).toEqual(['a', 'c']);
  });

  it('holds when any list holds, every condition of it', async () => {
    const state = async () => ({ etag: '"e1"', lockTokens: new Set(['tok']) });
    expect(await evaluateIf(parseIfHeader('(<tok> ["e1"])'), state)).toBe(true);
    expect(await evaluateIf(parseIfHeader('(<tok> ["e2"])'), state)).toBe(false);
    expect(await evaluateIf(parseIfHeader('(<DAV:no-lock>)'), state)).toBe(false);
    expect(await evaluateIf(parseIfHeader('(<bad>) (Not <DAV:no-lock>)'), state)).toBe(true);
    expect(await evaluateIf(parseIfHeader('(<tok> ["x"]) (Not <DAV:no-lock> ["e1"])'), state)).toBe(true);
    expect(await evaluateIf(parseIfHeader('(<tok> ["x"]) (Not <DAV:no-lock> ["x"])'), state)).toBe(false);
    expect(await evaluateIf(parseIfHeader('(["e1"])'), async () => null)).toBe(false);
  });
});

describe('DAV URLs', () => {
  it('maps every entry point', () => {
    expect(parseDavPathname('/remote.php/webdav/a/b%20c')).toMatchObject({ family: 'webdav', base: '/remote.php/webdav', path: ['a', 'b c'] });
    expect(parseDavPathname('/remote.php/dav/files/admin/')).toMatchObject({ family: 'files', ref: 'admin', path: [] });
    expect(parseDavPathname('/dav/spaces/st%24sp/x')).toMatchObject({ family: 'spaces', ref: 'st$sp', base: '/dav/spaces/st%24sp', path: ['x'] });
    expect(parseDavPathname('/remote.php/dav/spaces/sp')).toMatchObject({ family: 'spaces', ref: 'sp', path: [] });
    expect(parseDavPathname('/remote.php/dav/uploads/u/123/00001')).toMatchObject({ family: 'uploads', ref: 'u', uploadId: '123', path: ['00001'] });
    expect(parseDavPathname('/remote.php/dav/')).toMatchObject({ family: 'root' });
    expect(parseDavPathname('/remote.php/dav/files/')).toMatchObject({ family: 'root' });
    expect(parseDavPathname('/ocs/v2.php')).toBeNull();
  });

  it('collapses empty segments and decodes once', () => {
    expect(parseDavPathname('/remote.php/webdav//a///b/')!.path).toEqual(['a', 'b']);
    expect(parseDavPathname('/remote.php/webdav/%2541')!.path).toEqual(['%41']);
  });

  it.each(['/remote.php/dav/files/admin/../bob/x', '/remote.php/webdav/%2e%2e/x', '/remote.php/webdav/a/%2E', '/remote.php/webdav/a%2Fb', '/remote.php/webdav/a%00b', '/remote.php/webdav/%E0%A4%A'])(
    'refuses %s with 400',
    (p) => {
      expect(status(() => parseDavPathname(p))).toBe(400);
    },
  );

  it('encodes hrefs per segment as Sabre, folders with a slash', () => {
    expect(encodeSegment("Nextcloud intro (1)'s.mp4")).toBe("Nextcloud%20intro%20(1)%27s.mp4");
    expect(encodeSegment('ä#?%&+:@')).toBe('%C3%A4%23%3F%25%26%2B:@');
    expect(hrefOf('/remote.php/dav/files/admin', ['Docs', 'a b'], true)).toBe('/remote.php/dav/files/admin/Docs/a%20b/');
    expect(hrefOf('/remote.php/dav/files/admin', [], true)).toBe('/remote.php/dav/files/admin/');
  });

  it('takes the path of absolute and relative hrefs without resolving dot segments', () => {
    expect(pathnameOfHref('http://h:8/remote.php/webdav/x?y=1')).toBe('/remote.php/webdav/x');
    expect(pathnameOfHref('/remote.php/webdav/../x')).toBe('/remote.php/webdav/../x');
    expect(pathnameOfHref('relative')).toBeNull();
  });
});

describe('request bodies', () => {
  it('resolves namespaces, default and prefixed', () => {
    const el = parseXmlBody('<?xml version="1.0"?><D:propfind xmlns:D="DAV:" xmlns="urn:x"><D:prop><a/><o:b xmlns:o="urn:o"/></D:prop></D:propfind>')!;
    expect(parsePropfind(el)).toEqual({ kind: 'prop', props: [{ ns: 'urn:x', name: 'a' }, { ns: 'urn:o', name: 'b' }] });
  });

  it('reads allprop, propname, and ignores unknown propfind children', () => {
    expect(parsePropfind(null).kind).toBe('allprop');
    expect(parsePropfind(parseXmlBody('<propfind xmlns="DAV:"><foobar/><allprop/></propfind>')).kind).toBe('allprop');
    expect(parsePropfind(parseXmlBody('<propfind xmlns="DAV:"><propname/></propfind>')).kind).toBe('propname');
  });

  it.each(['<foo>', '<D:propfind xmlns:D="DAV:"><D:prop><bar:foo xmlns:bar=""/></D:prop></D:propfind>', '<a:b/>', '<!DOCTYPE x [<!ENTITY e "x">]><a/>', '<a/><b/>'])(
    'refuses %s with 400',
    (xml) => {
      expect(status(() => parseXmlBody(xml))).toBe(400);
    },
  );

  it('keeps property values as self-contained XML', () => {
    const el = parseXmlBody("<t:v xmlns:t='urn:t'><foo xmlns='http://bar'>a &amp; b</foo>&#65536;</t:v>")!;
    expect(innerXml(el)).toBe('<foo xmlns="http://bar">a &amp; b</foo>\u{10000}');
  });

  it('reads propertyupdate instructions in document order', () => {
    const ops = parsePropertyUpdate(
      parseXmlBody('<propertyupdate xmlns="DAV:"><remove><prop><x xmlns="urn:a"/></prop></remove><set><prop><x xmlns="urn:a">1</x></prop></set></propertyupdate>'),
    );
    expect(ops.map((o) => o.value)).toEqual([null, '1']);
    expect(status(() => parsePropertyUpdate(parseXmlBody('<propfind xmlns="DAV:"/>')))).toBe(400);
  });

  it('only allows Depth 0 and 1 on PROPFIND', () => {
    expect(propfindDepth('0')).toBe(0);
    expect(propfindDepth(undefined)).toBe(1);
    expect(status(() => propfindDepth('infinity'))).toBe(403);
    expect(status(() => propfindDepth('2'))).toBe(400);
  });
});

describe('answers', () => {
  it('writes well-known prefixes, declares others, escapes values as XMLWriter', () => {
    expect(propElement('DAV:', 'getetag', '"abc"')).toBe('<d:getetag>&quot;abc&quot;</d:getetag>');
    expect(propElement('urn:x', 'p', 'a<b')).toBe('<x1:p xmlns:x1="urn:x">a&lt;b</x1:p>');
    expect(propElement('', 'nonamespace', 'v')).toBe('<nonamespace xmlns="">v</nonamespace>');
    expect(propElement('http://owncloud.org/ns', 'share-types', null)).toBe('<oc:share-types/>');
  });

  it('groups results by status, 200 first', () => {
    const xml = propResponse('/h', [
      { ns: 'DAV:', name: 'a', status: 404 },
      { ns: 'DAV:', name: 'b', status: 200, value: '1' },
    ]);
    expect(xml).toBe(
      '<d:response><d:href>/h</d:href><d:propstat><d:prop><d:b>1</d:b></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>' +
        '<d:propstat><d:prop><d:a/></d:prop><d:status>HTTP/1.1 404 Not Found</d:status></d:propstat></d:response>',
    );
  });

  it('parses byte ranges', () => {
    expect(parseRange('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=90-', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-10', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=50-500', 100)).toEqual({ start: 50, end: 99 });
    expect(parseRange('bytes=100-', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=-0', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=5-1', 100)).toBeNull();
    expect(parseRange('bytes=0-1,5-6', 100)).toBeNull();
    expect(parseRange('items=0-1', 100)).toBeNull();
  });

  it('names downloads as Nextcloud does', () => {
    expect(contentDisposition('test.txt')).toBe(`attachment; filename*=UTF-8''test.txt; filename="test.txt"`);
    expect(contentDisposition('ä "x".txt')).toBe(`attachment; filename*=UTF-8''%C3%A4%20%22x%22.txt; filename="%C3%A4%20%22x%22.txt"`);
  });

  it('reads lock timeouts', () => {
    expect(parseTimeout('Second-3600')).toBe(3600);
    expect(parseTimeout('Infinite, Second-4100000000')).toBe(MAX_TIMEOUT);
    expect(parseTimeout('Second-999999999')).toBe(MAX_TIMEOUT);
    expect(parseTimeout(undefined)).toBe(1800);
  });

  it('orders v2 chunks by number', () => {
    expect(['10', '9', '100', '1'].sort(chunkOrder)).toEqual(['1', '9', '10', '100']);
  });
});
