/** Options of the built-in classic detector as they travel in a model spec. */
export type ClassicOptionsInput = Record<string, unknown>;
