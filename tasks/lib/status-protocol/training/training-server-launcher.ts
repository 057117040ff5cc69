import { fileURLToPath } from 'node:url';
import { nodeProgram } from '../../process/node-program.ts';
import type { TrainingFault } from '../../../../fixtures/training-server/server-config.ts';

export const TRAINING_SERVER_ENTRY = fileURLToPath(new URL('../../../../fixtures/training-server/main.ts', import.meta.url));

export { TRAINING_FAULTS, type TrainingFault } from '../../../../fixtures/training-server/server-config.ts';

export interface TrainingServerKnobs {
  jobId: string;
  steps: number;
  epochs: number;
  stepIntervalSeconds: number;
  maxConnections: number;
  fault?: TrainingFault | undefined;
}

/** The reference training server as a command template (`{port}` placeholder). */
export function trainingServerArgv(knobs: TrainingServerKnobs): string[] {
  return [
    ...nodeProgram('training-server'),
    '--port',
    '{port}',
    '--job-id',
    knobs.jobId,
    '--steps',
    String(knobs.steps),
    '--epochs',
    String(knobs.epochs),
    '--step-interval',
    String(knobs.stepIntervalSeconds),
    '--max-connections',
    String(knobs.maxConnections),
    ...(knobs.fault ? ['--fault', knobs.fault] : []),
  ];
}
