/**
 * What the request modal carries in its `private_metadata` (Slack hands it back with every
 * action, type-ahead and submission from the view): the flow chosen, once there is one. JSON,
 * so it can grow without breaking modals already open.
 */
export interface RequestModalMetadata {
  flow?: string;
}

export function writeMetadata(metadata: RequestModalMetadata): string {
  return metadata.flow ? JSON.stringify({ flow: metadata.flow }) : '';
}

export function readMetadata(raw: string | undefined | null): RequestModalMetadata {
  if (!raw) return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== 'object' || parsed === null) return {};
    const flow = (parsed as Record<string, unknown>)['flow'];
    return typeof flow === 'string' && flow.length > 0 ? { flow } : {};
  } catch {
    // Not ours (or a view from before the metadata existed): no flow chosen.
    return {};
  }
}
