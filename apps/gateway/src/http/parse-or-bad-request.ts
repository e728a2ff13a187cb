import { BadRequestException } from '@nestjs/common';
import { describeIssues } from '@gatehouse/contracts';
import type { z } from 'zod';

/** Validates input against a contracts schema; a 400 names each bad field and what is wrong. */
export function parseOrBadRequest<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw new BadRequestException(`invalid request: ${describeIssues(result.error)}`);
  return result.data;
}
