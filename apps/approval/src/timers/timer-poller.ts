import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { UnitOfWork } from '@gatehouse/messaging';
import { LOGGER, type Logger } from '@gatehouse/observability';
import { APPROVAL_CONFIG, type ApprovalConfig } from '../config';
import { AccessRequestRepository } from '../lifecycle/access-request.repository';
import { Authorizer } from '../policy/authorizer';
import { FlowCatalog } from '../flows/flow-catalog';
import { fireTimer, type DueTimer } from './fire-timer';

const BATCH = 50;

/**
 * Fires due timers (request timeouts, reminders and escalations, grant expiries and their warnings). Timers are rows, so they survive a
 * restart: whatever fell due while the service was down fires on the first tick. Each batch
 * is claimed with FOR UPDATE SKIP LOCKED, so replicas share the work and none fires a timer
 * another has taken; the effect, its events and `fired_at` commit together.
 */
@Injectable()
export class TimerPoller implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    @Inject(UnitOfWork) private readonly uow: UnitOfWork,
    @Inject(APPROVAL_CONFIG) private readonly config: ApprovalConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly requests: AccessRequestRepository,
    private readonly authorizer: Authorizer,
    private readonly flows: FlowCatalog,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.tick(), this.config.timerPollIntervalMs);
    this.tick();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  /** Fires everything due now; resolves when done (tests call it directly). */
  tick(): Promise<void> {
    if (this.running || this.stopped) return this.running ?? Promise.resolve();
    this.running = this.fireDue()
      .catch((error: unknown) => this.logger.error({ err: error }, 'firing timers failed; will retry'))
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  private async fireDue(): Promise<void> {
    for (;;) {
      const fired = await this.uow.run(async (tx) => {
        const due: DueTimer[] = await tx.manager.query(
          `SELECT id, request_id, kind, due_at FROM approval.timers
            WHERE fired_at IS NULL AND due_at <= now() ORDER BY due_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
          [BATCH],
        );
        // Their requests locked first, all at once and in id order, as a group of decisions
        // locks them: one by one in due order, the two could each wait for a row the other holds.
        if (due.length > 1) await this.requests.lockAll(tx, [...new Set(due.map((t) => t.request_id))]);
        for (const timer of due) await fireTimer(tx, timer, this.requests, this.authorizer, this.flows);
        if (due.length > 0) await tx.manager.query(`UPDATE approval.timers SET fired_at = now() WHERE id = ANY($1::bigint[])`, [due.map((t) => t.id)]);
        return due.length;
      });
      if (fired < BATCH || this.stopped) return;
    }
  }
}
