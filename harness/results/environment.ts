import { readFileSync } from 'node:fs';
import { cpus, release, totalmem, type as osType } from 'node:os';
import type { EnvironmentInfo } from './types.ts';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

export function labVersion(): string {
  return pkg.version;
}

export function environmentInfo(ffmpeg: { path: string; version: string }, browser: { path: string; version: string }): EnvironmentInfo {
  const cpuList = cpus();
  return {
    node: process.version,
    ffmpeg,
    browser,
    os: `${osType()} ${release()} ${process.arch}`,
    cpus: { count: cpuList.length, model: cpuList[0]?.model.trim() ?? 'unknown' },
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    labVersion: pkg.version,
  };
}
