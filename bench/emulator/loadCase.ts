/**
 * One run of the load: a fixed arrival rate for a fixed time, against one emulator, shared by `shard.count`
 * generator processes that each start every `count`-th call of the one schedule.
 */
export interface LoadCase {
  url: string;
  /** Calls started per second by all generators together, on a fixed schedule whatever the answers do (open loop). */
  rate: number;
  seconds: number;
  /** When the schedule starts, in `Date.now()` time, so that every generator keeps the same one. */
  startAtMs: number;
  shard: { index: number; count: number };
  /** Clients each generator spreads its calls over, round robin. */
  clients: number;
  /**
   * `sdk`: `BedrockRuntimeClient` with a `NodeHttp2Handler` that multiplexes every call on one session, as
   * src/bedrock builds it. `sdk-session-per-call`: the client's own default handler (`disableConcurrentStreams:
   * true`), a new connection and HTTP/2 session for each call. `http2`: node:http2 posting the same JSON with none of
   * the SDK's work (serialising, signing, parsing), so that a generator on a shared machine can reach rates the SDK
   * cannot; the emulator does the same work for it.
   */
  client: 'sdk' | 'sdk-session-per-call' | 'http2';
  /** `same`: one image for every call (the emulator's cache answers); `distinct`: new bytes each call (it decodes). */
  images: 'same' | 'distinct';
  jpegBase64: string;
  /** Makes `distinct` images differ from those of every other case, since the emulator remembers them all. */
  seed: number;
}

/** What one generator saw. Latency runs from when a call was due, so a late start counts against it. */
export interface LoadResult {
  sent: number;
  /** Of the calls that succeeded. */
  latenciesMs: number[];
  /** How late each call was started against the schedule: large means the generator, not the emulator, fell behind. */
  startLagsMs: number[];
  /** Failed calls by error name and message. */
  errors: Record<string, number>;
  /** `Date.now()` of the last answer or failure. */
  lastAnswerAtMs: number;
  /** The generator's own CPU time over the case. */
  cpuSeconds: number;
}
