const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });

/** Whether a code is an assigned ISO 3166-1 alpha-2 country code (ICU knows it by name). */
export function isCountryCode(code: string): boolean {
  if (!/^[A-Z]{2}$/.test(code)) return false;
  if (code === 'ZZ' || code === 'EU' || code === 'UN' || code === 'EZ' || code === 'QO') return false;
  return regionNames.of(code) !== code;
}
