/**
 * A subscription's source stream whose `return()` cancels the work at once. graphql-ws calls `return()` when the
 * client unsubscribes or its socket closes; on an async generator that call waits until the generator next reaches a
 * `yield`, so a generator still waiting for the model's first event (a hung upstream, a slow first token) went on
 * waiting, and the model call ran until its own timeout. Here `return()` aborts the signal first: the model call is
 * cancelled, the use case closes the row CANCELLED, and `return()` resolves once that is done.
 */
export function cancellableStream<Event, Value>(
  open: (signal: AbortSignal) => AsyncIterable<Event>,
  map: (event: Event) => Value,
): AsyncIterableIterator<Value> & { return(): Promise<IteratorResult<Value>> } {
  const controller = new AbortController();
  const source = open(controller.signal)[Symbol.asyncIterator]();
  const finished: IteratorReturnResult<undefined> = { value: undefined, done: true };
  let closed = false;
  const stream = {
    async next(): Promise<IteratorResult<Value>> {
      if (closed) return finished;
      try {
        const result = await source.next();
        return result.done ? finished : { value: map(result.value), done: false };
      } catch (error) {
        // The consumer left, and this is the cancellation it caused: nobody is there to be told.
        if (closed) return finished;
        throw error;
      }
    },
    async return(): Promise<IteratorResult<Value>> {
      if (!closed) {
        closed = true;
        controller.abort();
        await source.return?.().catch(() => undefined);
      }
      return finished;
    },
    async throw(error: unknown): Promise<IteratorResult<Value>> {
      await stream.return();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return stream;
    },
  };
  return stream;
}
