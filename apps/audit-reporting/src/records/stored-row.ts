/**
 * A record as the table holds it: its sequence, type and the text it is stored as — a string
 * when kept since its append, the bytes as read when read back in bulk (see readStoredRows).
 */
export interface StoredRow {
  sequence: string;
  type: string;
  line: string | Buffer;
}
