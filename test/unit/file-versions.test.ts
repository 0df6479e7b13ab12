import { describe, expect, it } from 'vitest';
import { expiredBySchedule } from '../../src/domain/file-versions.js';

const NOW = 2_000_000_000;
const at = (...ages: number[]) => ages.map((age, i) => ({ revision: i + 1, time: NOW - age }));

describe("Nextcloud's version expiry schedule", () => {
  it('keeps the newest and one version every 2 s during the first 10 s', () => {
    // Ages 0, 1, 2, 3, 4: 1 and 3 are closer than 2 s to the one kept before them.
    expect(expiredBySchedule(at(0, 1, 2, 3, 4), NOW).sort()).toEqual([2, 4]);
  });

  it('keeps one a minute in the first hour, one an hour in the first day, one a day for 30 days, one a week after', () => {
    const versions = at(120, 150, 7200, 7300, 5 * 86400, 5 * 86400 + 3600, 100 * 86400, 102 * 86400, 110 * 86400);
    // 150 s is 30 s after 120 s (one a minute); 7300 100 s after 7200 (one an hour); 5 d + 1 h within the day; 102 d within the week of 100 d.
    expect(expiredBySchedule(versions, NOW).sort((a, b) => a - b)).toEqual([2, 4, 6, 8]);
  });

  it('never drops a single version, and drops nothing spaced wider than the steps', () => {
    expect(expiredBySchedule(at(50 * 86400), NOW)).toEqual([]);
    expect(expiredBySchedule(at(40 * 86400, 50 * 86400, 60 * 86400), NOW)).toEqual([]);
  });
});
