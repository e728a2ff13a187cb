import { Inject, Injectable } from '@nestjs/common';
import type { AccessRequestFields, Actor, CreateRequestReply, Envelope, Person } from '@gatehouse/contracts';
import { NothingWritten, UnitOfWork } from '@gatehouse/messaging';
import { LOGGER, type Logger } from '@gatehouse/observability';
import { DataSource } from 'typeorm';
import { SERVICE } from '../../config';
import { DirectoryClient } from '../../directory/directory-client';
import { FlowCatalog } from '../../flows/flow-catalog';
import { AccessRequest } from '../../lifecycle/access-request';
import { AccessRequestRepository, REQUEST_ID_TAKEN } from '../../lifecycle/access-request.repository';
import { autoApproval, checkRequest } from '../../policy/request-rules';

/** What a new request needs once its principal was authorized. */
export interface NewRequest extends AccessRequestFields {
  requestId: string;
  /** The person it is for (proven, or named by an act-as service). */
  requester: Person;
  /** Who asked, as the audit trail names them. */
  actor: Actor;
  /** The request this one extends or repeats. */
  basedOn?: { requestId: string; kind: 'extension' | 'again' };
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
    private readonly requests: AccessRequestRepository,
    private readonly dataSource: DataSource,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async create(command: Envelope, data: NewRequest): Promise<CreateRequestReply> {
    const flow = this.flows.get(data.flow);
    if (!flow) {
      return { outcome: 'rejected', problems: [{ field: 'flow', message: `unknown flow "${data.flow}"; choose one of: ${this.flows.names().join(', ')}` }] };
    }
    const check = checkRequest(flow, data);
    if (!check.ok) return { outcome: 'rejected', problems: check.problems };

    const auto = autoApproval(flow, data.target, data.requester.email, await this.requesterGroups(flow.approval.autoApprove.groups, data.requester.email));
    const open = (): AccessRequest => {
      const request = AccessRequest.open(
        {
          id: data.requestId,
          requester: data.requester,
          requestedBy: data.actor,
          flow: flow.name,
          target: check.target.id,
          targetLabel: check.target.label,
          oktaGroupId: check.target.oktaGroupId,
          durationSeconds: data.durationSeconds,
          reason: data.reason,
          approvalsRequired: flow.approval.required,
          timeoutSeconds: flow.timeout,
          remindAfterSeconds: flow.approval.remindAfter,
          escalateAfterSeconds: flow.approval.escalateAfter,
          basedOn: data.basedOn,
          autoApproved: auto.auto,
        },
        command,
      );
      if (auto.auto) request.approveByRule({ rule: auto.rule, detail: auto.detail }, request.events[0]);
      return request;
    };
    const outcome = await this.uow
      // A new request reads nothing first: its row, timers, events and the command's inbox
      // row go in one statement (one round trip instead of five).
      .consumeInOneStatement(SERVICE, command, async (writes): Promise<CreateRequestReply> => {
        const request = open();
        await this.requests.queueInsert(writes, request);
        return { outcome: 'created', request: request.view() };
      })
      .catch((error: unknown) => {
        if (!(error instanceof NothingWritten && error.reason === REQUEST_ID_TAKEN)) throw error;
        // A second command for an id that exists (a client's retry): answered with what is stored.
        return this.uow.consumeOnce(SERVICE, command, async (tx): Promise<CreateRequestReply> => {
          const request = open();
          if (await this.requests.insert(tx, request)) return { outcome: 'created', request: request.view() };
          const existing = await this.requests.find(tx.manager, data.requestId);
          if (!existing) throw new Error(`request ${data.requestId} conflicted but cannot be read`);
          return { outcome: 'created', request: existing.view() };
        });
      });
    if (!outcome.duplicate) return outcome.result;
    const stored = await this.requests.find(this.dataSource.manager, data.requestId);
    return outcome.previous ?? (stored ? { outcome: 'created', request: stored.view() } : { outcome: 'rejected', problems: [{ field: 'requestId', message: 'unknown request' }] });
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
