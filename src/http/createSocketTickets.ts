import { type AppError, isAppError } from '../errors.js';
import type { Admission, Ticket } from './createAdmission.js';

export interface SocketTickets {
  /** Admits one subscription of a socket; returns the refusal instead of throwing it. */
  admit(socket: object, id: string): AppError | undefined;
  release(socket: object, id: string): void;
  releaseAll(socket: object): void;
}

/**
 * Admission tickets of a WebSocket's subscriptions, by socket and operation id, so each is
 * released once whether the operation completes, fails or its socket closes.
 */
export function createSocketTickets(admission: Admission): SocketTickets {
  const bySocket = new WeakMap<object, Map<string, Ticket>>();
  return {
    admit(socket, id) {
      try {
        const ticket = admission.admitStream();
        const tickets = bySocket.get(socket) ?? new Map<string, Ticket>();
        bySocket.set(socket, tickets);
        tickets.set(id, ticket);
        return undefined;
      } catch (error) {
        if (isAppError(error)) return error;
        throw error;
      }
    },
    release(socket, id) {
      const tickets = bySocket.get(socket);
      tickets?.get(id)?.release();
      tickets?.delete(id);
    },
    releaseAll(socket) {
      for (const ticket of bySocket.get(socket)?.values() ?? []) ticket.release();
      bySocket.delete(socket);
    },
  };
}
