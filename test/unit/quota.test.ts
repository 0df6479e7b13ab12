import { describe, expect, it } from 'vitest';
import { effectiveQuotaBytes, normaliseQuota, parseHumanSize, quotaBlock } from '../../src/domain/quota.js';
import { quotaState } from '../../src/domain/space.js';

describe('quota maths', () => {
  it('parses sizes as Nextcloud does (1024 multiples, case-insensitive)', () => {
    expect(parseHumanSize('5 GB')).toBe(5 * 1024 ** 3);
    expect(parseHumanSize('5GB')).toBe(5 * 1024 ** 3);
    expect(parseHumanSize('5 g')).toBe(5 * 1024 ** 3);
    expect(parseHumanSize('1.5 TB')).toBe(1.5 * 1024 ** 4);
    expect(parseHumanSize('100 KB')).toBe(102400);
    expect(parseHumanSize('500 mb')).toBe(500 * 1024 ** 2);
    expect(parseHumanSize('1024')).toBe(1024);
    expect(parseHumanSize('0')).toBe(0);
    expect(parseHumanSize('lots')).toBeNull();
    expect(parseHumanSize('5 XB')).toBeNull();
  });

  it('normalises provisioning values', () => {
    expect(normaliseQuota('none')).toBe('none');
    expect(normaliseQuota('Default')).toBe('default');
    expect(normaliseQuota('-1')).toBe('none');
    expect(normaliseQuota('1 KB')).toBe('1024');
    expect(() => normaliseQuota('junk')).toThrow('Invalid quota value junk');
    expect(effectiveQuotaBytes('default', 'none')).toBeNull();
    expect(effectiveQuotaBytes('default', '1 GB')).toBe(1024 ** 3);
    expect(effectiveQuotaBytes('2048', 'none')).toBe(2048);
  });

  it('builds the user quota block with -3 for unlimited', () => {
    expect(quotaBlock(null, 5)).toEqual({ free: -3, used: 5, total: -3, relative: 0, quota: -3 });
    expect(quotaBlock(1000, 250)).toEqual({ free: 750, used: 250, total: 1000, relative: 25, quota: 1000 });
    expect(quotaBlock(3, 1).relative).toBe(33.33);
  });

  it('grades space quota like the reference (75/90/99 %)', () => {
    expect(quotaState(75, 100)).toBe('normal');
    expect(quotaState(76, 100)).toBe('nearing');
    expect(quotaState(90, 100)).toBe('nearing');
    expect(quotaState(91, 100)).toBe('critical');
    expect(quotaState(99, 100)).toBe('critical');
    expect(quotaState(100, 100)).toBe('exceeded');
    expect(quotaState(5, 0)).toBe('normal');
  });
});
