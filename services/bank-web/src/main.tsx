import { render } from 'preact';
import { App } from './app.js';
import { devAuth } from './auth/dev-auth.js';
import { oidcAuth } from './auth/oidc-auth.js';
import type { AnyAuth } from './auth/session.js';
import { loadRuntimeConfig } from './config.js';
import './styles.css';

// Start: read the runtime config, restore (or complete) the sign-in, render. The performance mark
// lets the browser test report the time to interactive.
async function start(root: HTMLElement): Promise<void> {
  try {
    const config = await loadRuntimeConfig();
    const auth: AnyAuth =
      config.authMode === 'oidc' ? oidcAuth(config.oidc.issuer, config.oidc.clientId) : devAuth();
    const session = await auth.restore();
    root.replaceChildren();
    render(<App auth={auth} initial={session} />, root);
    performance.mark('bank-web:interactive');
  } catch (error) {
    const message = document.createElement('p');
    message.setAttribute('role', 'alert');
    message.className = 'form-error';
    message.textContent = `The bank could not start: ${error instanceof Error ? error.message : String(error)}. Reload to try again.`;
    root.replaceChildren(message);
  }
}

const root = document.getElementById('app');
if (root) void start(root);
