import { Injectable } from '@nestjs/common';
import { isScope, type Scope } from '@gatehouse/contracts';
import { DataSource, IsNull } from 'typeorm';
import { ApiTokenEntity } from '../database/api-token.entity';
import { unavailable } from '../http/refusal';
import { hashToken, mintToken, parseTokenId, tokenMatches } from './api-token-format';

/** What a verified token proves: which token, whose (personal) or which service's, and its scopes. */
export type ApiCredential =
  | { kind: 'personal'; tokenId: string; name: string; ownerEmail: string; scopes: Scope[] }
  | { kind: 'service'; tokenId: string; name: string; scopes: Scope[] };

export type NewToken = { kind: 'personal'; ownerEmail: string; name?: string; scopes: readonly Scope[] } | { kind: 'service'; name: string; scopes: readonly Scope[] };

/** Verified tokens are remembered this long, so a revocation takes effect within it. */
export const TOKEN_CACHE_TTL_MS = 10_000;
const TOKEN_CACHE_MAX = 1_000;

/** API tokens at rest: hashed, scoped, owned (personal) or a service's, revocable. */
@Injectable()
export class ApiTokenStore {
  // Keyed by the token's hash, never the token: a heap dump shows no secret.
  private readonly verified = new Map<string, { credential: ApiCredential; until: number }>();

  constructor(private readonly dataSource: DataSource) {}

  async create(token: NewToken): Promise<{ id: string; token: string; kind: NewToken['kind']; name: string; ownerEmail: string | null; scopes: Scope[] }> {
    const minted = mintToken();
    const ownerEmail = token.kind === 'personal' ? token.ownerEmail.toLowerCase() : null;
    const name = token.name ?? ownerEmail ?? '';
    await this.dataSource.getRepository(ApiTokenEntity).insert({
      id: minted.id,
      name,
      kind: token.kind,
      ownerEmail,
      tokenHash: minted.hash,
      scopes: [...token.scopes],
      revokedAt: null,
    });
    return { id: minted.id, token: minted.token, kind: token.kind, name, ownerEmail, scopes: [...token.scopes] };
  }

  async verify(token: string): Promise<ApiCredential | undefined> {
    const id = parseTokenId(token);
    if (!id) return undefined;
    const key = hashToken(token);
    const cached = this.verified.get(key);
    if (cached && cached.until > Date.now()) return cached.credential;
    this.verified.delete(key);
    const row = await this.dataSource
      .getRepository(ApiTokenEntity)
      .findOneBy({ id, revokedAt: IsNull() })
      .catch((error: unknown) => {
        // Whatever the database's failure (restarting, unreachable), the caller hears 503 to try
        // again, never a 500 that reads as a bug in their request (the chaos soak saw both).
        throw unavailable('Gatehouse cannot check API tokens just now (its database is unreachable); try again in a moment', error);
      });
    if (!row || !tokenMatches(token, row.tokenHash)) return undefined;
    const scopes = row.scopes.filter(isScope);
    const credential: ApiCredential =
      row.kind === 'personal' && row.ownerEmail
        ? { kind: 'personal', tokenId: row.id, name: row.name, ownerEmail: row.ownerEmail, scopes }
        : { kind: 'service', tokenId: row.id, name: row.name, scopes };
    if (this.verified.size >= TOKEN_CACHE_MAX) this.verified.delete(this.verified.keys().next().value as string);
    this.verified.set(key, { credential, until: Date.now() + TOKEN_CACHE_TTL_MS });
    return credential;
  }

  async list(): Promise<Omit<ApiTokenEntity, 'tokenHash'>[]> {
    const rows = await this.dataSource.getRepository(ApiTokenEntity).find({ order: { createdAt: 'ASC' } });
    return rows.map(({ tokenHash: _hash, ...rest }) => rest);
  }

  async revoke(id: string): Promise<boolean> {
    const result = await this.dataSource.getRepository(ApiTokenEntity).update({ id, revokedAt: IsNull() }, { revokedAt: new Date() });
    return (result.affected ?? 0) > 0;
  }
}
