import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse, parseAllDocuments, stringify } from 'yaml';

const ROOT = path.resolve(__dirname, '../../../../..');
const run = promisify(execFile);

/** A rendered Kubernetes object (only what the chart tests read is typed). */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export interface RenderOptions {
  /** Values files, in order (later ones win). */
  values?: string[];
  /** `--set-file key=path`: a file's text as a value (the flows and destinations files). */
  setFiles?: Record<string, string>;
  kubeVersion?: string;
}

/** Where a hook's annotation lands in what renderChart returns (see there). */
export const RENDERED_HOOK_ANNOTATION = 'rendered.gatehouse.test/hook';

/**
 * `helm template` with Helm's own library (scripts/helm.sh). Helm's library leaves hooks (the
 * migrations Job, the `helm test` pod) out of what it renders, so the chart is rendered from a
 * copy whose `helm.sh/hook` annotations are renamed RENDERED_HOOK_ANNOTATION: every object
 * comes back, hooks included, and a hook says which it is. Rejects with Helm's own message
 * (a values file the schema refuses, say).
 */
export async function renderChart(chart: string, options: RenderOptions = {}): Promise<KubeObject[]> {
  return withChartCopy(chart, async (copy) => {
    for (const file of filesUnder(path.join(copy, 'templates'))) {
      writeFileSync(file, readFileSync(file, 'utf8').replaceAll('helm.sh/hook:', `${RENDERED_HOOK_ANNOTATION}:`));
    }
    const args = [path.join(ROOT, 'scripts/helm.sh'), 'template', copy, '--kube-version', options.kubeVersion ?? '1.31.0'];
    for (const file of options.values ?? []) args.push('--values', path.resolve(ROOT, file));
    for (const [key, file] of Object.entries(options.setFiles ?? {})) args.push('--set-file', `${key}=${path.resolve(ROOT, file)}`);
    let stdout: string;
    try {
      ({ stdout } = await run('bash', args, { maxBuffer: 64 * 1024 * 1024 }));
    } catch (error) {
      const failed = error as { stderr?: string; stdout?: string; message: string };
      throw new Error(`helm template failed: ${(failed.stderr || failed.stdout || failed.message).trim()}`);
    }
    return parseAllDocuments(stdout)
      .map((doc) => doc.toJS() as KubeObject | null)
      .filter((o): o is KubeObject => o !== null);
  });
}

/** The release notes (NOTES.txt) `helm install` would print with these values (a client-only dry run). */
export async function releaseNotes(chart: string, options: RenderOptions = {}): Promise<string> {
  const args = [path.join(ROOT, 'scripts/helm.sh'), 'dry-run', path.resolve(ROOT, chart), '--kube-version', options.kubeVersion ?? '1.31.0'];
  for (const file of options.values ?? []) args.push('--values', path.resolve(ROOT, file));
  for (const [key, file] of Object.entries(options.setFiles ?? {})) args.push('--set-file', `${key}=${path.resolve(ROOT, file)}`);
  const { stdout } = await run('bash', args, { maxBuffer: 16 * 1024 * 1024 });
  const at = stdout.indexOf('\nNOTES:\n');
  if (at < 0) throw new Error('helm printed no NOTES');
  return stdout.slice(at + '\nNOTES:\n'.length);
}

/**
 * `helm lint --strict`. Helm's library lints with the chart's own values.yaml only, and this
 * chart's defaults leave the required values empty (its schema refuses them, as it should); so
 * a copy is linted whose values.yaml has the given values files and files merged in.
 */
export async function lintChart(chart: string, options: Omit<RenderOptions, 'kubeVersion'> = {}): Promise<{ failed: boolean; messages: string[] }> {
  return withChartCopy(chart, async (copy) => {
    let values = parse(readFileSync(path.join(copy, 'values.yaml'), 'utf8')) as Record<string, unknown>;
    for (const file of options.values ?? []) values = deepMerge(values, parse(readFileSync(path.resolve(ROOT, file), 'utf8')) as Record<string, unknown>);
    for (const [key, file] of Object.entries(options.setFiles ?? {})) {
      const at = key.split('.');
      const leaf = at.reduceRight<unknown>((inner, part) => ({ [part]: inner }), readFileSync(path.resolve(ROOT, file), 'utf8'));
      values = deepMerge(values, leaf as Record<string, unknown>);
    }
    writeFileSync(path.join(copy, 'values.yaml'), stringify(values));
    try {
      const { stdout } = await run('bash', [path.join(ROOT, 'scripts/helm.sh'), 'lint', copy, '--strict']);
      return { failed: false, messages: stdout.split('\n').filter(Boolean) };
    } catch (error) {
      const failed = error as { stdout?: string; stderr?: string };
      return { failed: true, messages: `${failed.stdout ?? ''}${failed.stderr ?? ''}`.split('\n').filter(Boolean) };
    }
  });
}

/** Runs `work` on a throw-away copy of the chart (the tests change templates or values.yaml in it). */
async function withChartCopy<T>(chart: string, work: (copy: string) => Promise<T>): Promise<T> {
  const copy = mkdtempSync(path.join(tmpdir(), 'gatehouse-chart-'));
  try {
    cpSync(path.resolve(ROOT, chart), copy, { recursive: true });
    return await work(copy);
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] =
      value && typeof value === 'object' && !Array.isArray(value) && current && typeof current === 'object' && !Array.isArray(current)
        ? deepMerge(current as Record<string, unknown>, value as Record<string, unknown>)
        : value;
  }
  return out;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}
