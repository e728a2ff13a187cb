import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { AuthorizeReply, TypedEnvelope } from '@gatehouse/contracts';
import { Authorizer } from '../authorizer';

/**
 * `access.authorize`: the policy's answer for an action another service carries out (the
 * gateway asks before it reads the audit trail), so that one policy decides every action.
 */
@Controller()
export class AuthorizeQueryHandler {
  constructor(private readonly authorizer: Authorizer) {}

  @MessagePattern('access.authorize')
  authorize(@Payload() query: TypedEnvelope<'access.authorize'>): AuthorizeReply {
    const allowed = this.authorizer.check(query.data.action, query.data.principal, undefined, undefined);
    return allowed.outcome === 'allowed' ? { allowed: true } : { allowed: false, code: allowed.code, message: allowed.message };
  }
}
