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

  @Column('text', { name: 'okta_group_id' })
  oktaGroupId!: string;

  @Column('uuid', { name: 'grant_id', nullable: true })
  grantId!: string | null;

  @Column('timestamptz', { name: 'granted_at', nullable: true })
  grantedAt!: Date | null;

  @Column('timestamptz', { name: 'expires_at', nullable: true })
  expiresAt!: Date | null;

  /** Why an active grant is being taken away, while provisioning does it. */
  @Column('text', { nullable: true })
  ending!: 'expired' | 'revoked' | null;

  @Column('text', { name: 'ended_by', nullable: true })
  endedBy!: string | null;

  @Column('timestamptz', { name: 'ended_at', nullable: true })
  endedAt!: Date | null;

  @Column('text', { nullable: true })
  failure!: string | null;

  /** The request this one extends or repeats. */
  @Column('uuid', { name: 'based_on', nullable: true })
  basedOn!: string | null;

  @Column('text', { name: 'based_on_kind', nullable: true })
  basedOnKind!: 'extension' | 'again' | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @VersionColumn()
  version!: number;
}
