import getPort from 'get-port';
import { FaultProxy } from '../../fault-proxy/fault-proxy.ts';
import { launchSubject, type ChatLaunch } from '../chat/chat-launch.ts';
import { disposeSubjectProcess, type ChatSubject } from '../chat/chat-waits.ts';
import type { Role } from '../probe-outcome.ts';
import { ChatClient } from './chat-client.ts';

/** One service under test: the port it is told to listen on, the fault proxy in front of it, the harness's client. */
export interface ServiceSubject extends ChatSubject {
  chat: ChatClient;
  /** The port the service listens on (`{port}`); the harness connects to the proxy's. */
  port: number;
  launch?: ChatLaunch;
}

/** A free port for the service and the proxy in front of it; the client connects once the service runs. */
export async function prepareService(role: Role, wsPath: string): Promise<ServiceSubject> {
  const port = await getPort({ host: '127.0.0.1' });
  const proxy = await FaultProxy.start({ name: role, targetPort: port });
  const chat = new ChatClient(role, `ws://127.0.0.1:${proxy.port}${wsPath}`);
  return { role, noun: 'service', chat, proxy, guard: undefined, port };
}

/** Starts the service (`{port}`, `{name}`) and waits until the harness is connected to it through the proxy. */
export async function startService(subject: ServiceSubject, launch: ChatLaunch): Promise<void> {
  subject.launch = launch;
  await launchSubject(subject, launch, { port: subject.port, name: launch.role }, `the ${launch.role} service to accept ${subject.chat.url} (through the proxy to 127.0.0.1:${subject.port})`, () => subject.chat.start());
}

/** Starts the service again (after a probe stopped it); the client, retrying all along, reconnects. */
export async function restartService(subject: ServiceSubject): Promise<void> {
  if (!subject.launch) throw new Error(`the ${subject.role} service was never started`);
  await startService(subject, subject.launch);
}

export async function disposeService(subject: ServiceSubject): Promise<void> {
  await subject.chat.stop();
  await disposeSubjectProcess(subject);
  await subject.proxy.close();
}
