import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { TypedEnvelope } from '@gatehouse/contracts';
import { IdentityResolver } from '../../identities/identity-resolver';
import { OktaClient, type OktaUser } from '../../okta/okta-client';
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
    @Inject(IdentityResolver) private readonly identities: IdentityResolver | null,
    private readonly cache: DirectoryCache,
  ) {}

  /** `directory.group_members`: everyone in a group (every page), e.g. to list approvers. */
  @MessagePattern('directory.group_members')
  async groupMembers(@Payload() query: TypedEnvelope<'directory.group_members'>): Promise<{ members: { id: string; email: string; status: string }[] }> {
    const okta = this.requireOkta();
    const members = await okta.membersOf(query.data.groupId);
    return { members: members.map((u) => ({ id: u.id, email: u.profile.email, status: u.status })) };
  }

  /** `directory.user`: the Okta user behind this email (see IdentityResolver), or null. */
  @MessagePattern('directory.user')
  async user(@Payload() query: TypedEnvelope<'directory.user'>): Promise<{ user: { id: string; email: string; status: string } | null }> {
    const found = await this.resolve(query.data.email);
    return { user: found ? { id: found.id, email: found.profile.email, status: found.status } : null };
  }

  /** The person's Okta user, null if there is none; two candidates is an error to fix. */
  private async resolve(email: string): Promise<OktaUser | null> {
    this.requireOkta();
    const resolution = await (this.identities as IdentityResolver).resolve(email);
    if (resolution.user) return resolution.user;
    if (resolution.ambiguous) throw new Error(resolution.cause);
    return null;
  }

  private requireOkta(): OktaClient {
    if (!this.okta) throw new Error('Okta is not configured for provisioning-okta: set OKTA_ORG_URL and OKTA_API_TOKEN (or OKTA_CLIENT_ID and OKTA_PRIVATE_KEY)');
    return this.okta;
  }

  @MessagePattern('directory.memberships')
  async memberships(@Payload() query: TypedEnvelope<'directory.memberships'>): Promise<{ memberOf: string[] }> {
    const { email, groupIds } = query.data;
    const okta = this.requireOkta();
    let groups = this.cache.get(email);
    if (!groups) {
      const user = await this.resolve(email);
      groups = user ? await okta.groupIdsOf(user.id) : [];
      this.cache.set(email, groups);
    }
    const held = new Set(groups);
    return { memberOf: groupIds.filter((id) => held.has(id)) };
  }
}
