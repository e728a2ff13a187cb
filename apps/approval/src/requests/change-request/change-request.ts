import { Injectable, Inject } from '@nestjs/common';
import type { ChangeReply, Envelope, Principal, Actor } from '@gatehouse/contracts';
import { UnitOfWork } from '@gatehouse/messaging';
import { SERVICE } from '../../config';
import { FlowCatalog } from '../../flows/flow-catalog';
import type { AccessRequest } from '../../lifecycle/access-request';
import { AccessRequestRepository } from '../../lifecycle/access-request.repository';
import type { Action } from '../../policy/actions';
import { Authorizer } from '../../policy/authorizer';

/**
 * The shape every change of a request by a person takes: lock it, ask the policy, apply the
 * change to the aggregate (which may refuse it for its state), save, and answer with the
 * request as it now is. Refusals are audited. A redelivered command answers what it did.
 */
@Injectable()
export class RequestChanger {
  constructor(
    @Inject(UnitOfWork) private readonly uow: UnitOfWork,
    private readonly requests: AccessRequestRepository,
    private readonly flows: FlowCatalog,
    private readonly authorizer: Authorizer,
  ) {}

  change(
    command: Envelope,
    requestId: string,
    action: Action,
    principal: Principal,
    /** Applies the change; returns why the request's state refuses it, if it does. */
    apply: (request: AccessRequest, actor: Actor) => string | undefined,
  ): Promise<ChangeReply> {
    return this.authorizer.withGroups(
      async (groups) => {
        const outcome = await this.uow.consumeOnce(SERVICE, command, async (tx): Promise<ChangeReply> => {
          const request = await this.requests.lock(tx, requestId);
          if (!request) return { ok: false, code: 'not_found', message: `no access request ${requestId}` };
          const allowed = this.authorizer.check(action, principal, request.forPolicy(), this.flows.get(request.flow), groups);
          if (allowed.outcome === 'refused') {
            request.refuse(action, principal.actor, allowed.code, allowed.message, command);
            await this.requests.save(tx, request);
            return { ok: false, code: 'forbidden', message: allowed.message };
          }
          const wrongStatus = apply(request, allowed.actor);
          if (wrongStatus) return { ok: false, code: 'wrong_status', message: wrongStatus };
          await this.requests.save(tx, request);
          return { ok: true, request: request.view() };
        });
        return outcome.duplicate ? (outcome.previous ?? { ok: false, code: 'wrong_status', message: 'already handled' }) : outcome.result;
      },
      (error) => ({ ok: false, code: 'directory_unavailable', message: error.message }),
    );
  }
}
