// The few autocannon types the benches use (the package ships none).
declare module 'autocannon' {
  export type Options = { url: string; connections?: number; duration?: number; headers?: Record<string, string>; method?: string };
  export type Histogram = { average: number; mean: number; p50: number; p99: number; max: number; total: number };
  export type Result = { requests: Histogram; latency: Histogram; throughput: Histogram; non2xx: number; errors: number; timeouts: number; '2xx': number };
  export default function autocannon(opts: Options): Promise<Result>;
}
