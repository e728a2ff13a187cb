import type { Transaction } from '@gatehouse/messaging';

/**
 * Serialises every change to one person's membership of one group, across replicas, for
 * the rest of the transaction: a revocation deciding "nobody else needs this membership"
 * and a new grant adding it must not interleave.
 */
export async function lockMembership(tx: Transaction, email: string, groupId: string): Promise<void> {
  await tx.manager.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`membership:${email.toLowerCase()}:${groupId}`]);
}
