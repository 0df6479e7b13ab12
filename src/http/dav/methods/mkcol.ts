import type { DavCall } from '../context.js';
import { methodNotAllowed, unsupportedMediaType } from '../errors.js';
import { assertUnlocked, locksCovering } from '../locks.js';
import { ocId } from '../props/oc.js';
import { refusedIfTaken } from './name-taken.js';
import { allowHeader, servesReport } from './options.js';

/**
 * MKCOL: 1 a body is 415 (no extended MKCOL on files; litmus mkcol_with_body),
 * 2 resolve (an existing resource is 405), 3 If header (412), 4 locks on the
 * parent (423), 5 create (missing parent 409; a name taken meanwhile 405, as
 * in 2), 6 201 with OC-FileId (sample 22).
 */
export async function mkcol(call: DavCall): Promise<unknown> {
  const body = call.request.body as Buffer | undefined;
  if (body && body.length > 0) throw unsupportedMediaType('The request body for the MKCOL request must have an xml Content-Type');
  const t = await call.target();
  const exists = () => methodNotAllowed('The resource you tried to create already exists', allowHeader(true, servesReport(call)));
  if (t.path.length === 0 || (await call.stat(t)) !== null) throw exists();
  await call.checkIf(async () => ({ etag: null, lockTokens: new Set((await locksCovering(call, t, t.path)).map((l) => l.token)) }));
  await assertUnlocked(call, t, t.path, { membership: true, descendants: false });
  const node = await refusedIfTaken(call.files.mkdir(t.place), exists);
  return call.reply.code(201).header('OC-FileId', ocId(node.fileId, call.deps.env.instanceId)).header('Content-Length', '0').send();
}
