import type { KeyValueStore } from './kv.ts';

interface Entry {
  value: string | Set<string>;
  expiresAt: number;
}

/** Bounded in-process store for the embedded default: oldest entries go first when full. */
export class MemoryKeyValueStore implements KeyValueStore {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly maxEntries = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private put(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  async get(key: string): Promise<string | null> {
    const entry = this.live(key);
    return typeof entry?.value === 'string' ? entry.value : null;
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    this.put(key, { value, expiresAt: this.now() + ttlSeconds * 1000 });
  }

  async setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean> {
    // Check and write in one synchronous step: no other call can run in between.
    if (this.live(key)) return false;
    this.put(key, { value, expiresAt: this.now() + ttlSeconds * 1000 });
    return true;
  }

  async take(key: string): Promise<string | null> {
    const value = await this.get(key);
    this.entries.delete(key);
    return value;
  }

  async del(key: string): Promise<void> {
    this.entries.delete(key);
  }

  async addToSet(key: string, member: string, ttlSeconds: number): Promise<void> {
    const entry = this.live(key);
    const set = entry && entry.value instanceof Set ? entry.value : new Set<string>();
    set.add(member);
    this.put(key, { value: set, expiresAt: this.now() + ttlSeconds * 1000 });
  }

  async removeFromSet(key: string, member: string): Promise<void> {
    const entry = this.live(key);
    if (entry && entry.value instanceof Set) entry.value.delete(member);
  }

  async members(key: string): Promise<string[]> {
    const entry = this.live(key);
    return entry && entry.value instanceof Set ? [...entry.value] : [];
  }

  async ping(): Promise<void> {}

  get size(): number {
    return this.entries.size;
  }
}
