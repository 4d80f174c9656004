// Real servers take seconds to start (and Sentinel to fail over): allow it, per test and hook.
jest.setTimeout(90000);
