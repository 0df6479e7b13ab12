import type { DavCall } from '../context.js';
import { DavError, methodNotAllowed } from '../errors.js';
import { allowHeader, resourceAllow } from './options.js';

/** POST and PATCH: methods Nimbus serves elsewhere, refused on a DAV resource as Sabre does (405 with Allow). */
export async function notAllowed(call: DavCall): Promise<never> {
  throw methodNotAllowed(`${call.request.method} is not allowed on this resource`, await resourceAllow(call));
}

/**
 * Any other method (REPORT, SEARCH, ACL, TRACE…): sabre/dav's
 * Server::invokeMethod answers a method no plugin handles with
 * NotImplemented "There was no plugin in the system that was willing to
 * handle this " . $method . " method." (501). The Allow header, which Sabre
 * leaves out, names what the resource does support.
 */
export async function notImplemented(call: DavCall, remoteMount: boolean): Promise<never> {
  const method = call.request.method;
  // Inside a share from another server, only that server knows the node; announce what an existing one allows.
  const allow = remoteMount ? allowHeader(true) : await resourceAllow(call);
  throw new DavError(501, 'Sabre\\DAV\\Exception\\NotImplemented', `There was no plugin in the system that was willing to handle this ${method} method.`, { Allow: allow });
}
