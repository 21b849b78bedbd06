// Rewrites test/fixtures/stacks/conformance/ (see stateConformanceStates.ts); run by hand, never by the tests.
import { writeConformanceStates } from './stateConformanceStates';

writeConformanceStates().then(
    () => console.log('wrote test/fixtures/stacks/conformance/'),
    (error: unknown) => {
        console.error(error);
        process.exit(1);
    },
);
