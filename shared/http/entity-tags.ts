import { ValidationError } from '../errors.ts';

/** An entity tag as RFC 9110 §8.8.3 writes it: `"opaque"` or, weak, `W/"opaque"`. */
export interface EntityTag {
  weak: boolean;
  opaque: string;
}

/** One element of an If-Match / If-None-Match list (`#entity-tag`, empty elements allowed). */
const tagListElement = /[ \t]*(?:(W\/)?"([\x21\x23-\x7e\x80-\xff]*)")?[ \t]*(?:,|$)/y;

/**
 * Parses If-Match / If-None-Match (RFC 9110 §13.1.1–2): `*` or a list of entity tags. Anything
 * else is a malformed header, refused with 400 (a well-formed tag that merely does not match is 412).
 */
export function entityTags(
  header: string | undefined,
  name: 'if-match' | 'if-none-match',
): '*' | EntityTag[] | undefined {
  if (header === undefined) return undefined;
  if (header.trim() === '*') return '*';
  const tags: EntityTag[] = [];
  let at = 0;
  while (at < header.length) {
    tagListElement.lastIndex = at;
    const element = tagListElement.exec(header);
    if (!element || element[0].length === 0) break;
    if (element[2] !== undefined) tags.push({ weak: element[1] !== undefined, opaque: element[2] });
    at = tagListElement.lastIndex;
  }
  if (at < header.length || tags.length === 0) {
    const title = name === 'if-match' ? 'If-Match' : 'If-None-Match';
    throw new ValidationError(`${title} must be * or a list of entity tags, for example "v3"`, [
      { path: `headers.${name}`, message: 'must be * or entity tags such as "v3"' },
    ]);
  }
  return tags;
}

/** If-Match compares strongly: a weak tag, on either side, never matches (RFC 9110 §13.1.1, §8.8.3.2). */
export const matchesStrongly = (tags: '*' | EntityTag[], etag: string) =>
  tags === '*' || (!etag.startsWith('W/') && tags.some((tag) => !tag.weak && `"${tag.opaque}"` === etag));

/** If-None-Match compares weakly (RFC 9110 §13.1.2). */
export const matchesWeakly = (tags: '*' | EntityTag[], etag: string) =>
  tags === '*' || tags.some((tag) => `"${tag.opaque}"` === etag.replace(/^W\//, ''));

/** Whether a GET with this If-None-Match header may be answered 304 for the representation tagged `etag`. */
export function notModified(ifNoneMatch: string | undefined, etag: string): boolean {
  const tags = entityTags(ifNoneMatch, 'if-none-match');
  return tags !== undefined && matchesWeakly(tags, etag);
}

/**
 * A weak entity tag for a list of versioned items: it stands for which items, at which versions,
 * and what follows them (a page that gains a next page changes). Computed from the ids and versions
 * alone, not from the body: hashing a 50-event body costs a timeline read tens of microseconds.
 * FNV-1a over each id and version, folded per item into a second lane (~50 bits in all). The
 * representation of an item at a version is fixed, as for a single event's strong `"v<n>"` tag.
 */
export function listEntityTag(
  items: readonly { id: string; version: number }[],
  next?: string | null,
): string {
  let lane = 0x811c9dc5;
  let fold = items.length;
  for (const item of items) {
    const id = item.id;
    for (let i = 0; i < id.length; i += 1) lane = Math.imul(lane ^ id.charCodeAt(i), 0x01000193);
    lane = Math.imul(lane ^ item.version, 0x01000193);
    fold = Math.imul(fold ^ lane, 0x5bd1e995) ^ (fold >>> 15);
  }
  if (next) for (let i = 0; i < next.length; i += 1) lane = Math.imul(lane ^ next.charCodeAt(i), 0x01000193);
  return `W/"${(lane >>> 0).toString(36)}-${((fold >>> 0) & 0x3ffff).toString(36)}"`;
}
