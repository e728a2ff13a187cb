import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import type { Request } from 'express';
import { ApiTokenStore, type ApiCredential } from './api-token.store';

export type AuthenticatedRequest = Request & { credential: ApiCredential };

/**
 * Proves who is calling: a valid, unrevoked API token, or 401. It decides nothing else: what
 * the caller may do is approval's policy's answer (`authorize`), for every route.
 */
@Injectable()
export class ApiTokenGuard implements CanActivate {
  constructor(private readonly tokens: ApiTokenStore) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.header('authorization');
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match) {
      throw new UnauthorizedException(
        'missing bearer token: send "Authorization: Bearer <token>"; an admin mints one with `npm run gatehouse -- tokens create --for <your email> --scopes <scopes>`',
      );
    }
    const credential = await this.tokens.verify(match[1]);
    if (!credential) throw new UnauthorizedException('invalid or revoked API token');
    request.credential = credential;
    return true;
  }
}
