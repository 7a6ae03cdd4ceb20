import { loadOrganisation } from './index.js';

// Kubernetes label and annotation keys the platform owns, prefixed with the organisation's domain
// (`bank.example.com/node-pool`). The CDK app (node labels) and the charts (NetworkPolicy annotations)
// both build their keys here, so the prefix is declared once: organisation.domain in environments.ts.

/** A key's name part, as Kubernetes allows it: 1-63 alphanumerics, '-', '_' or '.', alphanumeric at both ends. */
const KEY_NAME = /^[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$/;

/** `<organisation domain>/<name>`; throws on a name Kubernetes would refuse. */
export function labelKey(name: string): string {
  if (!KEY_NAME.test(name)) {
    throw new Error(
      `label key name '${name}' must be 1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`,
    );
  }
  return `${loadOrganisation().domain}/${name}`;
}

/** The node pool a node belongs to (system add-ons or the bank's workloads). */
export const nodePoolLabel = (): string => labelKey('node-pool');

/** Why a NetworkPolicy exists, in a sentence (every allow-rule carries one). */
export const purposeAnnotation = (): string => labelKey('purpose');

/** Which capacity a node runs on; set to `spot` on the spot-only pool, and its taint's key. */
export const capacityLabel = (): string => labelKey('capacity');
