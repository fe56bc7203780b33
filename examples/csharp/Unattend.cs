// Unattend: put a product key into a Windows Setup answer file (Unattend.xml) and scrub it
// afterwards, with libvolact. Converting KMS clients to MAK during setup means putting the MAK
// in the answer file; setup reads it in the windowsPE and specialize passes and replaces it
// with SENSITIVE*DATA*DELETED only at the end of setup.
//
//   mono Unattend.exe ANSWER_FILE KEY KEYED_OUT SCRUBBED_OUT
//
// 1. show: the key places of ANSWER_FILE and what they hold (keys masked), with warnings;
// 2. set-key: KEY in every place setup reads, written to KEYED_OUT (the key in clear there, as
//    setup reads it: keep the file protected), then that file's places;
// 3. scrub: every key of KEYED_OUT (both places, and key-shaped text anywhere, such as a
//    `slmgr /ipk` command) replaced by SENSITIVE*DATA*DELETED, written to SCRUBBED_OUT, then
//    its places.
// Every other byte stays as it was, in the file's encoding. Keys are printed masked only.
// Exit status: 0 on success, 1 when volact refuses the file or the key, 2 on bad usage.
using System;
using System.IO;
using Volact;

public static class UnattendExample
{
    public static int Main(string[] args)
    {
        if (args.Length != 4)
        {
            Console.Error.WriteLine("usage: Unattend ANSWER_FILE KEY KEYED_OUT SCRUBBED_OUT");
            return 2;
        }
        string key = args[1];
        try
        {
            byte[] file = File.ReadAllBytes(args[0]);
            Console.WriteLine("step 1, show " + args[0]);
            Console.WriteLine(Unattend.Show(file));

            Console.WriteLine("step 2, set-key " + KeyInspector.MaskText(key));
            byte[] keyed = Unattend.SetKey(file, key);
            File.WriteAllBytes(args[2], keyed);
            Console.WriteLine("  " + keyed.Length + " bytes written to " + args[2] +
                              " (the key is in clear there, as setup reads it: keep the file protected and scrub it after use)");
            Console.WriteLine(Unattend.Show(keyed));

            Console.WriteLine("step 3, scrub " + args[2]);
            byte[] scrubbed = Unattend.Scrub(keyed);
            Array.Clear(keyed, 0, keyed.Length);
            File.WriteAllBytes(args[3], scrubbed);
            Console.WriteLine("  " + scrubbed.Length + " bytes written to " + args[3]);
            Console.WriteLine(Unattend.Show(scrubbed));
        }
        catch (VolactException ex)
        {
            // UnattendException (13xx: a DTD, not an answer file, no key place...) or
            // InvalidProductKeyException (1xx): the message never holds the key.
            Console.Error.WriteLine("refused (" + ex.Code + "): " + ex.Message);
            return 1;
        }
        return 0;
    }
}
