import { describe, expect, it } from 'vitest';
import { effectiveQuotaBytes, humanSize, normaliseQuota, parseHumanSize, quotaBlock, SPACE_UNLIMITED } from '../../src/domain/quota.js';
import { quotaState } from '../../src/domain/space.js';

const KB = 1024;
const MB = 1024 ** 2;
const GB = 1024 ** 3;
const TB = 1024 ** 4;
const PB = 1024 ** 5;

describe('parseHumanSize: Nextcloud computerFileSize (1024 multiples, case-insensitive)', () => {
  it.each([
    ['5 GB', 5 * GB],
    ['5GB', 5 * GB],
    ['5 G', 5 * GB],
    ['5 g', 5 * GB],
    ['5 gB', 5 * GB],
    ['5  GB', 5 * GB],
    [' 5 GB ', 5 * GB],
    ['1.5 TB', 1.5 * TB],
    ['1.5TB', 1.5 * TB],
    ['100 KB', 100 * KB],
    ['100 K', 100 * KB],
    ['500 MB', 500 * MB],
    ['500 mb', 500 * MB],
    ['2 PB', 2 * PB],
    ['0.5 KB', 512],
    ['1 B', 1],
    ['1b', 1],
    ['1024', 1024],
    ['0', 0],
    ['0 GB', 0],
  ])('%j → %i bytes', (input, bytes) => {
    expect(parseHumanSize(input)).toBe(bytes);
  });

  it.each(['lots', 'none', 'default', '', '   ', 'GB', '5 XB', '5 GiB', '-5 GB', '1,5 GB', '5 GB extra', '1e3', '0x10', '5..5 GB'])('%j is not a size', (junk) => {
    expect(parseHumanSize(junk)).toBeNull();
  });

  it('rounds fractional bytes and refuses what is not a safe integer', () => {
    expect(parseHumanSize('1.3 B')).toBe(1);
    expect(parseHumanSize('0.001 KB')).toBe(1);
    expect(parseHumanSize('99999999 PB')).toBeNull();
    expect(parseHumanSize('99999999999999999999')).toBe(Number('99999999999999999999'));
  });
});

describe('normaliseQuota: provisioning quota values', () => {
  it('takes none and default literally, in any case', () => {
    expect(normaliseQuota('none')).toBe('none');
    expect(normaliseQuota('NONE')).toBe('none');
    expect(normaliseQuota('default')).toBe('default');
    expect(normaliseQuota('Default')).toBe('default');
    expect(normaliseQuota(' default ')).toBe('default');
  });

  it('-1 means unlimited', () => {
    expect(normaliseQuota('-1')).toBe('none');
  });

  it('stores human sizes and byte counts as bytes', () => {
    expect(normaliseQuota('5 GB')).toBe(String(5 * GB));
    expect(normaliseQuota('5GB')).toBe(String(5 * GB));
    expect(normaliseQuota('1.5 TB')).toBe(String(1.5 * TB));
    expect(normaliseQuota('100 KB')).toBe(String(100 * KB));
    expect(normaliseQuota('1024')).toBe('1024');
    expect(normaliseQuota('0')).toBe('0');
  });

  it('refuses junk with the invalidQuota reason and Nextcloud\'s message', () => {
    for (const junk of ['junk', '', 'five gigs', '5 XB', '-5']) {
      let caught: unknown;
      try {
        normaliseQuota(junk);
      } catch (e) {
        caught = e;
      }
      expect(caught, junk).toMatchObject({ code: 'invalidInput', reason: 'invalidQuota', message: `Invalid quota value ${junk}` });
    }
  });
});

describe('effective quota and the quota block', () => {
  it('resolves default through the instance default; none is unlimited', () => {
    expect(effectiveQuotaBytes('default', 'none')).toBeNull();
    expect(effectiveQuotaBytes('default', '1 GB')).toBe(GB);
    expect(effectiveQuotaBytes('default', ' 1 GB ')).toBe(GB);
    expect(effectiveQuotaBytes('default', 'default')).toBeNull();
    expect(effectiveQuotaBytes('none', '1 GB')).toBeNull();
    expect(effectiveQuotaBytes('2048', 'none')).toBe(2048);
    expect(effectiveQuotaBytes('0', 'none')).toBe(0);
    expect(effectiveQuotaBytes('', 'none')).toBeNull();
  });

  it('builds the user quota block with -3 for unlimited', () => {
    expect(SPACE_UNLIMITED).toBe(-3);
    expect(quotaBlock(null, 5)).toEqual({ free: -3, used: 5, total: -3, relative: 0, quota: -3 });
    expect(quotaBlock(1000, 250)).toEqual({ free: 750, used: 250, total: 1000, relative: 25, quota: 1000 });
    expect(quotaBlock(3, 1).relative).toBe(33.33);
    expect(quotaBlock(100, 150)).toMatchObject({ free: 0, relative: 150 });
    expect(quotaBlock(0, 0)).toEqual({ free: 0, used: 0, total: 0, relative: 0, quota: 0 });
  });

  it('writes human sizes as Nextcloud does', () => {
    expect(humanSize(5 * GB)).toBe('5 GB');
    expect(humanSize(1.5 * MB)).toBe('1.5 MB');
    expect(humanSize(100 * KB)).toBe('100 KB');
    expect(humanSize(512)).toBe('512 B');
    expect(humanSize(2 * PB)).toBe('2 PB');
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
