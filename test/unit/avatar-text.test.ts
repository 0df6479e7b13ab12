import { expect, it } from 'vitest';
import { AVATAR_PALETTE, avatarBackground, avatarText, colourSeed, hex, pageAvatarSize, paletteColour } from '../../src/domain/avatar.js';

it('takes the first letter of the first two words, upper-cased, as Nextcloud’s getAvatarText', () => {
  expect(avatarText('Alice Smith')).toBe('AS');
  expect(avatarText('bob')).toBe('B');
  expect(avatarText('émile zola de paris')).toBe('ÉZ');
  expect(avatarText('')).toBe('?');
  expect(avatarText('𝒜lice')).toBe('𝒜');
});

it('has Nextcloud’s 18 colours and picks one by the digest’s digit sum', () => {
  expect(AVATAR_PALETTE).toHaveLength(18);
  expect(hex(AVATAR_PALETTE[0]!)).toBe('#b6469d');
  expect(hex(AVATAR_PALETTE[6]!)).toBe('#ddcb55');
  expect(hex(AVATAR_PALETTE[12]!)).toBe('#0082c9');
  // One f and zeros: digit sum 15.
  expect(paletteColour('f'.repeat(1) + '0'.repeat(31))).toEqual(AVATAR_PALETTE[15]);
  expect(hex(avatarBackground(AVATAR_PALETTE[8]!, false))).toBe('#f4f7f1');
  expect(hex(avatarBackground(AVATAR_PALETTE[8]!, true))).toBe('#0e110c');
  // A name that already is an md5 is used as the digest itself.
  expect(colourSeed('0123456789abcdef0123456789ABCDEF')).toEqual({ digest: '0123456789abcdef0123456789abcdef' });
  expect(colourSeed('Alice')).toEqual({ digestOf: 'alice' });
});

it('serves the pages in two sizes', () => {
  expect([pageAvatarSize(-1), pageAvatarSize(64), pageAvatarSize(65), pageAvatarSize(100000)]).toEqual([64, 64, 512, 512]);
});
