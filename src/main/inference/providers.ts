import type { ExecutionProvider } from '../../shared/detection';

/**
 * The providers to try for a requested one, best first: asking for TensorRT falls back to CUDA,
 * then CPU; asking for CUDA falls back to CPU. Each failure's reason is recorded on the model.
 */
export function providerOrder(requested: ExecutionProvider): ExecutionProvider[] {
  switch (requested) {
    case 'tensorrt':
      return ['tensorrt', 'cuda', 'cpu'];
    case 'cuda':
      return ['cuda', 'cpu'];
    case 'cpu':
      return ['cpu'];
  }
}
