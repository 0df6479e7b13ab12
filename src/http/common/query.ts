/**
 * A query parameter given more than once (`$filter=a&$filter=b`) reaches
 * handlers as an array where every route reads one string. Refused before
 * any route runs; it carries a 4xx statusCode as Fastify's own parser
 * refusals do, so each family's error handler answers it in its format.
 */
export class RepeatedQueryParameter extends Error {
  readonly statusCode = 400;
  readonly code = 'NIMBUS_REPEATED_QUERY_PARAMETER';
  constructor(readonly parameter: string) {
    super(`the query parameter ${parameter} is given more than once`);
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
