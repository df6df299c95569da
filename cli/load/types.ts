// The load generator's parts meet here: a scenario compiles into request streams, the engine drives
// them (open or closed model, in one thread or several) and returns a result the reports print.
// Everything that crosses a worker-thread boundary is plain data (structured-clone safe).

/** One HTTP request the engine sends. `label` groups results (the consumer agency, or a scenario's name). */
export interface PlannedRequest {
  readonly method: string
  /** Path and query, starting with `/`; the engine prefixes the target's origin. */
  readonly path: string
  readonly headers: Readonly<Record<string, string>>
  readonly body?: string
  readonly label: string
  /** What the request is for (e.g. `population.citizen`, `not-found`, `write`); reported as a breakdown. */
  readonly kind: string
}

/** A rate held for a duration; consecutive stages ramp linearly from the previous stage's rate. */
export interface RateStage {
  readonly durationMs: number
  /** Requests per second at the end of the stage (the start is the previous stage's target, or `startRate`). */
  readonly targetRate: number
}

/**
 * A stream of requests with its own arrival schedule (open model) or its own share of the workers
 * (closed model). `next` is called once per request, in order, and must be cheap and deterministic
 * for a given seed: it runs on the engine's hot path.
 */
export interface RequestStream {
  readonly label: string
  /** Open model: the arrival schedule. Stages run back to back; `startRate` is where the first ramp starts. */
  readonly stages?: readonly RateStage[]
  readonly startRate?: number
  /** Closed model: relative share of the concurrent clients (default 1). */
  readonly weight?: number
  next: () => PlannedRequest
}

export interface CompiledScenario {
  readonly name: string
  readonly streams: readonly RequestStream[]
}

/** How a scenario is built inside each worker: plain data naming a built-in or carrying a user file's parsed content. */
export interface ScenarioSource {
  readonly kind: 'builtin' | 'file'
  /** Built-in name (e.g. `national-mix`) or the file's path, for messages. */
  readonly name: string
  /** The parsed content of a user file (validated again in each worker); absent for built-ins. */
  readonly content?: unknown
  /** Overrides every stage's rate shape: total requests per second across streams, split by the scenario's proportions. */
  readonly rate?: number
  /** Overrides the rate shape like `rate`, as stages ramping from 0 (`--stages 30s:100,1m:500`); wins over `rate`. */
  readonly stages?: readonly RateStage[]
  readonly durationMs: number
  readonly seed: string
  /** For built-ins: the shared dev secret the federation derives agencies' API keys from. */
  readonly devSecret?: string
  /** Seed and size of the federation's generated data (NDXP_DATASET_SEED, NDXP_POPULATION), so drawn keys exist. */
  readonly datasetSeed?: string
  readonly population?: number
  /** Vietnam calendar date (YYYY-MM-DD) the nodes judge dates against; fixed once per run so every worker agrees. Default: today. */
  readonly today?: string
  /** A built-in's tunables, e.g. national-mix `writeShare`, `notFoundShare` (0–1). */
  readonly options?: Readonly<Record<string, number>>
  /** Which worker this is and how many there are, so that each takes its share of the rate and its own random stream. */
  readonly workerIndex: number
  readonly workerCount: number
}

export type LoadModel =
  | { readonly kind: 'open', readonly maxInFlight: number }
  | { readonly kind: 'closed', readonly concurrency: number }

export interface LoadOptions {
  /** Target origin, e.g. `http://127.0.0.1:8080`. */
  readonly target: string
  readonly scenario: ScenarioSource
  readonly model: LoadModel
  readonly connections: number
  readonly workers: number
  /** Per-request timeout; a request taking longer is counted as an error (`timeout`). */
  readonly timeoutMs: number
  /**
   * Sent but not recorded, before the measurement. Open model: each stream runs this long at the rate its
   * schedule starts from (nothing, for a ramp from 0), then its stages; closed model: the clients run this
   * long first. The measurement then runs for `scenario.durationMs`.
   */
  readonly warmupMs?: number
}
