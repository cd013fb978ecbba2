/** Write sharding of shared keys: which shard an item goes to, and every shard a reader must query. */

/** FNV-1a (32 bit): fast, stable across processes and versions, spreads ULIDs evenly. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** The shard (0 … count−1) an item with this id belongs to. */
export const shardOf = (id: string, count: number): number => fnv1a(id) % count;

/** Every shard number, for a reader that queries them all. */
export const allShards = (count: number): number[] => Array.from({ length: count }, (_, shard) => shard);
