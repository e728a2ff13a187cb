import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { TypedEnvelope } from '@gatehouse/contracts';
import { createEnvelope, UnitOfWork } from '@gatehouse/messaging';
import { AccessRequestEntity } from '../../database/access-request.entity';
import { SERVICE } from '../../config';

/**
 * `access.request.create` → a PENDING request and `access.requested`, in one transaction
 * with the inbox record. A redelivered command, or a second command for the same request id
 * (a client retrying), changes nothing and emits nothing.
 */
@Controller()
export class CreateRequestHandler {
  constructor(@Inject(UnitOfWork) private readonly uow: UnitOfWork) {}

  @EventPattern('access.request.create')
  async handle(@Payload() command: TypedEnvelope<'access.request.create'>): Promise<void> {
    const { data } = command;
    await this.uow.consumeOnce(SERVICE, command, async (tx) => {
      const inserted = await tx.manager
        .createQueryBuilder()
        .insert()
        .into(AccessRequestEntity)
        .values({
          id: data.requestId,
          requesterEmail: data.requester.email.toLowerCase(),
          requester: data.requester,
          flow: data.flow,
          target: data.target,
          durationSeconds: data.durationSeconds,
          reason: data.reason,
          channel: data.channel,
          status: 'PENDING',
        })
        .orIgnore()
        .returning(['id', 'createdAt'])
        .execute();
      const row = inserted.raw[0] as { id: string; created_at: Date } | undefined;
      if (!row) return;
      await tx.publish(
        createEnvelope(
          'access.requested',
          data.requestId,
          { ...data, status: 'PENDING', requestedAt: new Date(row.created_at).toISOString() },
          { source: SERVICE, causedBy: command },
        ),
      );
    });
  }
}
