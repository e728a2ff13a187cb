import { Injectable } from '@nestjs/common';
import { DataSource, IsNull } from 'typeorm';
import { ApiTokenEntity } from '../database/api-token.entity';
import { hashToken, mintToken, parseTokenId, tokenMatches } from './api-token-format';
import type { Scope } from './scopes';

export interface TokenPrincipal {
  tokenId: string;
  name: string;
  scopes: string[];
}

/** Verified tokens are remembered this long, so a revocation takes effect within it. */
export const TOKEN_CACHE_TTL_MS = 10_000;
const TOKEN_CACHE_MAX = 1_000;

/** API tokens at rest: hashed, scoped, revocable. */
@Injectable()
export class ApiTokenStore {
  // Keyed by the token's hash, never the token: a heap dump shows no secret.
  private readonly verified = new Map<string, { principal: TokenPrincipal; until: number }>();

  constructor(private readonly dataSource: DataSource) {}

  async create(name: string, scopes: readonly Scope[]): Promise<{ id: string; token: string; scopes: Scope[] }> {
    const minted = mintToken();
    await this.dataSource.getRepository(ApiTokenEntity).insert({
      id: minted.id,
      name,
      tokenHash: minted.hash,
      scopes: [...scopes],
      revokedAt: null,
    });
    return { id: minted.id, token: minted.token, scopes: [...scopes] };
  }

  async verify(token: string): Promise<TokenPrincipal | undefined> {
    const id = parseTokenId(token);
    if (!id) return undefined;
    const key = hashToken(token);
    const cached = this.verified.get(key);
    if (cached && cached.until > Date.now()) return cached.principal;
    this.verified.delete(key);
    const row = await this.dataSource.getRepository(ApiTokenEntity).findOneBy({ id, revokedAt: IsNull() });
    if (!row || !tokenMatches(token, row.tokenHash)) return undefined;
    const principal = { tokenId: row.id, name: row.name, scopes: row.scopes };
    if (this.verified.size >= TOKEN_CACHE_MAX) this.verified.delete(this.verified.keys().next().value as string);
    this.verified.set(key, { principal, until: Date.now() + TOKEN_CACHE_TTL_MS });
    return principal;
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
