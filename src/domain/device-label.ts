/**
 * A person's name for a client from its User-Agent, as Nextcloud's Devices &
 * sessions list shows them ("Nextcloud desktop on Linux", "Firefox on
 * Windows"): known clients and browsers by their tokens, anything else as
 * sent, cut short.
 */
const CLIENTS: Array<[RegExp, string]> = [
  [/\bNextcloud-android\b/i, 'Nextcloud Android app'],
  [/\bNextcloud-iOS\b/i, 'Nextcloud iOS app'],
  [/\bownCloud-android\b/i, 'ownCloud Android app'],
  [/\bownCloud-iOS\b|\biOs\)?.*ownCloud/i, 'ownCloud iOS app'],
  [/\bmirall\/.*\bownCloud\b|\bownCloud\b.*\bmirall\//i, 'ownCloud desktop'],
  [/\bmirall\//i, 'Nextcloud desktop'],
  [/\bOpenCloud\b/i, 'OpenCloud app'],
];

const BROWSERS: Array<[RegExp, string]> = [
  [/\bEdg\//, 'Edge'],
  [/\bOPR\//, 'Opera'],
  [/\bFirefox\//, 'Firefox'],
  [/\b(?:Chrome|Chromium|CriOS|HeadlessChrome)\//, 'Chrome'],
  [/\bSafari\//, 'Safari'],
];

const SYSTEMS: Array<[RegExp, string]> = [
  [/\bAndroid\b/, 'Android'],
  [/\biPhone|iPad|iOS\b/, 'iOS'],
  [/\bWindows\b/, 'Windows'],
  [/\bMac ?OS ?X|Macintosh\b/, 'macOS'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bLinux\b/, 'Linux'],
];

const first = (ua: string, table: Array<[RegExp, string]>): string | null => table.find(([re]) => re.test(ua))?.[1] ?? null;

export function deviceLabel(userAgent: string): string {
  const system = first(userAgent, SYSTEMS);
  const on = system ? ` on ${system}` : '';
  const client = first(userAgent, CLIENTS);
  if (client) return client.endsWith('app') ? client : `${client}${on}`;
  const browser = first(userAgent, BROWSERS);
  if (browser) return `${browser}${on}`;
  return userAgent.length > 60 ? `${userAgent.slice(0, 57)}…` : userAgent;
}
