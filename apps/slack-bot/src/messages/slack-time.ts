/**
 * A moment as Slack shows it: in each reader's own time zone (`<!date^…>`), with a UTC fallback
 * for clients that cannot. An unknown moment says so.
 */
export function slackTime(iso: string | undefined): string {
  const at = iso ? Date.parse(iso) : Number.NaN;
  if (Number.isNaN(at)) return 'an unknown time';
  const fallback = new Date(at).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
  return `<!date^${Math.floor(at / 1000)}^{date_short_pretty} at {time}|${fallback}>`;
}
