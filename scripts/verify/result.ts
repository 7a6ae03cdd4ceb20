// What one tool run reports: how many checks passed, failed and were skipped, and each finding.
// Every tool counts in its own unit (a check per resource, a file, a test); `unit` names it so the
// summary never adds apples to oranges.

export interface Finding {
  /** The tool's own rule id (CKV_K8S_8, W3005, SC2086, ...). */
  readonly rule: string;
  /** File, and where the tool says so, the resource or line inside it. */
  readonly location: string;
  readonly message: string;
}

export interface Skip {
  readonly rule: string;
  readonly location: string;
  /** The reason written next to the skip (annotation, metadata or config comment). */
  readonly reason: string;
}

export interface ToolResult {
  readonly tool: string;
  /** What one counted check is, e.g. "check x resource", "file", "test". */
  readonly unit: string;
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  readonly findings: readonly Finding[];
  readonly skips: readonly Skip[];
  /** Problems running the tool itself (missing binary, parse errors): always a failure. */
  readonly errors: readonly string[];
  /** How many inputs the tool looked at, for the summary ("12 templates"). */
  readonly scope: string;
  readonly seconds: number;
}

/** A run that checked nothing (no inputs); the caller adds what it did find. */
export function emptyResult(tool: string, unit: string, scope: string): ToolResult {
  return {
    tool,
    unit,
    scope,
    passed: 0,
    failed: 0,
    skipped: 0,
    findings: [],
    skips: [],
    errors: [],
    seconds: 0,
  };
}

/** The tool could not run or its output could not be read: a failure, never a pass. */
export function failedRun(tool: string, unit: string, scope: string, error: string): ToolResult {
  return { ...emptyResult(tool, unit, scope), errors: [error] };
}

export function isFailure(result: ToolResult): boolean {
  return result.failed > 0 || result.findings.length > 0 || result.errors.length > 0;
}

/**
 * The result of a scanner that counts files: a file with any finding failed, every other one passed.
 * A skip without a written reason is an error, worded by the tool (`unexplained`).
 */
export function perFileResult(options: {
  tool: string;
  unit: string;
  scope: string;
  fileCount: number;
  findings: readonly Finding[];
  skips?: readonly Skip[];
  unexplained?: (skip: Skip) => string;
  seconds: number;
}): ToolResult {
  const skips = options.skips ?? [];
  const failedFiles = new Set(options.findings.map((f) => f.location.split(':')[0]));
  const describe = options.unexplained ?? ((s: Skip) => `${s.location}: ${s.rule} skipped without a reason`);
  return {
    tool: options.tool,
    unit: options.unit,
    scope: options.scope,
    passed: options.fileCount - failedFiles.size,
    failed: failedFiles.size,
    skipped: skips.length,
    findings: options.findings,
    skips,
    errors: skips.filter((s) => !s.reason).map(describe),
    seconds: options.seconds,
  };
}
