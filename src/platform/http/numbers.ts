import { z } from 'zod';

/** The largest value a PostgreSQL `integer` column holds: a number past it fails the statement (a 500 where a 400 was due). */
export const INT4_MAX = 2_147_483_647;

/** A row's version as a client sends it back for optimistic concurrency: a positive `integer`. */
export const rowVersion = z.number().int().min(1).max(INT4_MAX);
