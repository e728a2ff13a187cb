/** Block Kit's limits as Slack enforces them (https://api.slack.com/reference/block-kit). */
export const BLOCK_KIT = {
  messageBlocks: 50,
  viewBlocks: 100,
  textChars: 3000,
  buttonTextChars: 75,
  options: 100,
} as const;

type Json = Record<string, unknown>;

/** What Slack would answer `invalid_blocks` for, or undefined when the blocks are fine. */
export function blockKitProblem(blocks: unknown, maxBlocks: number): string | undefined {
  if (blocks === undefined) return undefined;
  if (!Array.isArray(blocks)) return 'blocks must be an array';
  if (blocks.length > maxBlocks) return `no more than ${maxBlocks} items allowed [json-pointer:/blocks]`;
  for (const [i, block] of blocks.entries()) {
    const problem = walk(block, `/blocks/${i}`);
    if (problem) return problem;
  }
  return undefined;
}

function walk(node: unknown, pointer: string): string | undefined {
  if (Array.isArray(node)) {
    for (const [i, item] of node.entries()) {
      const problem = walk(item, `${pointer}/${i}`);
      if (problem) return problem;
    }
    return undefined;
  }
  if (typeof node !== 'object' || node === null) return undefined;
  const object = node as Json;
  if ((object['type'] === 'mrkdwn' || object['type'] === 'plain_text') && typeof object['text'] === 'string' && object['text'].length > BLOCK_KIT.textChars) {
    return `must be less than ${BLOCK_KIT.textChars + 1} characters [json-pointer:${pointer}/text]`;
  }
  if (object['type'] === 'button') {
    const text = (object['text'] as Json | undefined)?.['text'];
    if (typeof text === 'string' && text.length > BLOCK_KIT.buttonTextChars) return `must be less than ${BLOCK_KIT.buttonTextChars + 1} characters [json-pointer:${pointer}/text/text]`;
  }
  if (Array.isArray(object['options']) && object['options'].length > BLOCK_KIT.options) return `no more than ${BLOCK_KIT.options} items allowed [json-pointer:${pointer}/options]`;
  for (const [key, value] of Object.entries(object)) {
    const problem = walk(value, `${pointer}/${key}`);
    if (problem) return problem;
  }
  return undefined;
}
