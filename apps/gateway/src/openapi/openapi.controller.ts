import { Controller, Get } from '@nestjs/common';
import { buildOpenApiDocument } from './openapi-document';

/** GET /api/docs — the OpenAPI document (public: it holds no data). */
@Controller('api')
export class OpenApiController {
  private readonly document = buildOpenApiDocument();

  @Get('docs')
  docs(): Record<string, unknown> {
    return this.document;
  }
}
