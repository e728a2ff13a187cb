/** Block Kit's limits (Slack answers invalid_blocks beyond them). */
export const BLOCK_LIMITS = {
  textChars: 3000,
  optionTextChars: 75,
  options: 100,
  modalTitleChars: 24,
  messageBlocks: 50,
  viewBlocks: 100,
} as const;
