import { describe, expect, it } from 'vitest';
import { deviceLabel } from '../../src/domain/device-label.js';

describe('device labels from User-Agent', () => {
  it.each([
    ['Mozilla/5.0 (Linux) mirall/3.7.4stable-Debian (build 20230208) (Nextcloud, debian-6.1.0-13-amd64 ClientArchitecture: x86_64 OsArchitecture: x86_64)', 'Nextcloud desktop on Linux'],
    ['Mozilla/5.0 (Windows) mirall/3.11.0 (Nextcloud, windows-10.0.19045 ClientArchitecture: x86_64 OsArchitecture: x86_64)', 'Nextcloud desktop on Windows'],
    ['Mozilla/5.0 (Android) Nextcloud-android/3.26.0', 'Nextcloud Android app'],
    ['Mozilla/5.0 (iOS) Nextcloud-iOS/5.0.0', 'Nextcloud iOS app'],
    ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36', 'Chrome on Linux'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0', 'Firefox on Windows'],
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15', 'Safari on macOS'],
    ['curl/8.5.0', 'curl/8.5.0'],
  ])('%s → %s', (ua, label) => {
    expect(deviceLabel(ua)).toBe(label);
  });

  it('cuts an unknown long agent short', () => {
    expect(deviceLabel('x'.repeat(200))).toHaveLength(58);
  });
});
