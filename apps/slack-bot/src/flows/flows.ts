/** The flows file slack-bot was started with (who is asked, in which channel). */
export const FLOWS = Symbol('FLOWS');
