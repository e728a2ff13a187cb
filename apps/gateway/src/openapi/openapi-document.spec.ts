import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildOpenApiDocument, ROUTES } from './openapi-document';

describe('OpenAPI document', () => {
  const document = buildOpenApiDocument() as { paths: Record<string, Record<string, { security: unknown; requestBody?: unknown }>> };

  it('documents every route with its token requirement', () => {
    for (const route of ROUTES) {
      const operation = document.paths[route.path][route.method];
      expect(operation).toBeDefined();
      expect(operation.security).toEqual([{ apiToken: [] }]);
      if (route.body) expect(operation.requestBody).toBeDefined();
    }
  });

  it('matches docs/openapi.json (regenerate with npm run openapi)', () => {
    const checkedIn = JSON.parse(readFileSync(path.resolve(__dirname, '../../../../docs/openapi.json'), 'utf8'));
    expect(checkedIn).toEqual(buildOpenApiDocument());
  });
});
