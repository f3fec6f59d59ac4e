/**
 * The short-lived data the app keeps outside the database: API sessions, single-use tickets,
 * compiled caches' invalidation marks. In production it is Redis (shared by every process);
 * embedded, it is a bounded in-process map.
 */
export interface KeyValueStore {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** Atomically set a key that does not exist yet: true when this call set it, false when it was there. */
  setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean>;
  /** Atomically read and delete: a single-use ticket can be taken once. */
  take(key: string): Promise<string | null>;
  del(key: string): Promise<void>;
  /** Keep a set of members (e.g. the API sessions opened with one token). */
  addToSet(key: string, member: string, ttlSeconds: number): Promise<void>;
  /** Drop one member of a set (nothing happens when it is not there). */
  removeFromSet(key: string, member: string): Promise<void>;
  members(key: string): Promise<string[]>;
  ping(): Promise<void>;
}

export class StoreUnavailableError extends Error {
  constructor(cause?: unknown) {
    super('The session store is unavailable', { cause });
    this.name = 'StoreUnavailableError';
  }
}
