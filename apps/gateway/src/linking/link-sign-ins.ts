import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

const digest = (value: string) => createHash('sha256').update(value).digest('hex');

export interface LinkSignIn {
  linkToken: string;
  codeVerifier: string;
  nonce: string;
  browserHash: string;
}

/** Sign-ins under way (gateway.link_sign_ins): kept by a digest of their state, taken once. */
@Injectable()
export class LinkSignIns {
  constructor(private readonly dataSource: DataSource) {}

  async save(state: string, browser: string, signIn: Omit<LinkSignIn, 'browserHash'>): Promise<void> {
    await this.dataSource.query(`DELETE FROM gateway.link_sign_ins WHERE expires_at < now()`);
    await this.dataSource.query(
      `INSERT INTO gateway.link_sign_ins (state_hash, link_token, code_verifier, nonce, browser_hash, expires_at) VALUES ($1, $2, $3, $4, $5, now() + interval '10 minutes')`,
      [digest(state), signIn.linkToken, signIn.codeVerifier, signIn.nonce, digest(browser)],
    );
  }

  /** The sign-in this state belongs to, removed so it cannot be used again; undefined if unknown or stale. */
  async take(state: string): Promise<LinkSignIn | undefined> {
    const [row]: { link_token: string; code_verifier: string; nonce: string; browser_hash: string }[] = await this.dataSource.query(
      // A CTE, so the driver hands back rows (a bare DELETE … RETURNING comes back as [rows, count]).
      `WITH taken AS (DELETE FROM gateway.link_sign_ins WHERE state_hash = $1 RETURNING *)
       SELECT link_token, code_verifier, nonce, browser_hash FROM taken WHERE expires_at > now()`,
      [digest(state)],
    );
    return row ? { linkToken: row.link_token, codeVerifier: row.code_verifier, nonce: row.nonce, browserHash: row.browser_hash } : undefined;
  }

  sameBrowser(signIn: LinkSignIn, cookie: string | undefined): boolean {
    return cookie !== undefined && digest(cookie) === signIn.browserHash;
  }
}
