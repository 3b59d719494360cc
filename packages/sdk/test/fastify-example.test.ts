import { describeMiddlewareExample } from './support/middleware-suite.js';

describeMiddlewareExample('fastify');
