import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn, VersionColumn } from 'typeorm';

export type AccessRequestStatus = 'PENDING';

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

  @Column('integer', { name: 'duration_seconds' })
  durationSeconds!: number;

  @Column('text')
  reason!: string;

  @Column('text')
  channel!: 'api' | 'slack';

  @Column('text')
  status!: AccessRequestStatus;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @VersionColumn()
  version!: number;
}
