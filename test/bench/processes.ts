/**
 * What the load benchmarks (compare, scale-out) share: servers started in processes of their own,
 * autocannon runs in child processes, and the figures read from /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROXY_HEADERS } from './browser.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');

export interface Started {
  child: ChildProcess;
  info: Record<string, string | number>;
}

/** The line a bench server prints once it listens, followed by its JSON. */
const READY = 'bench-ready ';

/** Starts `file` under tsx in its own process and waits for the `READY` line it prints when listening (other output goes to stderr). */
export function startServer(file: string, env: Record<string, string>, nodeArgs: string[] = []): Promise<Started> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', path.join(here, file)], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        if (line.startsWith(READY)) resolve({ child, info: JSON.parse(line.slice(READY.length)) as Started['info'] });
        else process.stderr.write(`${file}: ${line}\n`);
      }
    });
    child.on('exit', (code) => reject(new Error(`${file} exited with ${code} before it was ready`)));
  });
}

export function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

export interface Load {
  rps: number;
  /** the server process's CPU time per answered request, in ms */
  cpuPerRequest?: number;
  p50: number;
  p99: number;
  requests: number;
  failed: number;
}

/** One autocannon run in a child process (its command line, JSON out). */
export function load(
  url: string,
  headers: Record<string, string>,
  seconds: number,
  connections: number,
): Promise<Load> {
  const args = [
    path.join(root, 'node_modules/autocannon/autocannon.js'),
    '-j',
    '-c',
    String(connections),
    '-d',
    String(seconds),
    ...Object.entries({ ...PROXY_HEADERS, ...headers }).flatMap(([name, value]) => ['-H', `${name}:${value}`]),
    url,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`autocannon exited with ${code}`));
      const r = JSON.parse(out.trim().split('\n').pop() ?? '{}') as {
        requests: { average: number; total: number };
        latency: { p50: number; p99: number };
        errors: number;
        timeouts: number;
        non2xx: number;
      };
      resolve({
        rps: r.requests.average,
        p50: r.latency.p50,
        p99: r.latency.p99,
        requests: r.requests.total,
        failed: r.errors + r.timeouts + r.non2xx,
      });
    });
  });
}

export const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
export const spread = (values: number[], digits: number): string =>
  `${median(values).toFixed(digits)} (${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)})`;

/** CPU time a process has used so far (user + system), in ms, from /proc (clock ticks of 10 ms). */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Resident set size of a process, in MB, from /proc. */
export function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? NaN) / 1024;
}

/**
 * Writes a benchmark's results as JSON to BENCH_OUT, else bench-results/<kind>-<time>.json, with
 * the time they were written, and says where.
 */
export function writeResults(kind: string, results: Record<string, unknown>): void {
  const at = new Date().toISOString();
  const out = process.env.BENCH_OUT || path.join(root, 'bench-results', `${kind}-${at.replace(/[:.]/g, '-')}.json`);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ at, ...results }, null, 2)}\n`);
  console.log(`Results written to ${path.relative(root, out)}`);
}
