import { z } from 'zod';

export const changePasswordBody = z.object({
  currentPassword: z.string().min(1).max(1024),
  newPassword: z.string().max(1024),
});

export const resetRequestBody = z.object({ email: z.string().trim().min(1).max(320) });

export const resetCompleteBody = z.object({
  token: z.string().min(1).max(200),
  password: z.string().max(1024),
});
