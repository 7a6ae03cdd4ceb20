import { kubectl, kubectlJson } from './kube.js';
import { sleep } from './processes.js';

// Status that only a controller absent from the local platform would write. In EKS the External
// Secrets Operator marks an ExternalSecret Ready once it has written the Secret from AWS Secrets
// Manager, and the AWS Load Balancer Controller writes the ALB's DNS name into an Ingress's status.
// Neither can run here (no AWS), and Argo CD's health checks wait for exactly those fields, so this
// loop writes them, and nothing else: no Secret is created, no sync or health is set by hand. Each
// patch is marked with the controller it stands in for (field manager and condition message).

interface Item {
  metadata: { name: string; namespace: string };
  status?: {
    conditions?: { type: string; status: string }[];
    loadBalancer?: { ingress?: unknown[] };
  };
}

const STAND_IN = 'local-stand-in';

function patchStatus(kind: string, item: Item, status: unknown): void {
  kubectl([
    'patch',
    kind,
    item.metadata.name,
    '-n',
    item.metadata.namespace,
    '--subresource=status',
    '--type=merge',
    `--field-manager=${STAND_IN}`,
    '-p',
    JSON.stringify({ status }),
  ]);
  console.log(
    `${new Date().toISOString()} ${kind} ${item.metadata.namespace}/${item.metadata.name}: status written`,
  );
}

/** External Secrets Operator (absent): the Ready condition it sets after syncing the Secret. */
function externalSecrets(): void {
  const list = kubectlJson<{ items: Item[] }>(['get', 'externalsecrets.external-secrets.io', '-A']);
  for (const item of list.items) {
    if (item.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) continue;
    patchStatus('externalsecrets.external-secrets.io', item, {
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'SecretSynced',
          message: 'stand-in for the External Secrets Operator (not running locally); no Secret was written',
          lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        },
      ],
    });
  }
}

/** AWS Load Balancer Controller (absent): the load balancer address it writes once the ALB exists. */
function ingresses(): void {
  const list = kubectlJson<{ items: Item[] }>(['get', 'ingresses.networking.k8s.io', '-A']);
  for (const item of list.items) {
    if ((item.status?.loadBalancer?.ingress ?? []).length > 0) continue;
    patchStatus('ingresses.networking.k8s.io', item, {
      loadBalancer: {
        ingress: [
          {
            hostname: `${item.metadata.name}.${item.metadata.namespace}.stand-in-for-aws-load-balancer-controller.invalid`,
          },
        ],
      },
    });
  }
}

export async function runAbsentControllers(intervalMs = 2000): Promise<never> {
  for (;;) {
    for (const step of [externalSecrets, ingresses]) {
      try {
        step();
      } catch (error) {
        console.error(
          `${new Date().toISOString()} ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
    await sleep(intervalMs);
  }
}
