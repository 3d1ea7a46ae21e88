using System.CommandLine;
using SphereFace.Cli.Commands;

var root = new RootCommand("SphereFace: train SphereFace-style face-embedding networks as ONNX graphs and serve their embeddings.");
foreach (var command in CommandCatalog.All()) root.Subcommands.Add(command);
return root.Parse(args).Invoke();
