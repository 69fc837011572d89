import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { labDefaults } from '../../core/defaults.ts';

/**
 * How many viewers this machine holds at 360p30 with every viewer at full frame rate: from this machine's latest
 * `lab bench` when there is one (it writes the capacity file), else the documented default (labDefaults: viewers
 * per core × cores). `lab run`'s guard warns above it and refuses far above it; its messages say which it used.
 *
 * The capacity file: $LAB_CAPACITY_FILE, else $XDG_CACHE_HOME/latency-lab/capacity.json, else
 * ~/.cache/latency-lab/capacity.json (per user and machine, like any cache; delete it to go back to the default).
 */

export const capacityRecordSchema = z.object({
  schemaVersion: z.literal(1),
  /** When the bench ran (ISO). */
  measuredAt: z.string(),
  /** The machine it ran on: a record from another machine (a copied home folder, a changed VM) is not used. */
  machine: z.object({ cpus: z.number().int().min(1), model: z.string() }),
  /** The largest ladder step that held (viewers per path; the bench's steps have two paths: HLS 1 s + WebRTC). */
  maxViewersPerPath: z.number().int().min(0),
  /** Viewers in all at that step: the capacity at 360p30. */
  viewers: z.number().int().min(0),
  /** The first step that did not hold (viewers per path), null when every step held. */
  firstFailingViewersPerPath: z.number().int().nullable(),
  quick: z.boolean(),
  /** bench.json of that bench. */
  benchFile: z.string(),
});
export type CapacityRecord = z.infer<typeof capacityRecordSchema>;

export interface MachineCapacity {
  /** Viewers at 360p30 (at least 1). */
  viewers: number;
  source: 'bench' | 'default';
  /** Where the figure comes from, for messages ("this machine's lab bench of …" / "the documented default …"). */
  origin: string;
}

export function capacityFile(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LAB_CAPACITY_FILE) return env.LAB_CAPACITY_FILE;
  const cache = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cache, 'latency-lab', 'capacity.json');
}

function thisMachine(): CapacityRecord['machine'] {
  return { cpus: availableParallelism(), model: cpus()[0]?.model.trim() ?? 'unknown' };
}

function defaultCapacity(note: string): MachineCapacity {
  const cores = availableParallelism();
  const viewers = Math.max(1, labDefaults.viewerCapacityPerCore * cores);
  return {
    viewers,
    source: 'default',
    origin: `the documented default, ${labDefaults.viewerCapacityPerCore} viewers per core × ${cores} cores (docs/measurements.md "Viewer capacity")${note}; \`lab bench --quick\` measures this machine`,
  };
}

/** This machine's capacity: its latest bench result when the capacity file holds one for this machine, else the default. */
export function machineCapacity(file = capacityFile()): MachineCapacity {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return defaultCapacity('');
  }
  let record: CapacityRecord;
  try {
    record = capacityRecordSchema.parse(JSON.parse(text));
  } catch {
    return defaultCapacity(`; ${file} is not a capacity record and was ignored`);
  }
  const here = thisMachine();
  if (record.machine.cpus !== here.cpus || record.machine.model !== here.model) {
    return defaultCapacity(`; ${file} was measured on another machine (${record.machine.cpus} × ${record.machine.model}) and was ignored`);
  }
  const stopped = record.firstFailingViewersPerPath === null ? 'every step held' : `${record.firstFailingViewersPerPath} per path did not`;
  return {
    viewers: Math.max(1, record.viewers),
    source: 'bench',
    origin: `this machine's \`lab bench${record.quick ? ' --quick' : ''}\` of ${record.measuredAt} (${record.maxViewersPerPath} viewers per path × 2 paths held, ${stopped}; ${file})`,
  };
}

/** Records a bench's ladder as this machine's capacity (written whole, then renamed into place). Returns the file. */
export function writeCapacityRecord(
  ladder: { maxViewersPerPath: number; firstFailingViewersPerPath: number | null; quick: boolean; benchFile: string; measuredAt?: Date },
  file = capacityFile(),
): string {
  const record: CapacityRecord = {
    schemaVersion: 1,
    measuredAt: (ladder.measuredAt ?? new Date()).toISOString(),
    machine: thisMachine(),
    maxViewersPerPath: ladder.maxViewersPerPath,
    viewers: ladder.maxViewersPerPath * 2,
    firstFailingViewersPerPath: ladder.firstFailingViewersPerPath,
    quick: ladder.quick,
    benchFile: ladder.benchFile,
  };
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(record, null, 2)}\n`);
  renameSync(temporary, file);
  return file;
}
