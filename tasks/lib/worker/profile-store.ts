import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HarnessError, usageError } from '../errors/harness-error.ts';
import { parseProfile, type WorkerProfile } from './worker-profile.ts';

const BUILTIN_DIR = fileURLToPath(new URL('../../../fixtures/profiles/', import.meta.url));

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw usageError(`cannot read profiles file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, 'pass --profiles <file.json> with an existing file', 'PROFILE_FILE_UNREADABLE');
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw usageError(`profiles file ${file} is not valid JSON: ${(error as Error).message}`, undefined, 'PROFILE_FILE_BAD_JSON');
  }
}

/** The built-in profiles (fixtures/profiles/*.json): seed, v1, llama-server, openai. */
export function builtinProfiles(): WorkerProfile[] {
  return readdirSync(BUILTIN_DIR)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => parseProfile(readJson(join(BUILTIN_DIR, file)), join(BUILTIN_DIR, file)));
}

/** Profiles from a user's file: `{"profiles": [ … ]}` (or one profile object). */
export function profilesFromFile(file: string): WorkerProfile[] {
  const raw = readJson(file);
  const list = typeof raw === 'object' && raw !== null && 'profiles' in raw ? (raw as { profiles: unknown }).profiles : [raw];
  if (!Array.isArray(list)) throw usageError(`profiles file ${file}: "profiles" must be an array`, undefined, 'PROFILE_INVALID');
  return list.map((item) => parseProfile(item, file));
}

/** Finds a profile by name among the built-ins and the user's file (the user's win on a name clash). */
export function resolveProfile(name: string, userFile?: string): WorkerProfile {
  const all = new Map<string, WorkerProfile>();
  for (const profile of builtinProfiles()) all.set(profile.name, profile);
  for (const profile of userFile ? profilesFromFile(userFile) : []) all.set(profile.name, profile);
  const found = all.get(name);
  if (!found) throw new HarnessError('PROFILE_UNKNOWN', `no worker profile named '${name}' (known: ${[...all.keys()].join(', ')})`, { kind: 'usage', hint: 'pick one with --profile, or add yours with --profiles <file.json>' });
  return found;
}
