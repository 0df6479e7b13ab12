/**
 * A refusal decided by HTTP itself rather than by the domain (a failed
 * precondition, a range past the end): each front door renders it in its
 * own family's format, keeping the headers (Content-Range: bytes *\/size).
 */
export class HttpFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}
