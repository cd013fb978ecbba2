import { describe, expect, it } from 'vitest';
import { COUNTRY_CODES, isCountryCode } from '../../shared/domain/country.ts';

/** What isCountryCode answered when it asked ICU at every call. */
function icuKnows(code: string): boolean {
  const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });
  if (!/^[A-Z]{2}$/.test(code)) return false;
  if (code === 'ZZ' || code === 'EU' || code === 'UN' || code === 'EZ' || code === 'QO') return false;
  return regionNames.of(code) !== code;
}

describe('isCountryCode', () => {
  it('answers as ICU does for every two-letter code', () => {
    const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
    const disagreements: string[] = [];
    for (const first of letters) {
      for (const second of letters) {
        const code = first + second;
        if (isCountryCode(code) !== icuKnows(code)) disagreements.push(code);
      }
    }
    expect(disagreements).toEqual([]);
  });

  it('refuses what is not an upper-case two-letter code', () => {
    for (const code of ['', 'R', 'ru', 'Ru', 'RUS', ' RU', 'RU ', '12', 'R1', 'ÄÖ']) {
      expect(isCountryCode(code), code).toBe(false);
    }
    expect(isCountryCode('RU')).toBe(true);
    expect(COUNTRY_CODES.size).toBeGreaterThan(240);
  });
});
