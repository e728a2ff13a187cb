export * from './lib/infrastructure';
export * from './lib/topic-reader';
