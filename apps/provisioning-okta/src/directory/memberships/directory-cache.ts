/** A user's Okta group ids, remembered briefly so a burst of decisions asks Okta once. */
export class DirectoryCache {
  private readonly entries = new Map<string, { groups: string[]; until: number }>();

  constructor(private readonly ttlMs: number) {}

  get(email: string): string[] | undefined {
    const entry = this.entries.get(email.toLowerCase());
    if (!entry || entry.until <= Date.now()) return undefined;
    return entry.groups;
  }

  set(email: string, groups: string[]): void {
    if (this.ttlMs <= 0) return;
    if (this.entries.size > 10_000) this.entries.clear();
    this.entries.set(email.toLowerCase(), { groups, until: Date.now() + this.ttlMs });
  }

  /** Our own membership changes make the cached answer wrong at once. */
  forget(email: string): void {
    this.entries.delete(email.toLowerCase());
  }
}
