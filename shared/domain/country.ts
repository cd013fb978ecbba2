/**
 * The two-letter region codes ICU names in English (what `Intl.DisplayNames` answers with a name
 * rather than the code itself), without the groupings and placeholders ZZ, EU, UN, EZ and QO:
 * the assigned ISO 3166-1 alpha-2 codes plus the reserved and withdrawn ones ICU still names.
 * Written out because building an `Intl.DisplayNames` loads ICU's region data, which costs the
 * API function about 11 ms of its cold start; tests/unit/country.test.ts checks the list against
 * ICU, so a Node whose ICU names a different set fails it.
 */
export const COUNTRY_CODES: ReadonlySet<string> = new Set(
  (
    'AC AD AE AF AG AI AL AM AN AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH ' +
    'BI BJ BL BM BN BO BQ BR BS BT BU BV BW BY BZ CA CC CD CF CG CH CI CK CL CM ' +
    'CN CO CP CQ CR CS CU CV CW CX CY CZ DD DE DG DJ DK DM DO DY DZ EA EC EE EG ' +
    'EH ER ES ET FI FJ FK FM FO FR FX GA GB GD GE GF GG GH GI GL GM GN GP GQ GR ' +
    'GS GT GU GW GY HK HM HN HR HT HU HV IC ID IE IL IM IN IO IQ IR IS IT JE JM ' +
    'JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA ' +
    'MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE ' +
    'NF NG NH NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY ' +
    'QA RE RH RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SU ' +
    'SV SX SY SZ TA TC TD TF TG TH TJ TK TL TM TN TO TP TR TT TV TW TZ UA UG UK ' +
    'UM US UY UZ VA VC VD VE VG VI VN VU WF WS XA XB XK YD YE YT YU ZA ZM ZR ZW'
  ).split(' '),
);

/** Whether a code is an assigned ISO 3166-1 alpha-2 country code (ICU knows it by name). */
export function isCountryCode(code: string): boolean {
  return COUNTRY_CODES.has(code);
}

// Built on the first name asked for, never at load: Intl.DisplayNames loads ICU's region data.
let regions: Intl.DisplayNames | undefined;
const names = new Map<string, string>();

/** A country's English name ("KP" → "North Korea"); anything but a country code as it is. */
export function countryName(code: string): string {
  if (!COUNTRY_CODES.has(code)) return code;
  let name = names.get(code);
  if (name === undefined) {
    try {
      regions ??= new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });
      name = regions.of(code) ?? code;
    } catch {
      name = code; // not a well-formed region code (RangeError)
    }
    names.set(code, name);
  }
  return name;
}

/** A country as people read it, with its code beside: "North Korea (KP)"; anything else alone. */
export function countryLabel(code: string): string {
  const name = countryName(code);
  return name === code ? code : `${name} (${code})`;
}
