import type { FileNode } from '../../../domain/node.js';
import type { OpenedPlace } from '../../../services/access/files.contract.js';
import { contentDisposition } from '../../common/send-file.js';
import { tarStream } from '../../common/tar-writer.js';
import { type ZipEntry, zipStream } from '../../common/zip-writer.js';
import type { DavCall, SpaceTarget } from '../context.js';
import { badRequest, notFound } from '../errors.js';

/**
 * Nextcloud 29+'s ZipFolderPlugin (apps/dav/lib/Connector/Sabre): a GET on a
 * collection whose `Accept` header — or, for plain browser links, whose
 * `accept` query parameter (a comma list) — names `application/zip` or `zip`
 * answers the folder as an archive. A selection of its members comes as
 * `X-NC-Files` headers or `files=<JSON array>` (a single JSON string counts
 * as a one-element array, as json_decode does there). `application/x-tar`
 * or `tar` asks for a tar archive, which wins when both are named (its
 * Streamer is built with preferTar).
 */
export function archiveKind(call: DavCall): 'zip' | 'tar' | null {
  if (call.request.method !== 'GET') return null; // Nextcloud leaves HEAD to its DummyGetResponse answer
  if (call.link) return null; // public links download folders through the share page (/s/{token}/download), which knows hide-download
  const query = (call.request.query ?? {}) as Record<string, unknown>;
  const param = typeof query.accept === 'string' ? query.accept : '';
  const accept = param !== '' ? param : (call.header('accept') ?? '');
  const types = accept.split(',').map((v) => v.split(';')[0]!.trim().toLowerCase());
  if (types.includes('application/x-tar') || types.includes('tar')) return 'tar';
  if (types.includes('application/zip') || types.includes('zip')) return 'zip';
  return null;
}

/** The selection, as paths relative to the collection; null for the whole folder. */
function selection(call: DavCall): string[][] | null {
  const query = (call.request.query ?? {}) as Record<string, unknown>;
  let names: unknown[];
  if (typeof query.files === 'string' && query.files !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(query.files);
    } catch {
      // Nextcloud logs this and falls back to the plain collection answer; a 400 tells the caller what went wrong.
      throw badRequest('Invalid files filter parameter: not JSON');
    }
    names = Array.isArray(parsed) ? parsed : [parsed];
  } else {
    const header = call.request.headers['x-nc-files'];
    names = header === undefined ? [] : Array.isArray(header) ? header : [header];
  }
  if (names.length === 0) return null;
  return names.map((name) => {
    if (typeof name !== 'string') throw badRequest('Invalid files filter parameter: not a list of names');
    // Folder::get takes paths below the folder; nothing may climb out of it.
    const segments = name.split('/');
    if (segments.some((s) => s === '' || s === '.' || s === '..' || s.includes('\\'))) throw badRequest(`Invalid file name in files filter: ${name}`);
    return segments;
  });
}

const byCodePoint = (a: FileNode, b: FileNode): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * A folder's entries, depth first, each folder before what it holds (empty
 * ones too). Listings are read as the archive reaches them, every member as
 * a place of the caller's own view, so their read permission holds on each.
 */
async function* folderEntries(call: DavCall, folder: OpenedPlace, node: FileNode, prefix: string, extra: () => Promise<Array<{ place: OpenedPlace; node: FileNode; name: string }>> = async () => []): AsyncGenerator<ZipEntry> {
  yield { name: `${prefix}/`, type: 'folder', mtime: node.mtime, size: 0 };
  const members: Array<{ place: () => Promise<OpenedPlace>; node: FileNode; name: string }> = (await call.files.children(folder)).map((c) => ({ place: () => call.files.childOf(folder, c), node: c, name: c.name }));
  for (const m of await extra()) members.push({ place: async () => m.place, node: m.node, name: m.name });
  members.sort((a, b) => byCodePoint({ ...a.node, name: a.name }, { ...b.node, name: b.name }));
  for (const m of members) yield* entryOf(call, await m.place(), m.node, `${prefix}/${m.name}`);
}

function entryOf(call: DavCall, place: OpenedPlace, node: FileNode, name: string): AsyncGenerator<ZipEntry> {
  if (node.type === 'folder') return folderEntries(call, place, node, name);
  return (async function* () {
    yield { name, type: 'file', mtime: node.mtime, size: node.size, open: () => call.files.read(place) };
  })();
}

const isHomeRoot = (call: DavCall, t: SpaceTarget): boolean =>
  (t.loc.family === 'files' || t.loc.family === 'webdav') && !t.mount && t.spaceId === call.userId && t.path.length === 0;

/** The received shares at the top of the caller's home, which Nextcloud lists (and zips) with the home's own members. */
async function homeMounts(call: DavCall): Promise<Array<{ place: OpenedPlace; node: FileNode; name: string }>> {
  const out: Array<{ place: OpenedPlace; node: FileNode; name: string }> = [];
  for (const m of await call.mounts()) {
    const place = await call.open(m.spaceId, m.path);
    const node = call.files.stat(place);
    if (node) out.push({ place, node, name: m.name });
  }
  return out;
}

/**
 * Streams the collection at `t` (already stat'ed as `folder`) as an archive. The
 * whole folder comes as `<name>/…`, with the folder itself as first entry; a
 * selection comes with its members at the archive's top, as Nextcloud lays
 * them out. Every selected name is resolved before the first byte, so an
 * unknown one is a 404 and not a truncated archive.
 */
export async function archiveFolder(call: DavCall, t: SpaceTarget, folder: FileNode, kind: 'zip' | 'tar'): Promise<unknown> {
  const selected = selection(call);
  const home = isHomeRoot(call, t);
  // Nextcloud names the archive of the home root "download"; a mount root shows its mount name.
  const name = home ? 'download' : t.path.length === 0 && !t.mount ? t.space.name || 'download' : (t.mount && t.path.length === t.mount.path.length ? t.mount.name : folder.name);
  let entries: AsyncIterable<ZipEntry>;
  if (selected === null) {
    entries = folderEntries(call, t.place, folder, name, home ? () => homeMounts(call) : undefined);
  } else {
    const picked: Array<{ place: OpenedPlace; node: FileNode; name: string }> = [];
    for (const segments of selected) {
      const sub = await call.target({ ...t.loc, path: [...t.loc.path, ...segments] });
      const node = await call.stat(sub);
      if (!node) throw notFound(`File with name ${segments.join('/')} could not be located`);
      picked.push({ place: sub.place, node, name: segments.join('/') });
    }
    entries = (async function* () {
      for (const p of picked) yield* entryOf(call, p.place, p.node, p.name);
    })();
  }
  call.reply
    .code(200)
    .header('Content-Type', kind === 'zip' ? 'application/zip' : 'application/x-tar')
    .header('Content-Disposition', contentDisposition(`${name}.${kind}`))
    .header('Cache-Control', 'no-store')
    .header('X-Accel-Buffering', 'no');
  return call.reply.send(kind === 'zip' ? zipStream(entries) : tarStream(entries));
}
