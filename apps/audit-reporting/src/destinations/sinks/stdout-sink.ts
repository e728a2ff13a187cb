import type { Outgoing, Sink } from './sink';

export class StdoutSink implements Sink {
  constructor(private readonly out: NodeJS.WritableStream = process.stdout) {}

  send(batch: readonly Outgoing[]): Promise<void> {
    return this.sendLines(batch.map((o) => o.line).join('\n'), batch.length);
  }

  async sendLines(text: string, lines: number): Promise<void> {
    if (lines === 0) return;
    await new Promise<void>((resolve, reject) => this.out.write(`${text}\n`, (error) => (error ? reject(error) : resolve())));
  }
}

