import { ArnFormat, Stack } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { encryptedLogGroup } from '../shared/log-groups.js';

export interface WebAclProps {
  readonly name: string;
  /** Requests per 5 minutes from one client IP before it is blocked. */
  readonly rateLimitPer5Minutes: number;
  readonly logKey: kms.IKey;
}

const managedRuleGroups = [
  'AWSManagedRulesAmazonIpReputationList',
  'AWSManagedRulesCommonRuleSet',
  'AWSManagedRulesKnownBadInputsRuleSet',
  'AWSManagedRulesSQLiRuleSet',
] as const;

/**
 * Regional WAFv2 web ACL for the API's ALB (attached by the Ingress annotation
 * `alb.ingress.kubernetes.io/wafv2-acl-arn`), with full request logging to an encrypted log group.
 */
export class WebAcl extends Construct {
  readonly webAcl: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, props: WebAclProps) {
    super(scope, id);
    const visibility = (metricName: string) => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName,
    });

    const rules: wafv2.CfnWebACL.RuleProperty[] = managedRuleGroups.map((name, index) => ({
      name,
      priority: index + 1,
      overrideAction: { none: {} },
      statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
      visibilityConfig: visibility(name),
    }));
    rules.push({
      name: 'RateLimitPerClientIp',
      priority: managedRuleGroups.length + 1,
      action: { block: {} },
      statement: { rateBasedStatement: { limit: props.rateLimitPer5Minutes, aggregateKeyType: 'IP' } },
      visibilityConfig: visibility('RateLimitPerClientIp'),
    });

    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name: props.name,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      rules,
      visibilityConfig: visibility(props.name),
    });

    // WAF only delivers to log groups whose name starts with aws-waf-logs-.
    const logGroupName = `aws-waf-logs-${props.name}`;
    const logGroup = encryptedLogGroup(this, 'LogGroup', {
      logGroupName,
      encryptionKey: props.logKey,
      retention: logs.RetentionDays.THIRTEEN_MONTHS,
    });
    const logging = new wafv2.CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAcl.attrArn,
      logDestinationConfigs: [
        Stack.of(this).formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: logGroupName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
      redactedFields: [{ singleHeader: { Name: 'authorization' } }],
    });
    logging.node.addDependency(logGroup);
  }
}
