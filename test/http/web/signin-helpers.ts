import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { Jar } from './web-helpers.js';

export const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

export const formBody = (fields: Record<string, string>): string => new URLSearchParams(fields).toString();

/** The hidden CSRF field of the first form on a page. */
export function csrfOf(page: string): string {
  const m = /name="requesttoken" value="([^"]+)"/.exec(page);
  expect(m, 'the page has a CSRF field').not.toBeNull();
  return m![1]!;
}

export interface Browser {
  jar: Jar;
  /** The signed-in session's CSRF token (what pages embed and /csrftoken answers). */
  csrf: string;
  get(url: string, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  post(url: string, fields: Record<string, string>, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
}

/** A browser: a cookie jar that follows what the server sets. */
export function browser(app: FastifyInstance, remoteAddress = '10.20.0.1'): Browser {
  const jar = new Jar();
  return {
    jar,
    csrf: '',
    async get(url, headers = {}) {
      const res = await app.inject({ url, remoteAddress, headers: { ...jar.header(), ...headers } });
      jar.take(res);
      return res;
    },
    async post(url, fields, headers = {}) {
      const res = await app.inject({ method: 'POST', url, remoteAddress, headers: { ...FORM, ...jar.header(), ...headers }, payload: formBody(fields) });
      jar.take(res);
      return res;
    },
  };
}

/** Signs a browser in through the form; returns it with its session's CSRF token. */
export async function signIn(app: FastifyInstance, user: string, password: string, opts: { remember?: boolean; remoteAddress?: string; userAgent?: string } = {}): Promise<Browser> {
  const b = browser(app, opts.remoteAddress);
  const page = await b.get('/login');
  const res = await b.post('/login', { requesttoken: csrfOf(page.body), user, password, ...(opts.remember ? { remember: '1' } : {}) }, opts.userAgent ? { 'user-agent': opts.userAgent } : {});
  expect(res.statusCode, res.body).toBe(303);
  expect(b.jar.get('nimbus_session'), 'a session cookie').toBeTruthy();
  const token = await b.get('/index.php/csrftoken');
  expect(token.statusCode).toBe(200);
  b.csrf = token.json().token;
  return b;
}
