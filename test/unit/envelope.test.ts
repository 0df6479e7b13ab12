import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { escapeXml, httpStatusFor, negotiateFormat, renderOcs } from '../../src/http/ocs/envelope.js';
import { ncSample } from '../fixtures/nextcloud/samples.js';

const xml = new XMLParser({ parseTagValue: false, isArray: (name) => name === 'element' });

/** The XML body of an envelope, as an array of lines without the trailing empty one. */
const xmlLines = (body: string): string[] => {
  expect(body.endsWith('\n')).toBe(true);
  return body.slice(0, -1).split('\n');
};

describe('httpStatusFor: the status table of nextcloud-ocs.md §1.2', () => {
  // [raw status, v1 HTTP, v2 HTTP]
  const table: Array<[number, number, number, string]> = [
    [200, 200, 200, 'success'],
    [100, 200, 200, 'legacy success code'],
    [997, 401, 401, 'unauthorised (v1 too)'],
    [998, 200, 404, 'not found'],
    [996, 200, 500, 'server error'],
    [999, 200, 500, 'unknown error'],
    [400, 200, 400, 'bad request'],
    [403, 200, 403, 'forbidden'],
    [404, 200, 404, 'exception-based not found'],
    [405, 200, 405, 'method'],
    [409, 200, 409, 'conflict'],
    [412, 200, 412, 'precondition'],
    [423, 200, 423, 'locked'],
    [429, 200, 429, 'throttled'],
    [500, 200, 500, 'raw 500'],
    [503, 200, 503, 'raw 503 (only maintenance mode forces 503 on v1)'],
    [507, 200, 507, 'insufficient storage'],
    [101, 200, 400, 'app code 101'],
    [102, 200, 400, 'app code 102'],
    [103, 200, 400, 'app code 103'],
    [107, 200, 400, 'password policy'],
    [113, 200, 400, 'field not editable'],
    [0, 200, 400, 'zero'],
    [1000, 200, 400, 'above 600'],
    [201, 200, 201, 'other 2xx'],
  ];
  it.each(table)('raw %i → v1 %i, v2 %i (%s)', (raw, v1, v2) => {
    expect(httpStatusFor(1, raw)).toBe(v1);
    expect(httpStatusFor(2, raw)).toBe(v2);
  });

  it('v1 only ever answers 200 or 401', () => {
    for (let raw = 0; raw < 1100; raw++) expect([200, 401]).toContain(httpStatusFor(1, raw));
  });

  it('v2 always puts a valid HTTP status on the wire', () => {
    for (let raw = 0; raw < 1100; raw++) {
      const s = httpStatusFor(2, raw);
      expect(s >= 200 && s < 600, `raw ${raw} → ${s}`).toBe(true);
    }
  });
});

