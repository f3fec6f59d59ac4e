import type { Infra } from '../../infra.ts';
import { checkPasswordPolicy, hashPassword, verifyAgainstDummy, verifyPassword } from '../../access/passwords.ts';
import { AdminRepo, type AdminRow } from './repo.ts';

export type SignInResult =
  | { ok: true; admin: AdminRow }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'throttled'; retryAfterSeconds: number };

export const ADMIN_LOGIN_PATTERN = /^[A-Za-z0-9._@-]{3,64}$/;

export class AdminLoginTakenError extends Error {}
export class InvalidAdminInputError extends Error {}

export class AdminAuthService {
  private readonly repo: AdminRepo;

  constructor(private readonly deps: Pick<Infra, 'db' | 'throttles' | 'audit' | 'config'>) {
    this.repo = new AdminRepo(deps.db);
  }

  /**
   * Same answer and similar cost for an unknown login and a wrong password: an unknown login
   * still pays for one bcrypt comparison.
   */
  async signIn(login: string, password: string, ip: string): Promise<SignInResult> {
    const throttle = this.deps.throttles.admin;
    const decision = await throttle.attempt(login, ip);
    if (!decision.allowed) {
      await this.deps.audit.record({
        actor: { type: 'anonymous', id: null, label: login.slice(0, 64) },
        ip,
        action: 'admin.login',
        entityType: 'admin',
        outcome: 'refused',
        changes: { reason: { old: null, new: 'rate_limited' } },
      });
      return { ok: false, reason: 'throttled', retryAfterSeconds: decision.retryAfterSeconds };
    }
    const admin = login ? await this.repo.findByLogin(login) : null;
    const valid = admin
      ? await verifyPassword(password, admin.passwordHash)
      : await verifyAgainstDummy(password, this.deps.config.bcryptCost);
    if (!admin || !valid) {
      const after = await throttle.afterFailure(login, ip);
      await this.deps.audit.record({
        actor: { type: 'anonymous', id: null, label: login.slice(0, 64) },
        ip,
        action: 'admin.login',
        entityType: 'admin',
        entityId: admin?.id ?? null,
        outcome: 'failure',
      });
      return after.allowed
        ? { ok: false, reason: 'invalid' }
        : { ok: false, reason: 'throttled', retryAfterSeconds: after.retryAfterSeconds };
    }
    await throttle.succeed(login, ip);
    await this.repo.recordLogin(admin.id);
    await this.deps.audit.record({
      actor: { type: 'admin', id: admin.id, label: admin.login },
      ip,
      action: 'admin.login',
      entityType: 'admin',
      entityId: admin.id,
    });
    return { ok: true, admin };
  }

  async findActive(id: number, epoch: number): Promise<AdminRow | null> {
    const admin = await this.repo.findById(id);
    return admin && admin.sessionEpoch === epoch ? admin : null;
  }

  /** Used by the CLI: creates an admin, or refuses with a one-line reason. */
  async createAdmin(login: string, password: string): Promise<number> {
    if (!ADMIN_LOGIN_PATTERN.test(login))
      throw new InvalidAdminInputError('Login must be 3–64 characters: letters, digits, ".", "_", "@" or "-"');
    const policy = checkPasswordPolicy(password, { login });
    if (!policy.ok) throw new InvalidAdminInputError(policy.message);
    if (await this.repo.findByLogin(login))
      throw new AdminLoginTakenError(`An admin with login "${login}" already exists`);
    return this.repo.create({ login, passwordHash: await hashPassword(password, this.deps.config.bcryptCost) });
  }

  async isLoginTaken(login: string): Promise<boolean> {
    return (await this.repo.findByLogin(login)) !== null;
  }

  count(): Promise<number> {
    return this.repo.count();
  }

  /**
   * An admin whose password was hashed beforehand (the demo seed hashes before it writes
   * anything); refused like `createAdmin` for a malformed or taken login.
   */
  async createWithHash(input: { login: string; passwordHash: string; name: string; email: string }): Promise<number> {
    if (!ADMIN_LOGIN_PATTERN.test(input.login))
      throw new InvalidAdminInputError('Login must be 3–64 characters: letters, digits, ".", "_", "@" or "-"');
    if (await this.isLoginTaken(input.login))
      throw new AdminLoginTakenError(`An admin with login "${input.login}" already exists`);
    return this.repo.createWithEmail(input);
  }
}
