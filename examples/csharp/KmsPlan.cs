// Plans a KMS topology (TOML, see docs/kms-discovery.md) with volact and prints each KMS
// host's DnsDomainPublishList, then the SRV records every domain ends up with.
//
//   mono KmsPlan.exe examples/kms/contoso-global.toml
//
// Exit status: 0 on success, 1 when the topology is invalid (the reason, with its TOML line,
// on stderr), 2 without an argument.
using System;
using System.IO;
using Volact;

public static class KmsPlan
{
    public static int Main(string[] args)
    {
        if (args.Length != 1)
        {
            Console.Error.WriteLine("usage: KmsPlan TOPOLOGY.toml");
            return 2;
        }
        string topology = File.ReadAllText(args[0]);
        string lists, zone;
        try
        {
            lists = SrvPlanner.Plan(topology, SrvFormat.PublishLists);
            zone = SrvPlanner.Plan(topology, SrvFormat.Zone);
        }
        catch (InvalidSrvInputException e)
        {
            Console.Error.WriteLine("invalid topology: " + e.Message);
            return 1;
        }
        // "[host]" starts a host; the lines after it are its DnsDomainPublishList strings.
        foreach (string line in lists.Split(new[] { '\n' }, StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("["))
            {
                Console.WriteLine(line.Substring(1, line.Length - 2));
            }
            else if (line.Contains("DisableDnsPublishing"))
            {
                Console.WriteLine("  DisableDnsPublishing = 1 (publishes nowhere)");
            }
            else if (!line.StartsWith(";"))
            {
                Console.WriteLine("  DnsDomainPublishList: " + line);
            }
        }
        Console.WriteLine();
        Console.Write(zone);
        return 0;
    }
}
