export * from './leak-report.js';
export * from './leak-report-throttle.js';
export * from './report-leaks.js';
