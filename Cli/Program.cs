return SphereFace.Cli.CliApp.Run(args);
