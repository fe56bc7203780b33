// ExplainCodes: what activation error codes mean, their likely cause and the fix to try,
// from libvolact's table (the one `volact explain` prints).
//
//   mono ExplainCodes.exe 0xC004F074 -1073418184
//
// Exit status: 0 when every code is explained, 1 when one is unknown or not a code, 2
// without arguments.
using System;
using Volact;

public static class ExplainCodes
{
    public static int Main(string[] args)
    {
        if (args.Length == 0)
        {
            Console.Error.WriteLine("usage: ExplainCodes CODE...   (" + ErrorCodes.All.Count + " codes known)");
            return 2;
        }
        int status = 0;
        foreach (string code in args)
        {
            try
            {
                ErrorExplanation e = ErrorCodes.Explain(code);
                Console.WriteLine(e.Hex + "  " + e.Message);
                Console.WriteLine("  applies to: " + e.AppliesTo);
                Console.WriteLine("  cause:      " + e.Cause);
                Console.WriteLine("  fix:        " + e.Fix);
                Console.WriteLine("  source:     " + e.Source);
            }
            catch (LicenseValueException ex)
            {
                // LicenseErrorCodeText (not a code) or LicenseErrorCodeUnknown (not in the table).
                Console.WriteLine(code + "  unknown: " + ex.Message);
                status = 1;
            }
        }
        return status;
    }
}
