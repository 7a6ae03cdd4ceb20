import * as guardduty from 'aws-cdk-lib/aws-guardduty';
import { Construct } from 'constructs';

/**
 * GuardDuty with the protections that matter for an EKS + Aurora + S3 platform. A detector is a
 * per-account, per-region singleton: deploy this stack once per account/region (see docs/platform).
 */
export class ThreatDetection extends Construct {
  readonly detector: guardduty.CfnDetector;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const enabled = (name: string, additional?: string[]) => ({
      name,
      status: 'ENABLED',
      additionalConfiguration: additional?.map((n) => ({ name: n, status: 'ENABLED' })),
    });
    this.detector = new guardduty.CfnDetector(this, 'Detector', {
      enable: true,
      findingPublishingFrequency: 'FIFTEEN_MINUTES',
      features: [
        enabled('S3_DATA_EVENTS'),
        enabled('EKS_AUDIT_LOGS'),
        enabled('EBS_MALWARE_PROTECTION'),
        enabled('RDS_LOGIN_EVENTS'),
        // Runtime monitoring with the managed EKS agent add-on watches processes on every node.
        enabled('RUNTIME_MONITORING', ['EKS_ADDON_MANAGEMENT']),
      ],
    });
  }
}
