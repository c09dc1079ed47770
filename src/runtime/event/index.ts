/**
 * The runtime event model: what a sensor produces and the engine, profiles and recordings consume.
 */

export {
  createContainer,
  createEvent,
  createFd,
  createProcess,
  type EventInit,
  type ProcessInit,
  updateProcess,
} from './factory.js';
export {
  createRecordingReader,
  createRecordingWriter,
  decodeRecording,
  detectRecordingFormat,
  encodeRecording,
  type RecordingFormat,
  type RecordingReader,
  type RecordingWriter,
} from './recording.js';
export { renderArg, renderArgs, renderResult } from './render.js';
export type {
  ArgValue,
  ContainerInfo,
  ContainerMount,
  FdInfo,
  FdType,
  GroupInfo,
  L4Proto,
  ProcessCategory,
  ProcessInfo,
  RuntimeEvent,
  UserInfo,
} from './types.js';
