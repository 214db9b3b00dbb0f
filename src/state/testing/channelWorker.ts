// A stand-in for a module worker in tests: an API object exposed with Comlink over a MessageChannel,
// so the engine speaks exactly the protocol it speaks to the real worker. `crash()` fires the
// worker's error event; `terminate()` closes the channel.

import * as Comlink from 'comlink';
import { apiOnTheWire } from '../../shared/wireApi.ts';
import type { WorkerLike } from '../engine.ts';

export class ChannelWorker implements WorkerLike {
  readonly channel = new MessageChannel();
  terminated = false;
  readonly #errorListeners = new Set<(ev: Event) => void>();
  constructor(api: object) {
    // As the real worker entry exposes it (scenarios in their wire form).
    Comlink.expose(apiOnTheWire(api), this.channel.port2);
  }
  postMessage(message: unknown, transfer: Transferable[]): void {
    this.channel.port1.postMessage(message, transfer);
  }
  addEventListener(type: string, listener: (ev: Event) => void): void {
    if (type === 'error') this.#errorListeners.add(listener);
    else this.channel.port1.addEventListener(type, listener);
  }
  removeEventListener(type: string, listener: (ev: Event) => void): void {
    if (type === 'error') this.#errorListeners.delete(listener);
    else this.channel.port1.removeEventListener(type, listener);
  }
  terminate(): void {
    this.terminated = true;
    this.channel.port1.close();
    this.channel.port2.close();
  }
  crash(): void {
    for (const l of this.#errorListeners) l(new Event('error'));
  }
}
