/** What provides each shared dependency, for the error that says it is missing. */
const HOW_TO_PROVIDE: Record<string, string> = {
  UnitOfWork: 'it is provided only when MessagingModule.forRoot is given outboxSchema (the service\'s database schema)',
  OutboxRelay: 'it is provided only when MessagingModule.forRoot is given outboxSchema (the service\'s database schema)',
  KafkaRequester: 'it is provided only when MessagingModule.forRoot is given requester: true',
  DataSource: 'import PersistenceModule.forRoot in the app module',
};

/** The service is put together wrong: no use checking Kafka or PostgreSQL, the code must change. */
export class WiringError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WiringError';
  }
}

export class MissingProviderError extends WiringError {
  constructor(message: string) {
    super(message);
    this.name = 'MissingProviderError';
  }
}

/**
 * Nest's "can't resolve dependencies of the X (?, Y). Please make sure that the argument Z at
 * index [0]…" rephrased: which service cannot start, which part needs what, and how to provide
 * it. Other errors pass through.
 */
export function explainStartupError(service: string, error: unknown): unknown {
  if (!(error instanceof Error) || !/can't resolve dependencies/i.test(error.message)) return error;
  const firstLine = error.message.split('\n')[0] ?? '';
  const needer = unquote(/dependencies of the (.+?)(?: \(|\. Please)/.exec(firstLine)?.[1] ?? 'a provider');
  const argument = /the argument (?:(.+?) )?at index \[(\d+)\]/.exec(firstLine);
  const property = /the "(.+?)" property/.exec(firstLine)?.[1];
  if (argument && argument[1] === undefined) {
    // Nest could not even name it: the parameter's type is undefined when the code runs.
    return new MissingProviderError(
      `${service} cannot start: ${needer} needs the argument at index [${argument[2]}] of its constructor, whose type is undefined at run time; ` +
        "import that class as a value (not with 'import type') or inject it by token with @Inject(...)",
    );
  }
  const missing = unquote(argument?.[1] ?? property ?? 'a dependency');
  const how = HOW_TO_PROVIDE[missing] ?? `provide ${missing} in ${needer}'s module, or import the module that exports it`;
  return new MissingProviderError(`${service} cannot start: ${needer} needs ${missing}, which nothing provides; ${how}`);
}

function unquote(name: string): string {
  return name.replace(/^"(.*)"$/, '$1');
}
