// MakStore: keep the MAK, CSVLK and retail keys you own in volact's MAK store with libvolact,
// as VAMT's "Manage MAK Keys" does.
//
//   mono MakStore.exe STORE PKEYCONFIG KEY [REMAINING]
//
// Imports the pkeyconfig file into a user catalog (so the key's type and edition are known;
// volact never guesses), loads the store (a missing file is an empty store; one others can
// read is refused), adds the key, records REMAINING as a snapshot in time, saves the store
// owner-only (0600) and lists it. Every line shows the key masked, never the key itself.
// Exit status: 0 on success, 1 when the store refuses the key or the file, 2 on bad usage.
using System;
using System.IO;
using Volact;

public static class MakStoreExample
{
    public static int Main(string[] args)
    {
        if (args.Length < 3 || args.Length > 4)
        {
            Console.Error.WriteLine("usage: MakStore STORE PKEYCONFIG KEY [REMAINING]");
            return 2;
        }
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        try
        {
            using (var catalog = new UserCatalog())
            using (MakStore store = MakStore.Load(args[0]))
            {
                catalog.ImportPkeyconfig(File.ReadAllBytes(args[1]), Path.GetFileName(args[1]));
                Console.WriteLine("added " + store.Add(args[2], catalog, KeyKind.None, "added by MakStore.exe", now));
                if (args.Length == 4)
                {
                    store.RecordCount(args[2], uint.Parse(args[3]), now);
                }
                store.Save(args[0]);
                Console.WriteLine("store " + store.List());
            }
        }
        catch (VolactException ex)
        {
            // MakGvlk, MakUnknownType, MakDuplicate, MakStoreExposed, ...: nothing changed.
            Console.Error.WriteLine("refused (" + ex.Code + "): " + ex.Message);
            return 1;
        }
        return 0;
    }
}
