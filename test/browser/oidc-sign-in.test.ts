import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumOrSkip, launchChromium } from '../support/browser.js';
import { type BankStack, startBankStack } from './bank-stack.js';

// The production sign-in: the app's OIDC authorization code flow with PKCE (oidc-client-ts) against a
// real OpenID provider (oidc-provider, started here with its development login and consent pages),
// and bank-api in AUTH_MODE=oidc verifying the provider's signed JWT access tokens against its JWKS.

const CLIENT_ID = 'bank-web';
const AUDIENCE = 'https://api.bank.test';

const haveChromium = chromiumOrSkip('the OIDC sign-in browser test');

describe.skipIf(!haveChromium)('OIDC sign-in (authorization code + PKCE)', () => {
  let stack: BankStack;
  let browser: Browser;
  let issuer: string;
  let closeProvider: () => void;
  const requests: string[] = [];

  beforeAll(async () => {
    // The issuer's address is needed before the bank starts, the bank's before the provider is
    // configured (its redirect URI): listen first, attach the provider after.
    let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
    const server = createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      if (handler) handler(req, res);
      else res.writeHead(503).end();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    closeProvider = () => {
      server.closeAllConnections();
      server.close();
    };

    [stack, browser] = await Promise.all([
      startBankStack({
        AUTH_MODE: 'oidc',
        OIDC_ISSUER: issuer,
        OIDC_CLIENT_ID: CLIENT_ID,
        OIDC_AUDIENCE: AUDIENCE,
        OIDC_JWKS_URI: `${issuer}/jwks`,
      }),
      launchChromium(),
    ]);

    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const provider = new Provider(issuer, {
      clients: [
        {
          client_id: CLIENT_ID,
          token_endpoint_auth_method: 'none',
          redirect_uris: [`${stack.url}/`],
          response_types: ['code'],
          grant_types: ['authorization_code'],
        },
      ],
      jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'test', alg: 'RS256', use: 'sig' }] },
      pkce: { required: () => true },
      cookies: { keys: ['bank-web-oidc-test'] },
      // The customer id is the login typed on the development login page.
      findAccount: (_ctx: unknown, sub: string) => ({ accountId: sub, claims: () => ({ sub }) }),
      // The app calls the token endpoint from its own origin, and only from there.
      clientBasedCORS: (_ctx: unknown, origin: string) => origin === stack.url,
      ttl: { AccessToken: 600, IdToken: 600, Interaction: 600, Session: 3_600, Grant: 3_600 },
      features: {
        devInteractions: { enabled: true },
        // Access tokens as JWTs for the API (its audience), which bank-api verifies with the JWKS.
        resourceIndicators: {
          enabled: true,
          defaultResource: () => AUDIENCE,
          useGrantedResource: () => true,
          getResourceServerInfo: () => ({
            scope: 'openid',
            audience: AUDIENCE,
            accessTokenFormat: 'jwt',
            accessTokenTTL: 600,
            jwt: { sign: { alg: 'RS256' } },
          }),
        },
      },
    });
    handler = provider.callback();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    closeProvider?.();
  });

  it('signs in at the provider, comes back, and uses the API with the provider’s token', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    // The provider's development pages import a web font; this machine is offline.
    await context.route(/fonts\.googleapis\.com/, (route) => route.abort());
    const page = await context.newPage();
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text()) && page.url().startsWith(stack.url))
        violations.push(message.text());
    });

    await page.goto(stack.url);
    await page.getByText("You sign in on the bank's sign-in page").waitFor();
    await page.getByRole('button', { name: 'Sign in' }).click();

    // The provider's login and consent pages.
    await page.waitForURL((url) => url.href.startsWith(issuer));
    await page.locator('input[name=login]').fill('olivia');
    await page.locator('input[name=password]').fill('any');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();

    // Back at the app, with the code exchanged and the address cleaned.
    await page.getByRole('heading', { name: 'Your accounts' }).waitFor();
    expect(new URL(page.url()).search).toBe('');
    await page.getByText('Signed in as olivia').waitFor();
    await page.getByRole('button', { name: 'Open account' }).click();
    await page.getByText('Opened a EUR account.').waitFor();
    await expect.poll(() => page.getByRole('list', { name: 'Accounts' }).getByRole('link').count()).toBe(1);

    // PKCE: the authorization request carried an S256 challenge; the code exchange its verifier.
    const authorization = requests.find((r) => r.startsWith('GET /auth?'));
    expect(authorization).toBeDefined();
    const query = new URL(authorization?.slice(4) ?? '', issuer).searchParams;
    expect(query.get('code_challenge_method')).toBe('S256');
    expect(query.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(query.get('client_id')).toBe(CLIENT_ID);
    expect(requests).toContain('POST /token');

    // The token the app holds is the provider's JWT for the API; the API takes it, and nothing else.
    const token = await page.evaluate<string>(
      `JSON.parse(sessionStorage.getItem(Object.keys(sessionStorage).find((k) => k.startsWith('oidc.user:')))).access_token`,
    );
    const [header, payload] = token
      .split('.')
      .slice(0, 2)
      .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
    expect(header).toMatchObject({ alg: 'RS256', kid: 'test' });
    expect(payload).toMatchObject({ iss: issuer, sub: 'olivia', aud: AUDIENCE });
    const accounts = await fetch(`${stack.url}/v1/accounts`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(accounts.status).toBe(200);
    expect(((await accounts.json()) as { items: unknown[] }).items).toHaveLength(1);
    // No development tokens in OIDC mode.
    const devToken = await fetch(`${stack.url}/v1/dev/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ customerId: 'olivia' }),
    });
    expect(devToken.status).toBe(404);
    expect(violations).toEqual([]);
    await context.close();
  });
});
