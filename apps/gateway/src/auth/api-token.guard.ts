import { CanActivate, ExecutionContext, ForbiddenException, Injectable, SetMetadata, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ApiTokenStore, type TokenPrincipal } from './api-token.store';
import { grants, type Scope } from './scopes';

const SCOPE_KEY = 'gatehouse:required-scope';

/** Marks a route as needing a bearer token with this scope. */
export const RequireScope = (scope: Scope) => SetMetadata(SCOPE_KEY, scope);

export type AuthenticatedRequest = Request & { principal: TokenPrincipal };

@Injectable()
export class ApiTokenGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: ApiTokenStore,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const scope = this.reflector.get<Scope | undefined>(SCOPE_KEY, context.getHandler());
    if (!scope) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.header('authorization');
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match) {
      throw new UnauthorizedException(
        'missing bearer token: send "Authorization: Bearer <token>"; an admin mints one with `npm run gatehouse -- tokens create --name <name> --scopes <scopes>`',
      );
    }
    const principal = await this.tokens.verify(match[1]);
    if (!principal) throw new UnauthorizedException('invalid or revoked API token');
    if (!grants(principal.scopes, scope)) {
      throw new ForbiddenException(`this token lacks the "${scope}" scope (it has: ${principal.scopes.join(', ') || 'none'})`);
    }
    request.principal = principal;
    return true;
  }
}
