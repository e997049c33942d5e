/** Options of the built-in classic detector as they travel in a model spec (validated in the worker). */
export type { ClassicDetectorOptionsInput as ClassicOptionsInput } from '../core/classic';
