import { describe, expect, it } from 'vitest';
import { rewriteHrefs } from '../../src/http/dav/remote-mount.js';

const ROOT = '/public.php/webdav/';
const response = (href: string, type: string) => `<d:response><d:href>${href}</d:href><d:propstat><d:prop><d:resourcetype>${type}</d:resourcetype></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>`;
const multistatus = (...parts: string[]) => `<?xml version="1.0"?><d:multistatus xmlns:d="DAV:">${parts.join('')}</d:multistatus>`;

describe('hrefs of a remote share rewritten under its mount', () => {
  it('names a shared folder and its entries under the mount', () => {
    const xml = multistatus(response('/public.php/webdav/', '<d:collection/>'), response('/public.php/webdav/a%20b.txt', ''), response('http://owner.example/public.php/webdav/sub/', '<d:collection/>'));
    const out = rewriteHrefs(xml, ROOT, '/remote.php/dav/files/bob/docs/');
    expect(out).toContain('<d:href>/remote.php/dav/files/bob/docs/</d:href>');
    expect(out).toContain('<d:href>/remote.php/dav/files/bob/docs/a%20b.txt</d:href>');
    expect(out).toContain('<d:href>/remote.php/dav/files/bob/docs/sub/</d:href>');
  });

  it('names a shared file without the trailing slash the owner gives its share root', () => {
    const out = rewriteHrefs(multistatus(response('/public.php/webdav/', '')), ROOT, '/remote.php/dav/files/bob/a%20(2).txt/');
    expect(out).toContain('<d:href>/remote.php/dav/files/bob/a%20(2).txt</d:href>');
    const selfClosing = rewriteHrefs(multistatus('<D:response><D:href>/public.php/webdav</D:href><D:propstat><D:prop><D:resourcetype/></D:prop></D:propstat></D:response>'), ROOT, '/remote.php/dav/files/bob/f.txt/');
    expect(selfClosing).toContain('<D:href>/remote.php/dav/files/bob/f.txt</D:href>');
  });

  it('keeps a folder root when the resource type was not asked for, and leaves foreign hrefs alone', () => {
    const bare = multistatus('<d:response><d:href>/public.php/webdav/</d:href><d:propstat><d:prop><d:getetag>"1"</d:getetag></d:prop></d:propstat></d:response>');
    expect(rewriteHrefs(bare, ROOT, '/remote.php/dav/files/bob/docs/')).toContain('<d:href>/remote.php/dav/files/bob/docs/</d:href>');
    const lock = '<d:prop xmlns:d="DAV:"><d:lockdiscovery><d:activelock><d:lockroot><d:href>/public.php/webdav/x.txt</d:href></d:lockroot></d:activelock></d:lockdiscovery></d:prop>';
    expect(rewriteHrefs(lock, ROOT, '/remote.php/dav/files/bob/docs/')).toContain('<d:href>/remote.php/dav/files/bob/docs/x.txt</d:href>');
    expect(rewriteHrefs(multistatus(response('/elsewhere/', '')), ROOT, '/remote.php/dav/files/bob/docs/')).toContain('<d:href>/elsewhere/</d:href>');
  });
});
