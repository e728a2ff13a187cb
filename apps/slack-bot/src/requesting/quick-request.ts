import { formatDuration, parseDuration } from '@gatehouse/config';

/** `/access <flow> <target> <duration> <reason…>`, read; or what is wrong with it. */
export type QuickRequest = { ok: true; flow: string; target: string; durationSeconds: number; reason: string } | { ok: false; message: string };

export const QUICK_USAGE = '`/access <flow> <target> <duration> <reason>`, e.g. `/access production-database read-only 1h INC-1234 replica lag`';

export function parseQuickRequest(text: string): QuickRequest {
  const [flow, target, duration, ...reason] = text.trim().split(/\s+/);
  if (!flow || !target || !duration) return { ok: false, message: `To ask in one line: ${QUICK_USAGE}` };
  if (!/^\d+[mhd]$/.test(duration)) return { ok: false, message: `"${duration}" is not a duration like 30m, 1h or 1d. ${QUICK_USAGE}` };
  const durationSeconds = parseDuration(duration);
  return { ok: true, flow, target, durationSeconds, reason: reason.join(' ') };
}

export function describeQuick(request: { flow: string; target: string; durationSeconds: number }): string {
  return `${request.target} (${request.flow}) for ${formatDuration(request.durationSeconds)}`;
}
