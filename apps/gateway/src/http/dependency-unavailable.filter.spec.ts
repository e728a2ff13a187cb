import { Controller, Get, Module, NotFoundException, UseGuards } from '@nestjs/common';
import { APP_FILTER, NestFactory } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import { createLogger, LOGGER } from '@gatehouse/observability';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ApiTokenGuard } from '../auth/api-token.guard';
import { mintToken } from '../auth/api-token-format';
import { ApiTokenStore } from '../auth/api-token.store';
import { DependencyUnavailableFilter } from './dependency-unavailable.filter';

/** The token store's database, failing as it may while PostgreSQL restarts (here with no code to recognise). */
const failingDatabase = { getRepository: () => ({ findOneBy: () => Promise.reject(new Error('the database system is shutting down')) }) } as unknown as DataSource;

@Controller()
class FailingController {
  @Get('guarded')
  @UseGuards(ApiTokenGuard)
  guarded(): string {
    return 'never';
  }

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
  providers: [ApiTokenGuard, ApiTokenStore, { provide: DataSource, useValue: failingDatabase }, { provide: LOGGER, useValue: createLogger({ service: 'test', level: 'silent' }) }, { provide: APP_FILTER, useClass: DependencyUnavailableFilter }],
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

  it('answers 503 with Retry-After when the token check cannot reach PostgreSQL, whatever its error', async () => {
    const response = await request(app.getHttpServer()).get('/guarded').set('authorization', `Bearer ${mintToken().token}`);
    expect(response.status).toBe(503);
    expect(response.headers['retry-after']).toBe('1');
    expect(response.body).toMatchObject({ code: 'unavailable', message: expect.stringContaining('cannot check API tokens just now') });
  });

  it('leaves bugs and HTTP answers as Nest gives them', async () => {
    expect((await request(app.getHttpServer()).get('/bug')).status).toBe(500);
    expect((await request(app.getHttpServer()).get('/missing')).body).toMatchObject({ statusCode: 404, message: 'no such request' });
  });
});
