import { ApiError } from './http.js';

/** The message a WebDAV error body carries (Sabre's <s:message>), if any. */
function davMessage(text: string): string | null {
  if (!text.includes('<')) return null;
  const doc = new DOMParser().parseFromString(text, 'application/xml');
  const el = doc.getElementsByTagNameNS('http://sabredav.org/ns', 'message')[0];
  return el?.textContent?.trim() || null;
}

/**
 * What went wrong, in words a person understands: the server's status and
 * message turned into a sentence, never the raw XML or JSON.
 */
export async function davError(res: Response, action: string): Promise<ApiError> {
  const detail = davMessage(await res.text().catch(() => ''));
  const status = res.status;
  const words: Record<number, string> = {
    403: `You do not have permission to ${action}.`,
    404: `It is no longer there: someone may have moved or deleted it.`,
    405: `An item with this name already exists.`,
    409: `The folder it belongs in no longer exists.`,
    412: `An item with this name already exists.`,
    413: `The file is too large for the server.`,
    423: `It is locked: someone else is working on it.`,
    429: `Too many requests. Wait a moment and try again.`,
    507: `There is not enough free space to ${action}.`,
  };
  const sentence = words[status] ?? (status >= 500 ? `The server could not ${action}. Try again later.` : `Could not ${action}${detail ? `: ${detail}` : '.'}`);
  return new ApiError(sentence, status);
}
