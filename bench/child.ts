/**
 * Child processes of the benchmarks: a server of one kind, or a crowd of raw clients, so
 * that each side of a measurement has a process (and a core) of its own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { createInterface } from 'node:readline';

/** Whether processes are pinned to cores (Linux with taskset and two cores or more). */
const PINNED = existsSync('/usr/bin/taskset') && availableParallelism() >= 2;

/** Pins this process to the first core, children go to the second (see {@link Child.start}). */
export function pinSelf(): boolean {
  if (PINNED) execFileSync('taskset', ['-cp', '0', String(process.pid)], { stdio: 'ignore' });
  return PINNED;
}

/** A running child and the lines it prints. */
export class Child {
  private readonly lines: string[] = [];
  private waiters: (() => void)[] = [];

  private constructor(readonly process: ChildProcess) {
    createInterface({ input: process.stdout! }).on('line', (line) => {
      this.lines.push(line);
      this.waiters.splice(0).forEach((wake) => wake());
    });
    process.stderr!.pipe(globalThis.process.stderr);
  }

  /** Starts `bench/<script>` with tsx. */
  static start(script: string, args: string[], nodeOptions: string[] = []): Child {
    const argv = [...nodeOptions, '--import', 'tsx', `bench/${script}`, ...args];
    // On a machine with taskset, children share the second core and this process keeps the
    // first: every subject of a comparison then runs with the same placement.
    const [command, commandArgs] = PINNED
      ? ['taskset', ['-c', '1', globalThis.process.execPath, ...argv]]
      : [globalThis.process.execPath, argv];
    const child = spawn(command, commandArgs, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...globalThis.process.env, NODE_OPTIONS: '' },
    });
    return new Child(child);
  }

  /** Waits for a line starting with `prefix`; returns the rest of it. */
  async expect(prefix: string, timeoutMs = 60_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.lines.findIndex((line) => line.startsWith(prefix));
      if (index !== -1) return this.lines.splice(index, 1)[0]!.slice(prefix.length).trim();
      if (Date.now() > deadline || this.process.exitCode !== null) {
        throw new Error(`child ${this.process.spawnargs.join(' ')}: no '${prefix}' line`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  send(line: string): void {
    this.process.stdin!.write(`${line}\n`);
  }

  /** Closes its stdin (it exits), or kills it after a grace period. */
  async stop(): Promise<void> {
    if (this.process.exitCode !== null) return;
    const exited = new Promise((resolve) => this.process.once('exit', resolve));
    this.process.stdin!.end();
    const timer = setTimeout(() => this.process.kill(), 5_000);
    await exited;
    clearTimeout(timer);
  }
}
