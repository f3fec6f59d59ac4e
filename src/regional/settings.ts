/** A viewer's regional settings: zone, interface language, output and input formats. */
export interface RegionalSettings {
  timeZone: string;
  language: string;
  outDateFormat: string;
  outTimeFormat: string;
  inDateFormat: string;
  inTimeFormat: string;
}

/** The six regional settings as form fields, API fields and table columns, in form order. */
export const REGIONAL_FIELDS = [
  'time_zone',
  'language',
  'out_date_format',
  'out_time_format',
  'in_date_format',
  'in_time_format',
] as const;
export type RegionalField = (typeof REGIONAL_FIELDS)[number];
export type RegionalValues = Record<RegionalField, string>;

/** Settings as the regional form's fields; a setting left open (null) is an empty field. */
export function regionalValuesOf(s: { [K in keyof RegionalSettings]: string | null }): RegionalValues {
  return {
    time_zone: s.timeZone ?? '',
    language: s.language ?? '',
    out_date_format: s.outDateFormat ?? '',
    out_time_format: s.outTimeFormat ?? '',
    in_date_format: s.inDateFormat ?? '',
    in_time_format: s.inTimeFormat ?? '',
  };
}
