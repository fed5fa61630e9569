import { z } from 'zod';
import { storableDate } from '../../../platform/http/dates.js';
import { rowVersion } from '../../../platform/http/numbers.js';

const dateString = storableDate;
export const memberInput = z
  .object({
    fullName: z.string().trim().min(1).max(200),
    role: z.string().trim().max(200).default(''),
    email: z.email().max(320).nullable().optional(),
    phone: z.string().trim().max(40).nullable().optional(),
    startDate: dateString.nullable().optional(),
    endDate: dateString.nullable().optional(),
    customFields: z.record(z.string().max(40), z.union([z.string().max(2000), z.boolean(), z.number()])).optional(),
  })
  .refine((m) => !m.startDate || !m.endDate || m.startDate <= m.endDate, { path: ['endDate'], message: 'The end date is before the start date' });

export const memberPatch = z.object({
  version: rowVersion,
  fullName: z.string().trim().min(1).max(200).optional(),
  role: z.string().trim().max(200).optional(),
  email: z.email().max(320).nullable().optional(),
  phone: z.string().trim().max(40).nullable().optional(),
  startDate: dateString.nullable().optional(),
  endDate: dateString.nullable().optional(),
  customFields: z.record(z.string().max(40), z.union([z.string().max(2000), z.boolean(), z.number()])).optional(),
});

export const memberSchema = z.object({
  id: z.string(),
  groupId: z.string(),
  fullName: z.string(),
  role: z.string(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  startDate: z.string().nullable(),
  endDate: z.string().nullable(),
  customFields: z.record(z.string(), z.unknown()),
  photoUrl: z.string().nullable(),
  archived: z.boolean(),
  version: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const memberListQuery = z.object({
  q: z.string().trim().max(200).optional(),
  archived: z.enum(['active', 'archived', 'all']).default('active'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
