// What the test's stand-in inference workers (hanging-worker.mjs, uneven-lanes-worker.mjs) say of
// the model they pretend to hold: a CPU model with these classes and no input size.
export function fakeModelInfo(name, family, classNames) {
  return {
    name,
    path: null,
    family,
    task: 'detect',
    inputWidth: 0,
    inputHeight: 0,
    classNames,
    provider: 'cpu',
    providerFallbacks: [],
    licence: null,
    loadMs: 0,
    warmupMs: 0,
  };
}
