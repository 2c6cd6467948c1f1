using Xunit.Sdk;
using Xunit.v3;

// Cmdlet tests swap the process-wide kernel factory and FUSIS_STATE_PATH: one test at a time.
[assembly: Parallelization(Mode = ParallelMode.None)]
