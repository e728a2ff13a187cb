import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { ListRequestsReply, TypedEnvelope } from '@gatehouse/contracts';
import { DirectoryClient, DirectoryUnavailableError } from '../../directory/directory-client';
import { FlowCatalog } from '../../flows/flow-catalog';
import { approverStatus } from '../../policy/authorize';
import { Authorizer } from '../../policy/authorizer';
import { RequestViews } from '../request-views';

/**
 * `access.request.list`: newest first, as far as the policy lets the principal see: everything
 * (read-all, admin), or their own and those of the flows they may approve.
 */
@Controller()
export class ListRequestsHandler {
  constructor(
    private readonly views: RequestViews,
    private readonly flows: FlowCatalog,
    private readonly authorizer: Authorizer,
    private readonly directory: DirectoryClient,
  ) {}

  @MessagePattern('access.request.list')
  async list(@Payload() query: TypedEnvelope<'access.request.list'>): Promise<ListRequestsReply> {
    const { principal, ...filter } = query.data;
    const allowed = this.authorizer.check('request.list', principal, undefined, undefined);
    if (allowed.outcome === 'refused') return { ok: false, code: 'forbidden', message: allowed.message };
    if (allowed.visibility === 'all' || !allowed.person) return { ok: true, visibility: 'all', requests: await this.views.list(filter) };
    const person = allowed.person;
    // The flows whose requests this person may approve: listed, or in an approver group.
    const flows = this.flows.all();
    const groupIds = [...new Set(flows.flatMap((f) => f.approval.approvers.groups))];
    let groups: string[] = [];
    if (groupIds.length > 0 && flows.some((f) => approverStatus(person, f, {}) === 'unknown')) {
      try {
        groups = await this.directory.groupsOf(person.email, groupIds);
      } catch (error) {
        if (!(error instanceof DirectoryUnavailableError)) throw error;
        return { ok: false, code: 'directory_unavailable', message: error.message };
      }
    }
    const approvableFlows = flows.filter((f) => approverStatus(person, f, { groups }) === 'yes').map((f) => f.name);
    return { ok: true, visibility: 'own-and-approvable', requests: await this.views.list({ ...filter, visibleTo: { email: person.email, approvableFlows } }) };
  }
}