describe('renderOcs: meta', () => {
  const json = (v: 1 | 2, r: Parameters<typeof renderOcs>[2]) => JSON.parse(renderOcs(v, 'json', r).body);

  it('v1 success: statuscode 100, message OK, totals as empty strings, in that key order', () => {
    const body = renderOcs(1, 'json', { status: 200, data: { id: 'a' } }).body;
    expect(body).toBe('{"ocs":{"meta":{"status":"ok","statuscode":100,"message":"OK","totalitems":"","itemsperpage":""},"data":{"id":"a"}}}');
  });

  it('v2 success: statuscode 200, message OK, no totals (sample 15 byte for byte)', () => {
    const r = renderOcs(2, 'json', { status: 200 });
    expect(r.httpStatus).toBe(200);
    expect(r.contentType).toBe('application/json; charset=utf-8');
    expect(r.body).toBe(ncSample('15-groups-create-json').body);
  });

  it('failures keep the raw code, the message, and data []', () => {
    expect(json(2, { status: 102, message: 'User already exists' })).toEqual({
      ocs: { meta: { status: 'failure', statuscode: 102, message: 'User already exists' }, data: [] },
    });
    expect(json(1, { status: 102, message: 'User already exists' })).toEqual({
      ocs: { meta: { status: 'failure', statuscode: 102, message: 'User already exists', totalitems: '', itemsperpage: '' }, data: [] },
    });
  });

  it('a failure without a message has "" (never null); a success is always "OK"', () => {
    expect(json(2, { status: 404 }).ocs.meta.message).toBe('');
    expect(json(1, { status: 404 }).ocs.meta.message).toBe('');
    expect(json(2, { status: 200, message: 'ignored' }).ocs.meta.message).toBe('OK');
    expect(json(1, { status: 200, message: 'ignored' }).ocs.meta.message).toBe('OK');
  });

  it('reproduces the captured 997 body (sample 40)', () => {
    const r = renderOcs(2, 'json', { status: 997, message: 'Unauthorised' });
    expect(r.httpStatus).toBe(401);
    expect(r.body).toBe(ncSample('40-ocs-bad-password-json').body);
  });

  it('v1 "ok" means statuscode 100; v2 "ok" means a 2xx raw status', () => {
    expect(json(1, { status: 201 }).ocs.meta).toMatchObject({ status: 'failure', statuscode: 201 });
    expect(json(2, { status: 201 }).ocs.meta).toMatchObject({ status: 'ok', statuscode: 201, message: 'OK' });
    expect(json(2, { status: 429, message: 'Reached maximum delay' }).ocs.meta).toEqual({
      status: 'failure',
      statuscode: 429,
      message: 'Reached maximum delay',
    });
  });

  it('totals: v1 strings, v2 integers only when set', () => {
    expect(json(1, { status: 200, totalItems: 5, itemsPerPage: 2 }).ocs.meta).toMatchObject({ totalitems: '5', itemsperpage: '2' });
    const v2 = json(2, { status: 200, totalItems: 5, itemsPerPage: 2 }).ocs.meta;
    expect(v2).toEqual({ status: 'ok', statuscode: 200, message: 'OK', totalitems: 5, itemsperpage: 2 });
    expect(Object.keys(json(2, { status: 200, totalItems: 0 }).ocs.meta)).toEqual(['status', 'statuscode', 'message', 'totalitems']);
  });

  it('"no data" is [] in JSON, never {} or null, at any depth (PHP arrays)', () => {
    expect(json(2, { status: 200 }).ocs.data).toEqual([]);
    expect(json(2, { status: 200, data: null }).ocs.data).toEqual([]);
    expect(renderOcs(2, 'json', { status: 200, data: {} }).body).toContain('"data":[]');
    expect(renderOcs(2, 'json', { status: 200, data: { users: {} } }).body).toContain('"data":{"users":[]}');
    expect(renderOcs(2, 'json', { status: 200, data: { a: { b: {} }, c: [] } }).body).toContain('"data":{"a":{"b":[]},"c":[]}');
    // null stays null, numbers and booleans stay typed.
    expect(json(2, { status: 200, data: { n: null, i: 3, t: true, f: false } }).ocs.data).toEqual({ n: null, i: 3, t: true, f: false });
  });

  it('v2 1xx/204/304 have an empty body; v1 renders them in an HTTP 200 envelope', () => {
    for (const raw of [204, 304]) {
      const v2 = renderOcs(2, 'json', { status: raw });
      expect(v2.httpStatus).toBe(raw);
      expect(v2.body).toBe('');
      const v1 = renderOcs(1, 'json', { status: raw });
      expect(v1.httpStatus).toBe(200);
      expect(JSON.parse(v1.body).ocs.meta.statuscode).toBe(raw);
    }
  });
});

