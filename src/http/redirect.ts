import type { Request, Response } from 'express';

/**
 * Sends the browser elsewhere after a refusal or an ended session: htmx follows `HX-Redirect`
 * with a full page load (a 303 inside an htmx request would swap the target page into a
 * fragment), a plain browser follows the 303.
 */
export function redirectAway(req: Request, res: Response, location: string): void {
  if (req.get('HX-Request') === 'true') res.setHeader('HX-Redirect', location);
  res.redirect(303, location);
}
