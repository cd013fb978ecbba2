/**
 * A loader that runs `load` once and keeps what it gave for the process's life, but keeps no
 * failure: a rejected load is forgotten, so the next call tries again (a chunk that could not be
 * read, a secret that could not be fetched) rather than failing for the container's whole life.
 * Calls while a load is under way share it.
 */
export function onceRetrying<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= (async () => load())().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}
