import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { canonicalJson } from '../records/record-event/canonical-json';

/** What a checkpoint vouches for: the chain's size, its Merkle root, its last hash, when, and by which key. */
export interface CheckpointBody {
  size: string;
  root: string;
  headHash: string;
  createdAt: string;
  keyId: string;
}

export function privateKeyOf(pem: string): KeyObject {
  const key = createPrivateKey(pem.replace(/\\n/g, '\n'));
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`AUDIT_SIGNING_KEY must be an Ed25519 private key, not ${key.asymmetricKeyType}`);
  return key;
}

export function publicKeyOf(pem: string): KeyObject {
  const text = pem.replace(/\\n/g, '\n');
  const key = text.includes('PRIVATE KEY') ? createPublicKey(createPrivateKey(text)) : createPublicKey(text);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`the audit key must be Ed25519, not ${key.asymmetricKeyType}`);
  return key;
}

/** A short, stable name for a public key: which key signed a checkpoint. */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ format: 'der', type: 'spki' })).digest('hex').slice(0, 16);
}

/** Ed25519 over the canonical JSON of the body (RFC 8785-style sorted keys), base64. */
export function signCheckpoint(body: CheckpointBody, privateKey: KeyObject): string {
  return sign(null, Buffer.from(canonicalJson(body)), privateKey).toString('base64');
}

export function checkpointSignatureValid(body: CheckpointBody, signature: string, publicKey: KeyObject): boolean {
  try {
    return verify(null, Buffer.from(canonicalJson(body)), publicKey, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}
