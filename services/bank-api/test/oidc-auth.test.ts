import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

import { startTestService, type TestService } from './support/harness.js';

// Production mode: tokens from an OIDC issuer, verified against its JWKS (served here on loopback).
describe('AUTH_MODE=oidc', () => {
  let jwksServer: Server;
  let svc: TestService;
  let issuer: string;
  let sign: (
    claims: { sub?: string; iss?: string; aud?: string; exp?: string },
    key?: PrivateKey,
  ) => Promise<string>;
  let strangerKey: PrivateKey;

  beforeAll(async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    strangerKey = (await generateKeyPair('ES256')).privateKey;
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    jwksServer = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    });
    jwksServer.listen(0, '127.0.0.1');
    await once(jwksServer, 'listening');
    issuer = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}`;
    sign = async (claims, key = privateKey) => {
      const jwt = new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setIssuedAt();
      if (claims.sub) jwt.setSubject(claims.sub);
      jwt
        .setIssuer(claims.iss ?? issuer)
        .setAudience(claims.aud ?? 'bank-api')
        .setExpirationTime(claims.exp ?? '5m');
      return jwt.sign(key);
    };
    svc = await startTestService('pglite', {
      AUTH_MODE: 'oidc',
      OIDC_ISSUER: issuer,
      OIDC_AUDIENCE: 'bank-api',
      OIDC_JWKS_URI: `${issuer}/jwks.json`,
    });
  });
  afterAll(async () => {
    await svc?.close();
    jwksServer?.close();
  });

  it('accepts a token from the issuer and uses sub as the customer id', async () => {
    const token = await sign({ sub: 'oidc-customer' });
    const res = await svc.api
      .post('/v1/accounts')
      .set('Authorization', `Bearer ${token}`)
      .send({ currency: 'EUR' })
      .expect(201);
    expect(res.body.customerId).toBe('oidc-customer');
  });

  it.each([
    ['another issuer', { sub: 'x', iss: 'https://evil.example' }],
    ['another audience', { sub: 'x', aud: 'other-api' }],
    ['expired', { sub: 'x', exp: '-1m' }],
    ['no subject', {}],
  ])('rejects a token with %s', async (_name, claims) => {
    const token = await sign(claims);
    await svc.api.get('/v1/accounts').set('Authorization', `Bearer ${token}`).expect(401);
  });

  it('rejects a token signed by another key', async () => {
    const token = await sign({ sub: 'x' }, strangerKey);
    await svc.api.get('/v1/accounts').set('Authorization', `Bearer ${token}`).expect(401);
  });

  it('does not offer dev tokens', async () => {
    await svc.api.post('/v1/dev/token').send({ customerId: 'x' }).expect(404);
  });
});
