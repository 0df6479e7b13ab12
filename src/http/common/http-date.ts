/** IMF-fixdate (RFC 9110 §5.6.7), as Last-Modified and getlastmodified carry it. */
export const httpDate = (ms: number): string => new Date(ms).toUTCString();
