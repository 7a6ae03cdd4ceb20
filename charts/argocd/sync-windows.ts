import type { ISyncWindow } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/SyncWindow';

// Argo CD sync windows per environment, applied to the bank AppProject (the workloads). While a
// `deny` window is active Argo CD neither auto-syncs nor self-heals the project's Applications;
// `manualSync: true` keeps a break-glass sync from the UI/CLI possible for an on-call engineer.
// Change a window here, run `npm run synth:manifests`, and publish: the window is part of the
// rendered AppProject, so it is reviewed and deployed like any other change (docs/gitops.md).

export const SYNC_WINDOWS: Readonly<Record<string, readonly ISyncWindow[]>> = {
  prod: [
    {
      kind: 'deny',
      description: 'Weekend change freeze: Friday 18:00 to Monday 06:00, Frankfurt time',
      schedule: '0 18 * * 5',
      duration: '60h',
      timeZone: 'Europe/Berlin',
      applications: ['*'],
      manualSync: true,
    },
  ],
};

export const syncWindowsFor = (environment: string): ISyncWindow[] => [...(SYNC_WINDOWS[environment] ?? [])];
