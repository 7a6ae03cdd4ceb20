import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { appField as d, kubernetesField as k } from './container-logs.js';

// CloudWatch Logs Insights saved queries for the questions an operator asks during an incident.
// bank-api fields are the keys of its JSON log lines (services/bank-api/src/observability/logger.ts
// and the access line of src/http/request-context.ts): service, level, msg, reqId, method, route,
// status, durationMs, customerId, problem. test/observability/log-queries.test.ts checks every field
// a query reads against lines the real service writes.

/** Which log group a query reads. */
export type QueryLogGroup = 'containers' | 'postgresql';

export interface OperatorQuery {
  /** Last part of the saved query's name (shown in the console's folder). */
  readonly name: string;
  readonly logGroups: readonly QueryLogGroup[];
  readonly query: logs.QueryStringProps;
}

/** Health probes: kubelet and the ALB call them constantly; no query about traffic counts them. */
export const HEALTH_ROUTES = ['/livez', '/readyz'] as const;

const BANK_API = `${d('service')} = "bank-api"`;
const NOT_HEALTH = HEALTH_ROUTES.map((r) => `${d('route')} != "${r}"`).join(' and ');

/**
 * The saved queries. `REQUEST_ID` in the by-id query is a placeholder the operator replaces.
 * Aurora's log lines are PostgreSQL's text format (log_line_prefix `%t:%r:%u@%d:[%p]:`): statements
 * slower than log_min_duration_statement (1000 ms, platform/lib/data/aurora-database.ts) appear as
 * `LOG:  duration: 1234.567 ms  statement: ...` (or `execute <name>: ...` for prepared statements).
 */
export const OPERATOR_QUERIES: readonly OperatorQuery[] = [
  {
    name: 'bank-api/errors-by-route',
    logGroups: ['containers'],
    query: {
      fields: ['@timestamp', d('route'), d('status'), d('problem')],
      filterStatements: [BANK_API, `${d('status')} >= 500`],
      statsStatements: [`count(*) as errors by ${d('route')}, ${d('status')}, ${d('problem')}`],
      sort: 'errors desc',
    },
  },
  {
    name: 'bank-api/slowest-requests',
    logGroups: ['containers'],
    query: {
      fields: ['@timestamp', d('reqId'), d('method'), d('route'), d('status'), d('durationMs')],
      filterStatements: [BANK_API, `ispresent(${d('durationMs')})`, NOT_HEALTH],
      sort: `${d('durationMs')} desc`,
      limit: 50,
    },
  },
  {
    name: 'bank-api/request-by-id',
    logGroups: ['containers'],
    query: {
      fields: [
        '@timestamp',
        k('pod_name'),
        d('service'),
        d('level'),
        d('msg'),
        d('method'),
        d('route'),
        d('status'),
        d('durationMs'),
      ],
      // Every service's lines carrying the id (bank-api's access line and its per-request logger).
      filterStatements: [`${d('reqId')} = "REQUEST_ID"`],
      sort: '@timestamp asc',
    },
  },
  {
    name: 'bank-api/failed-transfers-by-reason',
    logGroups: ['containers'],
    query: {
      fields: ['@timestamp', d('problem'), d('status'), d('customerId')],
      filterStatements: [
        BANK_API,
        `${d('method')} = "POST"`,
        `${d('route')} = "/v1/transfers"`,
        `${d('status')} >= 400`,
      ],
      statsStatements: [`count(*) as failures by ${d('problem')}, ${d('status')}`],
      sort: 'failures desc',
    },
  },
  {
    name: 'bank-api/rejected-logins',
    logGroups: ['containers'],
    query: {
      fields: ['@timestamp', d('route'), d('problem')],
      // A missing, invalid or expired bearer token: the API's only sign-in check.
      filterStatements: [BANK_API, `${d('status')} = 401`],
      statsStatements: [`count(*) as rejected by bin(5m), ${d('route')}`],
    },
  },
  {
    name: 'aurora/slow-statements',
    logGroups: ['postgresql'],
    query: {
      fields: ['@timestamp', '@logStream', '@message'],
      parseStatements: [
        '@message /duration: (?<durationMs>[0-9.]+) ms\\s+(?:statement|execute [^:]*): (?<statement>.*)/',
      ],
      filterStatements: ['ispresent(durationMs)'],
      sort: 'durationMs desc',
      limit: 50,
    },
  },
  {
    name: 'argocd/sync-failures',
    logGroups: ['containers'],
    query: {
      // Argo CD logs JSON (argocd/values.yaml global.logging.format): logrus's level, msg, application.
      fields: ['@timestamp', d('application'), d('level'), d('msg')],
      filterStatements: [
        `${k('namespace_name')} = "argocd"`,
        `${k('container_name')} = "application-controller"`,
        `${d('level')} = "error" or ${d('msg')} like /(?i)sync.*(fail|error)|operation.*(failed|error)/`,
      ],
      sort: '@timestamp desc',
      limit: 100,
    },
  },
];

export interface OperatorLogQueriesProps {
  /** Folder the queries are saved in (the console shows `<prefix>/<query name>`), e.g. `bank-prod`. */
  readonly queryNamePrefix: string;
  /** Where Fluent Bit writes every container's lines. */
  readonly containerLogGroup: logs.ILogGroup;
  /** Aurora PostgreSQL's exported `postgresql` log (`/aws/rds/cluster/<id>/postgresql`). */
  readonly postgresqlLogGroup: logs.ILogGroup;
  /** @default OPERATOR_QUERIES */
  readonly queries?: readonly OperatorQuery[];
}

const PREFIX = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** One `AWS::Logs::QueryDefinition` per operator question, scoped to the log groups it reads. */
export class OperatorLogQueries extends Construct {
  /** The saved queries by their name (without the prefix). */
  readonly definitions: ReadonlyMap<string, logs.QueryDefinition>;

  constructor(scope: Construct, id: string, props: OperatorLogQueriesProps) {
    super(scope, id);
    if (!PREFIX.test(props.queryNamePrefix)) {
      throw new Error(
        `OperatorLogQueries: queryNamePrefix must be letters, digits, '.', '_' or '-' (got '${props.queryNamePrefix}')`,
      );
    }
    const queries = props.queries ?? OPERATOR_QUERIES;
    if (queries.length === 0) throw new Error('OperatorLogQueries: queries must not be empty');
    const groups: Record<QueryLogGroup, logs.ILogGroup> = {
      containers: props.containerLogGroup,
      postgresql: props.postgresqlLogGroup,
    };
    const definitions = new Map<string, logs.QueryDefinition>();
    for (const q of queries) {
      if (definitions.has(q.name)) throw new Error(`OperatorLogQueries: query '${q.name}' is defined twice`);
      if (q.logGroups.length === 0)
        throw new Error(`OperatorLogQueries: query '${q.name}' reads no log group`);
      definitions.set(
        q.name,
        new logs.QueryDefinition(this, q.name.replace(/[^A-Za-z0-9]/g, '-'), {
          queryDefinitionName: `${props.queryNamePrefix}/${q.name}`,
          queryString: new logs.QueryString(q.query),
          logGroups: q.logGroups.map((g) => groups[g]),
        }),
      );
    }
    this.definitions = definitions;
  }
}
