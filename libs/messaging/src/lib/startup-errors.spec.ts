import 'reflect-metadata';
import { Inject, Injectable, Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { UnitOfWork } from './outbox/unit-of-work';
import { KafkaRequester } from './request-reply/kafka-requester';
import { explainStartupError, MissingProviderError, WiringError } from './startup-errors';

@Injectable()
class DecisionHandler {
  constructor(@Inject(UnitOfWork) readonly uow: UnitOfWork) {}
}

@Injectable()
class DirectoryClient {
  constructor(@Inject(KafkaRequester) readonly requester: KafkaRequester) {}
}

@Injectable()
class FlowReader {
  constructor(@Inject('FLOWS') readonly flows: unknown) {}
}

@Injectable()
class Clock {}

@Injectable()
class UntypedAtRunTime {
  constructor(readonly clock: Clock) {}
}
// What `import type { Clock }` leaves in the metadata: nothing to inject by.
Reflect.defineMetadata('design:paramtypes', [undefined], UntypedAtRunTime);

/** The message Nest itself gives when a provider cannot be built, rephrased. */
async function explained(provider: new (...args: never[]) => unknown): Promise<Error> {
  @Module({})
  class TestModule {}
  const module: DynamicModule = { module: TestModule, providers: [provider] };
  const error = await NestFactory.createApplicationContext(module, { logger: false, abortOnError: false }).then(
    () => new Error('it started'),
    (failure: unknown) => failure,
  );
  return explainStartupError('approval', error) as Error;
}

describe('start-up wiring errors', () => {
  it('names the service, who needs the unit of work and how to provide it', async () => {
    const error = await explained(DecisionHandler);
    expect(error).toBeInstanceOf(MissingProviderError);
    expect(error).toBeInstanceOf(WiringError);
    expect(error.message).toBe(
      "approval cannot start: DecisionHandler needs UnitOfWork, which nothing provides; it is provided only when MessagingModule.forRoot is given outboxSchema (the service's database schema)",
    );
  });

  it('says the requester comes with requester: true', async () => {
    expect((await explained(DirectoryClient)).message).toBe(
      'approval cannot start: DirectoryClient needs KafkaRequester, which nothing provides; it is provided only when MessagingModule.forRoot is given requester: true',
    );
  });

  it('names a token Gatehouse has no advice for, and where to provide it', async () => {
    expect((await explained(FlowReader)).message).toBe(
      "approval cannot start: FlowReader needs FLOWS, which nothing provides; provide FLOWS in FlowReader's module, or import the module that exports it",
    );
  });

  it("spots a type that is undefined at run time (an 'import type')", async () => {
    expect((await explained(UntypedAtRunTime)).message).toMatch(
      /^approval cannot start: UntypedAtRunTime needs the argument at index \[0\] of its constructor, whose type is undefined at run time; import that class as a value/,
    );
  });

  it('passes any other error through untouched', () => {
    const other = new Error('connect ECONNREFUSED 127.0.0.1:5432');
    expect(explainStartupError('approval', other)).toBe(other);
  });
});
