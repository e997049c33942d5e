/** Public surface of the tracker. */
export {
  ByteTracker,
  majorityClass,
  type TrackInfo,
  type TrackState,
  type TrackerFrame,
} from './byte-tracker';
export { assignWithThreshold, solveAssignment, type Assignment, type CostMatrix } from './assignment';
export { initiate, predict, update, xyxyToXyah, xyahToXyxy, stateBoxXyxy, type KalmanState } from './kalman';
export {
  parseTrackerOptions,
  trackerOptionsSchema,
  type TrackerOptions,
  type TrackerOptionsInput,
} from './options';
