import type { DestinationStream } from 'pino';

const LEVEL_COLORS: Record<string, string> = { fatal: '\x1b[41m', error: '\x1b[31m', warn: '\x1b[33m', info: '\x1b[32m', debug: '\x1b[90m', trace: '\x1b[90m' };
const RESET = '\x1b[0m';
const DIM = '\x1b[2m';
/** Said once per line already (the prefix npm start adds names the service), or noise on a terminal. */
const SKIPPED = new Set(['level', 'time', 'msg', 'service', 'pid', 'hostname', 'timestamp', 'logger', 'err']);

function show(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const short = text.length > 160 ? `${text.slice(0, 157)}…` : text;
  return /[\s"=]/.test(short) || short === '' ? JSON.stringify(short) : short;
}

/**
 * One JSON log line as a person reads it on a terminal: time, level, message, then the other
 * fields as key=value, and an error's message (with where it came from at error level).
 */
export function prettyLine(json: string, color = true): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.trimEnd();
  }
  const level = String(entry['level'] ?? 'info');
  const time = typeof entry['time'] === 'string' ? entry['time'].slice(11, 19) : '';
  const tag = level.toUpperCase().padEnd(5);
  const fields = Object.entries(entry)
    .filter(([key, value]) => !SKIPPED.has(key) && value !== undefined)
    .map(([key, value]) => `${key}=${show(value)}`)
    .join(' ');
  const err = entry['err'] as { type?: string; message?: string; stack?: string } | undefined;
  const cause = err ? ` — ${err.type ?? 'Error'}: ${err.message ?? ''}` : '';
  const where = err?.stack && (level === 'error' || level === 'fatal') ? `\n${err.stack.split('\n').slice(1, 4).join('\n')}` : '';
  const paint = (code: string | undefined, text: string) => (color && code ? `${code}${text}${RESET}` : text);
  return `${paint(DIM, time)} ${paint(LEVEL_COLORS[level], tag)} ${String(entry['msg'] ?? '')}${cause}${fields ? ` ${paint(DIM, fields)}` : ''}${where}`;
}

/** A pino destination writing readable lines (LOG_FORMAT=pretty; `npm start` on a terminal). */
export function prettyDestination(out: NodeJS.WritableStream = process.stdout, color = !process.env['NO_COLOR']): DestinationStream {
  return {
    write(line: string) {
      out.write(`${prettyLine(line, color)}\n`);
    },
  };
}
