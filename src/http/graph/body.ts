import type { z } from 'zod';
import { GraphError } from './errors.js';

type AnySchema = z.ZodType & { shape?: Record<string, AnySchema>; unwrap?: () => AnySchema; element?: AnySchema };

function shapeOf(schema: AnySchema | undefined): Record<string, AnySchema> | undefined {
  let s = schema;
  for (let i = 0; s && i < 4; i++) {
    if (s.shape) return s.shape;
    s = typeof s.unwrap === 'function' ? s.unwrap() : undefined;
  }
  return undefined;
}

/** The element schema of an (optional) array schema. */
function elementOf(schema: AnySchema | undefined): AnySchema | undefined {
  let s = schema;
  for (let i = 0; s && i < 4; i++) {
    if (s.element) return s.element;
    s = typeof s.unwrap === 'function' ? s.unwrap() : undefined;
  }
  return undefined;
}

/**
 * The reference decodes JSON with Go, whose field matching is case-insensitive ({"Name": …} works): map keys onto the
 * schema's spelling, inside arrays of objects too ({"recipients":[{"ObjectId": …}]}).
 */
function canonicalKeys(value: unknown, schema: AnySchema | undefined): unknown {
  if (Array.isArray(value)) {
    const element = elementOf(schema);
    return element ? value.map((v) => canonicalKeys(v, element)) : value;
  }
  const shape = shapeOf(schema);
  if (!shape || typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const byLower = new Map(Object.keys(shape).map((k) => [k.toLowerCase(), k]));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const key = shape[k] ? k : (byLower.get(k.toLowerCase()) ?? k);
    out[key] = canonicalKeys(v, shape[key]);
  }
  return out;
}

/** Validates a JSON body strictly (unknown fields are refused, as the reference does) and answers 400 invalidRequest otherwise. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown, message: string): z.infer<S> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new GraphError(400, 'invalidRequest', message);
  const result = schema.safeParse(canonicalKeys(body, schema as unknown as AnySchema));
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new GraphError(400, 'invalidRequest', `${message}: ${issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'invalid'}`);
  }
  return result.data;
}
