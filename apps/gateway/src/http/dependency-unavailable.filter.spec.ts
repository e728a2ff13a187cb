import { Controller, Get, Module, NotFoundException } from '@nestjs/common';
import { APP_FILTER, NestFactory } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import { createLogger, LOGGER } from '@gatehouse/observability';
import request from 'supertest';
import { DependencyUnavailableFilter } from './dependency-unavailable.filter';

@Controller()
class FailingController {
  @Get('database-restarting')
  databaseRestarting(): never {
    throw Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
  }

  @Get('bug')
  bug(): never {
    throw new TypeError('cannot read properties of undefined');
  }

  @Get('missing')
  missing(): never {
    throw new NotFoundException('no such request');
  }
}

@Module({
  controllers: [FailingController],
  providers: [{ provide: LOGGER, useValue: createLogger({ service: 'test', level: 'silent' }) }, { provide: APP_FILTER, useClass: DependencyUnavailableFilter }],
})
class TestModule {}

describe('DependencyUnavailableFilter', () => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await NestFactory.create(TestModule, { logger: false });
    await app.init();
  });
  afterAll(async () => {
    await app.close();
  });

  it('answers 503 with Retry-After when PostgreSQL or the broker is unreachable', async () => {
    const response = await request(app.getHttpServer()).get('/database-restarting');
    expect(response.status).toBe(503);
    expect(response.headers['retry-after']).toBe('1');
    expect(response.body).toMatchObject({ code: 'unavailable', message: expect.stringContaining('try again in a moment') });
  });

  it('leaves bugs and HTTP answers as Nest gives them', async () => {
    expect((await request(app.getHttpServer()).get('/bug')).status).toBe(500);
    expect((await request(app.getHttpServer()).get('/missing')).body).toMatchObject({ statusCode: 404, message: 'no such request' });
  });
});
