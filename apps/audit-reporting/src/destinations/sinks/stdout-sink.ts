import type { Outgoing, Sink } from './sink';

export class StdoutSink implements Sink {
  constructor(private readonly out: NodeJS.WritableStream = process.stdout) {}

  async send(batch: readonly Outgoing[]): Promise<void> {
    if (batch.length === 0) return;
    const lines = batch.map((o) => o.line);
    await new Promise<void>((resolve, reject) => this.out.write(`${lines.join('\n')}\n`, (error) => (error ? reject(error) : resolve())));
  }
}

