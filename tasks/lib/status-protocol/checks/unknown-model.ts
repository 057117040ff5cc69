import { randomBytes } from 'node:crypto';
import { HarnessError, isHarnessError } from '../../errors/harness-error.ts';
import { formatDuration } from '../../time/format-duration.ts';
import { SessionClient } from '../session-client.ts';
import { SessionFailure } from '../status-failure.ts';
import { sessionOptions } from '../status-target.ts';
import { serverGone, type StatusCheck } from './check-state.ts';

/**
 * A session on a model id that does not exist gets `{"status": "error"}` naming the id, then
 * close 1008, promptly (no hang). Whether the error also lists the available ids is reported.
 */
export const unknownModel: StatusCheck = {
  name: 'unknown model',
  skipReason: serverGone,
  async run(state) {
    const id = `hivecheck-missing-${randomBytes(3).toString('hex')}`;
    const started = performance.now();
    let failure: HarnessError;
    try {
      const { client } = await SessionClient.connect(sessionOptions(state.target, 'unknown-model', id));
      state.opened.push(client);
      throw new HarnessError('UNKNOWN_MODEL_ACCEPTED', `the server accepted a session on the unknown model ${id} and sent ready`, { evidence: client.log.toEvidence() });
    } catch (error) {
      if (!isHarnessError(error) || error.code === 'UNKNOWN_MODEL_ACCEPTED') throw error;
      failure = error;
    }
    const elapsedMs = performance.now() - started;
    if (failure.code !== SessionFailure.serverError) {
      throw new HarnessError(failure.code, `expected an error frame naming ${id} and close 1008; instead: ${failure.message}`, { evidence: failure.evidence, hint: failure.hint });
    }
    const text = String(failure.evidence.serverError ?? '');
    const { closeCode, closeReason } = failure.evidence;
    const problems: string[] = [];
    if (!text.includes(id)) problems.push('does not name the requested id');
    if (closeCode !== 1008) problems.push(`the close code is ${String(closeCode)}, not 1008`);
    // Listing the available ids is good practice (checkpoint servers do), not a requirement.
    const listed = (state.models ?? []).filter((model) => text.includes(model));
    const listing = state.models === undefined ? 'the model listing did not run, so the available ids are unknown' : listed.length === state.models.length ? `lists the available models (${state.models.join(', ')})` : listed.length === 0 ? `does not list the available models (${state.models.join(', ')}): allowed, though listing them is good practice` : `lists only some available models (missing: ${state.models.filter((model) => !listed.includes(model)).join(', ')})`;
    const evidence = { requested: id, serverError: text, closeCode, closeReason, elapsedMs: Math.round(elapsedMs), availableListed: listed, timeline: failure.evidence.timeline };
    if (problems.length > 0) throw new HarnessError('UNKNOWN_MODEL_REPLY', `the reply to unknown model ${id} ${problems.join('; ')}: "${text}"`, { evidence, hint: 'send {"status": "error", "error": "Policy not found: <id>"} and close with 1008' });
    return { detail: `error "${text}", closed 1008 ${JSON.stringify(closeReason)} after ${formatDuration(elapsedMs)}; the error names the id and ${listing}`, evidence };
  },
};