describe('renderOcs: XML rules of §1.5', () => {
  it('matches the captured group-create XML answer (sample 16) byte for byte', () => {
    const sample = ncSample('16-groups-create-xml');
    const r = renderOcs(2, 'xml', { status: 200 });
    expect(r.contentType).toBe(sample.headers['content-type']);
    expect(r.body).toBe(sample.body);
    expect(Buffer.byteLength(r.body)).toBe(Number(sample.headers['content-length']));
  });

  it('matches the captured user-create XML answer (sample 07) byte for byte', () => {
    const sample = ncSample('07-users-create-xml');
    const r = renderOcs(2, 'xml', { status: 200, data: { id: 'bob' } });
    expect(r.body).toBe(sample.body);
    expect(Buffer.byteLength(r.body)).toBe(Number(sample.headers['content-length']));
  });

  it('writes one-space indents, <element> list items and keeps empty values present', () => {
    const r = renderOcs(2, 'xml', {
      status: 200,
      data: { id: 'bob', groups: ['admin', 'staff'], none: null, empty: '', list: [], map: {}, yes: true, no: false, n: 3, neg: -3, f: 33.33, nested: { a: '<&>"' } },
    });
    expect(r.contentType).toBe('application/xml; charset=utf-8');
    expect(xmlLines(r.body)).toEqual([
      '<?xml version="1.0"?>',
      '<ocs>',
      ' <meta>',
      '  <status>ok</status>',
      '  <statuscode>200</statuscode>',
      '  <message>OK</message>',
      ' </meta>',
      ' <data>',
      '  <id>bob</id>',
      '  <groups>',
      '   <element>admin</element>',
      '   <element>staff</element>',
      '  </groups>',
      '  <none/>',
      '  <empty></empty>',
      '  <list/>',
      '  <map/>',
      '  <yes>1</yes>',
      '  <no></no>',
      '  <n>3</n>',
      '  <neg>-3</neg>',
      '  <f>33.33</f>',
      '  <nested>',
      '   <a>&lt;&amp;&gt;&quot;</a>',
      '  </nested>',
      ' </data>',
      '</ocs>',
    ]);
  });

  it('v1 XML totals are empty elements; a failure message of "" is <message></message>', () => {
    const lines = xmlLines(renderOcs(1, 'xml', { status: 998 }).body);
    expect(lines).toEqual([
      '<?xml version="1.0"?>',
      '<ocs>',
      ' <meta>',
      '  <status>failure</status>',
      '  <statuscode>998</statuscode>',
      '  <message></message>',
      '  <totalitems></totalitems>',
      '  <itemsperpage></itemsperpage>',
      ' </meta>',
      ' <data/>',
      '</ocs>',
    ]);
  });

  it('a list of objects is a list of <element> blocks; numeric keys become element', () => {
    const lines = xmlLines(
      renderOcs(2, 'xml', { status: 200, data: [{ id: 1, 'display-name': 'A', 'is-mount-root': false }, { id: 2 }], totalItems: 2 }).body,
    );
    expect(lines.slice(6, 8)).toEqual(['  <totalitems>2</totalitems>', ' </meta>']);
    expect(lines.slice(8)).toEqual([
      ' <data>',
      '  <element>',
      '   <id>1</id>',
      '   <display-name>A</display-name>',
      '   <is-mount-root></is-mount-root>',
      '  </element>',
      '  <element>',
      '   <id>2</id>',
      '  </element>',
      ' </data>',
      '</ocs>',
    ]);
    // Nextcloud's circles capability: a map with integer keys is written as elements.
    const flags = xmlLines(renderOcs(2, 'xml', { status: 200, data: { flags: { '1': 'Single', '2': 'Personal' } } }).body);
    expect(flags).toContain('   <element>Single</element>');
    expect(flags).toContain('   <element>Personal</element>');
  });

  it('$comment becomes an XML comment at the children indent, and stays a key in JSON', () => {
    const files = { $comment: '"blacklisted_files" is deprecated', blacklisted_files: ['.htaccess'], forbidden_filename_basenames: [] };
    const lines = xmlLines(renderOcs(2, 'xml', { status: 200, data: { files } }).body);
    expect(lines.slice(8, 15)).toEqual([
      '  <files>',
      '   <!--"blacklisted_files" is deprecated-->',
      '   <blacklisted_files>',
      '    <element>.htaccess</element>',
      '   </blacklisted_files>',
      '   <forbidden_filename_basenames/>',
      '  </files>',
    ]);
    expect(JSON.parse(renderOcs(2, 'json', { status: 200, data: { files } }).body).ocs.data.files.$comment).toBe('"blacklisted_files" is deprecated');
    // "--" may not appear inside a comment.
    expect(renderOcs(2, 'xml', { status: 200, data: { $comment: 'a--b' } }).body).toContain('<!--a- -b-->');
  });

  it('escapes text like libxml, drops characters XML 1.0 cannot carry, keeps UTF-8 as is', () => {
    expect(escapeXml('a & b < c > d " e')).toBe('a &amp; b &lt; c &gt; d &quot; e');
    expect(escapeXml('line\r\nnext\ttab')).toBe('line&#13;\nnext\ttab');
    expect(escapeXml('bell\u0007 nul\u0000')).toBe('bell nul');
    const body = renderOcs(2, 'xml', { status: 200, data: { name: 'contraseña ✓ 日本' } }).body;
    expect(body).toContain('<name>contraseña ✓ 日本</name>');
  });

  it('never emits an invalid element name for a user-chosen key', () => {
    const body = renderOcs(2, 'xml', { status: 200, data: { users: { 'alice@example.com': { id: 'x' }, '123': { id: 'y' }, 'ok.name-1': 1 } } }).body;
    expect(body).not.toContain('<alice@');
    expect(body).toContain('<ok.name-1>1</ok.name-1>');
    const parsed = xml.parse(body);
    expect(parsed.ocs.data.users.element.map((e: { id: string }) => e.id)).toEqual(['y', 'x']);
  });

  it('round-trips through an XML parser', () => {
    const body = renderOcs(1, 'xml', { status: 200, data: { users: ['a', 'b'], quota: { free: -3, used: 0 } } }).body;
    expect(xml.parse(body).ocs).toEqual({
      meta: { status: 'ok', statuscode: '100', message: 'OK', totalitems: '', itemsperpage: '' },
      data: { users: { element: ['a', 'b'] }, quota: { free: '-3', used: '0' } },
    });
  });
});

