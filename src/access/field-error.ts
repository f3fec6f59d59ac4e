/**
 * One problem with one input field, the one shape every validation speaks (forms, services, the
 * API): a translation key for the portal's languages and/or ready English text, with parameters.
 */
export interface FieldError {
  field: string;
  key?: string;
  text?: string;
  params?: Record<string, unknown>;
}
