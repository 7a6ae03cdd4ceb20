import type { EnvironmentConfig } from '../../platform/config/index.js';
import { serviceTags } from '../../platform/config/tags.js';
import { PUBLIC_INGRESS_GROUP } from '../../platform/config/workloads.js';
import { derivePlatformValues } from './derived-config.js';
import type { IngressPath, PublicIngress } from './web-service/props.js';

// The load-balancer-wide half of every public Ingress of an environment. The AWS Load Balancer
// Controller merges the Ingresses of one IngressGroup into one ALB and refuses the group (no ALB
// change at all) when an exclusive annotation (WAF ACL, inbound CIDRs, ssl-policy, ...) differs
// between members or a tag key has two values; both charts take these fields from here, so the
// members cannot drift apart.

export type SharedAlbSettings = Pick<PublicIngress, 'wafAclName' | 'allowedCidrs' | 'tags'> & {
  readonly group: NonNullable<PublicIngress['group']>;
};

export type PublicService = keyof typeof PUBLIC_INGRESS_GROUP.order;

/** The shared ALB's settings, with `service`'s place in the group's rule order. */
export function sharedAlb(env: EnvironmentConfig, service: PublicService): SharedAlbSettings {
  return {
    wafAclName: derivePlatformValues(env).wafAclName,
    allowedCidrs: env.apiAllowedCidrs,
    // One ALB carries one Service tag: the customer-facing app's budget line is bank-api's
    // (docs/platform/cost.md), whichever member's Ingress the controller reads it from.
    tags: serviceTags(env, 'bank-api'),
    group: { name: PUBLIC_INGRESS_GROUP.name, order: PUBLIC_INGRESS_GROUP.order[service] },
  };
}

/**
 * What bank-api answers on the app's host (bankWeb.hostname), ahead of the app's catch-all `/`. The
 * API host keeps serving all of it; here only what the browser needs: the API itself, same origin as
 * the app (no CORS, and the app's Content-Security-Policy keeps connect-src 'self'), and its OpenAPI
 * document. The probes (/livez, /readyz) stay off the app's host.
 */
export const API_PATHS_ON_APP_HOST: readonly IngressPath[] = [
  { path: '/v1', pathType: 'Prefix' },
  { path: '/openapi.json', pathType: 'Exact' },
];
