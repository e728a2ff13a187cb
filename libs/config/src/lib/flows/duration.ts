import { z } from 'zod';

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86400 } as const;

/** "90s", "30m", "8h", "2d", or a number of seconds. Flows are written by people. */
export const durationSchema = z
  .union([
    z.number().int().positive(),
    z.string().regex(/^\d+(s|m|h|d)$/, 'use a number with a unit, e.g. "30m", "8h" or "2d"'),
  ])
  .transform((value) => (typeof value === 'number' ? value : parseDuration(value)));

export function parseDuration(text: string): number {
  const unit = text.slice(-1) as keyof typeof UNIT_SECONDS;
  return Number(text.slice(0, -1)) * UNIT_SECONDS[unit];
}

/** 3600 → "1h", 5400 → "90m": how a duration is shown to a person. */
export function formatDuration(seconds: number): string {
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60]] as const) {
    if (seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}
