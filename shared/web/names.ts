import { COUNTRY_CODES } from '../domain/country.ts';
import { eventKinds } from '../domain/event.ts';

// Built on the first page that names a country: Intl.DisplayNames loads ICU's region data (~11 ms).
let regions: Intl.DisplayNames | undefined;
const countryNames = new Map<string, string>();

/** A country's English name from its ISO 3166-1 alpha-2 code ("RU" → "Russia"); the code when ICU has none. */
export function countryName(code: string): string {
  let name = countryNames.get(code);
  if (name === undefined) {
    regions ??= new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });
    try {
      name = regions.of(code) ?? code;
    } catch {
      name = code; // not a well-formed region code
    }
    countryNames.set(code, name);
  }
  return name;
}

/** "Russia (RU)" for a code ICU names; the value itself for anything else (an organisation's key). */
export function actorValueLabel(value: string): string {
  if (!COUNTRY_CODES.has(value)) return value;
  return `${countryName(value)} (${value})`;
}

let countries: { code: string; name: string }[] | undefined;

/** Every country code ICU names, by English name. */
export function countriesByName(): { code: string; name: string }[] {
  countries ??= [...COUNTRY_CODES]
    .map((code) => ({ code, name: countryName(code) }))
    .sort((a, b) => a.name.localeCompare(b.name, 'en'));
  return countries;
}

const KIND_LABELS: Record<string, string> = Object.fromEntries(
  eventKinds.map((kind) => [kind, kind[0]!.toUpperCase() + kind.slice(1).replaceAll('-', ' ')]),
);

/** "missile-launch" → "Missile launch". */
export const kindLabel = (kind: string): string => KIND_LABELS[kind] ?? kind;
