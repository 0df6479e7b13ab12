import { describe, expect, it } from 'vitest';
import { httpStatusFor, negotiateFormat, renderOcs } from '../../src/http/ocs/envelope.js';

describe('OCS envelope', () => {
  it('maps raw statuses to HTTP as Nextcloud v1/v2 do', () => {
    const table: Array<[number, number, number]> = [
      [200, 200, 200],
      [997, 401, 401],
      [998, 200, 404],
      [996, 200, 500],
      [999, 200, 500],
      [400, 200, 400],
      [403, 200, 403],
      [404, 200, 404],
      [429, 200, 429],
      [503, 503, 503],
      [101, 200, 400],
      [113, 200, 400],
      [1001, 200, 400],
    ];
    for (const [raw, v1, v2] of table) {
      expect(httpStatusFor(1, raw), `v1 ${raw}`).toBe(v1);
      expect(httpStatusFor(2, raw), `v2 ${raw}`).toBe(v2);
    }
  });

  it('renders v1 meta with string totals and v2 meta without them', () => {
    const v1 = JSON.parse(renderOcs(1, 'json', { status: 200, data: { id: 'a' } }).body);
    expect(v1.ocs.meta).toEqual({ status: 'ok', statuscode: 100, message: 'OK', totalitems: '', itemsperpage: '' });
    const v2 = JSON.parse(renderOcs(2, 'json', { status: 102, message: 'User already exists' }).body);
    expect(v2).toEqual({ ocs: { meta: { status: 'failure', statuscode: 102, message: 'User already exists' }, data: [] } });
    const paged = JSON.parse(renderOcs(2, 'json', { status: 200, totalItems: 5, itemsPerPage: 2 }).body);
    expect(paged.ocs.meta).toMatchObject({ totalitems: 5, itemsperpage: 2 });
  });

  it('writes XML as Nextcloud: one-space indent, element lists, empty values present', () => {
    const r = renderOcs(2, 'xml', {
      status: 200,
      data: { id: 'bob', groups: ['admin', 'staff'], none: null, empty: '', list: [], yes: true, no: false, n: 3, nested: { a: '<&>' } },
    });
    expect(r.contentType).toBe('application/xml; charset=utf-8');
    expect(r.body).toBe(
      [
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
        '  <yes>1</yes>',
        '  <no></no>',
        '  <n>3</n>',
        '  <nested>',
        '   <a>&lt;&amp;&gt;</a>',
        '  </nested>',
        ' </data>',
        '</ocs>',
        '',
      ].join('\n'),
    );
  });

  it('matches the captured user-create XML answer (sample 07) byte for byte', () => {
    const r = renderOcs(2, 'xml', { status: 200, data: { id: 'bob' } });
    expect(r.body).toBe(
      '<?xml version="1.0"?>\n<ocs>\n <meta>\n  <status>ok</status>\n  <statuscode>200</statuscode>\n  <message>OK</message>\n </meta>\n <data>\n  <id>bob</id>\n </data>\n</ocs>\n',
    );
  });

  it('renders v1 XML totals as empty elements and $comment as a comment', () => {
    const r = renderOcs(1, 'xml', { status: 200, data: { files: { $comment: 'deprecated', x: 1 } } });
    expect(r.body).toContain('  <totalitems></totalitems>\n  <itemsperpage></itemsperpage>');
    expect(r.body).toContain('   <!--deprecated-->\n   <x>1</x>');
  });

  it('negotiates the format like Nextcloud', () => {
    expect(negotiateFormat(undefined, undefined)).toBe('xml');
    expect(negotiateFormat('json', 'application/xml')).toBe('json');
    expect(negotiateFormat(undefined, 'application/json')).toBe('json');
    expect(negotiateFormat(undefined, 'text/html, application/json')).toBe('json');
    expect(negotiateFormat(undefined, 'application/json; charset=utf-8')).toBe('xml');
    expect(negotiateFormat(undefined, 'application/json;q=0.9')).toBe('xml');
    expect(negotiateFormat(undefined, 'text/json')).toBe('xml');
    expect(negotiateFormat(undefined, '*/*')).toBe('xml');
    expect(negotiateFormat(undefined, 'application/json', false)).toBe('xml');
    expect(negotiateFormat('yaml', undefined)).toBe('xml');
  });
});
