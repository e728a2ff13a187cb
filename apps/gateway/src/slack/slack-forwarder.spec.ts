import type { KafkaRequester } from '@gatehouse/messaging';
import { createLogger } from '@gatehouse/observability';
import type { Request, Response } from 'express';
import type { GatewayConfig } from '../config';
import type { AskService } from '../http/ask-service';
import { SlackForwarder } from './slack-forwarder';

/** Slash commands wait for slack-bot's acknowledgement (it carries what the person sees). */
const slashCommand = (n: number) => ({ command: '/access', text: 'list', trigger_id: `trigger-${n}`, user_id: 'U0ADA' });
const req = { header: () => undefined } as unknown as Request;
const res = { type: () => undefined } as unknown as Response;

describe('SlackForwarder: deliveries waiting for slack-bot are bounded in number', () => {
  const setUp = (ackMaxWaiting: number) => {
    const asked: string[] = [];
    const told: string[] = [];
    const answers: ((body: string) => void)[] = [];
    const ask = { ask: (_type: string, subject: string) => (asked.push(subject), new Promise((resolve) => answers.push((body) => resolve({ body })))) } as unknown as AskService;
    const requester = { tell: async (_type: string, subject: string) => void told.push(subject) } as unknown as KafkaRequester;
    const config = { slack: { ackTimeoutMs: 2500, ackMaxWaiting } } as GatewayConfig;
    const forwarder = new SlackForwarder(ask, requester, config, createLogger({ service: 'test', level: 'silent' }));
    return { forwarder, asked, told, answers };
  };

  it('hands deliveries beyond the bound on without waiting, then waits again once one is answered', async () => {
    const { forwarder, asked, told, answers } = setUp(2);
    const first = forwarder.forward(slashCommand(1), { proof: 'signature' }, req, res);
    const second = forwarder.forward(slashCommand(2), { proof: 'signature' }, req, res);
    // The third finds two waiting: into Kafka, and Slack hears an empty 200 at once.
    await expect(forwarder.forward(slashCommand(3), { proof: 'signature' }, req, res)).resolves.toBe('');
    expect(asked).toEqual(['trigger-1', 'trigger-2']);
    expect(told).toEqual(['trigger-3']);

    answers[0]?.('Your requests: none');
    await expect(first).resolves.toBe('Your requests: none');
    const fourth = forwarder.forward(slashCommand(4), { proof: 'signature' }, req, res);
    expect(asked).toEqual(['trigger-1', 'trigger-2', 'trigger-4']);
    answers[1]?.('a');
    answers[2]?.('b');
    await expect(Promise.all([second, fourth])).resolves.toEqual(['a', 'b']);
    expect(told).toEqual(['trigger-3']);
  });
});
