/** The body does not have the shape of a bulk upload: the request stops here (Nextcloud's MultipartRequestParser throws). */
export class MalformedMultipart extends Error {}

/** A header line longer than this is not a header: the reader never buffers more than this beyond a chunk. */
const MAX_LINE = 8192;
const CRLF = Buffer.from('\r\n');

export interface RelatedPart {
  /** Header names in lower case. */
  headers: Record<string, string>;
  /** Its Content-Length. */
  length: number;
  /** Exactly `length` bytes, streamed from the request as they are read. */
  body: AsyncGenerator<Buffer>;
}

/**
 * Reads a multipart/related body as Nextcloud's bulk upload sends it, one
 * part at a time and without holding a part in memory: `--boundary` CRLF,
 * header lines, an empty line, exactly Content-Length bytes, CRLF; the last
 * boundary is `--boundary--`. After each part, `finishPart` skips whatever
 * of its bytes nobody read, so a refused file does not stop the others.
 */
export class MultipartRelatedReader {
  private buf: Buffer = Buffer.alloc(0);
  private ended = false;
  private left = 0;
  private pulling: Promise<boolean> | null = null;
  private readonly source: AsyncIterator<Buffer>;

  constructor(
    source: AsyncIterable<Buffer>,
    private readonly boundary: string,
  ) {
    this.source = source[Symbol.asyncIterator]();
  }

  /** Boundary parameter of a Content-Type, when it is multipart/related (quotes removed, as Nextcloud does). */
  static boundaryOf(contentType: string | undefined): string | null {
    const m = /^\s*multipart\/related\s*;\s*boundary\s*=\s*("?)([^";]{1,200})\1\s*$/i.exec(contentType ?? '');
    return m ? m[2]! : null;
  }

  private pull(): Promise<boolean> {
    // One pull at a time: a part's body and finishPart never read the source together.
    this.pulling ??= (async () => {
      if (this.ended) return false;
      const next = await this.source.next();
      if (next.done) {
        this.ended = true;
        return false;
      }
      this.buf = this.buf.length ? Buffer.concat([this.buf, next.value]) : next.value;
      return true;
    })().finally(() => (this.pulling = null));
    return this.pulling;
  }

  private async line(): Promise<string> {
    for (;;) {
      const at = this.buf.indexOf(CRLF);
      if (at >= 0) {
        const line = this.buf.subarray(0, at).toString('utf8');
        this.buf = this.buf.subarray(at + 2);
        return line;
      }
      if (this.buf.length > MAX_LINE) throw new MalformedMultipart('A header line of a part is too long');
      if (!(await this.pull())) throw new MalformedMultipart('Unexpected end of the body');
    }
  }

  /** The next part, or null after the last boundary. */
  async nextPart(): Promise<RelatedPart | null> {
    const boundary = await this.line();
    if (boundary === `--${this.boundary}--`) return null;
    if (boundary !== `--${this.boundary}`) throw new MalformedMultipart('Boundary not found where it should be.');
    const headers: Record<string, string> = {};
    for (let count = 0; ; count++) {
      const line = await this.line();
      if (line === '') break;
      const colon = line.indexOf(':');
      if (colon <= 0 || count > 100) throw new MalformedMultipart('An error occurred while reading headers of a part');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const raw = headers['content-length'];
    if (raw === undefined || !/^\d{1,15}$/.test(raw)) throw new MalformedMultipart('The Content-Length header must not be null.');
    if (headers['x-file-md5'] === undefined) throw new MalformedMultipart('The X-File-MD5 header must not be null.');
    this.left = Number(raw);
    return { headers, length: this.left, body: this.body() };
  }

  private async *body(): AsyncGenerator<Buffer> {
    while (this.left > 0) {
      if (this.buf.length === 0 && !(await this.pull())) throw new MalformedMultipart('Unexpected end of the body');
      if (this.left === 0) return;
      const take = Math.min(this.left, this.buf.length);
      const chunk = this.buf.subarray(0, take);
      this.buf = this.buf.subarray(take);
      this.left -= take;
      yield chunk;
    }
  }

  /** Skips what is left of the current part and the CRLF after it. */
  async finishPart(): Promise<void> {
    if (this.pulling) await this.pulling;
    while (this.left > 0) {
      if (this.buf.length === 0 && !(await this.pull())) throw new MalformedMultipart('Unexpected end of the body');
      const take = Math.min(this.left, this.buf.length);
      this.buf = this.buf.subarray(take);
      this.left -= take;
    }
    while (this.buf.length < 2) if (!(await this.pull())) throw new MalformedMultipart('Unexpected end of the body');
    if (this.buf[0] !== 0x0d || this.buf[1] !== 0x0a) throw new MalformedMultipart('A part does not end where its Content-Length says');
    this.buf = this.buf.subarray(2);
  }
}
