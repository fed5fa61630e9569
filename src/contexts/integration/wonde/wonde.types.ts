import { z } from 'zod';

/**
 * The parts of Wonde's API (v1.0) the connector reads, as zod schemas so a response of the wrong
 * shape is a clear error instead of `undefined` deep in the mapper. Unknown fields pass through.
 * Shapes follow Wonde's documented responses: dates are `{date, timezone_type, timezone}` objects,
 * includes are wrapped in `{data: …}`, lists carry `meta.pagination` (`next`, `previous`, `more`,
 * `per_page`, and `current_page` in page-number mode; cursor mode has no `current_page`).
 */
export const wondeDate = z.looseObject({
  date: z.string(), // "2024-09-01 00:00:00.000000"
  timezone_type: z.number().optional(),
  timezone: z.string().optional(),
});
export type WondeDate = z.infer<typeof wondeDate>;

const str = z.string().nullish();

export const wondeContactDetails = z.looseObject({
  emails: z
    .looseObject({ email: str, primary: str, home: str, work: str })
    .nullish(),
  phones: z
    .looseObject({ phone: str, primary: str, home: str, work: str, mobile: str })
    .nullish(),
});
export type WondeContactDetails = z.infer<typeof wondeContactDetails>;

export const wondeEmploymentDetails = z.looseObject({
  current: z.boolean().nullish(),
  teaching_staff: z.boolean().nullish(),
  staff_code: str,
  job_title: str,
  role: str,
  employment_start_date: wondeDate.nullish(),
  employment_end_date: wondeDate.nullish(),
});
export type WondeEmploymentDetails = z.infer<typeof wondeEmploymentDetails>;

export const wondeEmployee = z.looseObject({
  id: z.string().min(1),
  upi: str,
  mis_id: z.union([z.string(), z.number()]).nullish(),
  title: str,
  initials: str,
  forename: str,
  middle_names: str,
  surname: str,
  legal_forename: str,
  legal_surname: str,
  gender: str,
  date_of_birth: wondeDate.nullish(),
  created_at: wondeDate.nullish(),
  updated_at: wondeDate.nullish(),
  restored_at: wondeDate.nullish(),
  contact_details: z.object({ data: wondeContactDetails.nullable() }).nullish(),
  employment_details: z.object({ data: wondeEmploymentDetails.nullable() }).nullish(),
});
export type WondeEmployee = z.infer<typeof wondeEmployee>;

export const wondeDeletion = z.looseObject({
  id: z.string().min(1),
  type: z.string(),
  restored_at: wondeDate.nullish(),
  created_at: wondeDate.nullish(),
  updated_at: wondeDate.nullish(),
});
export type WondeDeletion = z.infer<typeof wondeDeletion>;

export const wondePagination = z.looseObject({
  next: z.string().nullish(),
  previous: z.string().nullish(),
  more: z.boolean(),
  per_page: z.coerce.number().optional(),
  current_page: z.coerce.number().optional(),
});
export type WondePagination = z.infer<typeof wondePagination>;

export function wondePageSchema<T extends z.ZodType>(item: T) {
  return z.object({
    data: z.array(item),
    meta: z.looseObject({ pagination: wondePagination.optional(), includes: z.array(z.string()).optional() }).optional(),
  });
}
export type WondePage<T> = { data: T[]; meta?: { pagination?: WondePagination; includes?: string[] } };

/** Wonde's error body: `{"error": "...", "error_description": "..."}` (422 adds `errors`). */
export const wondeErrorBody = z.looseObject({
  error: z.string().optional(),
  error_description: z.string().optional(),
  message: z.string().optional(),
  errors: z.record(z.string(), z.unknown()).optional(),
});
