// ClassifyKeys: learn key configurations from Microsoft pkeyconfig files with libvolact, then
// say what product keys are (MAK, retail, OEM, CSVLK, GVLK or unknown).
//
//   mono ClassifyKeys.exe PKEYCONFIG... -- KEY...
//
// Each pkeyconfig file (%SystemRoot%\System32\spp\tokens\pkeyconfig\*.xrm-ms) is imported into
// a user catalog and its report printed; then each key masked (never the key itself) with its
// classification JSON. Exit status: 0 when every file and key was read, 1 when one was not, 2
// without `--` and a key.
using System;
using System.IO;
using Volact;

public static class ClassifyKeys
{
    public static int Main(string[] args)
    {
        int sep = Array.IndexOf(args, "--");
        if (sep < 0 || sep == args.Length - 1)
        {
            Console.Error.WriteLine("usage: ClassifyKeys PKEYCONFIG... -- KEY...");
            return 2;
        }
        int status = 0;
        using (var catalog = new UserCatalog())
        {
            for (int i = 0; i < sep; i++)
            {
                try
                {
                    string report = catalog.ImportPkeyconfig(File.ReadAllBytes(args[i]), Path.GetFileName(args[i]));
                    Console.WriteLine("imported " + report);
                }
                catch (InvalidCatalogFileException ex)
                {
                    // PkeyconfigXml, PkeyconfigDtd, PkeyconfigBase64, ...: nothing was imported.
                    Console.Error.WriteLine(args[i] + ": not imported (" + ex.Code + "): " + ex.Message);
                    status = 1;
                }
            }
            for (int i = sep + 1; i < args.Length; i++)
            {
                Console.WriteLine(KeyInspector.MaskText(args[i]));
                try
                {
                    Console.WriteLine("  classification: " + catalog.Classify(args[i]));
                }
                catch (InvalidProductKeyException ex)
                {
                    Console.WriteLine("  invalid: " + ex.Message);
                    status = 1;
                }
            }
        }
        return status;
    }
}
