import { Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as securityhub from 'aws-cdk-lib/aws-securityhub';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/** Security Hub standards by their path below `arn:<partition>:securityhub:<region>::standards/`. */
export const SECURITY_HUB_STANDARDS = {
  foundational: 'aws-foundational-security-best-practices/v/1.0.0',
  cis: 'cis-aws-foundations-benchmark/v/3.0.0',
} as const;

export type SecurityHubStandard = keyof typeof SECURITY_HUB_STANDARDS;

export interface FindingRoutesProps {
  /** The on-call topic: every HIGH or CRITICAL finding is published to it. */
  readonly topic: sns.ITopic;
  /**
   * Security Hub standards to enable.
   * @default both: AWS Foundational Security Best Practices and CIS AWS Foundations
   */
  readonly standards?: readonly SecurityHubStandard[];
  /**
   * Lowest GuardDuty severity (1.0-8.9 in use; 7.0 and above is "High") that pages on-call.
   * @default 7
   */
  readonly guardDutyMinimumSeverity?: number;
  /**
   * AWS Config rules whose NON_COMPLIANT evaluations page on-call (config-conformance.ts).
   * @default none: no Config route
   */
  readonly configRules?: ConfigRuleRoute;
}

/** Which Config rules page, and the resources that fail a rule on purpose (so never page for it). */
export interface ConfigRuleRoute {
  readonly ruleNames: readonly string[];
  /**
   * Known, reviewed non-compliance: for each resource id (for S3, the bucket name) the rules it fails
   * by design, and why. Every other resource still pages for those rules.
   * @default none
   */
  readonly exceptions?: readonly { resourceId: string; ruleNames: readonly string[]; reason: string }[];
}

/**
 * Security Hub (with its standards) and Inspector's enhanced ECR scanning switched on, and the
 * HIGH/CRITICAL findings of GuardDuty, Security Hub and Inspector, and the NON_COMPLIANT evaluations
 * of the platform's AWS Config rules, routed to the on-call topic. A finding nobody reads is no
 * control; lower severities stay in the consoles for weekly review.
 */
export class FindingRoutes extends Construct {
  readonly hub: securityhub.CfnHub;
  readonly rules: {
    readonly guardDuty: events.Rule;
    readonly securityHub: events.Rule;
    readonly inspector: events.Rule;
    readonly config?: events.Rule;
  };

  constructor(scope: Construct, id: string, props: FindingRoutesProps) {
    super(scope, id);
    const standards = props.standards ?? (['foundational', 'cis'] as const);
    if (standards.length === 0)
      throw new Error('FindingRoutes: at least one Security Hub standard is required');
    const minimumSeverity = props.guardDutyMinimumSeverity ?? 7;
    if (!(minimumSeverity >= 1 && minimumSeverity <= 9)) {
      throw new Error(`FindingRoutes: guardDutyMinimumSeverity must be 1-9, got ${minimumSeverity}`);
    }
    const stack = Stack.of(this);

    // The default standards would also switch on whatever AWS adds later, unreviewed.
    this.hub = new securityhub.CfnHub(this, 'Hub', {
      enableDefaultStandards: false,
      controlFindingGenerator: 'SECURITY_CONTROL',
      autoEnableControls: true,
    });
    for (const standard of [...new Set(standards)]) {
      const enabled = new securityhub.CfnStandard(this, `Standard-${standard}`, {
        standardsArn: `arn:${stack.partition}:securityhub:${stack.region}::standards/${SECURITY_HUB_STANDARDS[standard]}`,
      });
      enabled.addDependency(this.hub);
    }

    // ENHANCED turns Inspector on for ECR: every image is scanned on push and again whenever a new
    // CVE is published, which basic scan-on-push never does.
    new ecr.CfnRegistryScanningConfiguration(this, 'EnhancedImageScanning', {
      scanType: 'ENHANCED',
      rules: [
        {
          scanFrequency: 'CONTINUOUS_SCAN',
          repositoryFilters: [{ filter: '*', filterType: 'WILDCARD' }],
        },
      ],
    });

    // Explicit, so the topic's KMS key policy lets EventBridge encrypt what it publishes.
    props.topic.grantPublish(new iam.ServicePrincipal('events.amazonaws.com'));
    const route = (ruleId: string, description: string, eventPattern: events.EventPattern) => {
      const rule = new events.Rule(this, ruleId, { description, eventPattern });
      rule.addTarget(new targets.SnsTopic(props.topic));
      return rule;
    };
    this.rules = {
      guardDuty: route(
        'GuardDutyHighFindings',
        `GuardDuty findings of severity ${minimumSeverity} and above`,
        {
          source: ['aws.guardduty'],
          detailType: ['GuardDuty Finding'],
          detail: { severity: [{ numeric: ['>=', minimumSeverity] }] },
        },
      ),
      securityHub: route(
        'SecurityHubHighFindings',
        'New, active Security Hub findings labelled HIGH or CRITICAL',
        {
          source: ['aws.securityhub'],
          detailType: ['Security Hub Findings - Imported'],
          detail: {
            findings: {
              Severity: { Label: ['HIGH', 'CRITICAL'] },
              Workflow: { Status: ['NEW'] },
              RecordState: ['ACTIVE'],
              // GuardDuty and Inspector findings, and Config rule evaluations, are also imported into
              // Security Hub; they are routed by their own rules, and paging twice for one finding
              // teaches people to ignore pages.
              ProductName: [{ 'anything-but': ['GuardDuty', 'Inspector', 'Config'] }],
            },
          },
        },
      ),
      inspector: route('InspectorHighFindings', 'Active Inspector findings of severity HIGH or CRITICAL', {
        source: ['aws.inspector2'],
        detailType: ['Inspector2 Finding'],
        detail: { severity: ['HIGH', 'CRITICAL'], status: ['ACTIVE'] },
      }),
      config:
        props.configRules &&
        route(
          'ConfigRulesNonCompliant',
          'AWS Config rule evaluations of the platform baseline turning NON_COMPLIANT',
          configRulesPattern(props.configRules),
        ),
    };
  }
}

/**
 * The compliance-change events of the listed rules whose new result is NON_COMPLIANT. Config emits one
 * when an evaluation changes, so a resource that stays non-compliant pages once, not every hour.
 */
export function configRulesPattern(route: ConfigRuleRoute): events.EventPattern {
  const names = [...route.ruleNames];
  if (names.length === 0 || new Set(names).size !== names.length)
    throw new Error('FindingRoutes: configRules.ruleNames must be a non-empty list without duplicates');
  // Rule name -> resource ids excused from it.
  const excused = new Map<string, string[]>();
  for (const exception of route.exceptions ?? []) {
    if (exception.reason.trim() === '')
      throw new Error(`FindingRoutes: the exception for ${exception.resourceId} needs a reason`);
    for (const name of exception.ruleNames) {
      if (!names.includes(name))
        throw new Error(`FindingRoutes: exception for ${exception.resourceId} names unknown rule ${name}`);
      excused.set(name, [...(excused.get(name) ?? []), exception.resourceId].sort());
    }
  }
  const common = {
    messageType: ['ComplianceChangeNotification'],
    newEvaluationResult: { complianceType: ['NON_COMPLIANT'] },
  };
  const unexcused = names.filter((name) => !excused.has(name));
  if (excused.size === 0) {
    return {
      source: ['aws.config'],
      detailType: ['Config Rules Compliance Change'],
      detail: { ...common, configRuleName: unexcused },
    };
  }
  // Rules with the same excused resources share one branch.
  const groups = new Map<string, string[]>();
  for (const name of names.filter((n) => excused.has(n))) {
    const key = JSON.stringify(excused.get(name));
    groups.set(key, [...(groups.get(key) ?? []), name]);
  }
  return {
    source: ['aws.config'],
    detailType: ['Config Rules Compliance Change'],
    detail: {
      ...common,
      $or: [
        ...(unexcused.length > 0 ? [{ configRuleName: unexcused }] : []),
        ...[...groups].map(([resourceIds, ruleNames]) => ({
          configRuleName: ruleNames,
          resourceId: [{ 'anything-but': JSON.parse(resourceIds) as string[] }],
        })),
      ],
    },
  };
}
