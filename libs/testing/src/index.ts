export * from './lib/infrastructure';
export * from './lib/topic-reader';
export * from './lib/service-process';
export * from './lib/gatehouse-system';
export * from './lib/in-process-service';
export * from './lib/fake-okta/fake-okta';
export * from './lib/principals';
