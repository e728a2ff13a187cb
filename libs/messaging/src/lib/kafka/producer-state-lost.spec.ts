import { producerStateLost } from './kafka-connection';

describe('producerStateLost', () => {
  it("knows Kafka's answers that mean the producer must start afresh, wrapped or not", () => {
    const outOfOrder = Object.assign(new Error('The broker received an out of order sequence number'), { name: 'KafkaJSProtocolError', type: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });
    const wrapped = Object.assign(new Error('The broker received an out of order sequence number'), { name: 'KafkaJSNonRetriableError', cause: outOfOrder });
    const unknownProducer = Object.assign(new Error('x'), { type: 'UNKNOWN_PRODUCER_ID' });
    for (const error of [outOfOrder, wrapped, unknownProducer]) expect(producerStateLost(error)).toBe(true);
    const notLeader = Object.assign(new Error('This server is not the leader for that topic-partition'), { type: 'NOT_LEADER_FOR_PARTITION' });
    for (const error of [notLeader, new Error('Message too large'), undefined]) expect(producerStateLost(error)).toBe(false);
  });
});
