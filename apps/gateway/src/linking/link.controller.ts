import { randomBytes } from 'node:crypto';
import { Controller, Get, HttpException, Inject, Query, Req, Res } from '@nestjs/common';
import { LOGGER, type Logger } from '@gatehouse/observability';
import type { Request, Response } from 'express';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { AskService } from '../http/ask-service';
import { linkPage } from './link-page';
import { LinkSignIns } from './link-sign-ins';
import { OktaSignIn, SignInFailed } from './okta-sign-in';

const COOKIE = 'gatehouse_link';

/**
 * Account linking in the browser: `/link/slack?t=…` (the one-time link slack-bot gave the
 * person) sends them to sign in with Okta; `/link/callback` checks the answer (state once, from
 * the same browser; code traded with PKCE; ID token verified) and has slack-bot record the link
 * between the Slack user the token was made for and the Okta user who signed in.
 */
@Controller('link')
export class LinkController {
  constructor(
    private readonly ask: AskService,
    private readonly okta: OktaSignIn,
    private readonly signIns: LinkSignIns,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Get('slack')
  async start(@Query('t') token: string | undefined, @Res() res: Response): Promise<void> {
    if (!this.config.oidc) {
      return this.show(res, 503, 'Account linking is not set up', 'An admin must set OKTA_OIDC_ISSUER, OKTA_OIDC_CLIENT_ID and OKTA_OIDC_CLIENT_SECRET on the gateway (see the README, "Link Slack and Okta accounts").', false);
    }
    if (!token || token.length < 20 || token.length > 200) return this.show(res, 400, 'This link is not valid', 'Use "Link your account" in Gatehouse\'s Home in Slack to get a new one.', false);
    try {
      const begun = await this.ask.ask('identity.link.begin', token, { token });
      if (!begun.ok) return this.show(res, 400, 'This link cannot be used', begun.message, false);
      const signIn = await this.okta.start();
      const browser = randomBytes(32).toString('base64url');
      await this.signIns.save(signIn.state, browser, { linkToken: token, codeVerifier: signIn.codeVerifier, nonce: signIn.nonce });
      res.cookie(COOKIE, browser, { httpOnly: true, sameSite: 'lax', path: '/link', maxAge: 10 * 60 * 1000, secure: this.config.publicUrl.startsWith('https:') });
      res.redirect(302, signIn.url);
    } catch (error) {
      this.failed(res, error);
    }
  }

  @Get('callback')
  async callback(@Query() query: Record<string, string | undefined>, @Req() req: Request, @Res() res: Response): Promise<void> {
    res.clearCookie(COOKIE, { path: '/link' });
    if (query['error']) return this.show(res, 400, 'Okta did not sign you in', `${query['error_description'] ?? query['error']}. Start again from Slack.`, false);
    const signIn = query['state'] ? await this.signIns.take(query['state']) : undefined;
    if (!signIn) return this.show(res, 400, 'This sign-in is not known', 'It was used already, is more than ten minutes old, or did not start here (state). Start again from "Link your account" in Slack.', false);
    if (!this.signIns.sameBrowser(signIn, cookieOf(req, COOKIE))) {
      return this.show(res, 400, 'This sign-in started in another browser', 'Finish it in the browser where you opened the link from Slack, or start again.', false);
    }
    if (!query['code']) return this.show(res, 400, 'Okta sent no code', 'Start again from "Link your account" in Slack.', false);
    try {
      const who = await this.okta.finish(query['code'], signIn.codeVerifier, signIn.nonce);
      const linked = await this.ask.ask('identity.link.complete', signIn.linkToken, {
        token: signIn.linkToken,
        issuer: who.iss,
        subject: who.sub,
        email: who.email,
        ...(who.name ? { displayName: who.name } : {}),
      });
      if (!linked.ok) return this.show(res, 400, 'Your account could not be linked', linked.message, false);
      this.show(res, 200, 'Your accounts are linked', `Your Slack account now acts as ${linked.email} in Gatehouse. You can close this tab and go back to Slack.`, true);
    } catch (error) {
      this.failed(res, error);
    }
  }

  private failed(res: Response, error: unknown): void {
    if (error instanceof SignInFailed) return this.show(res, 400, 'Signing in with Okta failed', error.message, false);
    if (error instanceof HttpException) return this.show(res, 503, 'Gatehouse is busy', `${error.message}. Try again in a minute.`, false);
    this.logger.error({ err: error }, 'account linking failed');
    this.show(res, 502, 'Something went wrong', 'Gatehouse could not finish linking your account; try again in a minute. If it keeps happening, tell your Gatehouse admin.', false);
  }

  private show(res: Response, status: number, title: string, message: string, ok: boolean): void {
    res.status(status).type('html').setHeader('cache-control', 'no-store').send(linkPage(title, message, ok));
  }
}

function cookieOf(req: Request, name: string): string | undefined {
  for (const part of (req.header('cookie') ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
  }
  return undefined;
}
