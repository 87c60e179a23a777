using Sendarix.SearchBench;

// Message search at scale: seed a tenant's messages straight into storage, then time searches through the API.
return args switch
{
    ["seed", ..] => await Seeder.RunAsync(args[1..]),
    ["query", ..] => await QueryRunner.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine(Seeder.Usage);
    Console.Error.WriteLine(QueryRunner.Usage);
    return 2;
}
