using Xunit.Sdk;
using Xunit.v3;

// Every lab test shares one kernel: run them one at a time.
[assembly: Parallelization(Mode = ParallelMode.None)]
