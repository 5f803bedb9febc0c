import type ort from 'onnxruntime-node';

/**
 * The options every onnxruntime session of an artifact is made with, in the worker threads and on
 * the event loop's thread alike, so every batch is computed by the same kernels the same way.
 */
export const SESSION_OPTIONS: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 1, interOpNumThreads: 1 };
