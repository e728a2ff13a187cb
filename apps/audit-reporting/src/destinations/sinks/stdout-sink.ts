import { joinedBytes } from '../../joined-bytes';
import { LineSink, type Line } from './sink';

export class StdoutSink extends LineSink {
  constructor(private readonly out: NodeJS.WritableStream = process.stdout) {
    super();
  }

  async sendLines(lines: readonly Line[]): Promise<void> {
    if (lines.length === 0) return;
    await new Promise<void>((resolve, reject) => this.out.write(joinedBytes(lines, '\n', '', '\n'), (error) => (error ? reject(error) : resolve())));
  }
}

