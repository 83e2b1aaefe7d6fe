"""One module per `versus` subcommand: argument parsing and printing only."""
