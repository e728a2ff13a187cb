import { Inject, Injectable } from '@nestjs/common';
import type { CreateAccessRequestCommand, CreateRequestReply, Envelope } from '@gatehouse/contracts';
import { createEnvelope, UnitOfWork } from '@gatehouse/messaging';
import { LOGGER, type Logger } from '@gatehouse/observability';
import { SERVICE } from '../../config';
import { AccessRequestEntity } from '../../database/access-request.entity';
import { DirectoryClient } from '../../directory/directory-client';
import { FlowCatalog } from '../../flows/flow-catalog';
import { autoApproval, checkRequest } from '../../policy/request-rules';
import { RequestViews } from '../request-views';
import { planGrant } from '../../saga/plan-grant';

/** A new request that follows an earlier one: more time on it, or the same again. */
export interface BasedOn {
  requestId: string;
  kind: 'extension' | 'again';
}

/**
 * Creating a request: checks it against its flow, stores it PENDING (or straight on to
 * GRANTING when a rule approves it) and emits `access.requested` (and `access.approved`…),
 * in one transaction with the inbox record of the command that asked. A redelivered
 * command, or a second command for the same request id, changes nothing and answers what
 * the first one did.
 */
@Injectable()
export class RequestCreator {
  constructor(
    @Inject(UnitOfWork) private readonly uow: UnitOfWork,
    private readonly flows: FlowCatalog,
    private readonly directory: DirectoryClient,
    private readonly views: RequestViews,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async create(command: Envelope, data: CreateAccessRequestCommand, basedOn?: BasedOn): Promise<CreateRequestReply> {
    const flow = this.flows.get(data.flow);
    if (!flow) {
      return { outcome: 'rejected', problems: [{ field: 'flow', message: `unknown flow "${data.flow}"; choose one of: ${this.flows.names().join(', ')}` }] };
    }
    const check = checkRequest(flow, data);
    if (!check.ok) return { outcome: 'rejected', problems: check.problems };

    const auto = autoApproval(flow, data.target, data.requester.email, await this.requesterGroups(flow.approval.autoApprove.groups, data.requester.email));
    const outcome = await this.uow.consumeOnce(SERVICE, command, async (tx): Promise<CreateRequestReply> => {
      const inserted = await tx.manager
        .createQueryBuilder()
        .insert()
        .into(AccessRequestEntity)
        .values({
          id: data.requestId,
          requesterEmail: data.requester.email.toLowerCase(),
          requester: data.requester,
          flow: flow.name,
          target: check.target.id,
          targetLabel: check.target.label,
          durationSeconds: data.durationSeconds,
          reason: data.reason,
          channel: data.channel,
          status: auto.auto ? 'APPROVED' : 'PENDING',
          approvalsRequired: flow.approval.required,
          oktaGroupId: check.target.oktaGroupId,
          basedOn: basedOn?.requestId ?? null,
          basedOnKind: basedOn?.kind ?? null,
        })
        .orIgnore()
        .returning(['id', 'createdAt'])
        .execute();
      const row = inserted.raw[0] as { id: string; created_at: Date } | undefined;
      if (row) {
        const requested = createEnvelope(
          'access.requested',
          data.requestId,
          { ...data, status: 'PENDING', requestedAt: new Date(row.created_at).toISOString() },
          { source: SERVICE, causedBy: command },
        );
        await tx.publish(requested);
        if (!auto.auto) {
          await tx.manager.query(`INSERT INTO approval.timers (request_id, kind, due_at) VALUES ($1, 'timeout', $2::timestamptz + make_interval(secs => $3))`, [
            data.requestId,
            row.created_at,
            flow.timeout,
          ]);
        }
        if (auto.auto) {
          const approved = createEnvelope(
              'access.approved',
              data.requestId,
              {
                requestId: data.requestId,
                approvers: [],
                autoApproved: { rule: auto.rule, detail: auto.detail },
                requester: { email: data.requester.email },
                flow: flow.name,
                target: check.target.id,
                durationSeconds: data.durationSeconds,
                status: 'APPROVED',
              },
              { source: SERVICE, causedBy: requested },
          );
          const grant = planGrant(
            { id: data.requestId, requesterEmail: data.requester.email.toLowerCase(), oktaGroupId: check.target.oktaGroupId, flow: flow.name, target: check.target.id, durationSeconds: data.durationSeconds },
            approved,
          );
          // Approved by a rule: straight on to granting, in the same transaction.
          await tx.manager.query(`UPDATE approval.access_requests SET status = 'GRANTING', grant_id = $2 WHERE id = $1 AND status = 'APPROVED'`, [
            data.requestId,
            grant.grantId,
          ]);
          await tx.publish(approved);
          for (const event of grant.events) await tx.publish(event);
        }
      }
      const view = await this.views.get(data.requestId, tx.manager);
      if (!view) throw new Error(`request ${data.requestId} vanished inside its own transaction`);
      return { outcome: 'created', request: view };
    });
    if (!outcome.duplicate) return outcome.result;
    const view = await this.views.get(data.requestId);
    return outcome.previous ?? (view ? { outcome: 'created', request: view } : { outcome: 'rejected', problems: [{ field: 'requestId', message: 'unknown request' }] });
  }

  /** Group-based auto-approval fails closed: if the directory cannot answer, a person decides. */
  private async requesterGroups(groups: readonly string[], email: string): Promise<string[]> {
    if (groups.length === 0) return [];
    try {
      return await this.directory.groupsOf(email, groups);
    } catch (error) {
      this.logger.warn({ err: error }, 'directory unavailable; the request will need a human approval');
      return [];
    }
  }
}
