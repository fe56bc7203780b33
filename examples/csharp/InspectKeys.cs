// InspectKeys: prints what volact knows about product keys, without showing them.
//
//   mono InspectKeys.exe NPPR9-FWDCX-D2C8J-H872K-2YT43 W269N-WFGWX-YVC9B-4J6C9-T83GX
//
// For each argument: the masked key, its algorithm, group (with volact's label) and the
// published GVLK rows it stands in, or why it is not a key. Exit status 1 when any argument
// is not a valid key. Build and run: see examples/csharp/README.md.
using System;
using System.Linq;
using Volact;

internal static class InspectKeys
{
    private static int Main(string[] args)
    {
        if (args.Length == 0)
        {
            Console.Error.WriteLine("usage: InspectKeys KEY...");
            return 2;
        }
        int invalid = 0;
        foreach (string arg in args)
        {
            ProductKey key;
            if (!ProductKey.TryParse(arg, out key))
            {
                // Inspect says why; its Masked form never shows the key either.
                KeyInfo info = KeyInspector.Inspect(arg);
                Console.WriteLine("{0}: invalid ({1}): {2}", info.Masked, info.Error, info.ErrorMessage);
                invalid++;
                continue;
            }
            using (key)
            {
                Console.WriteLine("{0}: {1}", key, key.Algorithm);
                Pkey2009Fields? fields = key.Pkey2009;
                if (fields.HasValue)
                {
                    string label = Catalog.GroupLabel(fields.Value.GroupId);
                    Console.WriteLine("  group {0}{1}, serial {2}", fields.Value.GroupId,
                        label == null ? "" : " (" + label + ")", fields.Value.Serial);
                }
                Console.WriteLine("  channel: {0}", key.Channel ?? "unknown");
                foreach (CatalogRow row in key.CatalogRows)
                {
                    Console.WriteLine("  published GVLK: {0} {1}", row.Family, row.Edition);
                }
                if (!key.CatalogRows.Any())
                {
                    Console.WriteLine("  not in the GVLK catalog");
                }
            }
        }
        return invalid == 0 ? 0 : 1;
    }
}
