/**
 * Checks every request passes before any route runs: shapes of input that no
 * route can use. The errors carry a 4xx statusCode, as Fastify's own parser
 * refusals do, so each family's error handler answers them in its format,
 * with their message.
 */
export class RequestRefused extends Error {
  readonly statusCode = 400;
}

/** A query parameter given more than once (`$filter=a&$filter=b`): it would reach routes as an array where they read one string. */
export class RepeatedQueryParameter extends RequestRefused {
  readonly code = 'NIMBUS_REPEATED_QUERY_PARAMETER';
  constructor(readonly parameter: string) {
    super(`the query parameter ${parameter} is given more than once`);
  }
}

/** U+0000 in a path segment, parameter or body text: never meaningful, and PostgreSQL cannot store it in text. */
export class NulCharacter extends RequestRefused {
  readonly code = 'NIMBUS_NUL_CHARACTER';
  constructor(where: string) {
    super(`the ${where} contains a NUL character`);
  }
}

/** PHP's list syntax (`shareType[]=0&shareType[]=1`, `name[0]=…`): how OCS clients send several values on purpose. */
const PHP_LIST_KEY = /\[\d*\]$/;

/** Throws when a parameter has several values; `phpLists` lets PHP's list keys keep theirs. */
export function assertSingleValued(query: unknown, phpLists: boolean): void {
  if (!query || typeof query !== 'object') return;
  for (const [key, value] of Object.entries(query)) {
    if (Array.isArray(value) && !(phpLists && PHP_LIST_KEY.test(key))) throw new RepeatedQueryParameter(key);
  }
}

/**
 * Throws when a string anywhere in parsed input (keys included) holds U+0000.
 * Walks objects and arrays without recursion, so a deeply nested JSON body
 * cannot exhaust the stack; Buffers and streams (DAV bodies) are left to
 * their parsers.
 */
export function assertNoNul(value: unknown, where: string): void {
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (v.includes('\u0000')) throw new NulCharacter(where);
    } else if (Array.isArray(v)) {
      stack.push(...v);
    } else if (v !== null && typeof v === 'object' && !Buffer.isBuffer(v) && typeof (v as { pipe?: unknown }).pipe !== 'function') {
      for (const [k, item] of Object.entries(v)) stack.push(k, item);
    }
  }
}
