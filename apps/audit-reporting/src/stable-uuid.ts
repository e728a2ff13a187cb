import { createHash } from 'node:crypto';

/** A UUID-shaped name derived from a seed: the same seed gives the same id on every replica and run. */
export function stableUuid(seed: string, version: '4' | '5'): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${version}${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
