import type { RequestStatus } from '@gatehouse/contracts';
import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn, VersionColumn } from 'typeorm';

@Entity({ name: 'access_requests' })
export class AccessRequestEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text', { name: 'requester_email' })
  requesterEmail!: string;

  @Column('jsonb')
  requester!: { email: string; displayName?: string; slackUserId?: string };

  @Column('text')
  flow!: string;

  @Column('text')
  target!: string;

  @Column('text', { name: 'target_label' })
  targetLabel!: string;

  @Column('integer', { name: 'approvals_required' })
  approvalsRequired!: number;

  @Column('integer', { name: 'duration_seconds' })
  durationSeconds!: number;

  @Column('text')
  reason!: string;

  @Column('text')
  channel!: 'api' | 'slack';

  @Column('text')
  status!: RequestStatus;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @VersionColumn()
  version!: number;
}
