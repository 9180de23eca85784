/** The part of autocannon's API bench/lib/load.ts uses (the package ships no types; @types/autocannon is not installed). */
declare module 'autocannon' {
  interface Instance extends PromiseLike<{ errors: number; timeouts: number }> {
    on(event: 'response', listener: (client: unknown, statusCode: number, resBytes: number, responseTime: number) => void): this;
  }
  export default function autocannon(options: Record<string, unknown>): Instance;
}
