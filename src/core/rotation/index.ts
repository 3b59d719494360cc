export * from './auto-rotation.js';
export * from './list-rotation-runs.js';
export * from './rotation-lease.js';
export * from './rotation-run.js';
export * from './rotation-store.js';
export * from './run-scheduled-rotations.js';
export * from './set-rotation-policy.js';
