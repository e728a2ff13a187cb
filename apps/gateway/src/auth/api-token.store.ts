import { Injectable } from '@nestjs/common';
import { DataSource, IsNull } from 'typeorm';
import { ApiTokenEntity } from '../database/api-token.entity';
import { mintToken, parseTokenId, tokenMatches } from './api-token-format';
import type { Scope } from './scopes';

export interface TokenPrincipal {
  tokenId: string;
  name: string;
  scopes: string[];
}

/** API tokens at rest: hashed, scoped, revocable. */
@Injectable()
export class ApiTokenStore {
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
    const row = await this.dataSource.getRepository(ApiTokenEntity).findOneBy({ id, revokedAt: IsNull() });
    if (!row || !tokenMatches(token, row.tokenHash)) return undefined;
    return { tokenId: row.id, name: row.name, scopes: row.scopes };
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
