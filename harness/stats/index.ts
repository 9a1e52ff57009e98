/**
 * The statistics of spec §5, rliable-style. Public surface: descriptive statistics of one sample, the seeded
 * bootstrap (generic over the statistic), and the across-task aggregates. The resampling helper stays internal:
 * callers express any interval through `stratifiedBootstrap` with their own statistic.
 */
export { mean, sd, standardError, iqm } from './descriptive.ts';
export {
  stratifiedBootstrap,
  percentileBootstrap,
  DEFAULT_BOOTSTRAP,
  type ScoresByTask,
  type Interval,
  type BootstrapOptions,
} from './bootstrap.ts';
export {
  pooledIqm,
  pooledIqmInterval,
  probabilityOfImprovement,
  probabilityOfImprovementInterval,
  performanceProfile,
} from './aggregates.ts';
