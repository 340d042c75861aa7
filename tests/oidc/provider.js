// A real OpenID provider (npm oidc-provider) on loopback for poflow's login tests. Not for production.
//
//   node tests/oidc/provider.js PORT        (or OIDC_PORT=PORT)
//
// Environment:
//   OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_REDIRECT_URI   the one confidential client (poflow)
//   OIDC_OTHER_CLIENT_ID, OIDC_OTHER_CLIENT_SECRET          an optional second client with the same
//                                                           redirect URI (tokens for another audience)
//   OIDC_PERSON_CLAIM                                       the claim naming the person (employee_id)
//
// A person logs in by posting a login name (one of ACCOUNTS below) to /interaction/<uid>/login; there
// is no password and no consent screen (the grant is given at once). Fictional people only.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

const port = Number(process.argv[2] || process.env.OIDC_PORT);
if (!Number.isInteger(port) || port <= 0) {
  console.error('usage: node provider.js PORT (or OIDC_PORT=PORT)');
  process.exit(2);
}
const required = (name) => {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is not set`);
    process.exit(2);
  }
  return value;
};
const redirectUri = required('OIDC_REDIRECT_URI');
const personClaim = process.env.OIDC_PERSON_CLAIM || 'employee_id';
const issuer = `http://127.0.0.1:${port}`;

// Login name -> claims. "zonder-id" has no person claim at all, "leeg-id" an empty one.
const ACCOUNTS = {
  fenna: { [personClaim]: 'HB-0002', name: 'Fenna Testdal', email: 'fenna.testdal@gemeente.example' },
  joris: { [personClaim]: 'HB-0007', name: 'Joris Proefveld', email: 'joris.proefveld@gemeente.example' },
  'zonder-id': { name: 'Zonder Nummer', email: 'zonder.nummer@gemeente.example' },
  'leeg-id': { [personClaim]: '', name: 'Leeg Nummer', email: 'leeg.nummer@gemeente.example' },
};
const SCOPE = 'openid profile email';

const clients = [
  {
    client_id: required('OIDC_CLIENT_ID'),
    client_secret: required('OIDC_CLIENT_SECRET'),
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  },
];
if (process.env.OIDC_OTHER_CLIENT_ID) {
  clients.push({ ...clients[0], client_id: process.env.OIDC_OTHER_CLIENT_ID,
    client_secret: required('OIDC_OTHER_CLIENT_SECRET') });
}

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key-1', use: 'sig', alg: 'RS256' };

const provider = new Provider(issuer, {
  clients,
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  // The person claim travels in the ID token (as Entra ID's optional claims do).
  claims: { openid: ['sub', personClaim], profile: ['name'], email: ['email'] },
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: false } },
  pkce: { methods: ['S256'], required: () => true },
  async findAccount(ctx, id) {
    if (!Object.hasOwn(ACCOUNTS, id)) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...ACCOUNTS[id] }; } };
  },
  // No consent screen: every client here is first-party, so a grant for its scope is made at once.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope(SCOPE);
    await grant.save();
    return grant;
  },
  ttl: { AuthorizationCode: 60, IdToken: 300, AccessToken: 300, Interaction: 600, Session: 600, Grant: 600 },
});

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginForm(res, uid, message) {
  res.writeHead(message ? 401 : 200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(`<!DOCTYPE html><html lang="nl"><head><title>Testaanbieder: inloggen</title></head><body>
<h1>Testaanbieder: inloggen</h1>${message ? `<p role="alert">${escape(message)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login">
<label for="login">Inlognaam</label> <input id="login" name="login" autocomplete="username">
<button type="submit">Inloggen</button></form></body></html>`);
}

async function readForm(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 8192) throw new Error('form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

async function interaction(req, res, path) {
  const [, , uid, step] = path.split('/');
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) throw new Error('interaction mismatch');
  if (req.method === 'GET' && !step) return loginForm(res, uid);
  if (req.method === 'POST' && step === 'login') {
    const login = (await readForm(req)).get('login') || '';
    if (!Object.hasOwn(ACCOUNTS, login)) return loginForm(res, uid, 'Onbekende inlognaam.');
    return provider.interactionFinished(req, res, { login: { accountId: login } },
      { mergeWithLastSubmission: false });
  }
  res.writeHead(405).end();
}

const handle = provider.callback();
const server = createServer((req, res) => {
  const path = new URL(req.url, issuer).pathname;
  if (!path.startsWith('/interaction/')) return handle(req, res);
  interaction(req, res, path).catch((err) => {
    if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(`interaction failed: ${err.message}`);
  });
});
server.listen(port, '127.0.0.1', () => console.log(`oidc test provider on ${issuer}`));
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
