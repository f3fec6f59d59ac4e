import type { Request, Response } from 'express';
import type { FieldError } from './form.ts';
import { renderPage, type Layout } from './render.ts';

/** What the confirmation step of a destructive action says and where its two buttons lead. */
export interface Confirmation {
  question: string;
  detail?: string;
  /** where the confirming POST goes */
  action: string;
  button: string;
  cancelHref: string;
  cancel: string;
  /** a field the confirming post needs as well (a current two-factor code), as `_field` takes it */
  field?: Record<string, unknown>;
}

/**
 * The page that asks before a revoke or a delete (GET, changes nothing); its button posts the
 * action with `confirm=yes`. A post that arrives without it answers this page again with 422, as
 * does one whose field is refused (`errors`).
 */
export function renderConfirmation(
  req: Request,
  res: Response,
  layout: Layout,
  confirm: Confirmation,
  status = 200,
  errors: FieldError[] = [],
): Promise<void> {
  return renderPage(req, res, {
    view: 'partials/_confirm',
    layout,
    status,
    locals: { title: confirm.question, confirm, errors },
  });
}

/** Whether the post carries the confirmation the confirmation page sends. */
export function confirmed(req: Request): boolean {
  return (req.body as Record<string, unknown> | undefined)?.confirm === 'yes';
}
