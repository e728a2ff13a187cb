export { HEADERS } from '@gatehouse/contracts';

export function headerString(headers: Record<string, unknown> | undefined, name: string): string | undefined {
  const value = headers?.[name];
  if (value === undefined || value === null) return undefined;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (Array.isArray(value)) return headerString({ v: value[0] }, 'v');
  return String(value);
}
