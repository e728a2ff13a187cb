import { readFileSync } from 'node:fs';
import path from 'node:path';

const DIR = path.resolve(__dirname, '../../../fixtures/tls');

/** The test-only localhost certificate (see fixtures/tls/README.md): its file, and both PEMs. */
export const TEST_TLS = {
  caFile: path.join(DIR, 'localhost.crt'),
  cert: (): string => readFileSync(path.join(DIR, 'localhost.crt'), 'utf8'),
  key: (): string => readFileSync(path.join(DIR, 'localhost.key'), 'utf8'),
};
