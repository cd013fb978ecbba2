import { COUNTRY_CODES, countryName } from '../domain/country.ts';

export { countryLabel as actorValueLabel, countryName } from '../domain/country.ts';
export { kindLabel } from '../domain/event.ts';

let countries: { code: string; name: string }[] | undefined;

/** Every country code ICU names, by English name. */
export function countriesByName(): { code: string; name: string }[] {
  countries ??= [...COUNTRY_CODES]
    .map((code) => ({ code, name: countryName(code) }))
    .sort((a, b) => a.name.localeCompare(b.name, 'en'));
  return countries;
}
