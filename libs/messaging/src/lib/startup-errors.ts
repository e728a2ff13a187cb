/** What provides each shared dependency, for the error that says it is missing. */
const HOW_TO_PROVIDE: Record<string, string> = {
  UnitOfWork: 'it is provided only when MessagingModule.forRoot is given outboxSchema (the service\'s database schema)',
  OutboxRelay: 'it is provided only when MessagingModule.forRoot is given outboxSchema (the service\'s database schema)',
  KafkaRequester: 'it is provided only when MessagingModule.forRoot is given requester: true',
  DataSource: 'import PersistenceModule.forRoot in the app module',
};

export class MissingProviderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MissingProviderError';
  }
}

/**
 * Nest's "can't resolve dependencies of X (?, Y)… argument Z at index [0]" rephrased: which
 * service cannot start, which part needs what, and how to provide it. Other errors pass through.
 */
export function explainStartupError(service: string, error: unknown): unknown {
  if (!(error instanceof Error) || !/can't resolve dependencies/i.test(error.message)) return error;
  const needer = /dependencies of (?:the )?(\w+)/.exec(error.message)?.[1] ?? 'a provider';
  const missing = /argument "?([\w$]+)"? at index/.exec(error.message)?.[1] ?? /the "?([\w$]+)"? \(/.exec(error.message)?.[1] ?? 'a dependency';
  const how = HOW_TO_PROVIDE[missing] ?? `provide ${missing} in a module ${needer}'s module imports`;
  return new MissingProviderError(`${service} cannot start: ${needer} needs ${missing}, which nothing provides; ${how}`);
}
