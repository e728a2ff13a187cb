import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'api_tokens' })
export class ApiTokenEntity {
  @PrimaryColumn('text')
  id!: string;

  @Column('text')
  name!: string;

  /** SHA-256 of the whole token; the token itself is shown once, when minted. */
  @Column('text', { name: 'token_hash' })
  tokenHash!: string;

  /** personal: acts only as its owner; service: acts as itself (or, with act-as, for a named person). */
  @Column('text')
  kind!: 'personal' | 'service';

  @Column('text', { name: 'owner_email', nullable: true })
  ownerEmail!: string | null;

  @Column('text', { array: true })
  scopes!: string[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt!: Date | null;
}
