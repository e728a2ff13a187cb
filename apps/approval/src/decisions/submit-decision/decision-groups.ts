import { Inject, Injectable } from '@nestjs/common';
import type { SubmitDecisionReply, TypedEnvelope } from '@gatehouse/contracts';
import { GroupedWork, UnitOfWork, type Handled } from '@gatehouse/messaging';
import { LOGGER, type Logger } from '@gatehouse/observability';
import { SERVICE } from '../../config';
import { AccessRequestRepository } from '../../lifecycle/access-request.repository';
import { NeedsGroups } from '../../policy/authorizer';
import { DecisionMaker } from './decision-maker';

interface Submitted {
  command: TypedEnvelope<'access.decision.submit'>;
  groups: readonly string[] | undefined;
}

type Outcome = SubmitDecisionReply | NeedsGroups;

const DUPLICATE: SubmitDecisionReply = { accepted: false, code: 'duplicate', message: 'this decision was already submitted' };

/**
 * Decisions arriving together are made in one transaction (group commit): the decisions
 * benchmark spent most of its CPU on one transaction per decision (begin, locked read, write,
 * commit and its WAL flush, in PostgreSQL and in the service). A group locks its requests in
 * one statement, decides each in the order they came, and writes every decision, event and
 * inbox claim in one final statement. Exactly one decision per request still holds: two
 * decisions on one request never share a group (the later waits for the next), and every
 * request is row-locked as before, so groups, single decisions and other replicas take turns on
 * it. A message handled already is answered as it was the first time (from the inbox, see
 * `together`). A group whose transaction fails, or that still finds a message handled meanwhile,
 * commits nothing; its decisions are then made one by one, each in its own transaction as before.
 */
@Injectable()
export class DecisionGroups {
  private readonly work: GroupedWork<Submitted, Outcome>;

  constructor(
    @Inject(UnitOfWork) private readonly uow: UnitOfWork,
    private readonly requests: AccessRequestRepository,
    private readonly maker: DecisionMaker,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.work = new GroupedWork<Submitted, Outcome>(
      (items) => this.together(items),
      (item) => this.alone(item),
      {
        keyOf: (item) => idOf(item.command),
        concurrency: 2,
        onGroupFailed: (error, size) => logger.warn({ err: error, size }, 'a group of decisions failed; making them one by one'),
      },
    );
  }

  /** Makes the decision; throws NeedsGroups when the policy needs the person's groups first. */
  async submit(command: TypedEnvelope<'access.decision.submit'>, groups: readonly string[] | undefined): Promise<SubmitDecisionReply> {
    const outcome = await this.work.submit({ command, groups });
    if (outcome instanceof NeedsGroups) throw outcome;
    return outcome;
  }

  /**
   * The group in one transaction. Redeliveries are rare, so the inbox is not read up front: a
   * group whose claims find a message handled already is rolled back and made once more with
   * those messages answered from the inbox as the first time (after a rebalance, a burst of
   * them would otherwise be decided one by one).
   */
  private async together(items: readonly Submitted[]): Promise<Outcome[] | undefined> {
    return (await this.attempt(items, false)) ?? (await this.attempt(items, true));
  }

  private async attempt(items: readonly Submitted[], answerRedeliveries: boolean): Promise<Outcome[] | undefined> {
    const outcomes: Outcome[] = [];
    const handled = await this.uow.consumeTogether(SERVICE, async (tx) => {
      outcomes.length = 0;
      const earlier = answerRedeliveries
        ? await this.uow.handledBefore<SubmitDecisionReply>(tx.manager, SERVICE, items.map((item) => messageIdOf(item.command)))
        : new Map<string, SubmitDecisionReply | null>();
      const locked = await this.requests.lockAll(
        tx,
        items.filter((item) => !earlier.has(messageIdOf(item.command))).map((item) => idOf(item.command)),
      );
      const made: Handled<SubmitDecisionReply>[] = [];
      for (const { command, groups } of items) {
        if (earlier.has(messageIdOf(command))) {
          outcomes.push(earlier.get(messageIdOf(command)) ?? DUPLICATE);
          continue;
        }
        try {
          const reply = await this.maker.decide(tx, command, locked.get(idOf(command)) ?? null, groups);
          outcomes.push(reply);
          made.push({ message: command, result: reply });
        } catch (error) {
          // Nothing of this decision was written; it leaves the group to ask the directory.
          if (!(error instanceof NeedsGroups)) throw error;
          outcomes.push(error);
        }
      }
      return made;
    });
    return handled ? outcomes : undefined;
  }

  private async alone({ command, groups }: Submitted): Promise<SubmitDecisionReply> {
    // Every effect of a decision is in this transaction, so the inbox claim can ride on the
    // final statement (one round trip fewer).
    const outcome = await this.uow.consumeOnce(
      SERVICE,
      command,
      async (tx) => this.maker.decide(tx, command, await this.requests.lock(tx, command.data.requestId), groups),
      { claimAtCommit: true },
    );
    if (outcome.duplicate) return outcome.previous ?? DUPLICATE;
    return outcome.result;
  }
}

/** A request id as PostgreSQL returns it: a uuid in lower case (an API caller may send upper). */
function idOf(command: TypedEnvelope<'access.decision.submit'>): string {
  return command.data.requestId.toLowerCase();
}

/** A message id as PostgreSQL returns it (lower case). */
function messageIdOf(command: TypedEnvelope<'access.decision.submit'>): string {
  return command.id.toLowerCase();
}
