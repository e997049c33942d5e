/**
 * A model path is checked before a byte is read: it must be a regular file (not a directory,
 * /dev/zero, a FIFO that never ends) and below a size limit, so a wrong path fails at once with
 * a reason instead of reading without end.
 */
import { stat } from 'node:fs/promises';

/** ONNX protobufs cannot exceed 2 GiB; external-data models are not supported. */
export const MAX_MODEL_BYTES = 2 * 1024 * 1024 * 1024;

export class ModelFileError extends Error {
  override name = 'ModelFileError';
}

/** Resolves to the file's size in bytes; throws `ModelFileError` saying what the path is instead. */
export async function checkModelFile(path: string, maxBytes = MAX_MODEL_BYTES): Promise<number> {
  const st = await stat(path).catch((e: NodeJS.ErrnoException) => {
    throw new ModelFileError(
      e.code === 'ENOENT'
        ? `model file ${path} does not exist`
        : `cannot read model file ${path}: ${e.code ?? e.message}`,
    );
  });
  if (st.isDirectory()) throw new ModelFileError(`model ${path} is a directory, not an .onnx file`);
  if (!st.isFile())
    throw new ModelFileError(
      `model ${path} is not a regular file (a device, FIFO or socket); give an .onnx file`,
    );
  if (st.size === 0) throw new ModelFileError(`model file ${path} is empty`);
  if (st.size > maxBytes)
    throw new ModelFileError(
      `model file ${path} is ${st.size} bytes, more than the ${maxBytes}-byte limit of an ONNX file`,
    );
  return st.size;
}