describe('negotiateFormat: §1.3', () => {
  it('defaults to XML', () => {
    expect(negotiateFormat(undefined, undefined)).toBe('xml');
    expect(negotiateFormat(undefined, '')).toBe('xml');
  });

  it('the format parameter wins over Accept', () => {
    expect(negotiateFormat('json', 'application/xml')).toBe('json');
    expect(negotiateFormat('xml', 'application/json')).toBe('xml');
  });

  it('an unknown format value falls back to Accept, then XML', () => {
    expect(negotiateFormat('yaml', undefined)).toBe('xml');
    expect(negotiateFormat('yaml', 'application/json')).toBe('json');
    expect(negotiateFormat(['json'], undefined)).toBe('xml');
  });

  it('Accept items are split on commas, trimmed, lower-cased, stripped of application/, compared exactly', () => {
    expect(negotiateFormat(undefined, 'application/json')).toBe('json');
    expect(negotiateFormat(undefined, 'APPLICATION/JSON')).toBe('json');
    expect(negotiateFormat(undefined, '  application/json  ')).toBe('json');
    expect(negotiateFormat(undefined, 'json')).toBe('json');
    expect(negotiateFormat(undefined, 'application/xml')).toBe('xml');
    expect(negotiateFormat(undefined, 'text/html, application/json')).toBe('json');
    expect(negotiateFormat(undefined, 'application/xml, application/json')).toBe('xml');
  });

  it('parameters, wildcards and other types do not count: XML', () => {
    expect(negotiateFormat(undefined, 'application/json; charset=utf-8')).toBe('xml');
    expect(negotiateFormat(undefined, 'application/json;q=0.9')).toBe('xml');
    expect(negotiateFormat(undefined, 'text/json')).toBe('xml');
    expect(negotiateFormat(undefined, '*/*')).toBe('xml');
    expect(negotiateFormat(undefined, 'application/*')).toBe('xml');
    expect(negotiateFormat(undefined, 'text/html')).toBe('xml');
  });

  it('entry-point answers ignore Accept', () => {
    expect(negotiateFormat(undefined, 'application/json', false)).toBe('xml');
    expect(negotiateFormat('json', 'application/xml', false)).toBe('json');
  });
});
