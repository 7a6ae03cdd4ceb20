import type { ResolvedWebServiceProps } from './props.js';

// checkov findings on a web service's workloads that we accept, rendered as checkov's own
// `checkov.io/skip<n>` annotations next to the object they apply to, each with its reason, so the
// skip is reviewed where the object is (docs/security.md lists them). `npm run verify` fails on a
// skip without a reason.

interface ScannerSkip {
  readonly check: string;
  readonly reason: string;
}

function skipsFor(p: Pick<ResolvedWebServiceProps, 'database'>): ScannerSkip[] {
  const skips: ScannerSkip[] = [];
  if (p.database) {
    skips.push({
      check: 'CKV_K8S_35',
      reason:
        'the database URL reaches the app as an env var from the External Secrets Secret; the app reads ' +
        'DATABASE_URL only, and the Secret never appears in the pod spec or logs',
    });
  }
  // Not conditional on the reference: an --image override must change only the image lines.
  skips.push({
    check: 'CKV_K8S_43',
    reason:
      'pinning is enforced at render time (charts/lib/image.ts): the publisher renders a digest, plain ' +
      'synth an immutable tag of an IMMUTABLE ECR repository; latest or untagged stops synth',
  });
  skips.push({
    check: 'CKV_K8S_15',
    reason:
      'IfNotPresent on purpose: the image is immutable (see CKV_K8S_43), and Always would make every ' +
      'pod start, rescheduling in a zone failure included, depend on reaching ECR',
  });
  return skips;
}

/** `checkov.io/skip1..n` annotations for the service's Deployment and migration Job. */
export function scannerSkipAnnotations(p: Pick<ResolvedWebServiceProps, 'database'>): Record<string, string> {
  return Object.fromEntries(
    skipsFor(p).map((skip, index) => [`checkov.io/skip${index + 1}`, `${skip.check}=${skip.reason}`]),
  );
}
