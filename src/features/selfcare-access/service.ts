import type { Knex } from 'knex';

/** Self-care logins: letters, digits and . _ @ - ; 3–64 characters. */
export const SELFCARE_LOGIN_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@-]{2,63}$/;

export type LoginOwner = { customerId: number } | { individualId: number };

export class LoginTakenError extends Error {
  constructor(readonly login: string) {
    super('This login is already in use');
    this.name = 'LoginTakenError';
  }
}

export const normalizeLogin = (login: string): string => login.trim().toLowerCase();

function ownerColumns(owner: LoginOwner): { customer_id: number | null; individual_id: number | null } {
  return 'customerId' in owner
    ? { customer_id: owner.customerId, individual_id: null }
    : { customer_id: null, individual_id: owner.individualId };
}

function isUniqueViolation(err: unknown): boolean {
  const { code, message } = err as { code?: string; message?: string };
  return (
    code === 'ER_DUP_ENTRY' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    /UNIQUE constraint failed|Duplicate entry/i.test(message ?? '')
  );
}

/**
 * One case-insensitive namespace for customer and individual self-care logins, enforced by the
 * primary key of `selfcare_logins`. Call inside the transaction that writes the owner's row.
 */
export class LoginNamespace {
  constructor(private readonly db: Knex) {}

  /** Who holds a login, if anyone (for the sign-in lookup). */
  async ownerOf(login: string, trx?: Knex.Transaction): Promise<LoginOwner | null> {
    const row = await (trx ?? this.db)('selfcare_logins')
      .where({ login_lower: normalizeLogin(login) })
      .first();
    if (!row) return null;
    return row.customer_id !== null && row.customer_id !== undefined
      ? { customerId: Number(row.customer_id) }
      : { individualId: Number(row.individual_id) };
  }

  async isAvailable(login: string, forOwner?: LoginOwner, trx?: Knex.Transaction): Promise<boolean> {
    const owner = await this.ownerOf(login, trx);
    if (!owner) return true;
    if (!forOwner) return false;
    return JSON.stringify(ownerColumns(owner)) === JSON.stringify(ownerColumns(forOwner));
  }

  /**
   * Gives `login` to `owner`, releasing the owner's previous login. Throws LoginTakenError when
   * another customer or individual holds it (also when two requests race for it).
   */
  async assign(trx: Knex.Transaction, owner: LoginOwner, login: string): Promise<void> {
    const lower = normalizeLogin(login);
    const cols = ownerColumns(owner);
    const current = await trx('selfcare_logins').where(cols).first();
    if (current?.login_lower === lower) return;
    if (!(await this.isAvailable(lower, owner, trx))) throw new LoginTakenError(login);
    await trx('selfcare_logins').where(cols).del();
    try {
      await trx('selfcare_logins').insert({ login_lower: lower, ...cols });
    } catch (err) {
      if (isUniqueViolation(err)) throw new LoginTakenError(login);
      throw err;
    }
  }

  async release(trx: Knex.Transaction, owner: LoginOwner): Promise<void> {
    await trx('selfcare_logins').where(ownerColumns(owner)).del();
  }

  /** Which of `logins` someone holds already (lowercase), in one lookup per few hundred. */
  async takenAmong(logins: readonly string[], trx?: Knex.Transaction): Promise<Set<string>> {
    const wanted = [...new Set(logins.map(normalizeLogin))];
    const taken = new Set<string>();
    for (let i = 0; i < wanted.length; i += 500) {
      const rows = (await (trx ?? this.db)('selfcare_logins')
        .select('login_lower')
        .whereIn('login_lower', wanted.slice(i, i + 500))) as { login_lower: unknown }[];
      for (const row of rows) taken.add(String(row.login_lower));
    }
    return taken;
  }

  /**
   * Gives each new owner (created in this transaction, holding no login yet) its login, with one
   * multi-row INSERT per chunk: the bulk form of `assign`. Throws LoginTakenError when a login is
   * held already or wanted twice.
   */
  async assignToNewOwners(
    trx: Knex.Transaction,
    entries: readonly { owner: LoginOwner; login: string }[],
  ): Promise<void> {
    const seen = new Set<string>();
    for (const { login } of entries) {
      const lower = normalizeLogin(login);
      if (seen.has(lower)) throw new LoginTakenError(login);
      seen.add(lower);
    }
    const taken = await this.takenAmong([...seen], trx);
    const clash = entries.find((e) => taken.has(normalizeLogin(e.login)));
    if (clash) throw new LoginTakenError(clash.login);
    const rows = entries.map((e) => ({ login_lower: normalizeLogin(e.login), ...ownerColumns(e.owner) }));
    try {
      // 400: Knex writes a SQLite multi-row INSERT as a compound SELECT (at most 500 terms)
      for (let i = 0; i < rows.length; i += 400) await trx('selfcare_logins').insert(rows.slice(i, i + 400));
    } catch (err) {
      if (isUniqueViolation(err)) throw new LoginTakenError(entries[0]?.login ?? '');
      throw err;
    }
  }
}
