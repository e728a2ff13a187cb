import { z } from 'zod';

/**
 * What a credential may do. `admin` implies every scope except `act-as`: acting for another
 * person is never implied, it is granted on its own to a service token.
 */
export const SCOPES = ['requests:read', 'requests:read-all', 'requests:write', 'decisions:write', 'audit:read', 'act-as', 'slack:relay', 'admin'] as const;
export const scopeSchema = z.enum(SCOPES);
export type Scope = z.infer<typeof scopeSchema>;

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

/** Does a holder of `held` have `needed`? */
export function holdsScope(held: readonly string[], needed: Scope): boolean {
  if (held.includes(needed)) return true;
  return needed !== 'act-as' && held.includes('admin');
}
