/** What an API token may do. `admin` implies every other scope. */
export const SCOPES = ['requests:read', 'requests:write', 'decisions:write', 'audit:read', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

export function grants(held: readonly string[], needed: Scope): boolean {
  return held.includes('admin') || held.includes(needed);
}
