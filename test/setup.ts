import { reachabilityMatchers } from '../src/testing/jest-matchers';

expect.extend(reachabilityMatchers);
