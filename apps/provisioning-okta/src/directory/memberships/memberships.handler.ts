import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { TypedEnvelope } from '@gatehouse/contracts';
import { OktaClient } from '../../okta/okta-client';
import { DirectoryCache } from './directory-cache';

export const OKTA_CLIENT = Symbol('OKTA_CLIENT');

/**
 * `directory.memberships`: which of these Okta groups is this person in? Asked by approval
 * for approver groups and auto-approval groups; answered from a short cache or from Okta.
 */
@Controller()
export class MembershipsHandler {
  constructor(
    @Inject(OKTA_CLIENT) private readonly okta: OktaClient | null,
    private readonly cache: DirectoryCache,
  ) {}

  @MessagePattern('directory.memberships')
  async memberships(@Payload() query: TypedEnvelope<'directory.memberships'>): Promise<{ memberOf: string[] }> {
    const { email, groupIds } = query.data;
    if (!this.okta) throw new Error('Okta is not configured for provisioning-okta: set OKTA_ORG_URL and OKTA_API_TOKEN');
    let groups = this.cache.get(email);
    if (!groups) {
      const user = await this.okta.findUser(email);
      groups = user ? await this.okta.groupIdsOf(user.id) : [];
      this.cache.set(email, groups);
    }
    const held = new Set(groups);
    return { memberOf: groupIds.filter((id) => held.has(id)) };
  }
}
