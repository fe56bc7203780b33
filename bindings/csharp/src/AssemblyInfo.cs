using System.Reflection;
using System.Runtime.CompilerServices;

[assembly: AssemblyTitle("Volact")]
[assembly: AssemblyDescription("C# binding of libvolact (Windows volume activation, KMS and MAK)")]
[assembly: AssemblyVersion("0.1.0.0")]
// The glue tests check NativeMethods against volact.h and drive the retry paths.
[assembly: InternalsVisibleTo("VolactTests")]
