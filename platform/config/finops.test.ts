import { describe, expect, it } from 'vitest';
import { issuesOf, withValues } from '../../test/support/raw-config.js';
import { rawEnvironments } from './environments.js';

// The FinOps block of the environment config (docs/platform/cost.md): every rule at its
// boundary, every message as the operator reads it.

type Raw = Record<string, unknown>;

const dev = rawEnvironments.dev as Raw;
const prod = rawEnvironments.prod as Raw;

const budgets = (...limits: [string, number][]) =>
  limits.map(([service, monthlyLimitUsd]) => ({ service, monthlyLimitUsd }));

describe('environment config schema: finops', () => {
  it('accepts the committed environments', () => {
    expect(issuesOf(dev)).toEqual([]);
    expect(issuesOf(prod)).toEqual([]);
  });

  it.each([
    ['a positive budget just above the service budgets and threshold', 1200.01, []],
    ['a budget equal to the service budgets', 1200, []],
    [
      'a budget below the service budgets',
      1199.99,
      [
        {
          field: 'finops.serviceBudgets',
          message: 'the service budgets add up to 1200 USD, more than monthlyBudgetUsd (1199.99)',
        },
      ],
    ],
  ])('monthlyBudgetUsd: %s', (_what, monthlyBudgetUsd, expected) => {
    expect(issuesOf(withValues(dev, { monthlyBudgetUsd }))).toEqual(expected);
  });

  it('keeps monthlyBudgetUsd positive: 0.01 is accepted when everything fits under it, 0 is not', () => {
    const tiny = {
      'finops.anomalyThresholdUsd': 0.001,
      'finops.serviceBudgets': budgets(['platform', 0.005]),
    };
    expect(issuesOf(withValues(dev, { ...tiny, monthlyBudgetUsd: 0.01 }))).toEqual([]);
    expect(issuesOf(withValues(dev, { ...tiny, monthlyBudgetUsd: 0 }))).toContainEqual({
      field: 'monthlyBudgetUsd',
      message: 'Too small: expected number to be >0',
    });
  });

  it.each([
    [100, []],
    [1499.99, []],
    [
      1500,
      [
        {
          field: 'finops.anomalyThresholdUsd',
          message: 'must be less than monthlyBudgetUsd (the budget alerts would always come first)',
        },
      ],
    ],
    [0, [{ field: 'finops.anomalyThresholdUsd', message: 'Too small: expected number to be >0' }]],
  ])('anomalyThresholdUsd = %d', (anomalyThresholdUsd, expected) => {
    expect(issuesOf(withValues(dev, { 'finops.anomalyThresholdUsd': anomalyThresholdUsd }))).toEqual(
      expected,
    );
  });

  it('refuses a service listed twice, naming the second entry', () => {
    expect(
      issuesOf(
        withValues(dev, { 'finops.serviceBudgets': budgets(['data', 100], ['platform', 100], ['data', 50]) }),
      ),
    ).toEqual([
      {
        field: 'finops.serviceBudgets.2.service',
        message: 'must be listed once (data already has a budget)',
      },
    ]);
  });

  it('refuses an unknown service, an empty list and a limit that is not positive', () => {
    expect(issuesOf(withValues(dev, { 'finops.serviceBudgets': budgets(['web', 10]) }))).toEqual([
      {
        field: 'finops.serviceBudgets.0.service',
        message: 'Invalid option: expected one of "platform"|"bank-api"|"data"',
      },
    ]);
    expect(issuesOf(withValues(dev, { 'finops.serviceBudgets': [] }))).toEqual([
      { field: 'finops.serviceBudgets', message: 'Too small: expected array to have >=1 items' },
    ]);
    expect(issuesOf(withValues(dev, { 'finops.serviceBudgets': budgets(['data', 0]) }))).toEqual([
      { field: 'finops.serviceBudgets.0.monthlyLimitUsd', message: 'Too small: expected number to be >0' },
    ]);
  });

  it.each([
    ['dev', 100, []],
    ['dev', 1, []],
    ['dev', 0, [{ field: 'finops.spotSharePercent', message: 'must be above 0 when nodes.spot is true' }]],
    ['dev', 101, [{ field: 'finops.spotSharePercent', message: 'Too big: expected number to be <=100' }]],
    [
      'dev',
      12.5,
      [{ field: 'finops.spotSharePercent', message: 'Invalid input: expected int, received number' }],
    ],
    ['prod', 50, []],
    [
      'prod',
      51,
      [
        {
          field: 'finops.spotSharePercent',
          message:
            'a production environment keeps at least half of its workload capacity on-demand (at most 50)',
        },
      ],
    ],
  ])('%s: spotSharePercent = %d', (name, spotSharePercent, expected) => {
    expect(
      issuesOf(withValues(name === 'prod' ? prod : dev, { 'finops.spotSharePercent': spotSharePercent })),
    ).toEqual(expected);
  });

  it('ties the spot share to nodes.spot', () => {
    expect(issuesOf(withValues(dev, { 'nodes.spot': false, 'finops.spotSharePercent': 0 }))).toEqual([]);
    expect(issuesOf(withValues(dev, { 'nodes.spot': false, 'finops.spotSharePercent': 1 }))).toEqual([
      { field: 'finops.spotSharePercent', message: 'must be 0 when nodes.spot is false' },
    ]);
  });

  it('allows only all or nothing on spot with cluster-autoscaler', () => {
    const ca = { 'nodes.autoscaler': 'cluster-autoscaler' };
    expect(issuesOf(withValues(dev, { ...ca, 'finops.spotSharePercent': 100 }))).toEqual([]);
    expect(issuesOf(withValues(dev, { ...ca, 'nodes.spot': false, 'finops.spotSharePercent': 0 }))).toEqual(
      [],
    );
    expect(issuesOf(withValues(dev, { ...ca, 'finops.spotSharePercent': 99 }))).toEqual([
      {
        field: 'finops.spotSharePercent',
        message: 'must be 0 or 100 with cluster-autoscaler (a managed node group has one capacity type)',
      },
    ]);
  });

  it('needs every field and refuses unknown ones', () => {
    expect(issuesOf(withValues(dev, { 'finops.costExport': undefined }))).toEqual([
      { field: 'finops.costExport', message: 'Invalid input: expected boolean, received undefined' },
    ]);
    expect(issuesOf(withValues(dev, { 'finops.budget': 1 }))).toEqual([
      { field: 'finops.budget', message: 'unknown field' },
    ]);
  });
});
