import { XMLParser } from 'fast-xml-parser';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { expect } from 'vitest';
import { ocs, type OcsCallOptions } from './app.js';

export type Method = InjectOptions['method'];

const xmlParser = new XMLParser({ parseTagValue: false, isArray: (name) => name === 'element' });
export const parseXml = (body: string): any => xmlParser.parse(body);

/**
 * A handled error answered the same way on both versions: v1 HTTP 200 with the
 * raw code, v2 with its HTTP mapping. Error calls change nothing, so both run.
 */
export async function expectError(app: FastifyInstance, method: Method, route: string, o: OcsCallOptions, code: number, v2Http: number, message?: string): Promise<void> {
  const v2 = await ocs(app, method, route, { ...o, version: 2 });
  expect(v2.statusCode, `v2 ${method} ${route}: ${v2.body}`).toBe(v2Http);
  expect(v2.ocs.meta.status).toBe('failure');
  expect(v2.ocs.meta.statuscode).toBe(code);
  expect(v2.ocs.meta).not.toHaveProperty('totalitems');
  expect(v2.ocs.data).toEqual([]);
  if (message !== undefined) expect(v2.ocs.meta.message).toBe(message);

  const v1 = await ocs(app, method, route, { ...o, version: 1 });
  expect(v1.statusCode, `v1 ${method} ${route}: ${v1.body}`).toBe(code === 997 ? 401 : 200);
  expect(v1.ocs.meta).toMatchObject({ status: 'failure', statuscode: code, totalitems: '', itemsperpage: '' });
  expect(v1.ocs.data).toEqual([]);
  if (message !== undefined) expect(v1.ocs.meta.message).toBe(message);
}

/** The same failure rendered as XML on v2. */
export async function expectXmlError(app: FastifyInstance, method: Method, route: string, o: OcsCallOptions, code: number, v2Http: number): Promise<void> {
  const res = await ocs(app, method, route, { ...o, format: 'xml' });
  expect(res.statusCode).toBe(v2Http);
  expect(res.headers['content-type']).toBe('application/xml; charset=utf-8');
  const doc = parseXml(res.body);
  expect(doc.ocs.meta.status).toBe('failure');
  expect(doc.ocs.meta.statuscode).toBe(String(code));
  expect(doc.ocs.data).toBe('');
}
