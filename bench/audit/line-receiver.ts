// bench:audit's batched-webhook receiver, run as its own process (forked by the bench): it
// counts the lines it is sent and tells its parent the running total after each batch. On its
// own because a drain sends it ~150 MB in 64 KiB reads: inside the bench, each of those reads
// made the garbage collector walk the bench's whole heap (a third of the bench's CPU during a
// webhook drain, on the same two cores as the system measured); a real receiver is not in the
// load generator's heap either.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

let total = 0;
const server = createServer((req, res) => {
  let lines = 0;
  req.on('data', (chunk: Buffer) => {
    // Counted natively: a receiver that read its body byte by byte in JavaScript would be what
    // is measured.
    for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lines += 1;
  });
  req.on('end', () => {
    total += lines;
    res.writeHead(200).end();
    process.send?.({ total });
  });
});
server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
// The bench gone (or done): so is the receiver.
process.on('disconnect', () => process.exit(0));
