// What bench/evaluate needs from the server, bundled at bench start-up (see evaluate.mjs).
export { RunnerPool } from '../../server/src/runner/runnerPool';
export { GrpcAnalyzer } from '../../server/src/runner/grpcAnalyzer';
export { scaffoldPack } from '../../server/src/packs/scaffold';
