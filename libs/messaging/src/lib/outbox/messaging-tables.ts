/** Schema names are interpolated into SQL, so only plain identifiers are accepted. */
export function assertSchemaName(schema: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`invalid schema name "${schema}": use lower-case letters, digits and _`);
  return schema;
}

/**
 * The outbox (messages waiting to be published, written in the same transaction as the
 * state they describe) and the inbox (ids of messages already handled, written in the same
 * transaction as their effect). Each service's first migration creates both in its schema.
 */
export function messagingTablesSql(schema: string): string[] {
  const s = `"${assertSchemaName(schema)}"`;
  return [
    `CREATE TABLE IF NOT EXISTS ${s}.outbox (
      seq bigserial PRIMARY KEY,
      message_id uuid NOT NULL UNIQUE,
      topic text NOT NULL,
      message_key text NOT NULL,
      envelope jsonb NOT NULL,
      headers jsonb NOT NULL DEFAULT '{}'::jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      published_at timestamptz
    )`,
    `CREATE INDEX IF NOT EXISTS outbox_unpublished_idx ON ${s}.outbox (seq) WHERE published_at IS NULL`,
    `CREATE TABLE IF NOT EXISTS ${s}.inbox (
      consumer text NOT NULL,
      message_id uuid NOT NULL,
      message_type text NOT NULL,
      -- What the handler answered, replayed when a command with a reply arrives again.
      result jsonb,
      processed_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (consumer, message_id)
    )`,
  ];
}

export function dropMessagingTablesSql(schema: string): string[] {
  const s = `"${assertSchemaName(schema)}"`;
  return [`DROP TABLE IF EXISTS ${s}.inbox`, `DROP TABLE IF EXISTS ${s}.outbox`];
}

/**
 * Marks a statement text that persistence's pool may run prepared (persistence's PREPARED;
 * written out here, as messaging does not depend on persistence): key look-ups and inserts,
 * whose one plan suits every value.
 */
export const PREPARED = '/* prepared */ ';
