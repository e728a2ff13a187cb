import { LineSink } from './sink';

export class StdoutSink extends LineSink {
  constructor(private readonly out: NodeJS.WritableStream = process.stdout) {
    super();
  }

  async sendLines(text: string, lines: number): Promise<void> {
    if (lines === 0) return;
    await new Promise<void>((resolve, reject) => this.out.write(`${text}\n`, (error) => (error ? reject(error) : resolve())));
  }
}

