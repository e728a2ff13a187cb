import { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { LISTEN_BACKLOG, listenWithBacklog } from './start-service';

@Module({})
class EmptyModule {}

describe('listenWithBacklog', () => {
  it("hands the deep accept queue through Nest to node's listen, and the service answers", async () => {
    const listen = jest.spyOn(Server.prototype, 'listen');
    const app = await NestFactory.create(EmptyModule, { logger: false });
    try {
      await listenWithBacklog(app, 0, '127.0.0.1');
      // Node's listen(port, host, backlog, callback): a Nest that dropped the backlog would call
      // it without, and the kernel would hold 511 connections again.
      expect(listen).toHaveBeenCalledWith(0, '127.0.0.1', LISTEN_BACKLOG, expect.any(Function));
      const { port } = (app.getHttpServer() as Server).address() as AddressInfo;
      expect((await fetch(`http://127.0.0.1:${port}/nothing-here`)).status).toBe(404);
    } finally {
      listen.mockRestore();
      await app.close();
    }
  });
});
