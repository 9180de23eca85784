/** oidc-provider ships no type declarations; the tests use its documented configuration loosely typed. */
declare module 'oidc-provider' {
  // biome-ignore lint/suspicious/noExplicitAny: untyped third-party module used only in tests
  const Provider: any;
  export default Provider;
}
