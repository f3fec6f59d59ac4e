import type { Request } from 'express';

/**
 * The client address exactly as Express derives it from `trust proxy` (TRUST_PROXY): the socket
 * address unless proxies are trusted, never a forwarded header that was not configured.
 * Empty string when unknown, which every trusted-network check denies.
 */
export function clientIp(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? '';
}
