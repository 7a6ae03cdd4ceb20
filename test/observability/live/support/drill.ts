import type { Delivery } from '../../../../scripts/local/alert-receiver.js';
import { activeAlerts } from '../../../../scripts/local/prometheus-api.js';
import type { LiveStack } from './stack.js';

// Watches one alert through the pipeline: pending and firing in Prometheus, then delivered by
// Alertmanager's route to the receiver; and back (inactive in Prometheus, resolved delivery).
// Times are seconds since the fault was injected (or removed).

/** Go/Prometheus durations as the rules and the Alertmanager config write them (1h30m, 2m, 30s). */
export function seconds(duration: string): number {
  const units: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400 };
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;
  let matched = '';
  for (let m = re.exec(duration); m; m = re.exec(duration)) {
    total += Number(m[1]) * (units[m[2] as string] as number);
    matched += m[0];
  }
  if (matched !== duration) throw new Error(`'${duration}' is not a duration`);
  return total;
}

const delivered = (d: Delivery, alertname: string, status: 'firing' | 'resolved') =>
  d.alerts.some((a) => a.labels.alertname === alertname && a.status === status);

const poll = async <T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000}s`);
    await new Promise((r) => setTimeout(r, 1000));
  }
};

export interface FiringTimes {
  readonly pending: number;
  readonly firing: number;
  readonly delivered: Delivery;
  readonly deliveredAfter: number;
}

export async function watchFiring(stack: LiveStack, alertname: string, since: number, timeoutMs: number) {
  let pending: number | undefined;
  const firing = await poll(`${alertname} firing in Prometheus`, timeoutMs, async () => {
    const alerts = (await activeAlerts(stack.plan.prometheusUrl)).filter(
      (a) => a.labels.alertname === alertname,
    );
    if (alerts.length > 0) pending ??= (Date.now() - since) / 1000;
    return alerts.some((a) => a.state === 'firing') ? (Date.now() - since) / 1000 : undefined;
  });
  const delivery = await poll(`${alertname} delivered to the receiver`, timeoutMs - firing * 1000, async () =>
    stack.receiver.deliveries.find((d) => delivered(d, alertname, 'firing')),
  );
  return {
    pending: pending ?? firing,
    firing,
    delivered: delivery,
    deliveredAfter: (Date.parse(delivery.receivedAt) - since) / 1000,
  } satisfies FiringTimes;
}

export async function watchResolved(stack: LiveStack, alertname: string, since: number, timeoutMs: number) {
  const inactive = await poll(`${alertname} inactive in Prometheus`, timeoutMs, async () => {
    const alerts = (await activeAlerts(stack.plan.prometheusUrl)).filter(
      (a) => a.labels.alertname === alertname,
    );
    return alerts.length === 0 ? (Date.now() - since) / 1000 : undefined;
  });
  const delivery = await poll(
    `${alertname} resolved at the receiver`,
    timeoutMs - inactive * 1000,
    async () =>
      stack.receiver.deliveries.find(
        (d) => Date.parse(d.receivedAt) >= since && delivered(d, alertname, 'resolved'),
      ),
  );
  return { inactive, delivered: delivery, deliveredAfter: (Date.parse(delivery.receivedAt) - since) / 1000 };
}

/** The route's timers as the receiver of `severity` alerts sees them (sub-routes inherit unset ones). */
export function routeTimers(config: Record<string, unknown>, labels: Record<string, string>) {
  type Route = {
    group_wait?: string;
    group_interval?: string;
    matchers?: string[];
    routes?: Route[];
    receiver?: string;
  };
  const root = config.route as Route;
  const matches = (r: Route) =>
    (r.matchers ?? []).every((m) => {
      const [, name, value] = /^\s*(\w+)\s*=\s*"?([^"]*)"?\s*$/.exec(m) ?? [];
      return name !== undefined && labels[name] === value;
    });
  const child = (root.routes ?? []).find(matches);
  return {
    receiver: child?.receiver ?? root.receiver,
    groupWait: seconds(child?.group_wait ?? root.group_wait ?? '30s'),
    groupInterval: seconds(child?.group_interval ?? root.group_interval ?? '5m'),
  };
}
